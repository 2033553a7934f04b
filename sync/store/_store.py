"""The state store: SQLite beside the master. Every version, every run, the staff's annotations.

Nothing here is ever deleted: a file that disappears keeps its history, a
broken version is stored next to the valid one it does not replace, and
annotations are kept even for rows that are gone from the master.

Tables
    sources      one row per file path ever seen: last stat, fingerprint, current version or problem
    versions     one row per distinct content of a municipality's submission (ags, sha256)
    runs         one row per sync run: start, end, counts, what changed, the view it computed and the
                 view its masters show (a run that died or failed to write leaves the next run to write)
    round_notes  the staff's Bemerkung and Wiedervorlage per round and municipality (with history in
                 round_note_history; the older `annotations` table, without rounds, is adopted once by the
                 first round that asks and then left as it was)
    decisions    the district's decisions on versions (geprüft, freigegeben, zurückgewiesen): who, when, why
    paid_lines   every line of every payment list that went to the finance office (never changed afterwards)
    shown_annotations  what each master medium (the xlsx file, the Google master) was last written with,
                 and which version each row showed, so that only what the staff changed there is taken back
                 (never an older value) and a decision typed there applies to the version it was typed beside
    snapshot     the district view as of the last run, to say what changed
    issued_lists every payment list issued, with its lines as written, before its files (store/_ledger.py)
    reminders_sent  every reminder `pakt remind` wrote or sent (its own module: store/_reminder_log.py)

Every SQLite failure (damaged, read-only, locked, full) becomes StoreUnavailable with a German message.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pakt.schemas import Finding, StoreUnavailable, describe_os_error

from ..files._file_access import FileAccess
from ._ledger import create_ledger
from ._records import Annotation, Decision, PaidLine, RunRecord, RunSummary, SourceRecord, VersionRecord, review_choice
from ._reminder_log import create_reminder_log

if TYPE_CHECKING:
    from pakt.schemas import Submission

SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    version_id INTEGER REFERENCES versions(id),
    problem_json TEXT,
    present INTEGER NOT NULL DEFAULT 1,
    first_seen_run INTEGER NOT NULL,
    last_seen_run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    ags TEXT NOT NULL,
    stichtag TEXT,
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    submission_json TEXT,
    findings_json TEXT NOT NULL,
    locations_json TEXT NOT NULL,
    UNIQUE (ags, sha256)
);
CREATE INDEX IF NOT EXISTS versions_by_ags ON versions (ags, stichtag, valid, id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    counts_json TEXT,
    changes_json TEXT,
    view_key TEXT,
    master_path TEXT,
    master_size INTEGER,
    master_mtime_ns INTEGER,
    masters_key TEXT
);
CREATE TABLE IF NOT EXISTS annotations (
    ags TEXT PRIMARY KEY,
    note TEXT NOT NULL DEFAULT '',
    follow_up TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotation_history (
    id INTEGER PRIMARY KEY,
    ags TEXT NOT NULL,
    note TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot (
    ags TEXT PRIMARY KEY,
    row_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shown_annotations (
    medium TEXT NOT NULL,
    ags TEXT NOT NULL,
    note TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    PRIMARY KEY (medium, ags)
);
CREATE TABLE IF NOT EXISTS round_notes (
    stichtag TEXT NOT NULL,
    ags TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    follow_up TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (stichtag, ags)
);
CREATE TABLE IF NOT EXISTS round_note_history (
    id INTEGER PRIMARY KEY,
    stichtag TEXT NOT NULL,
    ags TEXT NOT NULL,
    note TEXT NOT NULL,
    follow_up TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    ags TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_version ON decisions (version_id, id);
CREATE TABLE IF NOT EXISTS paid_lines (
    id INTEGER PRIMARY KEY,
    stichtag TEXT NOT NULL,
    ags TEXT NOT NULL,
    tranche TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    list_file TEXT NOT NULL
);
"""
SCHEMA_VERSION = 3
MAX_SHARED_LAYOUTS = 1_000
"""Distinct field layouts the store keeps parsed (a district has a few: the staff table's length varies)."""
MIGRATIONS = {
    "runs": {"masters_key": "TEXT"},
    "shown_annotations": {
        "review": "TEXT NOT NULL DEFAULT ''",
        "reason": "TEXT NOT NULL DEFAULT ''",
        "version_id": "INTEGER",
    },
}
"""Columns added since version 1, added to an older store when it is opened."""

