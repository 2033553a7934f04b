"""One sync run: scan, read what changed, store, consolidate, write the master. The main job of Pakt.

    registry ─► scan folders ──┐
            └─► Drive listing ─┴─► changed sources ─► take in (read, check) ─► state store
                                                                                   │
        master (.xlsx, atomic) and Google master (≤ 3 requests) ◄─ consolidate (pure)

The CLI (`pakt sync`) and the add-in server call `run_sync` alike.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from schemas import Code, Finding, Registry, RuleSet, Severity, Submission, load_rules

from ._consolidate import (
    DistrictView,
    Status,
    consolidate,
    describe_changes,
    district_figures,
    snapshot_rows,
    view_key,
)
from ._intake import Intake, take_in_all
from ._google_client import GoogleAccess, SessionFactory, spreadsheet_id
from ._google_master import read_master
from ._google_master import write_master as write_google_master
from ._google_source import KEY_PREFIX, google_municipalities, google_sources, list_spreadsheets, read_google
from ._matching import current_submissions
from ._problems import file_problem
from ._master_files import Written, read_annotations, remove_stale_temp_files, write_master_bytes
from ._master_xlsx import RunStamp, build_master
from ._sources import Note, SourceFile, scan
from ._store import RunRecord, SourceRecord, StateStore

COMMIT_EVERY = 200
"""Sources stored per transaction: a killed run keeps everything read before its last commit."""

Progress = Callable[[int, int], None]


@dataclass
class SyncOptions:
    """How to run: which master, whether to ignore fingerprints, how to report progress."""

    master: Path | None = None
    full: bool = False
    retry_delay_s: float = 1.0
    workers: int | None = None
    progress: Progress | None = None
    now: Callable[[], datetime] = datetime.now
    need_view: bool = False
    """Return the district view even when nothing changed (the Aktualisieren button writes it into a workbook)."""
    google_sessions: SessionFactory | None = None
    """How to reach Google (a requests.Session per scope set); None: the registry's credentials."""


@dataclass(frozen=True)
class SyncResult:
    """What a run did and the district as it now stands.

    `view` is None after a run that found nothing changed: it then reports the
    figures, missing municipalities and problems of the run that built the master.
    """

    run_id: int
    figures: dict
    missing_names: tuple[str, ...]
    read: int
    unchanged: int
    new_versions: int
    busy: int
    master: Path
    master_written: bool
    master_note: str
    notes: tuple[Note, ...]
    problems: tuple[Finding, ...]
    state: Path
    changes: tuple[str, ...] = field(default=())
    view: DistrictView | None = None
    google: dict[str, int] | None = None
    """Requests made to Google in this run, by kind (None when the district uses no Google Sheets)."""

    def summary(self) -> dict:
        """The `pakt sync --json` object."""
        summary = {
            **self.figures,
            "read": self.read,
            "unchanged": self.unchanged,
            "master": str(self.master),
            "master_written": self.master_written,
            "run": self.run_id,
        }
        if self.google is not None:
            summary["google_requests"] = self.google
        return summary


def master_path(registry: Registry, override: Path | None = None) -> Path:
    return override if override is not None else registry.resolve(registry.master.path)


def state_path(registry: Registry, master: Path) -> Path:
    """The state store: the registry's setting, else beside the master."""
    if registry.master.state:
        return registry.resolve(registry.master.state)
    return master.with_name(f"{master.stem}.pakt.sqlite")


def _changed(sources: list[SourceFile], known: dict[str, SourceRecord], full: bool) -> tuple[list[SourceFile], list[SourceFile]]:
    changed, unchanged = [], []
    for source in sources:
        record = known.get(source.key)
        same = record is not None and (record.size, record.mtime_ns) == (source.size, source.mtime_ns)
        (unchanged if same and not full else changed).append(source)
    return changed, unchanged


def _store_intake(store: StateStore, intake: Intake, run_id: int, seen_at: datetime) -> None:
    source = intake.source
    version_id = None
    if intake.ags is not None:
        version_id = store.add_version(
            intake.ags, intake.stichtag, intake.sha256, source.key, seen_at, run_id,
            intake.submission_json, intake.findings_json, intake.locations_json,
        )
    store.remember_source(source.key, source.size, source.mtime_ns, intake.sha256, version_id, intake.problem, run_id)


def _read_all(changed: list[SourceFile], registry: Registry, options: SyncOptions, google: GoogleAccess | None, tick):
    """Intakes of every changed source: files (in worker processes when many), then Google sheets, in turn."""
    files = [s for s in changed if not s.key.startswith(KEY_PREFIX)]
    sheets = [s for s in changed if s.key.startswith(KEY_PREFIX)]
    yield from take_in_all(files, registry, options.retry_delay_s, options.workers or os.cpu_count() or 1, tick)
    if sheets:
        owners = google_municipalities(registry)
        for source in sheets:
            intake = read_google(source, google, registry, owners.get(source.key[len(KEY_PREFIX):]))
            tick()
            yield intake


