"""One sync run: scan, read what changed, store, consolidate, write the master. The main job of Pakt.

    registry ─► scan ─► changed files ─► take in (read, check) ─► state store
                                                                     │
                      master (.xlsx) ◄─ write (atomic) ◄─ consolidate (pure)

The CLI (`pakt sync`) and the add-in server call `run_sync` alike.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from schemas import Code, Finding, Registry, RuleSet, Severity, Submission, format_date, load_rules

from ._consolidate import (
    DistrictView,
    Received,
    Status,
    consolidate,
    describe_changes,
    district_figures,
    snapshot_rows,
    view_key,
)
from ._intake import Intake, take_in_all
from ._master_files import Written, read_annotations, remove_stale_temp_files, write_master_bytes
from ._master_xlsx import RunStamp, build_master
from ._sources import Note, SourceFile, scan
from ._store import RunRecord, SourceRecord, StateStore, VersionRecord

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

    def summary(self) -> dict:
        """The `pakt sync --json` object."""
        return {
            **self.figures,
            "read": self.read,
            "unchanged": self.unchanged,
            "master": str(self.master),
            "master_written": self.master_written,
            "run": self.run_id,
        }


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


def _take_in(store: StateStore, changed: list[SourceFile], registry: Registry, options: SyncOptions, run_id: int) -> list[Finding]:
    """Read the changed sources and store them in batches; returns the problems of busy files."""
    busy: list[Finding] = []
    workers = options.workers or os.cpu_count() or 1
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if options.progress:
            options.progress(done, len(changed))

    batch: list[Intake] = []
    for intake in take_in_all(changed, registry, options.retry_delay_s, workers, tick):
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


def _problem(code: Code, severity: Severity, message: str, path: str, ags: str | None = None, name: str | None = None) -> Finding:
    return Finding(code=code, severity=severity, message=message, file=path, ags=ags, municipality=name)


def _primary(candidates: list[tuple[SourceRecord, VersionRecord]], registry: Registry) -> tuple[SourceRecord, VersionRecord]:
    """Which of several files for one municipality and Stichtag counts: the registry's, else the oldest known."""
    municipality = registry.municipality(candidates[0][1].ags)
    named = str(registry.resolve(municipality.workbook)) if municipality and municipality.workbook else None
    return min(candidates, key=lambda c: (c[0].path != named, c[0].first_seen_run, c[0].path))


def _current(
    store: StateStore, present: Iterable[str], registry: Registry
) -> tuple[dict[str, Received], list[Finding]]:
    """What the present files hold for this round, per municipality, and the problems of the files."""
    records = store.sources()
    stichtag = registry.round.stichtag
    problems: list[Finding] = []
    in_files = [records[p] for p in present if p in records]
    versions = store.versions(r.version_id for r in in_files if r.version_id is not None)
    by_ags: dict[str, list[tuple[SourceRecord, VersionRecord]]] = defaultdict(list)
    for record in in_files:
        if record.problem is not None:
            problems.append(record.problem)
        version = versions.get(record.version_id)
        if version is None:
            continue
        municipality = registry.municipality(version.ags)
        if municipality is None:
            problems += [f for f in version.findings if f.blocking]
            continue
        if version.stichtag != stichtag:
            when = format_date(version.stichtag) if version.stichtag else "ohne Stichtag"
            problems.append(_problem(
                Code.STICHTAG_ABWEICHEND, Severity.NOTE,
                f"Meldung zum Stichtag {when} gehört nicht zur laufenden Runde ({format_date(stichtag)}); nur gespeichert.",
                record.path, version.ags, municipality.name,
            ))
            continue
        by_ags[version.ags].append((record, version))
    received: dict[str, Received] = {}
    for ags, candidates in by_ags.items():
        record, newest = _primary(candidates, registry)
        for other, _ in candidates:
            if other.path != record.path:
                problems.append(_problem(
                    Code.MELDUNG_DOPPELT, Severity.ERROR,
                    f"Für diese Gemeinde und diesen Stichtag liegt schon {Path(record.path).name} vor; "
                    "diese zweite Mappe wurde nicht übernommen. Bitte eine der beiden entfernen.",
                    other.path, ags, registry.municipality(ags).name,
                ))
        unreadable = record.problem
        valid = newest if newest.valid and unreadable is None else store.latest_valid(ags, stichtag)
        received[ags] = Received(None if unreadable else newest, valid, unreadable)
    return received, problems


def _notes_as_findings(notes: Iterable[Note]) -> list[Finding]:
    return [_problem(Code.DATEI_UEBERSPRUNGEN, Severity.NOTE, note.message, note.path) for note in notes]


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


def _consolidated(store: StateStore, registry: Registry, rules: RuleSet, present: list[str], extra: list[Finding]) -> DistrictView:
    received, problems = _current(store, present, registry)
    used = [r.valid for r in received.values() if r.valid is not None]
    submissions = {v.id: v.submission() for v in used}
    previous: dict[str, Submission] = {}
    for version in used:
        before = store.previous_round(version.ags, registry.round.stichtag)
        if before is not None:
            previous[version.ags] = before
    return consolidate(registry, rules, received, submissions, store.annotations(), problems + extra, previous)