_RUN_COLUMNS = (
    "id, started_at, finished_at, counts_json, changes_json, view_key, master_path, master_size, master_mtime_ns, "
    "masters_key"
)

_STORE_PROBLEMS = {
    "SQLITE_CORRUPT": "Die Datei ist beschädigt",
    "SQLITE_NOTADB": "Die Datei ist kein Zustandsspeicher von Pakt (keine SQLite-Datenbank)",
    "SQLITE_READONLY": "Die Datei oder ihr Ordner ist schreibgeschützt",
    "SQLITE_CANTOPEN": "Die Datei kann nicht geöffnet oder angelegt werden",
    "SQLITE_FULL": "Auf dem Datenträger ist kein Platz mehr",
    "SQLITE_IOERR": "Ein-/Ausgabefehler des Datenträgers",
    "SQLITE_BUSY": "Ein anderer Prozess hält die Datei zu lange gesperrt",
    "SQLITE_LOCKED": "Ein anderer Prozess hält die Datei zu lange gesperrt",
    "SQLITE_PERM": "Keine Berechtigung",
}


def _disk_full(path: Path) -> bool:
    """SQLite reports a full disk under WAL as an I/O error; the file system tells the truth."""
    try:
        stats = os.statvfs(path.parent)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


def store_unavailable(path: Path, error: sqlite3.Error | OSError) -> StoreUnavailable:
    """The German error for a state store that cannot be used, with what to do about it."""
    if isinstance(error, OSError):
        what = describe_os_error(error)
    else:
        name = getattr(error, "sqlite_errorname", "") or ""
        what = next((text for code, text in _STORE_PROBLEMS.items() if name.startswith(code)), "SQLite-Fehler")
        if name.startswith(("SQLITE_IOERR", "SQLITE_FULL")) and _disk_full(path):
            what = _STORE_PROBLEMS["SQLITE_FULL"]
    advice = (
        "Bitte die Datei aus der Sicherung zurückspielen oder umbenennen; ein neuer Zustandsspeicher liest beim "
        "nächsten Abgleich alle Meldungen neu ein, Bemerkungen werden aus der Übersicht übernommen."
        if what.startswith(("Die Datei ist beschädigt", "Die Datei ist kein"))
        else "Bitte Platz, Schreibrechte und Erreichbarkeit des Ordners prüfen und den Abgleich wiederholen."
    )
    return StoreUnavailable(f"Der Zustandsspeicher {path} kann nicht benutzt werden: {what}. {advice}")


def _findings(text: str | None) -> tuple[Finding, ...]:
    return tuple(Finding.model_validate(item) for item in json.loads(text or "[]"))


