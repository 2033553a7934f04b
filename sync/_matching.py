"""Which present file counts for which municipality: duplicates, other rounds, unknown keys.

Reads the state store (what each present file holds) and decides, per
registered municipality, the newest version and the valid one to show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pakt.schemas import Code, Finding, Registry, Severity, format_date

from ._consolidate import Received
from ._problems import file_problem
from ._records import SourceRecord, VersionRecord
from ._source import SourceSet
from ._store import StateStore


def _primary(
    candidates: list[tuple[SourceRecord, VersionRecord]], registry: Registry, sources: SourceSet
) -> tuple[SourceRecord, VersionRecord]:
    """Which of several files for one municipality and Stichtag counts: the registry's, else the oldest known."""
    municipality = registry.municipality(candidates[0][1].ags)
    named = sources.registered_key(municipality) if municipality else None
    return min(candidates, key=lambda c: (c[0].path != named, c[0].first_seen_run, c[0].path))


def _other_round(record: SourceRecord, version: VersionRecord, registry: Registry) -> Finding:
    when = format_date(version.stichtag) if version.stichtag else "ohne Stichtag"
    stichtag = format_date(registry.round.stichtag)
    return file_problem(
        Code.STICHTAG_ABWEICHEND,
        f"Meldung zum Stichtag {when} gehört nicht zur laufenden Runde ({stichtag}); nur gespeichert.",
        record.path,
        Severity.NOTE,
        ags=version.ags,
        municipality=registry.municipality(version.ags).name,
    )


def _duplicate(other: SourceRecord, kept: SourceRecord, ags: str, registry: Registry, sources: SourceSet) -> Finding:
    return file_problem(
        Code.MELDUNG_DOPPELT,
        f"Für diese Gemeinde und diesen Stichtag liegt schon {sources.place(kept.path).label} vor; "
        "diese zweite Mappe wurde nicht übernommen. Bitte eine der beiden entfernen.",
        other.path,
        ags=ags,
        municipality=registry.municipality(ags).name,
    )


def current_submissions(
    store: StateStore, present: Iterable[str], registry: Registry, sources: SourceSet
) -> tuple[dict[str, Received], list[Finding]]:
    """What the present entries hold for this round, per municipality, and the problems of the entries."""
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
        if registry.municipality(version.ags) is None:
            problems += [f for f in version.findings if f.blocking]
        elif version.stichtag != stichtag:
            problems.append(_other_round(record, version, registry))
        else:
            by_ags[version.ags].append((record, version))
    received: dict[str, Received] = {}
    for ags, candidates in by_ags.items():
        record, newest = _primary(candidates, registry, sources)
        problems += [
            _duplicate(other, record, ags, registry, sources) for other, _ in candidates if other.path != record.path
        ]
        unreadable = record.problem
        valid = newest if newest.valid and unreadable is None else store.latest_valid(ags, stichtag)
        received[ags] = Received(None if unreadable else newest, valid, unreadable)
    return received, problems
