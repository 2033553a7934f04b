"""One run of the state roll-up: the districts' masters in, checked, the state master out.

    registry ([[districts]]) ─► master files (registered, and in [sources] folders) ─► changed ones read
        (hardened reader, each in a worker with a budget) ─► state store (readings by content)
            ─► judged against the registry (pure) ─► state view ─► state master (.xlsx, atomic)

Incremental as at district level: a master file whose size and modification
time are unchanged is not read again; a run that finds nothing changed (no
file, the registry, the rules, the day past the deadline, the state master
as it wrote it) reads nothing and writes nothing. `pakt sync` calls
`run_state_sync` for a registry that lists districts; a test or the
benchmark calls it the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pakt.schemas import (
    Code,
    ConfigError,
    EnvironmentFailure,
    Finding,
    MasterNotWritten,
    Registry,
    RuleSet,
    SchemaMismatch,
    Severity,
    WorkbookUnreadable,
    describe_os_error,
    load_rules,
)

from ..files._file_access import FileAccess
from ..files._paths import master_path, state_path
from ..files._regular_files import not_regular
from ..files._run_lock import RunLock
from ..master._files import beside_path, remove_stale_temp_files, write_master_bytes
from ..master._layout import RunStamp
from ..reader._isolation import Failure, IsolatedReaders
from ..reader._problems import file_problem, unreadable
from ..sources._folder_reading import SourceBusy, fingerprint, read_settled
from ..sources._folder_scan import scan
from ..sources._source import Listing, SourceEntry
from ..store._store import store_unavailable
from ._reading import MasterFileView, MasterReading, read_master
from ._store import FileRecord, RollupRun, RollupStore, RollupSummary
from ._view import KnownReading, StateFigures, StateView, build_state_view


@dataclass
class StateSyncOptions:
    """How to run: which master, whether to ignore fingerprints."""

    master: Path | None = None
    full: bool = False
    retry_delay_s: float = 1.0
    workers: int | None = None
    now: Callable[[], datetime] = datetime.now
    lock_wait_s: float = 300.0


@dataclass(frozen=True, kw_only=True)
class StateSyncResult:
    """What a roll-up run did and the state as it now stands (after a quiet run: the figures of the run that
    wrote the master, `view` None)."""

    run_id: int
    summary: RollupSummary
    master: Path
    """Where the state master is: its place, or beside it while it is open in Excel."""
    master_written: bool
    state: Path
    view: StateView | None = None
    stamp: RunStamp | None = None
    busy: int = 0
    """Master files that could not be read this time (being written); the next run tries again."""
    failures: tuple[EnvironmentFailure, ...] = ()

    @property
    def figures(self) -> StateFigures:
        return self.summary.figures

    @property
    def read(self) -> int:
        return self.summary.read

    @property
    def unchanged(self) -> int:
        return self.summary.unchanged

    @property
    def master_note(self) -> str:
        return self.summary.master_note

    @property
    def problems(self) -> tuple[Finding, ...]:
        return self.summary.problems

    @property
    def missing_names(self) -> tuple[str, ...]:
        return self.summary.missing_names

    @property
    def exit_code(self) -> int:
        return self.failures[0].exit_code if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        """The `pakt sync --json` object of a state."""
        return {
            **self.figures.to_json(),
            "read": self.read,
            "unchanged": self.unchanged,
            "master": str(self.master),
            "master_written": self.master_written,
            "run": self.run_id,
            "failures": [failure.message for failure in self.failures],
            "problems": [
                {
                    "file": p.file,
                    "code": p.code.value,
                    "severity": p.severity.value,
                    "district": p.ags,
                    "message": p.message,
                    "sheet": p.sheet,
                    "cell": p.cell,
                }
                for p in self.problems
            ],
        }


# -- reading one master (in a worker) --------------------------------------------------------------


@dataclass(frozen=True)
class MasterIntake:
    """What reading one master file gave: its reading as JSON (cheap to send back from a worker), or a problem;
    `busy`: not read this time (being written, vanished), the next run tries again."""

    entry: SourceEntry
    sha256: str | None = None
    reading_json: str | None = None
    problem: Finding | None = None
    busy: bool = False


@dataclass(frozen=True)
class MasterReader:
    """Reads one master file; picklable, so that it travels to the worker once."""

    retry_delay_s: float

    def __call__(self, entry: SourceEntry) -> MasterIntake:
        try:
            data = read_settled(entry.path, self.retry_delay_s)
            stat = entry.path.stat()
        except SourceBusy as exc:
            return MasterIntake(entry, problem=file_problem(Code.DATEI_UNLESBAR, exc.message, entry.key), busy=True)
        except FileNotFoundError:
            message = "Die Datei ist während des Abgleichs verschwunden."
            return MasterIntake(entry, problem=file_problem(Code.DATEI_UNLESBAR, message, entry.key), busy=True)
        except WorkbookUnreadable as exc:
            return MasterIntake(entry, problem=unreadable(entry.key, exc))
        except OSError as error:
            message = f"Die Datei kann nicht gelesen werden: {describe_os_error(error)}."
            return MasterIntake(entry, problem=file_problem(Code.DATEI_UNLESBAR, message, entry.key), busy=True)
        current = SourceEntry(entry.key, stat.st_size, stat.st_mtime_ns)
        try:
            reading = read_master(MasterFileView(entry.path.name, data))
        except (WorkbookUnreadable, SchemaMismatch) as exc:
            return MasterIntake(current, fingerprint(data), problem=unreadable(entry.key, exc))
        return MasterIntake(current, fingerprint(data), json.dumps(reading.to_json(), ensure_ascii=False))


def _failed(entry: SourceEntry, failure: Failure) -> MasterIntake:
    return MasterIntake(entry, problem=file_problem(Code.DATEI_UNLESBAR, failure.message, entry.key))


# -- the run ---------------------------------------------------------------------------------------


def _listing(registry: Registry, master: Path) -> Listing:
    """Master files in the state's folders and at the paths the registry names (never the state master)."""
    listing = scan(registry)
    own = {str(master), str(beside_path(master))}
    listing.entries = [e for e in listing.entries if e.key not in own]
    listed = {e.key for e in listing.entries}
    for entry in registry.districts:
        path = registry.resolve(entry.master)
        if str(path) in listed:
            continue
        try:
            info = path.stat()
        except OSError:
            continue
        if not_regular(info.st_mode) is None:
            listing.entries.append(SourceEntry(str(path), info.st_size, info.st_mtime_ns))
            listed.add(str(path))
    listing.entries.sort(key=lambda e: e.key)
    return listing


