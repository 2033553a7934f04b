"""One sync run: list the sources, read what changed, store, consolidate, write the masters. The main job of Pakt.

    registry ─► sources (folders, Google) ─► changed entries ─► take in (read, check) ─► state store
                                                                                             │
      master (.xlsx, atomic) and Google master (≤ 3 requests) ◄── grids ◄── consolidate (pure)

The run loop talks only to the `Source` protocol. The CLI (`pakt sync`) and
the add-in's Aktualisieren call `run_sync` alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pakt.schemas import Code, Finding, Registry, RuleSet, Severity, SheetGrid, Submission, load_rules

from ._consolidate import DistrictView, Status, consolidate, describe_changes, district_figures, snapshot_rows, view_key
from ._folder_source import FolderSource
from ._google_client import GoogleAccess, SessionFactory, Traffic
from ._google_master import read_master
from ._google_master import write_master as write_google_master
from ._google_source import GoogleSheetsSource, google_municipalities
from ._intake import Intake
from ._master_files import Written, read_annotations, remove_stale_temp_files, write_master_bytes
from ._master_layout import RunStamp
from ._master_sheets import master_grids
from ._master_xlsx import build_master
from ._matching import current_submissions
from ._problems import file_problem
from ._records import DistrictFigures, RunCounts, RunRecord, RunSummary, SourceRecord
from ._source import Listing, Note, Place, SourceEntry, SourceSet
from ._store import StateStore

COMMIT_EVERY = 200
"""Entries stored per transaction: a killed run keeps everything read before its last commit."""

HISTORY_RUNS = 50
"""Runs the Verlauf sheet lists."""

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


@dataclass(frozen=True, kw_only=True)
class SyncResult:
    """What a run did and the district as it now stands.

    After a run that found nothing changed, `summary` repeats the figures, missing
    municipalities and problems of the run that built the master; `view` is then
    None unless it was asked for.
    """

    run_id: int
    summary: RunSummary
    master: Path
    master_written: bool
    state: Path
    notes: tuple[Note, ...] = ()
    changes: tuple[str, ...] = ()
    view: DistrictView | None = None
    stamp: RunStamp | None = None
    google: Traffic | None = None
    """Requests made to Google in this run (None when the district uses no Google Sheets)."""
    busy: int = 0
    """Entries that could not be read this time (being written, unreachable); the next run tries again."""
    place: Callable[[str], Place] = field(default=SourceSet(()).place, repr=False)
    """Where an entry of this run lives (for links from a grid built later)."""

    @property
    def figures(self) -> DistrictFigures:
        return self.summary.figures

    @property
    def read(self) -> int:
        return self.summary.counts.read

    @property
    def unchanged(self) -> int:
        return self.summary.counts.unchanged

    @property
    def master_note(self) -> str:
        return self.summary.counts.master_note

    @property
    def problems(self) -> tuple[Finding, ...]:
        return self.summary.problems

    @property
    def missing_names(self) -> tuple[str, ...]:
        return self.summary.missing_names

    def to_json(self) -> dict[str, Any]:
        """The `pakt sync --json` object."""
        data = {
            **self.figures.to_json(),
            "read": self.read,
            "unchanged": self.unchanged,
            "master": str(self.master),
            "master_written": self.master_written,
            "run": self.run_id,
        }
        if self.google is not None:
            data["google_requests"] = self.google.as_dict()
        return data


def master_path(registry: Registry, override: Path | None = None) -> Path:
    return override if override is not None else registry.resolve(registry.master.path)


def state_path(registry: Registry, master: Path) -> Path:
    """The state store: the registry's setting, else beside the master."""
    if registry.master.state:
        return registry.resolve(registry.master.state)
    return master.with_name(f"{master.stem}.pakt.sqlite")


def _google_access(registry: Registry, options: SyncOptions) -> GoogleAccess | None:
    """Google only for districts that use it: a Google source or a Google master."""
    if not google_municipalities(registry) and registry.master.google_spreadsheet is None:
        return None
    return GoogleAccess(registry, options.google_sessions)


def sources_for(registry: Registry, options: SyncOptions, google: GoogleAccess | None) -> SourceSet:
    """The district's sources: its folders and files, and its Google sheets where it has any."""
    sources: list[Any] = [FolderSource(registry, options.retry_delay_s, options.workers)]
    if google is not None and google_municipalities(registry):
        sources.append(GoogleSheetsSource(registry, google))
    return SourceSet(sources)


def _inputs_key(registry: Registry, rules: RuleSet) -> str:
    """Fingerprint of the registry and the rules: when they change, the view must be rebuilt."""
    material = registry.model_dump_json() + rules.model_dump_json() + str(registry.base_dir)
    return hashlib.sha256(material.encode()).hexdigest()


def _notes_as_findings(notes: Iterable[Note]) -> list[Finding]:
    return [file_problem(Code.DATEI_UEBERSPRUNGEN, note.message, note.path, Severity.NOTE) for note in notes]


