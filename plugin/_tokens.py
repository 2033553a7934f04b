"""Access tokens for the add-in server: one per municipality, one (or more) for district staff.

Tokens are random and shown once when issued; only their SHA-256 hash is
stored, in the district's state store. A municipality's token may validate and
submit only the workbook bound to its AGS; only a district token may run
Aktualisieren.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

TOKEN_PREFIX = "pakt_"
VERIFIED_FOR_S = 30.0
"""A verified token is remembered this long: a revocation from another process takes effect within it."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    ags TEXT,
    label TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


class Role(enum.StrEnum):
    GEMEINDE = "gemeinde"
    LANDKREIS = "landkreis"


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    token_id: int
    role: Role
    ags: str | None
    label: str

    def may_use_workbook_of(self, ags: str | None) -> bool:
        return self.role is Role.LANDKREIS or (ags is not None and ags == self.ags)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def bearer(header: str | None) -> str | None:
    """The token in an Authorization header: 'Bearer pakt_…' or the bare token (as Apps Script sends it)."""
    if not header:
        return None
    value = header.strip()
    return value[7:].strip() if value.lower().startswith("bearer ") else value


class TokenStore:
    """Issued tokens, hashed, in the district's SQLite state store."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._verified: dict[str, tuple[Principal, float]] = {}
        with self._db() as db:
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def issue(self, role: Role, label: str, ags: str | None = None) -> str:
        """A new token; returned once, never stored in the clear."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute(
                "INSERT INTO tokens (token_sha256, role, ags, label, issued_at) VALUES (?, ?, ?, ?, ?)",
                (_digest(token), role.value, ags, label, datetime.now().isoformat(timespec="seconds")),
            )
        return token

    def verify(self, token: str | None) -> Principal | None:
        """Who the token speaks for; None for unknown or revoked tokens."""
        if not token:
            return None
        digest = _digest(token)
        remembered = self._verified.get(digest)
        if remembered is not None and remembered[1] > time.monotonic():
            return remembered[0]
        with self._db() as db:
            row = db.execute(
                "SELECT id, role, ags, label FROM tokens WHERE token_sha256=? AND revoked_at IS NULL", (digest,)
            ).fetchone()
        if row is None:
            self._verified.pop(digest, None)
            return None
        principal = Principal(row[0], Role(row[1]), row[2], row[3])
        self._verified[digest] = (principal, time.monotonic() + VERIFIED_FOR_S)
        return principal

    def revoke(self, token_id: int) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked_at=? WHERE id=? AND revoked_at IS NULL",
                (datetime.now().isoformat(timespec="seconds"), token_id),
            )
        self._verified = {k: v for k, v in self._verified.items() if v[0].token_id != token_id}
        return cursor.rowcount == 1

    def listing(self) -> list[tuple[int, str, str | None, str, str, str | None]]:
        with self._db() as db:
            return db.execute("SELECT id, role, ags, label, issued_at, revoked_at FROM tokens ORDER BY id").fetchall()