def _inputs_key(registry: Registry, rules: RuleSet) -> str:
    """Fingerprint of the registry and the rules: when they change, the view must be rebuilt."""
    material = registry.model_dump_json() + rules.model_dump_json() + str(registry.base_dir)
    return hashlib.sha256(material.encode()).hexdigest()


def _quiet_result(store: StateStore, last: RunRecord, run_id: int, started: datetime, finished: datetime,
                  master: Path, state: Path, sources: list[SourceFile], notes: list[Note], inputs: str) -> SyncResult:
    """Nothing changed since the last run: record this run and report the figures that run computed."""
    kept = last.counts
    counts = {**{k: kept[k] for k in ("district", "missing_names", "problems", "invalid", "missing")},
              "read": 0, "unchanged": len(sources), "new_versions": 0, "inputs": inputs, "master_note": "unverändert"}
    master_stat = (master.stat().st_size, master.stat().st_mtime_ns)
    with store.transaction():
        store.finish_run(run_id, finished, counts, [], last.view_key or "", master, master_stat)
    problems = tuple(Finding.model_validate(p) for p in kept["problems"])
    return SyncResult(run_id, kept["district"], tuple(kept["missing_names"]), 0, len(sources), 0, 0, master, False,
                      "unverändert", tuple(notes), problems, state, ())


def run_sync(registry: Registry, options: SyncOptions | None = None) -> SyncResult:
    """Pull every municipality's workbook into the district master. Safe to interrupt at any point."""
    options = options or SyncOptions()
    rules = load_rules(registry.round.rules, registry.base_dir)
    inputs = _inputs_key(registry, rules)
    master = master_path(registry, options.master)
    state = state_path(registry, master)
    remove_stale_temp_files(master)
    with StateStore(state) as store:
        started = options.now()
        last = store.last_finished_run()
        run_id = store.begin_run(started)
        sources, notes = scan(registry)
        changed, unchanged = _changed(sources, store.sources(), options.full)
        busy = _take_in(store, changed, registry, options, run_id) if changed else []
        with store.transaction():
            gone = store.mark_present({s.key for s in sources}, run_id)
        master_is_ours = _annotations(store, master, last, options.now())
        quiet = not (options.full or changed or gone) and master_is_ours and last is not None and bool(last.view_key)
        if quiet and last.counts.get("inputs") == inputs and "district" in last.counts:
            return _quiet_result(store, last, run_id, started, options.now(), master, state, sources, notes, inputs)
        return _full_run(store, registry, rules, options, run_id, started, last, sources, notes, changed, unchanged,
                         busy, master, state, inputs, master_is_ours)


def _full_run(store: StateStore, registry: Registry, rules: RuleSet, options: SyncOptions, run_id: int,
              started: datetime, last: RunRecord | None, sources: list[SourceFile], notes: list[Note],
              changed: list[SourceFile], unchanged: list[SourceFile], busy: list[Finding], master: Path, state: Path,
              inputs: str, master_is_ours: bool) -> SyncResult:
    """Rebuild the district view from the store and write the master when what it shows changed."""
    view = _consolidated(store, registry, rules, [s.key for s in sources], busy + _notes_as_findings(notes))
    snapshot = snapshot_rows(view)
    changes = describe_changes(store.snapshot(), snapshot)
    key = view_key(view, snapshot)
    figures = district_figures(view)
    missing_names = [row.municipality.name for row in view.rows if row.status is Status.FEHLT]
    counts = {
        "read": len(changed) - len(busy),
        "unchanged": len(unchanged),
        "new_versions": store.versions_seen_in(run_id),
        "invalid": view.invalid,
        "missing": view.missing,
        "district": figures,
        "missing_names": missing_names,
        "problems": [p.model_dump(mode="json") for p in view.problems],
        "inputs": inputs,
    }
    skip = not options.full and master_is_ours and last is not None and last.view_key == key
    finished = options.now()
    written = Written(master, False, "unverändert") if skip else _write(store, view, run_id, started, finished, counts, changes, master)
    if written.beside:
        key = ""
    counts["master_note"] = written.reason or ("unverändert" if skip else "neu geschrieben")
    master_stat = (master.stat().st_size, master.stat().st_mtime_ns) if master.exists() else None
    with store.transaction():
        store.save_snapshot(snapshot)
        store.finish_run(run_id, finished, counts, changes, key, master, master_stat)
    return SyncResult(
        run_id, figures, tuple(missing_names), counts["read"], counts["unchanged"], counts["new_versions"], len(busy),
        written.path, not skip, written.reason, tuple(notes), tuple(view.problems), state, tuple(changes), view,
    )


def _write(
    store: StateStore, view: DistrictView, run_id: int, started: datetime, finished: datetime,
    counts: dict, changes: list[str], master: Path,
) -> Written:
    current = RunRecord(run_id, started, finished, counts, changes, None, str(master), None, None)
    runs = [current, *(r for r in store.runs(50) if r.id != run_id)][:50]
    data = build_master(view, RunStamp(run_id, started, finished), runs, changes, master.parent)
    return write_master_bytes(master, data, finished)