def _inputs_key(registry: Registry, rules: RuleSet, today: date) -> str:
    """What the view depends on besides the files: the registry, the rules, and the day while the deadline
    matters (the day after it turns a missing district "überfällig" without any file changing)."""
    deadline = registry.round.deadline
    day = str(min(today, deadline + timedelta(days=1))) if deadline else ""
    material = registry.model_dump_json() + rules.model_dump_json() + str(registry.base_dir) + day
    return hashlib.sha256(material.encode()).hexdigest()


def _master_stat(master: Path) -> tuple[int | None, int | None]:
    try:
        stat = master.stat()
    except OSError:
        return None, None
    return stat.st_size, stat.st_mtime_ns


@dataclass
class _StateRun:
    store: RollupStore
    registry: Registry
    rules: RuleSet
    options: StateSyncOptions
    master: Path
    state: Path
    access: FileAccess
    run_id: int = 0
    started: datetime = datetime.min
    listing: Listing | None = None
    inputs: str = ""

    def execute(self) -> StateSyncResult:
        last = self.store.last_finished_run()
        interrupted = self.store.interrupted_since(last)
        self.started = self.options.now()
        self.run_id = self.store.begin_run(self.started)
        self.listing = _listing(self.registry, self.master)
        known = self.store.files()
        changed = [e for e in self.listing.entries if self.options.full or self._changed(e, known)]
        busy = self._read(changed) if changed else []
        with self.store.transaction():
            gone = self.store.mark_present({e.key for e in self.listing.entries}, self.run_id)
        self.inputs = _inputs_key(self.registry, self.rules, self.started.date())
        if not (changed or gone or interrupted or self.options.full) and self._master_current(last):
            return self._quiet(last)
        return self._full(last, len(changed) - len(busy), busy)

    @staticmethod
    def _changed(entry: SourceEntry, known: dict[str, FileRecord]) -> bool:
        record = known.get(entry.key)
        return record is None or not record.present or (record.size, record.mtime_ns) != (entry.size, entry.mtime_ns)

    def _read(self, changed: list[SourceEntry]) -> list[Finding]:
        """Read the changed files in workers and store what they gave; returns the problems of files not read."""
        busy: list[Finding] = []
        seen_at = self.options.now()
        processes = min(self.options.workers or os.cpu_count() or 1, len(changed))
        with IsolatedReaders(MasterReader(self.options.retry_delay_s), processes) as pool:
            intakes = [o if isinstance(o, MasterIntake) else _failed(e, o) for e, o in pool.map(changed)]
        with self.store.transaction():
            for intake in intakes:
                if intake.busy:
                    busy.append(intake.problem)
                    continue
                self._store(intake, seen_at)
        return busy

    def _store(self, intake: MasterIntake, seen_at: datetime) -> None:
        entry, reading_id = intake.entry, None
        if intake.reading_json is not None:
            reading = MasterReading.from_json(json.loads(intake.reading_json))
            reading_id = self.store.add_reading(intake.sha256, entry.key, reading, seen_at, self.run_id)
        record = FileRecord(entry.key, entry.size, entry.mtime_ns, intake.sha256, reading_id, intake.problem, True)
        self.store.remember_file(record, self.run_id)

    def _master_current(self, last: RollupRun | None) -> bool:
        """Whether the last run's master still stands as it wrote it, for the same inputs."""
        return (
            last is not None
            and last.summary is not None
            and last.summary.inputs == self.inputs
            and (self._untouched(last))
        )

    def _untouched(self, last: RollupRun | None) -> bool:
        """Whether the state master is the one the last run wrote (or kept), showing its view."""
        if last is None or not last.view_key or last.master_path != str(self.master):
            return False
        return _master_stat(self.master) == (last.master_size, last.master_mtime_ns)

    def _notes(self) -> list[Finding]:
        return [
            file_problem(Code.DATEI_UEBERSPRUNGEN, note.message, note.path, Severity.NOTE)
            for note in self.listing.notes
        ]

    def view(self, busy: list[Finding]) -> StateView:
        """The state view from what the store holds: every present file's reading, every reading ever kept."""
        known = self.store.readings()
        history: dict[str, list[KnownReading]] = {}
        for reading in known:
            history.setdefault(reading.reading.district, []).append(reading)
        files = self.store.present_files(known)
        today = self.options.now().date()
        return build_state_view(self.registry, self.rules, files, history, today, busy + self._notes())

    def _quiet(self, last: RollupRun) -> StateSyncResult:
        """Nothing changed: record this run and report the figures of the run that wrote the master."""
        summary = replace(last.summary, read=0, unchanged=len(self.listing.entries), master_note="unverändert")
        self._finish(summary, last.view_key, self.options.now())
        return self._result(summary, _Written(self.master, False, last.view_key))

    def _full(self, last: RollupRun | None, read: int, busy: list[Finding]) -> StateSyncResult:
        """Build the view from the store; write the state master unless it already shows that view."""
        view = self.view(busy)
        key = view.key()
        finished = self.options.now()
        stamp = RunStamp(self.run_id, self.started, finished)
        same = not self.options.full and last is not None and last.view_key == key and self._untouched(last)
        written = _Written(self.master, False, key) if same else self._write(view, stamp, key)
        summary = RollupSummary(
            figures=view.figures(), read=read, unchanged=len(self.listing.entries) - read, master_note=written.note,
            missing_names=view.missing_names(), problems=tuple(line.finding for line in view.report),
            inputs=self.inputs,
        )  # fmt: skip
        self._finish(summary, written.view_key, finished)
        return self._result(summary, written, view, stamp, len(busy))

    def _write(self, view: StateView, stamp: RunStamp, key: str) -> _Written:
        from ._master import build_state_master

        data = build_state_master(view, stamp, self.master.parent)
        try:
            written = write_master_bytes(self.master, data, self.access, self.registry.master.stale_lock_hours)
        except MasterNotWritten as failure:
            return _Written(self.master, False, "", failure.message, (failure,))
        shown = "" if written.beside else key  # a master written beside: the next run writes the master again
        return _Written(written.path, True, shown, written.reason or "neu geschrieben")

    def _finish(self, summary: RollupSummary, view_key: str, finished: datetime) -> None:
        size, mtime = _master_stat(self.master)
        run = RollupRun(
            id=self.run_id, started_at=self.started, finished_at=finished, summary=summary, view_key=view_key,
            master_path=str(self.master), master_size=size, master_mtime_ns=mtime,
        )  # fmt: skip
        with self.store.transaction():
            self.store.finish_run(run)

    def _result(self, summary: RollupSummary, written: _Written, view: StateView | None = None,
                stamp: RunStamp | None = None, busy: int = 0) -> StateSyncResult:  # fmt: skip
        return StateSyncResult(
            run_id=self.run_id, summary=summary, master=written.path, master_written=written.written,
            state=self.state, view=view, stamp=stamp, busy=busy,
            failures=tuple(self.listing.failures) + written.failures,
        )  # fmt: skip


