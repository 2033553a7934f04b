"""The state's store: SQLite beside the state master, with tables of its own (the district tables stay
untouched, and a state's store never holds any).

Tables
    rollup_files     one row per master file ever seen: last stat, fingerprint, its reading or its problem,
                     whether it is present now
    rollup_readings  one row per distinct content of a district master (sha256): the reading, which depends
                     on the bytes alone, with the district its binding names; kept for ever, so that a
                     master that fails leaves the last valid reading to show
    rollup_runs      one row per roll-up run: start, end, summary, the view it computed and the state master's
                     stat after writing (a second run with nothing changed reads nothing and writes nothing)

Every SQLite failure becomes StoreUnavailable with a German message (the district store's wording).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pakt.schemas import Finding

from ..files._file_access import FileAccess
from ..store._store import _Transaction, open_store
from ._reading import MasterReading
from ._view import KnownReading, MasterFile, StateFigures

SCHEMA = """
CREATE TABLE IF NOT EXISTS rollup_readings (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    district TEXT NOT NULL,
    path TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    reading_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rollup_readings_by_district ON rollup_readings (district, id);
CREATE TABLE IF NOT EXISTS rollup_files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT,
    reading_id INTEGER REFERENCES rollup_readings(id),
    problem_json TEXT,
    present INTEGER NOT NULL DEFAULT 1,
    last_seen_run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rollup_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary_json TEXT,
    view_key TEXT,
    master_path TEXT,
    master_size INTEGER,
    master_mtime_ns INTEGER
);
"""


@dataclass(frozen=True)
class FileRecord:
    """What the store knows of one master file."""

    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    reading_id: int | None
    problem: Finding | None
    present: bool


@dataclass(frozen=True, kw_only=True)
class RollupSummary:
    """What a finished roll-up run found: a later quiet run reports it again without reading anything."""

    figures: StateFigures
    read: int
    unchanged: int
    master_note: str
    """"neu geschrieben", "unverändert", or why the master went beside or was not written (German)."""
    missing_names: tuple[str, ...] = ()
    problems: tuple[Finding, ...] = ()
    inputs: str = ""
    """Fingerprint of the registry, the rules and the day the run judged by: when it changes, the view is rebuilt."""

    def to_json(self) -> dict[str, Any]:
        return {
            "figures": self.figures.to_json(),
            "read": self.read,
            "unchanged": self.unchanged,
            "master_note": self.master_note,
            "missing_names": list(self.missing_names),
            "problems": [p.model_dump(mode="json") for p in self.problems],
            "inputs": self.inputs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RollupSummary:
        return cls(
            figures=StateFigures.from_json(data["figures"]),
            read=data["read"],
            unchanged=data["unchanged"],
            master_note=data["master_note"],
            missing_names=tuple(data["missing_names"]),
            problems=tuple(Finding.model_validate(p) for p in data["problems"]),
            inputs=data["inputs"],
        )


@dataclass(frozen=True, kw_only=True)
class RollupRun:
    """One roll-up run as the store keeps it; `summary` is None while it runs or when it was killed."""

    id: int
    started_at: datetime
    finished_at: datetime | None = None
    summary: RollupSummary | None = None
    view_key: str = ""
    master_path: str = ""
    master_size: int | None = None
    master_mtime_ns: int | None = None


class RollupStore:
    """The SQLite state of one state's roll-up."""

    def __init__(self, path: Path, access: FileAccess | None = None) -> None:
        self.path = path
        self.db = open_store(path, access, SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> RollupStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    # -- files and readings -------------------------------------------------------------------

    def files(self) -> dict[str, FileRecord]:
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, sha256, reading_id, problem_json, present FROM rollup_files"
        )
        return {
            row[0]: FileRecord(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                Finding.model_validate_json(row[5]) if row[5] else None,
                bool(row[6]),
            )
            for row in rows
        }

    def reading_id(self, sha256: str) -> int | None:
        row = self.db.execute("SELECT id FROM rollup_readings WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def add_reading(self, sha256: str, path: str, reading: MasterReading, seen_at: datetime, run_id: int) -> int:
        """The reading of this content, stored once (the same bytes elsewhere share it)."""
        known = self.reading_id(sha256)
        if known is not None:
            return known
        cursor = self.db.execute(
            "INSERT INTO rollup_readings (sha256, district, path, seen_at, run_id, reading_json) VALUES (?,?,?,?,?,?)",
            (sha256, reading.district, path, seen_at.isoformat(), run_id, json.dumps(reading.to_json())),
        )
        return int(cursor.lastrowid)

    def remember_file(self, record: FileRecord, run_id: int) -> None:
        problem = record.problem.model_dump_json() if record.problem is not None else None
        self.db.execute(
            "INSERT INTO rollup_files (path, size, mtime_ns, sha256, reading_id, problem_json, present, last_seen_run) "
            "VALUES (?,?,?,?,?,?,1,?) ON CONFLICT(path) DO UPDATE SET size=excluded.size, "
            "mtime_ns=excluded.mtime_ns, sha256=excluded.sha256, reading_id=excluded.reading_id, "
            "problem_json=excluded.problem_json, present=1, last_seen_run=excluded.last_seen_run",
            (record.path, record.size, record.mtime_ns, record.sha256, record.reading_id, problem, run_id),
        )

    def mark_present(self, present: set[str], run_id: int) -> list[str]:
        """Note which files are there now; returns the paths that were present before and are gone."""
        known = self.files()
        gone = [path for path, record in known.items() if record.present and path not in present]
        for path in gone:
            self.db.execute("UPDATE rollup_files SET present=0 WHERE path=?", (path,))
        self.db.executemany(
            "UPDATE rollup_files SET last_seen_run=? WHERE path=?", [(run_id, p) for p in present if p in known]
        )
        return gone

    def present_files(self, known: list[KnownReading]) -> dict[str, MasterFile]:
        """Every present file with its reading (from `known`, the stored readings) or its problem."""
        readings = {reading.id: reading.reading for reading in known}
        return {
            path: MasterFile(path, record.reading_id, readings.get(record.reading_id), record.problem)
            for path, record in self.files().items()
            if record.present
        }

    def readings(self) -> list[KnownReading]:
        """Every stored reading, oldest first."""
        rows = self.db.execute("SELECT id, path, reading_json FROM rollup_readings ORDER BY id")
        return [KnownReading(r[0], r[1], MasterReading.from_json(json.loads(r[2]))) for r in rows]

    # -- runs ---------------------------------------------------------------------------------

    def begin_run(self, started_at: datetime) -> int:
        cursor = self.db.execute("INSERT INTO rollup_runs (started_at) VALUES (?)", (started_at.isoformat(),))
        return int(cursor.lastrowid)

    def finish_run(self, run: RollupRun) -> None:
        self.db.execute(
            "UPDATE rollup_runs SET finished_at=?, summary_json=?, view_key=?, master_path=?, master_size=?, "
            "master_mtime_ns=? WHERE id=?",
            (
                run.finished_at.isoformat() if run.finished_at else None,
                json.dumps(run.summary.to_json(), ensure_ascii=False) if run.summary is not None else None,
                run.view_key,
                run.master_path,
                run.master_size,
                run.master_mtime_ns,
                run.id,
            ),
        )

    def last_finished_run(self) -> RollupRun | None:
        row = self.db.execute(
            "SELECT id, started_at, finished_at, summary_json, view_key, master_path, master_size, master_mtime_ns "
            "FROM rollup_runs WHERE finished_at IS NOT NULL AND summary_json IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return RollupRun(
            id=row[0],
            started_at=datetime.fromisoformat(row[1]),
            finished_at=datetime.fromisoformat(row[2]),
            summary=RollupSummary.from_json(json.loads(row[3])),
            view_key=row[4] or "",
            master_path=row[5] or "",
            master_size=row[6],
            master_mtime_ns=row[7],
        )

    def interrupted_since(self, last: RollupRun | None) -> int:
        """Runs begun after the last finished one that never finished (killed): the next run rebuilds."""
        after = last.id if last is not None else 0
        return self.db.execute(
            "SELECT COUNT(*) FROM rollup_runs WHERE id > ? AND finished_at IS NULL", (after,)
        ).fetchone()[0]