def _take_in(store: StateStore, changed: list[SourceFile], registry: Registry, options: SyncOptions, run_id: int,
             google: GoogleAccess | None) -> list[Finding]:
    """Read the changed sources and store them in batches; returns the problems of sources not read."""
    busy: list[Finding] = []
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if options.progress:
            options.progress(done, len(changed))

    batch: list[Intake] = []
    for intake in _read_all(changed, registry, options, google, tick):
        if intake.busy:
            busy.append(intake.problem)
            continue
        batch.append(intake)
        if len(batch) >= COMMIT_EVERY:
            _commit(store, batch, run_id, options.now())
    _commit(store, batch, run_id, options.now())
    return busy


def _commit(store: StateStore, batch: list[Intake], run_id: int, seen_at: datetime) -> None:
    if not batch:
        return
    with store.transaction():
        for intake in batch:
            _store_intake(store, intake, run_id, seen_at)
    batch.clear()


def _notes_as_findings(notes: Iterable[Note]) -> list[Finding]:
    return [file_problem(Code.DATEI_UEBERSPRUNGEN, note.message, note.path, Severity.NOTE) for note in notes]


def _annotations(store: StateStore, master: Path, last: RunRecord | None, now: datetime) -> bool:
    """Take what the staff typed into the master into the store. False when the master is not ours (rewrite it)."""
    if not master.exists():
        return False
    stat = master.stat()
    if last is not None and (last.master_size, last.master_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return True
    typed = read_annotations(master)
    if typed is None:
        return False
    with store.transaction():
        store.save_annotations(typed, now)
    return True


def _inputs_key(registry: Registry, rules: RuleSet) -> str:
    """Fingerprint of the registry and the rules: when they change, the view must be rebuilt."""
    material = registry.model_dump_json() + rules.model_dump_json() + str(registry.base_dir)
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class _Run:
    """One run in progress: its store, its inputs and what it has found so far."""

    store: StateStore
    registry: Registry
    rules: RuleSet
    options: SyncOptions
    master: Path
    state: Path
    inputs: str
    run_id: int
    started: datetime
    last: RunRecord | None
    sources: list[SourceFile]
    notes: list[Note]
    google: GoogleAccess | None = None

    def read_changes(self) -> tuple[list[SourceFile], list[SourceFile], list[Finding], list[str]]:
        """Read what changed; returns changed, unchanged, busy problems and the paths that disappeared."""
        changed, unchanged = _changed(self.sources, self.store.sources(), self.options.full)
        busy = _take_in(self.store, changed, self.registry, self.options, self.run_id, self.google) if changed else []
        with self.store.transaction():
            gone = self.store.mark_present({s.key for s in self.sources}, self.run_id)
        return changed, unchanged, busy, gone

    def nothing_changed(self, changed: list[SourceFile], gone: list[str], master_is_ours: bool) -> bool:
        last = self.last
        return (
            not (self.options.full or changed or gone)
            and master_is_ours
            and last is not None
            and bool(last.view_key)
            and last.counts.get("inputs") == self.inputs
            and "district" in last.counts
        )

    def quiet_result(self) -> SyncResult:
        """Nothing changed since the last run: record this run and report the figures that run computed."""
        kept = self.last.counts
        counts = {**{k: kept[k] for k in ("district", "missing_names", "problems", "invalid", "missing")},
                  "read": 0, "unchanged": len(self.sources), "new_versions": 0, "inputs": self.inputs,
                  "master_note": "unverändert"}
        stat = self.master.stat()
        with self.store.transaction():
            self.store.finish_run(self.run_id, self.options.now(), counts, [], self.last.view_key or "", self.master,
                                  (stat.st_size, stat.st_mtime_ns))
        problems = tuple(Finding.model_validate(p) for p in kept["problems"])
        view = self.consolidated(_notes_as_findings(self.notes)) if self.options.need_view else None
        return SyncResult(self.run_id, kept["district"], tuple(kept["missing_names"]), 0, len(self.sources), 0, 0,
                          self.master, False, "unverändert", tuple(self.notes), problems, self.state, (), view,
                          self.traffic())

    def traffic(self) -> dict[str, int] | None:
        return self.google.traffic.as_dict() if self.google is not None else None

    def google_master_before(self) -> dict | None:
        """Read the Google master (layout, and the staff's columns into the store) before the view is built."""
        target = spreadsheet_id(self.registry.master.google)
        if target is None or self.google is None:
            return None
        meta, typed = read_master(self.google, target)
        if typed:
            with self.store.transaction():
                self.store.save_annotations(typed, self.options.now())
        return meta

    def consolidated(self, extra: list[Finding]) -> DistrictView:
        store, registry = self.store, self.registry
        received, problems = current_submissions(store, [s.key for s in self.sources], registry)
        used = [r.valid for r in received.values() if r.valid is not None]
        submissions = {v.id: v.submission() for v in used}
        previous: dict[str, Submission] = {}
        for version in used:
            before = store.previous_round(version.ags, registry.round.stichtag)
            if before is not None:
                previous[version.ags] = before
        return consolidate(registry, self.rules, received, submissions, store.annotations(), problems + extra, previous)

    def full_result(self, changed: list[SourceFile], unchanged: list[SourceFile], busy: list[Finding], master_is_ours: bool) -> SyncResult:
        """Rebuild the district view from the store and write the master when what it shows changed."""
        google_master = self.google_master_before()
        view = self.consolidated(busy + _notes_as_findings(self.notes))
        snapshot = snapshot_rows(view)
        changes = describe_changes(self.store.snapshot(), snapshot)
        key = view_key(view, snapshot)
        figures = district_figures(view)
        missing_names = [row.municipality.name for row in view.rows if row.status is Status.FEHLT]
        counts = {
            "read": len(changed) - len(busy), "unchanged": len(unchanged),
            "new_versions": self.store.versions_seen_in(self.run_id), "invalid": view.invalid, "missing": view.missing,
            "district": figures, "missing_names": missing_names,
            "problems": [p.model_dump(mode="json") for p in view.problems], "inputs": self.inputs,
        }
        skip = not self.options.full and master_is_ours and self.last is not None and self.last.view_key == key
        finished = self.options.now()
        written = Written(self.master, False, "unverändert") if skip else self.write(view, finished, counts, changes)
        counts["master_note"] = written.reason or ("unverändert" if skip else "neu geschrieben")
        master_stat = (self.master.stat().st_size, self.master.stat().st_mtime_ns) if self.master.exists() else None
        if google_master is not None:
            current = RunRecord(self.run_id, self.started, finished, counts, changes, None, str(self.master), None, None)
            runs = [current, *(r for r in self.store.runs(50) if r.id != self.run_id)][:50]
            write_google_master(self.google, spreadsheet_id(self.registry.master.google), view, google_master, runs, changes)
        with self.store.transaction():
            self.store.save_snapshot(snapshot)
            self.store.finish_run(self.run_id, finished, counts, changes, "" if written.beside else key, self.master, master_stat)
        return SyncResult(
            self.run_id, figures, tuple(missing_names), counts["read"], counts["unchanged"], counts["new_versions"],
            len(busy), written.path, not skip, written.reason, tuple(self.notes), tuple(view.problems), self.state,
            tuple(changes), view, self.traffic(),
        )

    def write(self, view: DistrictView, finished: datetime, counts: dict, changes: list[str]) -> Written:
        current = RunRecord(self.run_id, self.started, finished, counts, changes, None, str(self.master), None, None)
        runs = [current, *(r for r in self.store.runs(50) if r.id != self.run_id)][:50]
        data = build_master(view, RunStamp(self.run_id, self.started, finished), runs, changes, self.master.parent)
        return write_master_bytes(self.master, data, finished)


def _google_access(registry: Registry, options: SyncOptions) -> GoogleAccess | None:
    """Google only for districts that use it: a Google source or a Google master."""
    if not google_municipalities(registry) and not registry.master.google:
        return None
    return GoogleAccess(registry, options.google_sessions)


def run_sync(registry: Registry, options: SyncOptions | None = None) -> SyncResult:
    """Pull every municipality's workbook into the district master. Safe to interrupt at any point."""
    options = options or SyncOptions()
    rules = load_rules(registry.round.rules, registry.base_dir)
    master = master_path(registry, options.master)
    state = state_path(registry, master)
    remove_stale_temp_files(master)
    with StateStore(state) as store:
        started = options.now()
        last = store.last_finished_run()
        run_id = store.begin_run(started)
        sources, notes = scan(registry)
        google = _google_access(registry, options)
        if google is not None:
            sources += google_sources(registry, list_spreadsheets(google))
        run = _Run(store, registry, rules, options, master, state, _inputs_key(registry, rules), run_id, started, last,
                   sources, notes, google)
        changed, unchanged, busy, gone = run.read_changes()
        master_is_ours = _annotations(store, master, last, options.now())
        if run.nothing_changed(changed, gone, master_is_ours):
            return run.quiet_result()
        return run.full_result(changed, unchanged, busy, master_is_ours)
