"""One sync run: list the sources, read what changed, store, consolidate, write the masters. The main job of Pakt.

    registry ─► sources (folders, Google) ─► changed entries ─► take in (read, check) ─► state store
                                                                                             │
      master (.xlsx, atomic) and Google master (≤ 3 requests) ◄── grids ◄── consolidate (pure)

The run loop talks only to the `Source` protocol. The CLI (`pakt sync`) and
the add-in's Aktualisieren call `run_sync` alike; one run of a district at a
time (a lock file beside the state store).

Safe to die at any point: what a run read is stored per entry together with
its stamp, so a killed run's reading is either there or read again; a run
that finds an unfinished run before it, or masters that do not show the view
(a master that could not be written), rebuilds the view and writes the
masters even when no source changed.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pakt.schemas import (
    Code,
    ConfigError,
    EnvironmentFailure,
    Finding,
    MasterMedium,
    Registry,
    RuleSet,
    Severity,
    load_rules,
)

from ..files._failpoints import failpoint
from ..files._file_access import FileAccess
from ..files._paths import master_path, state_path
from ..files._run_lock import RunLock
from ..google._setup import SessionFactory, Traffic, credential_warnings, google_municipalities, quota_path, uses_google
from ..master._files import Written, remove_stale_temp_files
from ..master._layout import RunStamp
from ..master._masters import GOOGLE, XLSX, Masters, refused_decisions
from ..reader._problems import file_problem
from ..sources._folder_source import FolderSource
from ..sources._source import Listing, Note, Place, SourceEntry, SourceSet
from ..store._records import Annotation, DistrictFigures, RunCounts, RunRecord, RunSummary, SourceRecord
from ..store._store import StateStore, store_unavailable

if TYPE_CHECKING:  # consolidation, the master's sheets and the reader: imported by a run that needs them
    from ..google._client import GoogleAccess
    from ..master._sheets import MasterGrids
    from ..sources._source import Intake
    from ..view._consolidate import DistrictView

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
    lock_wait_s: float = 300.0
    """How long to wait for another run of the same district to finish before giving up (RunInProgress)."""
    open_master: tuple[MasterMedium, dict[str, Annotation]] | None = None
    """Notes typed into a master open in Excel or Google Sheets (Aktualisieren), and which master it is:
    taken into the store inside the run, against what that master was last written with."""
    editor: str = "Aktualisieren"
    """Who decisions typed into the open master are recorded as (the key's holder, when the add-in knows)."""


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
    failures: tuple[EnvironmentFailure, ...] = ()
    """What failed in this run's environment (a master not written, Google unreachable), in German.
    The run is recorded and nothing stored is lost; the next run repairs what it can."""
    warnings: tuple[str, ...] = ()
    """German warnings for district IT (a key file others can read)."""
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

    @property
    def exit_code(self) -> int:
        """0, or the exit code of the first failure (docs/betrieb.md, Exit-Codes)."""
        return self.failures[0].exit_code if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        """The `pakt sync --json` object."""
        data = {
            **self.figures.to_json(),
            "read": self.read,
            "unchanged": self.unchanged,
            "master": str(self.master),
            "master_written": self.master_written,
            "run": self.run_id,
            "failures": [failure.message for failure in self.failures],
            "problems": [
                {"file": p.file, "code": p.code.value, "severity": p.severity.value, "ags": p.ags, "message": p.message}
                for p in self.problems
            ],
        }
        if self.google is not None:
            data["google_requests"] = self.google.as_dict()
        return data


def _google_access(registry: Registry, options: SyncOptions, state: Path) -> GoogleAccess | None:
    """Google only for districts that use it: a Google source or a Google master."""
    if not uses_google(registry):
        return None
    from ..google._client import GoogleAccess

    return GoogleAccess(registry, options.google_sessions, quota_path(registry, state))


def sources_for(registry: Registry, options: SyncOptions, google: GoogleAccess | None) -> SourceSet:
    """The district's sources: its folders and files, and its Google sheets where it has any."""
    sources: list[Any] = [FolderSource(registry, options.retry_delay_s, options.workers)]
    if google is not None and google_municipalities(registry):
        from ..sources._google_source import GoogleSheetsSource

        sources.append(GoogleSheetsSource(registry, google))
    return SourceSet(sources)


def _inputs_key(registry: Registry, rules: RuleSet, changes: int, today: date) -> str:
    """Fingerprint of what the view depends on besides the sources: the registry, the rules, every change to
    the store since (decisions, notes, payment lists, reminders: `StateStore.change_mark`), and, while the
    deadline matters, the day (a run on the day after the deadline turns the missing into "überfällig"
    without any file changing). Unchanged, and the masters written from the last view: nothing to build."""
    deadline = registry.round.deadline
    day = str(min(today, deadline + timedelta(days=1))) if deadline else ""
    material = registry.model_dump_json() + rules.model_dump_json() + str(registry.base_dir) + f"{changes}/{day}"
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
        (unchanged if entry.unknown or (same and not full) else changed).append(entry)
    return changed, unchanged


@dataclass
class _Run:
    """One run in progress: its store, its inputs and what it has found so far."""

    store: StateStore
    registry: Registry
    rules: RuleSet
    options: SyncOptions
    state: Path
    run_id: int
    started: datetime
    last: RunRecord | None
    interrupted: int
    sources: SourceSet
    listing: Listing
    masters: Masters
    inputs: str = ""

    @property
    def master(self) -> Path:
        return self.masters.master

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
            failpoint("read")
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
        failpoint("stored")

    def _store_intake(self, intake: Intake, seen_at: datetime) -> None:
        entry = intake.source
        version_id = None
        if intake.ags is not None:
            version_id = self.store.add_version(
                intake.ags, intake.stichtag, intake.sha256, entry.key, seen_at, self.run_id,
                intake.submission_json, intake.findings_json, intake.locations_json,
            )  # fmt: skip
        self.store.remember_source(
            entry.key, entry.size, entry.mtime_ns, intake.sha256, version_id, intake.problem, self.run_id
        )

    def take_notes(self) -> bool:
        """Take what the staff changed in the xlsx master. False when the master is not ours (rewrite it)."""
        last = self.last
        unchanged = False
        if last is not None and self.master.exists():
            stat = self.master.stat()
            unchanged = (last.master_size, last.master_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        return self.masters.take_xlsx_notes(unchanged, self.options.now())

    # -- deciding -----------------------------------------------------------------------------------

    def nothing_changed(self, changed: list[SourceEntry], gone: list[str], master_is_ours: bool) -> bool:
        """Whether the last run's masters still show everything: no source changed, no run died since,
        the masters were written from the last view with the store's notes, registry and rules the same."""
        last = self.last
        if self.options.full or changed or gone or self.interrupted or not master_is_ours or self.masters.refused:
            return False
        if last is None or last.summary is None or last.summary.inputs != self.inputs or not last.view_key:
            return False
        if not self.masters.current(XLSX, last.view_key, last.masters_key):
            return False
        google = self.registry.master.google_spreadsheet
        return google is None or self.masters.current(GOOGLE, last.view_key, last.masters_key)

    def consolidated(self, extra: list[Finding]) -> DistrictView:
        from ..store._reminder_log import last_reminders
        from ..view._consolidate import consolidate
        from ._matching import current_submissions

        store, registry = self.store, self.registry
        stichtag, today = registry.round.stichtag, self.options.now().date()
        present = [e.key for e in self.listing.entries]
        received, problems = current_submissions(store, present, registry, self.sources, self._first_signed())
        shown = {v.id: v for r in received.values() for v in (r.valid, r.approved) if v is not None}
        submissions = {vid: v.submission() for vid, v in shown.items()}
        earlier = store.previous_rounds(stichtag)
        previous = {ags: earlier[ags] for ags in received if ags in earlier}
        approvals = {vid: d for vid, d in store.decisions(shown).items() if d.approved}
        notes = store.annotations(stichtag)
        return consolidate(
            registry, self.rules, received, submissions, notes, problems + extra, previous, today, approvals,
            reminders=last_reminders(store, stichtag),
        )  # fmt: skip

    def _version_changes(self, old_id: int, new_id: int) -> str:
        from ..view._diff import change_summary

        versions = self.store.versions([old_id, new_id])
        old, new = versions.get(old_id), versions.get(new_id)
        if old is None or new is None or not old.submission_json or not new.submission_json:
            return ""
        return change_summary(old.submission(), new.submission(), limit=6)

    def _first_signed(self) -> dict:
        """When each signed-off submission of the round first arrived, if Pakt was watching before the
        deadline; a district that starts with Pakt after the deadline judges lateness by the typed date."""
        deadline = self.registry.round.deadline
        watching = self.store.watching_since()
        if deadline is None or watching is None or watching.date() > deadline:
            return {}
        return self.store.first_signed(self.registry.round.stichtag)

    def _record(
        self, finished: datetime, summary: RunSummary, changes: tuple[str, ...] = (), view_key: str = "",
        masters_key: str = "",
    ) -> RunRecord:  # fmt: skip
        """This run as the store keeps it, with the stat of the master as it now stands (its staff's notes
        are read again only when that changes)."""
        size, mtime = (None, None)
        if self.master.exists():
            stat = self.master.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        return RunRecord(
            id=self.run_id, started_at=self.started, finished_at=finished, summary=summary, changes=changes,
            view_key=view_key, master_path=str(self.master), master_size=size, master_mtime_ns=mtime,
            masters_key=masters_key,
        )  # fmt: skip

    def traffic(self) -> Traffic | None:
        google = self.masters.google
        return google.traffic if google is not None else None

    def _result(self, **fields: Any) -> SyncResult:
        return SyncResult(
            run_id=self.run_id, state=self.state, notes=tuple(self.listing.notes), google=self.traffic(),
            failures=tuple(self.listing.failures + self.sources.failures + self.masters.failures),
            place=self.sources.place,
            warnings=credential_warnings(self.registry), **fields,
        )  # fmt: skip

    # -- finishing ----------------------------------------------------------------------------------

    def quiet_result(self) -> SyncResult:
        """Nothing changed since the last run: record this run and report the figures that run computed."""
        kept = self.last.summary
        counts = RunCounts(read=0, unchanged=len(self.listing.entries), new_versions=0, master_note="unverändert")
        summary = replace(kept, counts=counts, inputs=self.inputs)
        finished = self.options.now()
        record = self._record(finished, summary, view_key=self.last.view_key, masters_key=self.last.masters_key or "")
        with self.store.transaction():
            self.store.finish_run(record)
        view = self.consolidated(_notes_as_findings(self.listing.notes)) if self.options.need_view else None
        return self._result(
            summary=summary, master=self.master, master_written=False, view=view,
            stamp=RunStamp(self.run_id, self.started, finished),
        )  # fmt: skip

    def full_result(
        self, changed: list[SourceEntry], unchanged: list[SourceEntry], busy: list[Finding], master_is_ours: bool
    ) -> SyncResult:
        """Rebuild the district view from the store and write each master that does not show it."""
        self.masters.read_google(self.options.now())
        view = self.consolidated(busy + _notes_as_findings(self.listing.notes) + self.masters.refused)
        failpoint("consolidated")
        from ..view._consolidate import describe_changes, snapshot_rows

        snapshot = snapshot_rows(view)
        changes = tuple(describe_changes(self.store.snapshot(), snapshot, self._version_changes))
        sheets = self._sheet_inputs(view)
        key = self._masters_key(view, snapshot, changes, sheets)
        last_key = self.last.masters_key if self.last is not None else None
        full = self.options.full
        xlsx_current = not full and master_is_ours and self.masters.current(XLSX, key, last_key)
        finished = self.options.now()
        stamp = RunStamp(self.run_id, self.started, finished)
        counts = RunCounts(
            read=len(changed) - len(busy), unchanged=len(unchanged),
            new_versions=self.store.versions_seen_in(self.run_id),
            master_note="unverändert" if xlsx_current else "neu geschrieben",
        )  # fmt: skip
        summary = self._summary(view, counts)
        grids = self._grids(view, stamp, summary, changes, sheets)
        names = grids.names
        if self.registry.master.google_spreadsheet is not None:
            grids = list(grids)  # two writers go through them: built once, held for both
        written = (
            Written(self.master, False, "unverändert") if xlsx_current else self.masters.write_xlsx(grids, view, stamp)
        )
        google_ok = True
        if self.masters.needs_google(key, last_key, names, full):
            google_ok = self.masters.write_google(grids, view, stamp)
        if written is None or written.reason not in ("", "unverändert"):
            note = written.reason if written is not None else self.masters.failures[-1].message
            summary = replace(summary, counts=replace(counts, master_note=note))
        shows_view = written is not None and not written.beside and google_ok and not self.masters.failures
        record = self._record(finished, summary, changes, key, key if shows_view else "")
        with self.store.transaction():
            self.store.save_snapshot(snapshot)
            self.store.finish_run(record)
        failpoint("finished")
        return self._result(
            summary=summary, master=written.path if written is not None else self.master,
            master_written=written is not None and not xlsx_current, changes=changes, view=view, stamp=stamp,
            busy=len(busy),
        )  # fmt: skip

    def _summary(self, view: DistrictView, counts: RunCounts) -> RunSummary:
        from ..view._consolidate import district_figures

        missing = tuple(row.municipality.name for row in view.rows if row.absent)
        return RunSummary(
            counts=counts, figures=district_figures(view), missing_names=missing, problems=tuple(view.problems),
            inputs=self.inputs,
        )  # fmt: skip

    def _sheet_inputs(self, view: DistrictView) -> _SheetInputs:
        """What the sheets draw on from the store besides the view (read once; the key and the writers share it)."""
        from ..master._time_series import round_series
        from ..view._payments import payment_plan
        from ._round_plans import earlier_open_lines

        stichtag = self.registry.round.stichtag
        plan = payment_plan(view, view.rules.tranches(stichtag), self.store.paid_lines(stichtag))
        return _SheetInputs(round_series(view, self.store), plan, earlier_open_lines(self.registry, self.store))

    def _masters_key(self, view: DistrictView, snapshot: dict, changes: tuple[str, ...], sheets: _SheetInputs) -> str:
        """The digest of the sheets this run would write (master/_fingerprint.py): equal to the key the masters
        were last written with, they already show what the store holds."""
        from ..master._fingerprint import NEUTRAL_STAMP, UNCOMPARED, sheets_key
        from ..view._consolidate import view_key

        grids = self._grids(view, NEUTRAL_STAMP, None, changes, sheets)
        return sheets_key(grids.unfitted(UNCOMPARED), view_key(view, snapshot))

    def _grids(
        self, view: DistrictView, stamp: RunStamp, summary: RunSummary | None, changes: tuple[str, ...],
        sheets: _SheetInputs,
    ) -> MasterGrids:  # fmt: skip
        current = RunRecord(
            id=self.run_id, started_at=self.started, finished_at=stamp.finished_at, summary=summary, changes=changes,
            master_path=str(self.master),
        )  # fmt: skip
        runs = [current, *(r for r in self.store.runs(HISTORY_RUNS) if r.id != self.run_id)][:HISTORY_RUNS]
        from ..master._sheets import master_grids

        return master_grids(view, stamp, runs, changes, self.sources.place, sheets.series, sheets.plan, sheets.earlier)


@dataclass(frozen=True)
class _SheetInputs:
    series: Any
    """The Zeitreihe's rounds (master/_time_series.Series)."""
    plan: Any
    """The Auszahlung's lines (view/_payments.PaymentLine)."""
    earlier: Any = ()
    """The open lines of earlier rounds, shown below them."""


def _execute(registry: Registry, options: SyncOptions, store: StateStore, state: Path, masters: Masters,
             sources: SourceSet) -> SyncResult:  # fmt: skip
    rules = load_rules(registry.round.rules, registry.base_dir)
    started = options.now()
    last = store.last_finished_run()
    interrupted = store.interrupted_since(last)
    run_id = store.begin_run(started)
    if options.open_master is not None:
        medium, typed = options.open_master
        with store.transaction():
            _, _, refused = store.take_annotations(
                typed, medium.value, started, registry.round.stichtag, options.editor
            )
        masters.refused += refused_decisions(refused, registry, "geöffnete Übersicht")
    listing = sources.listing()
    failpoint("listed")
    run = _Run(store, registry, rules, options, state, run_id, started, last, interrupted, sources, listing, masters)
    changed, unchanged, busy, gone = run.read_changes()
    master_is_ours = run.take_notes()
    run.inputs = _inputs_key(registry, rules, store.change_mark(), started.date())
    if run.nothing_changed(changed, gone, master_is_ours):
        return run.quiet_result()
    return run.full_result(changed, unchanged, busy, master_is_ours)


def run_sync(registry: Registry, options: SyncOptions | None = None) -> SyncResult:
    """Pull every municipality's workbook into the district master. Safe to interrupt at any point.

    Raises a German EnvironmentFailure when the run cannot happen at all (the state store unusable,
    another run in progress); what fails during a run (a master, Google) is in the result's failures.
    """
    if registry.is_state:  # a state's registry would overwrite the state master with an empty district's
        raise ConfigError(
            "Diese Konfiguration nennt Landkreise ([[districts]]): ihr Abgleich ist die Übersicht des Landes "
            "(„pakt sync“), nicht der eines Landkreises."
        )
    options = options or SyncOptions()
    master = master_path(registry, options.master)
    state = state_path(registry, master)
    access = FileAccess.of(registry)
    with RunLock(state.with_name(state.name + ".lock"), options.lock_wait_s):
        remove_stale_temp_files(master)
        google = _google_access(registry, options, state)
        sources = sources_for(registry, options, google)
        try:
            with StateStore(state, access) as store:
                masters = Masters(registry, store, master, access, google)
                return _execute(registry, options, store, state, masters, sources)
        except sqlite3.Error as error:
            raise store_unavailable(state, error) from error
        finally:
            if google is not None:
                google.close()