def open_store(path: Path, access: FileAccess | None, schema: str) -> sqlite3.Connection:
    """A state store's connection (WAL, autocommit outside `transaction()`), its tables created; every
    failure as StoreUnavailable in German."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        (access or FileAccess()).ensure(path)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (sqlite3.Error, OSError) as error:
        raise store_unavailable(path, error) from error
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error as error:
        db.close()
        raise store_unavailable(path, error) from error
    return db


class StateStore:
    """The SQLite state of one district's sync."""

    def __init__(self, path: Path, access: FileAccess | None = None) -> None:
        self.path = path
        self.db = open_store(path, access, SCHEMA)
        self._layouts: dict[str, dict] = {}
        try:
            self._migrate()
            create_reminder_log(self.db)  # reminders_sent (store/_reminder_log.py), in an older store too
            create_ledger(self.db)  # issued_lists (store/_ledger.py): every payment list, before its files
            watch_changes(self.db)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as error:
            self.db.close()
            raise store_unavailable(path, error) from error

    def _migrate(self) -> None:
        for table, columns in MIGRATIONS.items():
            present = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            for column, kind in columns.items():
                if column not in present:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self):
        """`with store.transaction():` groups writes; a killed process leaves none of them half-done."""
        return _Transaction(self.db)

    # -- runs -----------------------------------------------------------------------------

    def begin_run(self, started_at: datetime) -> int:
        cursor = self.db.execute("INSERT INTO runs (started_at) VALUES (?)", (started_at.isoformat(),))
        return int(cursor.lastrowid)

    def finish_run(self, record: RunRecord) -> None:
        """Record a finished run (its summary, changes, and the master it wrote with that file's stat)."""
        self.db.execute(
            "UPDATE runs SET finished_at=?, counts_json=?, changes_json=?, view_key=?, master_path=?, "
            "master_size=?, master_mtime_ns=?, masters_key=? WHERE id=?",
            (
                record.finished_at.isoformat() if record.finished_at else None,
                json.dumps(record.summary.to_json() if record.summary else {}, ensure_ascii=False),
                json.dumps(list(record.changes), ensure_ascii=False),
                record.view_key,
                record.master_path,
                record.master_size,
                record.master_mtime_ns,
                record.masters_key,
                record.id,
            ),
        )

    def _run(self, row: tuple) -> RunRecord:
        return RunRecord(
            id=row[0],
            started_at=datetime.fromisoformat(row[1]),
            finished_at=datetime.fromisoformat(row[2]) if row[2] else None,
            summary=RunSummary.from_json(json.loads(row[3] or "{}")),
            changes=tuple(json.loads(row[4] or "[]")),
            view_key=row[5],
            master_path=row[6],
            master_size=row[7],
            master_mtime_ns=row[8],
            masters_key=row[9],
        )

    def runs(self, limit: int = 50) -> list[RunRecord]:
        """The latest runs, newest first (unfinished ones included: a killed run shows as such)."""
        rows = self.db.execute(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [self._run(row) for row in rows]

    def last_finished_run(self) -> RunRecord | None:
        row = self.db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return self._run(row) if row else None

    def watching_since(self) -> datetime | None:
        """When the first run of this store began: before then, Pakt cannot know when a file arrived."""
        row = self.db.execute("SELECT MIN(started_at) FROM runs").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def interrupted_since(self, last: RunRecord | None) -> int:
        """Runs begun after `last` finished that never finished: they may have stored what they read."""
        after = last.id if last is not None else 0
        (count,) = self.db.execute(
            "SELECT COUNT(*) FROM runs WHERE id > ? AND finished_at IS NULL", (after,)
        ).fetchone()
        return int(count)

    # -- sources and versions -----------------------------------------------------------------

    def sources(self) -> dict[str, SourceRecord]:
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, sha256, version_id, problem_json, present, first_seen_run FROM sources"
        ).fetchall()
        return {
            row[0]: SourceRecord(
                path=row[0],
                size=row[1],
                mtime_ns=row[2],
                sha256=row[3],
                version_id=row[4],
                problem=Finding.model_validate_json(row[5]) if row[5] else None,
                present=bool(row[6]),
                first_seen_run=row[7],
            )
            for row in rows
        }

    def remember_source(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        sha256: str | None,
        version_id: int | None,
        problem: Finding | None,
        run_id: int,
    ) -> None:
        """Record what a file holds now. A file that became unreadable keeps pointing at its last version."""
        self.db.execute(
            "INSERT INTO sources (path, size, mtime_ns, sha256, version_id, problem_json, present, first_seen_run, "
            "last_seen_run) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT(path) DO UPDATE SET size=excluded.size, "
            "mtime_ns=excluded.mtime_ns, sha256=excluded.sha256, "
            "version_id=CASE WHEN excluded.problem_json IS NULL THEN excluded.version_id ELSE sources.version_id END, "
            "problem_json=excluded.problem_json, present=1, last_seen_run=excluded.last_seen_run",
            (path, size, mtime_ns, sha256, version_id, problem.model_dump_json() if problem else None, run_id, run_id),
        )

    def mark_present(self, present: set[str], run_id: int) -> list[str]:
        """Record which known sources this run found; those not found stay, with their history, as absent.

        Returns the paths that disappeared since the last run.
        """
        gone = [p for (p,) in self.db.execute("SELECT path FROM sources WHERE present=1") if p not in present]
        self.db.executemany("UPDATE sources SET present=0 WHERE path=?", ((p,) for p in gone))
        self.db.execute("UPDATE sources SET last_seen_run=? WHERE present=1", (run_id,))
        return gone

    def add_version(
        self,
        ags: str,
        stichtag: date | None,
        sha256: str,
        path: str,
        seen_at: datetime,
        run_id: int,
        submission_json: str | None,
        findings_json: str,
        locations_json: str,
    ) -> int:
        """Store a version once per (ags, content); an identical content seen again keeps its first record.

        The submission, findings and locations arrive as JSON, as the reader serialised them.
        """
        self.db.execute(
            "INSERT OR IGNORE INTO versions (ags, stichtag, sha256, path, seen_at, run_id, valid, submission_json, "
            "findings_json, locations_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ags,
                stichtag.isoformat() if stichtag else None,
                sha256,
                path,
                seen_at.isoformat(),
                run_id,
                int(submission_json is not None),
                submission_json,
                findings_json,
                locations_json,
            ),
        )
        (version_id,) = self.db.execute("SELECT id FROM versions WHERE ags=? AND sha256=?", (ags, sha256)).fetchone()
        return int(version_id)

    _VERSION_COLUMNS = (
        "id, ags, stichtag, sha256, path, seen_at, run_id, valid, findings_json, locations_json, submission_json"
    )

    def _version(self, row: tuple) -> VersionRecord:
        return VersionRecord(
            id=row[0],
            ags=row[1],
            stichtag=date.fromisoformat(row[2]) if row[2] else None,
            sha256=row[3],
            path=row[4],
            seen_at=datetime.fromisoformat(row[5]),
            run_id=row[6],
            valid=bool(row[7]),
            findings=_findings(row[8]),
            locations=self._locations(row[9]),
            submission_json=row[10],
        )

    def _locations(self, text: str) -> dict:
        """Where a version's fields sit, shared (read only) by every version of the same layout: the forms of a
        district come from one template, so 10,000 versions have a handful of layouts, not 10,000 copies (a
        tenth of the run's memory at that size)."""
        found = self._layouts.get(text)
        if found is None:
            found = json.loads(text)
            if len(self._layouts) < MAX_SHARED_LAYOUTS:
                self._layouts[text] = found
        return found

    def versions(self, ids: Iterable[int]) -> dict[int, VersionRecord]:
        wanted = sorted(set(ids))
        found: dict[int, VersionRecord] = {}
        for start in range(0, len(wanted), 900):
            batch = wanted[start : start + 900]
            marks = ",".join("?" * len(batch))
            for row in self.db.execute(f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE id IN ({marks})", batch):
                found[row[0]] = self._version(row)
        return found

    def latest_valid(self, ags: str, stichtag: date) -> VersionRecord | None:
        """The newest valid version of a municipality for a Stichtag, wherever it came from."""
        row = self.db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE ags=? AND stichtag=? AND valid=1 ORDER BY id DESC LIMIT 1",
            (ags, stichtag.isoformat()),
        ).fetchone()
        return self._version(row) if row else None

    def previous_rounds(self, before: date) -> dict[str, Submission]:
        """For every municipality, the newest valid submission of an earlier Stichtag, in one query (the jump
        warning of a whole district; one query per municipality took seconds at 10,000)."""
        rows = self.db.execute(
            "SELECT ags, submission_json FROM versions v WHERE stichtag<? AND valid=1 AND id = ("
            " SELECT id FROM versions w WHERE w.ags=v.ags AND w.stichtag<? AND w.valid=1"
            " ORDER BY w.stichtag DESC, w.id DESC LIMIT 1)",
            (before.isoformat(), before.isoformat()),
        ).fetchall()
        from pakt.schemas import Submission

        return {ags: Submission.model_validate_json(text) for ags, text in rows}

    def versions_of(self, ags: str) -> list[VersionRecord]:
        """Every stored version of a municipality, of every round, oldest first (`pakt history`)."""
        rows = self.db.execute(f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE ags=? ORDER BY id", (ags,))
        return [self._version(row) for row in rows]

    def first_signed(self, stichtag: date) -> dict[str, datetime]:
        """Per municipality, when Pakt first saw a valid, signed-off version of the round: a submission counts
        as late by when it arrived, not only by the date the clerk typed."""
        rows = self.db.execute(
            "SELECT ags, MIN(seen_at) FROM versions WHERE stichtag=? AND valid=1 "
            "AND json_extract(submission_json, '$.sign_off.submitted') IN (1, 'true') GROUP BY ags",
            (stichtag.isoformat(),),
        )
        return {ags: datetime.fromisoformat(seen) for ags, seen in rows}

    def round_versions(self, besides: date | None = None) -> dict[tuple[str, date], VersionRecord]:
        """Per municipality and Stichtag, the version that counts for that round: the approved one, else the
        newest valid one (the Zeitreihe). `besides`: a round left out (the running one, which the view has)."""
        newest = self.db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE id IN ("
            " SELECT MAX(id) FROM versions WHERE valid=1 AND stichtag IS NOT NULL AND stichtag IS NOT ?"
            " GROUP BY ags, stichtag)",
            (besides.isoformat() if besides else None,),
        ).fetchall()
        counting = {(v.ags, v.stichtag): v for v in map(self._version, newest)}
        days = {stichtag for _, stichtag in counting}
        for day in days:
            for ags, version in self.approved_versions(day).items():
                counting[(ags, day)] = version
        return counting

    def versions_seen_in(self, run_id: int) -> int:
        """How many versions a run stored for the first time."""
        return int(self.db.execute("SELECT COUNT(*) FROM versions WHERE run_id=?", (run_id,)).fetchone()[0])

    def latest_valid_any_round(self, ags: str) -> VersionRecord | None:
        """The newest valid version of a municipality, of whatever Stichtag: the last contact person and address
        it named, for a reminder when this round brought no valid submission."""
        row = self.db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE ags=? AND valid=1 ORDER BY id DESC LIMIT 1", (ags,)
        ).fetchone()
        return self._version(row) if row else None

    # -- annotations and snapshot --------------------------------------------------------------

    def annotations(self, stichtag: date) -> dict[str, Annotation]:
        """The staff's notes of one round, by AGS (a new round starts with none)."""
        self._adopt_notes_without_round(stichtag)
        rows = self.db.execute("SELECT ags, note, follow_up FROM round_notes WHERE stichtag=?", (stichtag.isoformat(),))
        return {ags: Annotation(note, follow_up) for ags, note, follow_up in rows}

    def _adopt_notes_without_round(self, stichtag: date) -> None:
        """Notes kept before rounds existed belong to the round that was running then: the first round that
        asks takes them over (once; the old table is left as it was)."""
        (adopted,) = self.db.execute("SELECT COUNT(*) FROM round_notes").fetchone()
        if adopted:
            return
        day = stichtag.isoformat()
        self.db.execute(
            "INSERT INTO round_notes (stichtag, ags, note, follow_up, updated_at) "
            "SELECT ?, ags, note, follow_up, updated_at FROM annotations",
            (day,),
        )
        self.db.execute(
            "INSERT INTO round_note_history (stichtag, ags, note, follow_up, recorded_at) "
            "SELECT ?, ags, note, follow_up, recorded_at FROM annotation_history",
            (day,),
        )

    def save_annotations(self, typed: dict[str, Annotation], when: datetime, stichtag: date) -> int:
        """Store the notes the staff typed for a round; returns how many changed. An emptied cell is stored as
        empty, with history."""
        known = self.annotations(stichtag)
        day = stichtag.isoformat()
        changed = 0
        for ags, typed_row in typed.items():
            annotation = typed_row.notes()
            if known.get(ags, Annotation()) == annotation:
                continue
            changed += 1
            self.db.execute(
                "INSERT INTO round_notes (stichtag, ags, note, follow_up, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(stichtag, ags) DO UPDATE SET note=excluded.note, follow_up=excluded.follow_up, "
                "updated_at=excluded.updated_at",
                (day, ags, annotation.note, annotation.follow_up, when.isoformat()),
            )
            self.db.execute(
                "INSERT INTO round_note_history (stichtag, ags, note, follow_up, recorded_at) VALUES (?, ?, ?, ?, ?)",
                (day, ags, annotation.note, annotation.follow_up, when.isoformat()),
            )
        return changed

    def shown_annotations(self, medium: str) -> dict[str, Annotation]:
        """What the master `medium` ("xlsx", "google") was last written with: notes and decisions."""
        rows = self.db.execute(
            "SELECT ags, note, follow_up, review, reason FROM shown_annotations WHERE medium=?", (medium,)
        )
        return {ags: Annotation(note, follow_up, review, reason) for ags, note, follow_up, review, reason in rows}

    def shown_versions(self, medium: str) -> dict[str, int]:
        """The version each row of the master `medium` showed when it was last written (what a decision typed
        there is about)."""
        rows = self.db.execute(
            "SELECT ags, version_id FROM shown_annotations WHERE medium=? AND version_id IS NOT NULL", (medium,)
        )
        return dict(rows.fetchall())

    def set_shown_annotations(self, medium: str, shown: dict[str, Annotation], versions: dict[str, int]) -> None:
        self.db.execute("DELETE FROM shown_annotations WHERE medium=?", (medium,))
        self.db.executemany(
            "INSERT INTO shown_annotations (medium, ags, note, follow_up, review, reason, version_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (medium, ags, a.note, a.follow_up, a.review, a.reason, versions.get(ags))
                for ags in shown.keys() | versions.keys()
                for a in [shown.get(ags, Annotation())]
            ),
        )

    def take_annotations(
        self, typed: dict[str, Annotation], medium: str, when: datetime, stichtag: date, by: str
    ) -> tuple[int, list[Decision], dict[str, str]]:
        """Take what the staff changed in a master: only cells that differ from what that master was last
        written with. An unchanged cell holding an older value (the master was not rewritten since a note
        changed elsewhere) never overwrites the newer note. A changed Prüfung or Grund becomes a decision on
        the version that row showed. Returns how many notes changed, the decisions taken, and the typed
        Prüfung texts that are no decision (by AGS; nothing is recorded for them)."""
        shown = self.shown_annotations(medium)
        versions = self.shown_versions(medium)
        changed = {ags: a for ags, a in typed.items() if a.notes() != shown.get(ags, Annotation()).notes()}
        decided, refused = [], {}
        for ags, annotation in typed.items():
            before = shown.get(ags, Annotation())
            if annotation.decision() == before.decision() or ags not in versions:
                continue
            choice = review_choice(annotation.review)
            if choice is None:
                refused[ags] = annotation.review
                continue
            decided.append(self.record_decision(ags, versions[ags], choice, annotation.reason.strip(), by, when))
        return self.save_annotations(changed, when, stichtag), decided, refused

    # -- payments -------------------------------------------------------------------------------

    def paid_lines(self, stichtag: date) -> list[PaidLine]:
        """What went to the finance office for a round, in the order it was recorded."""
        rows = self.db.execute(
            "SELECT ags, tranche, kind, amount, recorded_at FROM paid_lines WHERE stichtag=? ORDER BY id",
            (stichtag.isoformat(),),
        )
        return [
            PaidLine(ags, tranche, kind, Decimal(amount), datetime.fromisoformat(at).date())
            for ags, tranche, kind, amount, at in rows
        ]

    def paid_mark(self) -> int:
        """Grows with every payment list recorded: the masters then show those lines as angewiesen."""
        (mark,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM paid_lines").fetchone()
        return int(mark)

    def record_paid(self, stichtag: date, lines: Iterable, when: datetime, list_file: str) -> None:
        """Keep the lines of a payment list that went out: from now on they are what was paid."""
        self.db.executemany(
            "INSERT INTO paid_lines (stichtag, ags, tranche, kind, amount, recorded_at, list_file) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (stichtag.isoformat(), line.ags, line.tranche, line.kind, str(line.amount), when.isoformat(), list_file)
                for line in lines
            ),
        )

    # -- decisions ------------------------------------------------------------------------------

    _DECISION_COLUMNS = "id, ags, version_id, decision, reason, decided_by, decided_at"

    @staticmethod
    def _decision(row: tuple) -> Decision:
        return Decision(row[0], row[1], row[2], row[3], row[4], row[5], datetime.fromisoformat(row[6]))

    def record_decision(
        self, ags: str, version_id: int, decision: str, reason: str, by: str, when: datetime
    ) -> Decision:
        """Add a decision on a version (never replacing an earlier one: the newest counts)."""
        cursor = self.db.execute(
            "INSERT INTO decisions (ags, version_id, decision, reason, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?)",
            (ags, version_id, decision, reason, by, when.isoformat()),
        )
        return Decision(int(cursor.lastrowid), ags, version_id, decision, reason, by, when)

    def decisions(self, version_ids: Iterable[int]) -> dict[int, Decision]:
        """The decision in force on each of these versions (the newest; versions without one are left out)."""
        wanted = sorted(set(version_ids))
        found: dict[int, Decision] = {}
        for start in range(0, len(wanted), 900):
            batch = wanted[start : start + 900]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(
                f"SELECT {self._DECISION_COLUMNS} FROM decisions WHERE id IN (SELECT MAX(id) FROM decisions "
                f"WHERE version_id IN ({marks}) GROUP BY version_id)",
                batch,
            )
            found.update((row[2], self._decision(row)) for row in rows)
        return found

    def decision_history(self, ags: str) -> list[Decision]:
        """Every decision on a municipality's versions, oldest first."""
        rows = self.db.execute(f"SELECT {self._DECISION_COLUMNS} FROM decisions WHERE ags=? ORDER BY id", (ags,))
        return [self._decision(row) for row in rows]

    def approved_versions(self, stichtag: date) -> dict[str, VersionRecord]:
        """Per municipality, the newest version of the round whose decision in force is "freigegeben": the
        frozen figures, which stay in the totals until the district approves a newer version."""
        rows = self.db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions v WHERE stichtag=? AND valid=1 AND ("
            " SELECT decision FROM decisions d WHERE d.version_id=v.id ORDER BY d.id DESC LIMIT 1) = 'freigegeben' "
            "ORDER BY id",
            (stichtag.isoformat(),),
        ).fetchall()
        return {version.ags: version for version in map(self._version, rows)}

    def decision_mark(self) -> int:
        """Grows with every decision."""
        (mark,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM decisions").fetchone()
        return int(mark)

    def change_mark(self) -> int:
        """Grows with every change to what the masters may show: a run whose mark differs from the last one's
        builds the masters' sheets and compares them. Every table counts but the run's own bookkeeping
        (`BOOKKEEPING`), so a table added later (a ledger, a log) cannot be forgotten: its first change is
        already counted."""
        watch_changes(self.db)
        (mark,) = self.db.execute("SELECT mark FROM store_changes").fetchone()
        return int(mark)

    def snapshot(self) -> dict[str, dict]:
        return {ags: json.loads(row) for ags, row in self.db.execute("SELECT ags, row_json FROM snapshot")}

    def save_snapshot(self, rows: dict[str, dict]) -> None:
        self.db.execute("DELETE FROM snapshot")
        self.db.executemany(
            "INSERT INTO snapshot (ags, row_json) VALUES (?, ?)",
            ((ags, json.dumps(row, ensure_ascii=False)) for ags, row in rows.items()),
        )


BOOKKEEPING = frozenset({"runs", "sources", "snapshot", "shown_annotations", "store_changes"})
"""Tables a run writes about itself (which files it saw, what it wrote where): a change there is no change to
what a master shows. Every other table is watched by `change_mark`."""


def watch_changes(db: sqlite3.Connection) -> None:
    """Count every insert, update and delete in the watched tables (triggers made once per table, also for a
    table another module created after the store opened)."""
    db.execute("CREATE TABLE IF NOT EXISTS store_changes (mark INTEGER NOT NULL)")
    if db.execute("SELECT COUNT(*) FROM store_changes").fetchone()[0] == 0:
        db.execute("INSERT INTO store_changes (mark) VALUES (0)")
    tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    for table in tables:
        if table in BOOKKEEPING or table.startswith("sqlite_"):
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = f"pakt_changes_{table}_{event.lower()}"
            if name not in triggers:
                db.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} ON "{table}" '
                    "BEGIN UPDATE store_changes SET mark = mark + 1; END"
                )


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type | None, *rest: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
