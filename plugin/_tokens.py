"""Access tokens for the add-in server: one per municipality, one (or more) for district staff.

Tokens are random and shown once when issued; only their SHA-256 hash is
stored, in the district's key store: a SQLite file of its own, readable by its
owner only, so that replacing or deleting the state store never revokes a
key. Only issuing a key creates the key store; a server whose key store is
missing or damaged refuses every call with a German 503 (no key works, none
is silently lost). A municipality's token may validate and submit only the
workbook bound to its AGS; only a district token may run Aktualisieren.
"""

from __future__ import annotations

import enum
import hashlib
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from pakt.schemas import StoreUnavailable, describe_os_error

TOKEN_PREFIX = "pakt_"
KEY_FILE_MODE = 0o600
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
        self.path = path
        self._verified: dict[str, tuple[Principal, float]] = {}

    def _db(self, create: bool = False) -> sqlite3.Connection:
        """The key store; only `create` (issuing a key) makes a missing one, owner-readable only."""
        if create and not self.path.exists():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE))
            except FileExistsError:
                pass
            except OSError as error:
                raise StoreUnavailable(
                    f"Der Schlüsselspeicher {self.path} kann nicht angelegt werden: {describe_os_error(error)}."
                ) from error
        try:
            db = sqlite3.connect(f"file:{quote(str(self.path))}?mode=rw", uri=True, timeout=30)
            if create:
                db.executescript(SCHEMA)
            return db
        except sqlite3.Error as error:
            raise self._unavailable(error) from error

    def _unavailable(self, error: Exception) -> StoreUnavailable:
        if not self.path.exists():
            return StoreUnavailable(
                f"Der Schlüsselspeicher {self.path} fehlt. Bitte ihn aus der Sicherung zurückspielen oder mit "
                "„pakt token issue“ neue Zugangsschlüssel ausgeben."
            )
        return StoreUnavailable(
            f"Der Schlüsselspeicher {self.path} kann nicht gelesen werden ({type(error).__name__}). "
            "Bitte ihn aus der Sicherung zurückspielen oder neue Zugangsschlüssel ausgeben."
        )

    def _query(self, sql: str, args: tuple, create: bool = False) -> list[tuple]:
        """Run one statement; every SQLite failure becomes StoreUnavailable in German."""
        db = self._db(create)
        try:
            with db:
                return db.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise self._unavailable(error) from error
        finally:
            db.close()

    def adopt(self, old_store: Path) -> int:
        """Move keys kept in a state store (Pakt before the key store had a file of its own) into this one,
        once, when this one does not exist yet. Returns how many were taken over."""
        if self.path.exists() or not old_store.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{quote(str(old_store))}?mode=ro", uri=True) as old:
                rows = old.execute(
                    "SELECT token_sha256, role, ags, label, issued_at, revoked_at FROM tokens ORDER BY id"
                ).fetchall()
        except sqlite3.Error:
            return 0
        for row in rows:
            self._query(
                "INSERT OR IGNORE INTO tokens (token_sha256, role, ags, label, issued_at, revoked_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", row, create=True,
            )  # fmt: skip
        return len(rows)

    def issue(self, role: Role, label: str, ags: str | None = None) -> str:
        """A new token; returned once, never stored in the clear."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._query(
            "INSERT INTO tokens (token_sha256, role, ags, label, issued_at) VALUES (?, ?, ?, ?, ?)",
            (_digest(token), role.value, ags, label, datetime.now().isoformat(timespec="seconds")),
            create=True,
        )
        return token

    def remembered(self, token: str | None) -> Principal | None:
        """Who a token speaks for, if it was verified in the last VERIFIED_FOR_S seconds (no I/O)."""
        if not token:
            return None
        remembered = self._verified.get(_digest(token))
        return remembered[0] if remembered is not None and remembered[1] > time.monotonic() else None

    def verify(self, token: str | None) -> Principal | None:
        """Who the token speaks for; None for unknown or revoked tokens."""
        if not token:
            return None
        digest = _digest(token)
        remembered = self._verified.get(digest)
        if remembered is not None and remembered[1] > time.monotonic():
            return remembered[0]
        rows = self._query(
            "SELECT id, role, ags, label FROM tokens WHERE token_sha256=? AND revoked_at IS NULL", (digest,)
        )
        row = rows[0] if rows else None
        if row is None:
            self._verified.pop(digest, None)
            return None
        principal = Principal(row[0], Role(row[1]), row[2], row[3])
        self._verified[digest] = (principal, time.monotonic() + VERIFIED_FOR_S)
        return principal

    def revoke(self, token_id: int) -> bool:
        revoked = self._query(
            "UPDATE tokens SET revoked_at=? WHERE id=? AND revoked_at IS NULL RETURNING id",
            (datetime.now().isoformat(timespec="seconds"), token_id),
        )
        self._verified = {k: v for k, v in self._verified.items() if v[0].token_id != token_id}
        return len(revoked) == 1

    def listing(self) -> list[tuple[int, str, str | None, str, str, str | None]]:
        if not self.path.exists():
            return []
        return self._query("SELECT id, role, ags, label, issued_at, revoked_at FROM tokens ORDER BY id", ())
