"""The reminders' memory: every reminder `pakt remind` wrote or sent, kept in the state store.

    reminders_sent   one row per reminder: the round (Stichtag), the municipality (AGS), why (the reason, the
                     word the mail used, what it named as missing or wrong), to which address, how (an .eml file
                     "geschrieben", or through the district's server "versandt"), its Message-ID and when

A daily `pakt remind` reads it to leave alone whom it reminded of the same thing a few days ago; `pakt status`
and the master's Übersicht ("Erinnert am") show the last reminder of each municipality. Nothing is ever
deleted. The table is created when the state store opens (`StateStore.__init__`), in an older store too.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

SCHEMA = """
CREATE TABLE IF NOT EXISTS reminders_sent (
    id INTEGER PRIMARY KEY,
    stichtag TEXT NOT NULL,
    ags TEXT NOT NULL,
    reason TEXT NOT NULL,
    word TEXT NOT NULL,
    about TEXT NOT NULL DEFAULT '',
    gaps_json TEXT NOT NULL,
    address TEXT NOT NULL,
    medium TEXT NOT NULL,
    place TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reminders_sent_by_round ON reminders_sent (stichtag, ags, id);
"""

WRITTEN = "geschrieben"
"""The reminder was written as an .eml file for district staff to send from their own mailbox."""
SENT = "versandt"
"""The reminder went out through the district's mail server."""

_COLUMNS = "id, stichtag, ags, reason, word, about, gaps_json, address, medium, place, message_id, sent_at"


def reason_key(reason: str, word: str, about: str) -> tuple[str, str, str]:
    """What makes two reminders of a municipality in a round the same one: the reason, the word the mail used
    (fehlt becomes überfällig after the deadline: news), and what it was about (a new rejection is news)."""
    return (reason, word, about)


class HasDatabase(Protocol):
    """A state store (`StateStore`), as far as the log needs it."""

    db: sqlite3.Connection


@dataclass(frozen=True, kw_only=True)
class ReminderSent:
    """One reminder that was written or sent."""

    stichtag: date
    ags: str
    reason: str
    """Why, as `Reason` says it: fehlt, nicht eingereicht, fehlerhaft, zurückgewiesen."""
    word: str
    """What the mail called the submission: fehlt, überfällig, fehlerhaft, zurückgewiesen."""
    about: str = ""
    """What else makes it the same reminder: for a rejection, the decision it was about (a new one is news)."""
    gaps: tuple[str, ...] = ()
    """What it named as missing or wrong, one German line each."""
    address: str
    medium: str
    """WRITTEN (an .eml file) or SENT (through the mail server)."""
    place: str
    """The .eml file's path, or the address the server took."""
    message_id: str
    sent_at: datetime
    id: int | None = None

    @property
    def same_reason(self) -> tuple[str, str, str]:
        """Two reminders with the same key are one reminder repeated (`reason_key`)."""
        return reason_key(self.reason, self.word, self.about)

    def describe(self) -> str:
        """'am 01.08.2018 versandt an integration@aldingen.example (Meldung fehlerhaft)' (German)."""
        return f"am {self.sent_at:%d.%m.%Y} {self.medium} an {self.address} (Meldung {self.word})"


def create_reminder_log(db: sqlite3.Connection) -> None:
    """Create the table if the store has none yet (the hook in `StateStore.__init__`)."""
    db.executescript(SCHEMA)


def _sent(row: tuple) -> ReminderSent:
    return ReminderSent(
        id=row[0],
        stichtag=date.fromisoformat(row[1]),
        ags=row[2],
        reason=row[3],
        word=row[4],
        about=row[5],
        gaps=tuple(json.loads(row[6])),
        address=row[7],
        medium=row[8],
        place=row[9],
        message_id=row[10],
        sent_at=datetime.fromisoformat(row[11]),
    )


def record_reminder(store: HasDatabase, sent: ReminderSent) -> ReminderSent:
    """Keep one reminder that went out (right after it did: a run that dies later has not forgotten it)."""
    cursor = store.db.execute(
        f"INSERT INTO reminders_sent ({_COLUMNS.removeprefix('id, ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            sent.stichtag.isoformat(),
            sent.ags,
            sent.reason,
            sent.word,
            sent.about,
            json.dumps(list(sent.gaps), ensure_ascii=False),
            sent.address,
            sent.medium,
            sent.place,
            sent.message_id,
            sent.sent_at.isoformat(),
        ),
    )
    return replace(sent, id=int(cursor.lastrowid))


def reminders_of_round(store: HasDatabase, stichtag: date, ags: str | None = None) -> list[ReminderSent]:
    """Every reminder of a round (of one municipality, with `ags`), oldest first."""
    query = f"SELECT {_COLUMNS} FROM reminders_sent WHERE stichtag=?"
    arguments: tuple = (stichtag.isoformat(),)
    if ags is not None:
        query += " AND ags=?"
        arguments += (ags,)
    return [_sent(row) for row in store.db.execute(query + " ORDER BY id", arguments)]


def last_reminders(store: HasDatabase, stichtag: date) -> dict[str, ReminderSent]:
    """Per municipality, the last reminder of the round (what `pakt status` and the Übersicht show)."""
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM reminders_sent WHERE id IN "
        "(SELECT MAX(id) FROM reminders_sent WHERE stichtag=? GROUP BY ags)",
        (stichtag.isoformat(),),
    )
    return {sent.ags: sent for sent in map(_sent, rows)}


def last_reminders_by_reason(
    store: HasDatabase, stichtag: date
) -> dict[tuple[str, tuple[str, str, str]], ReminderSent]:
    """Per municipality and reason (`ReminderSent.same_reason`), the last reminder of the round: the repeat
    rule asks whether that one is recent."""
    return {(sent.ags, sent.same_reason): sent for sent in reminders_of_round(store, stichtag)}
