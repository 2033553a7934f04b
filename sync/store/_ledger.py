"""The payments ledger: every payment list Pakt issued, with the exact lines it carries, kept before any file.

A list is issued in one transaction: its row in `issued_lists` (file name, Stichtag, tranche, when, the lines
as written) and its lines in `paid_lines` (what was paid, by municipality). Only then are its files written,
from the recorded lines alone, and the list is marked complete. A command that dies or finds the disk full
in between leaves an issued list without (all of) its files: the next `pakt payments` finds it and writes
the same files again (same name, same lines, same bytes) instead of issuing a second list, so the finance
office never holds two lists for the same lines.

The reservation is the record: a line in `paid_lines` counts as paid from the moment its list was issued.
A store from before the ledger has paid lines without a list row; they stay what they are.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol


class StateStore(Protocol):
    """What the ledger needs of the store (the store creates the ledger's table, so the ledger does not
    import it)."""

    db: sqlite3.Connection

    def transaction(self) -> Any: ...

    def record_paid(self, stichtag: date, lines: Any, when: datetime, list_file: str) -> None: ...


LEDGER_SCHEMA = """
CREATE TABLE IF NOT EXISTS issued_lists (
    id INTEGER PRIMARY KEY,
    stichtag TEXT NOT NULL,
    tranche TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    issued_at TEXT NOT NULL,
    lines_json TEXT NOT NULL,
    completed_at TEXT
);
"""


def create_ledger(db: sqlite3.Connection) -> None:
    db.executescript(LEDGER_SCHEMA)


@dataclass(frozen=True)
class IssuedLine:
    """One line of an issued list, exactly as its files carry it."""

    ags: str
    name: str
    tranche: str
    due: date | None
    kind: str
    amount: Decimal
    purpose: str
    kreditor: str = ""
    iban: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ags": self.ags, "name": self.name, "tranche": self.tranche,
            "due": self.due.isoformat() if self.due else None, "kind": self.kind, "amount": str(self.amount),
            "purpose": self.purpose, "kreditor": self.kreditor, "iban": self.iban,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IssuedLine:
        due = date.fromisoformat(data["due"]) if data.get("due") else None
        return cls(
            data["ags"], data["name"], data["tranche"], due, data["kind"], Decimal(data["amount"]), data["purpose"],
            data.get("kreditor", ""), data.get("iban", ""),
        )  # fmt: skip


@dataclass(frozen=True)
class IssuedList:
    """A payment list as the ledger keeps it."""

    id: int
    stichtag: date
    tranche: str
    path: str
    issued_at: datetime
    lines: tuple[IssuedLine, ...]
    completed_at: datetime | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def _issued(row: tuple) -> IssuedList:
    lines = tuple(IssuedLine.from_json(item) for item in json.loads(row[5]))
    completed = datetime.fromisoformat(row[6]) if row[6] else None
    return IssuedList(
        row[0], date.fromisoformat(row[1]), row[2], row[3], datetime.fromisoformat(row[4]), lines, completed
    )


_COLUMNS = "id, stichtag, tranche, path, issued_at, lines_json, completed_at"


def issue_list(
    store: StateStore, stichtag: date, tranche: str, path: str, lines: list[IssuedLine], when: datetime
) -> IssuedList:
    """Record a list and its lines as paid, in one transaction (nothing is written to disk yet)."""
    with store.transaction():
        cursor = store.db.execute(
            "INSERT INTO issued_lists (stichtag, tranche, path, issued_at, lines_json) VALUES (?, ?, ?, ?, ?)",
            (
                stichtag.isoformat(), tranche, path, when.isoformat(),
                json.dumps([line.to_json() for line in lines], ensure_ascii=False),
            ),
        )  # fmt: skip
        store.record_paid(stichtag, lines, when, path)
    return IssuedList(int(cursor.lastrowid), stichtag, tranche, path, when, tuple(lines), None)


def unfinished_lists(store: StateStore) -> list[IssuedList]:
    """Lists issued whose files were not all written (the command died or the disk was full)."""
    rows = store.db.execute(f"SELECT {_COLUMNS} FROM issued_lists WHERE completed_at IS NULL ORDER BY id")
    return [_issued(row) for row in rows]


def issued_at_path(store: StateStore, path: str) -> IssuedList | None:
    row = store.db.execute(f"SELECT {_COLUMNS} FROM issued_lists WHERE path=?", (path,)).fetchone()
    return _issued(row) if row else None


def issued_lists(store: StateStore) -> list[IssuedList]:
    """Every list issued, oldest first."""
    return [_issued(row) for row in store.db.execute(f"SELECT {_COLUMNS} FROM issued_lists ORDER BY id")]


def complete_list(store: StateStore, issued: IssuedList, when: datetime) -> None:
    store.db.execute("UPDATE issued_lists SET completed_at=? WHERE id=?", (when.isoformat(), issued.id))