@dataclass(frozen=True)
class _Written:
    """Where the state master went (or stayed), whether this run wrote it, and what to tell people."""

    path: Path
    written: bool
    view_key: str
    """The view the master at its place now shows ("" when it does not: the next run writes it)."""
    note: str = "unverändert"
    failures: tuple[EnvironmentFailure, ...] = ()


def run_state_sync(registry: Registry, options: StateSyncOptions | None = None) -> StateSyncResult:
    """Roll the districts' masters up into the state master. Safe to interrupt at any point.

    Raises ConfigError for a registry without districts, and a German EnvironmentFailure when the run cannot
    happen at all (the state store unusable, another run in progress); a master that cannot be written is in
    the result's failures.
    """
    if not registry.is_state:
        raise ConfigError(
            "Diese Konfiguration nennt keine Landkreise ([[districts]]); bitte „pakt sync“ des Landkreises verwenden."
        )
    options = options or StateSyncOptions()
    master = master_path(registry, options.master)
    state = state_path(registry, master)
    access = FileAccess.of(registry)
    rules = load_rules(registry.round.rules, registry.base_dir)
    with RunLock(state.with_name(state.name + ".lock"), options.lock_wait_s):
        remove_stale_temp_files(master)
        try:
            with RollupStore(state, access) as store:
                return _StateRun(store, registry, rules, options, master, state, access).execute()
        except sqlite3.Error as error:
            raise store_unavailable(state, error) from error