def _split(
    entries: list[SourceEntry], known: dict[str, SourceRecord], full: bool
) -> tuple[list[SourceEntry], list[SourceEntry]]:
    """Changed and unchanged entries, by their stamps against what the store knows."""
    changed, unchanged = [], []
    for entry in entries:
        record = known.get(entry.key)
        same = record is not None and (record.size, record.mtime_ns) == (entry.size, entry.mtime_ns)
        (unchanged if same and not full else changed).append(entry)
    return changed, unchanged


@dataclass
class _Run:
    """One run in progress: its store, its inputs and what it has found so far."""

    store: StateStore
    registry: Registry
    rules: RuleSet
    options: SyncOptions
    master: Path
    state: Path
    run_id: int
    started: datetime
    last: RunRecord | None
    sources: SourceSet
    listing: Listing
    google: GoogleAccess | None = None
    inputs: str = field(default="")

    # -- reading ------------------------------------------------------------------------------------

    def read_changes(self) -> tuple[list[SourceEntry], list[SourceEntry], list[Finding], list[str]]:
        """Read what changed; returns changed, unchanged, the problems of entries not read, and what disappeared."""
        entries = self.listing.entries
        changed, unchanged = _split(entries, self.store.sources(), self.options.full)
        busy = self._take_in(changed) if changed else []
        with self.store.transaction():
            gone = self.store.mark_present({e.key for e in entries}, self.run_id)
        return changed, unchanged, busy, gone

    def _take_in(self, changed: list[SourceEntry]) -> list[Finding]:
        """Read the changed entries and store them in batches; returns the problems of entries not read."""
        busy: list[Finding] = []
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if self.options.progress:
                self.options.progress(done, len(changed))

        batch: list[Intake] = []
        for intake in self.sources.read(changed, tick):
            if intake.busy:
                busy.append(intake.problem)
                continue
            batch.append(intake)
            if len(batch) >= COMMIT_EVERY:
                self._commit(batch)
        self._commit(batch)
        return busy

    def _commit(self, batch: list[Intake]) -> None:
        if not batch:
            return
        seen_at = self.options.now()
        with self.store.transaction():
            for intake in batch:
                self._store_intake(intake, seen_at)
        batch.clear()

    def _store_intake(self, intake: Intake, seen_at: datetime) -> None:
        entry = intake.source
        version_id = None
        if intake.ags is not None:
            version_id = self.store.add_version(
                intake.ags,
                intake.stichtag,
                intake.sha256,
                entry.key,
                seen_at,
                self.run_id,
                intake.submission_json,
                intake.findings_json,
                intake.locations_json,
            )
        self.store.remember_source(
            entry.key, entry.size, entry.mtime_ns, intake.sha256, version_id, intake.problem, self.run_id
        )

    def take_annotations(self) -> bool:
        """Take what the staff typed into the xlsx master into the store. False when the master is not ours."""
        if not self.master.exists():
            return False
        stat = self.master.stat()
        last = self.last
        if last is not None and (last.master_size, last.master_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            return True
        typed = read_annotations(self.master)
        if typed is None:
            return False
        with self.store.transaction():
            self.store.save_annotations(typed, self.options.now())
        return True

    # -- deciding -----------------------------------------------------------------------------------

    def nothing_changed(self, changed: list[SourceEntry], gone: list[str], master_is_ours: bool) -> bool:
        last = self.last
        return (
            not (self.options.full or changed or gone)
            and master_is_ours
            and last is not None
            and bool(last.view_key)
            and last.summary is not None
            and last.summary.inputs == self.inputs
        )

    def consolidated(self, extra: list[Finding]) -> DistrictView:
        store, registry = self.store, self.registry
        received, problems = current_submissions(store, [e.key for e in self.listing.entries], registry, self.sources)
        used = [r.valid for r in received.values() if r.valid is not None]
        submissions = {v.id: v.submission() for v in used}
        previous: dict[str, Submission] = {}
        for version in used:
            before = store.previous_round(version.ags, registry.round.stichtag)
            if before is not None:
                previous[version.ags] = before
        return consolidate(registry, self.rules, received, submissions, store.annotations(), problems + extra, previous)

    def _record(
        self, finished: datetime, summary: RunSummary, changes: tuple[str, ...] = (), view_key: str = ""
    ) -> RunRecord:
        """This run as the store keeps it, with the stat of the master as it now stands (its staff's notes
        are read again only when that changes)."""
        size, mtime = (None, None)
        if self.master.exists():
            stat = self.master.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        return RunRecord(
            id=self.run_id,
            started_at=self.started,
            finished_at=finished,
            summary=summary,
            changes=changes,
            view_key=view_key,
            master_path=str(self.master),
            master_size=size,
            master_mtime_ns=mtime,
        )

    def traffic(self) -> Traffic | None:
        return self.google.traffic if self.google is not None else None

    # -- finishing ----------------------------------------------------------------------------------

    def quiet_result(self) -> SyncResult:
        """Nothing changed since the last run: record this run and report the figures that run computed."""
        kept = self.last.summary
        counts = RunCounts(read=0, unchanged=len(self.listing.entries), new_versions=0, master_note="unverändert")
        summary = replace(kept, counts=counts, inputs=self.inputs)
        finished = self.options.now()
        record = self._record(finished, summary, view_key=self.last.view_key or "")
        with self.store.transaction():
            self.store.finish_run(record)
        view = self.consolidated(_notes_as_findings(self.listing.notes)) if self.options.need_view else None
        stamp = RunStamp(self.run_id, self.started, finished)
        return SyncResult(
            run_id=self.run_id,
            summary=summary,
            master=self.master,
            master_written=False,
            state=self.state,
            notes=tuple(self.listing.notes),
            view=view,
            stamp=stamp,
            google=self.traffic(),
            place=self.sources.place,
        )

    def google_master_before(self) -> dict | None:
        """Read the Google master (layout, and the staff's columns into the store) before the view is built."""
        target = self.registry.master.google_spreadsheet
        if target is None or self.google is None:
            return None
        meta, typed = read_master(self.google, target.spreadsheet_id)
        if typed:
            with self.store.transaction():
                self.store.save_annotations(typed, self.options.now())
        return meta

    def full_result(
        self, changed: list[SourceEntry], unchanged: list[SourceEntry], busy: list[Finding], master_is_ours: bool
    ) -> SyncResult:
        """Rebuild the district view from the store and write the masters when what they show changed."""
        google_master = self.google_master_before()
        view = self.consolidated(busy + _notes_as_findings(self.listing.notes))
        snapshot = snapshot_rows(view)
        changes = tuple(describe_changes(self.store.snapshot(), snapshot))
        key = view_key(view, snapshot)
        skip = not self.options.full and master_is_ours and self.last is not None and self.last.view_key == key
        finished = self.options.now()
        stamp = RunStamp(self.run_id, self.started, finished)
        counts = RunCounts(
            read=len(changed) - len(busy),
            unchanged=len(unchanged),
            new_versions=self.store.versions_seen_in(self.run_id),
            master_note="unverändert" if skip else "neu geschrieben",
        )
        summary = self._summary(view, counts)
        grids = self._grids(view, stamp, summary, changes) if not skip or google_master is not None else []
        written = Written(self.master, False, "unverändert") if skip else self._write(grids, view, stamp)
        if written.reason and not skip:
            summary = replace(summary, counts=replace(counts, master_note=written.reason))
        if google_master is not None:
            target = self.registry.master.google_spreadsheet
            write_google_master(self.google, target.spreadsheet_id, grids, google_master)
        record = self._record(finished, summary, changes, "" if written.beside else key)
        with self.store.transaction():
            self.store.save_snapshot(snapshot)
            self.store.finish_run(record)
        return SyncResult(
            run_id=self.run_id,
            summary=summary,
            master=written.path,
            master_written=not skip,
            state=self.state,
            notes=tuple(self.listing.notes),
            changes=changes,
            view=view,
            stamp=stamp,
            google=self.traffic(),
            busy=len(busy),
            place=self.sources.place,
        )

    def _summary(self, view: DistrictView, counts: RunCounts) -> RunSummary:
        missing = tuple(row.municipality.name for row in view.rows if row.status is Status.FEHLT)
        return RunSummary(
            counts=counts,
            figures=district_figures(view),
            missing_names=missing,
            problems=tuple(view.problems),
            inputs=self.inputs,
        )

    def _grids(
        self, view: DistrictView, stamp: RunStamp, summary: RunSummary, changes: tuple[str, ...]
    ) -> list[SheetGrid]:
        current = RunRecord(
            id=self.run_id,
            started_at=self.started,
            finished_at=stamp.finished_at,
            summary=summary,
            changes=changes,
            master_path=str(self.master),
        )
        runs = [current, *(r for r in self.store.runs(HISTORY_RUNS) if r.id != self.run_id)][:HISTORY_RUNS]
        return master_grids(view, stamp, runs, changes, self.sources.place)

    def _write(self, grids: list[SheetGrid], view: DistrictView, stamp: RunStamp) -> Written:
        data = build_master(grids, view, stamp, self.master.parent)
        return write_master_bytes(self.master, data, stamp.finished_at)


def run_sync(registry: Registry, options: SyncOptions | None = None) -> SyncResult:
    """Pull every municipality's workbook into the district master. Safe to interrupt at any point."""
    options = options or SyncOptions()
    rules = load_rules(registry.round.rules, registry.base_dir)
    master = master_path(registry, options.master)
    state = state_path(registry, master)
    remove_stale_temp_files(master)
    google = _google_access(registry, options)
    sources = sources_for(registry, options, google)
    with StateStore(state) as store:
        started = options.now()
        last = store.last_finished_run()
        run_id = store.begin_run(started)
        run = _Run(
            store,
            registry,
            rules,
            options,
            master,
            state,
            run_id,
            started,
            last,
            sources,
            sources.listing(),
            google,
            _inputs_key(registry, rules),
        )
        changed, unchanged, busy, gone = run.read_changes()
        master_is_ours = run.take_annotations()
        if run.nothing_changed(changed, gone, master_is_ours):
            return run.quiet_result()
        return run.full_result(changed, unchanged, busy, master_is_ours)
