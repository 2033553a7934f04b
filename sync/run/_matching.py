"""Which present file counts for which municipality: duplicates, other rounds, unknown keys.

Reads the state store (what each present file holds) and decides, per
registered municipality, the newest version and the valid one to show.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime

from pakt.schemas import Code, Finding, Municipality, Registry, Severity, counted, format_date

from ..reader._problems import file_problem
from ..sources._source import SourceSet
from ..store._records import SourceRecord, VersionRecord
from ..store._store import StateStore
from ..view._consolidate import Received


def _primary(
    candidates: list[tuple[SourceRecord, VersionRecord]], registry: Registry, sources: SourceSet
) -> tuple[SourceRecord, VersionRecord]:
    """Which of several files for one municipality and Stichtag counts: the registry's, else the oldest known."""
    municipality = registry.municipality(candidates[0][1].ags)
    named = sources.registered_key(municipality) if municipality else None
    return min(candidates, key=lambda c: (c[0].path != named, c[0].first_seen_run, c[0].path))


def _other_rounds(counts: Mapping[date | None, int], stichtag: date) -> Finding:
    """One note for all files of other rounds (a new round starts with every file of the last one present)."""
    days = sorted(counts, key=lambda day: day or date.min)
    parts = ", ".join(
        f"{counted(counts[day], 'Meldung', 'Meldungen')} zum Stichtag {format_date(day)}"
        if day
        else f"{counted(counts[day], 'Meldung', 'Meldungen')} ohne Stichtag"
        for day in days
    )
    return file_problem(
        Code.STICHTAG_ABWEICHEND,
        f"Gespeichert, aber nicht in dieser Runde ({format_date(stichtag)}) gezählt: {parts}.",
        None,
        Severity.NOTE,
    )


def _moved(municipality: Municipality | None, found_at: str, sources: SourceSet) -> list[Finding]:
    """A registered workbook path that no longer holds the file, while the municipality's workbook was found
    elsewhere: the registry should be corrected (links already follow the file)."""
    registered = sources.registered_key(municipality) if municipality else None
    if registered is None or registered == found_at or not registered.startswith("/") or os.path.exists(registered):
        return []
    return [
        file_problem(
            Code.MAPPE_VERSCHOBEN,
            f"Die in pakt.toml eingetragene Mappe {registered} gibt es nicht mehr; die Meldung wurde unter "
            f"{found_at} gefunden. Bitte den Eintrag „workbook“ der Gemeinde anpassen.",
            registered,
            Severity.WARNING,
            ags=municipality.ags,
            municipality=municipality.name,
        )
    ]


def _duplicate(other: SourceRecord, kept: SourceRecord, ags: str, registry: Registry, sources: SourceSet) -> Finding:
    return file_problem(
        Code.MELDUNG_DOPPELT,
        f"Für diese Gemeinde und diesen Stichtag liegt schon {sources.place(kept.path).label} vor; "
        "diese zweite Mappe wurde nicht übernommen. Bitte eine der beiden entfernen.",
        other.path,
        ags=ags,
        municipality=registry.municipality(ags).name,
    )


def _where_now(version: VersionRecord | None, path: str) -> VersionRecord | None:
    """A version as it is now found: at the path of the file that holds the municipality's workbook today
    (links in the master follow a file that moved; the store keeps where it was first seen)."""
    return replace(version, path=path) if version is not None and version.path != path else version


def current_submissions(
    store: StateStore,
    present: Iterable[str],
    registry: Registry,
    sources: SourceSet,
    first_signed: Mapping[str, datetime] | None = None,
) -> tuple[dict[str, Received], list[Finding]]:
    """What the present entries hold for this round, per municipality, and the problems of the entries.

    `first_signed`: when a signed-off version of each municipality was first seen (for lateness).
    """
    records = store.sources()
    stichtag = registry.round.stichtag
    problems: list[Finding] = []
    other_rounds: dict[date | None, int] = defaultdict(int)
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
            other_rounds[version.stichtag] += 1
        else:
            by_ags[version.ags].append((record, version))
    if other_rounds:
        problems.append(_other_rounds(other_rounds, stichtag))
    approved = store.approved_versions(stichtag)
    received: dict[str, Received] = {}
    for ags, candidates in by_ags.items():
        record, newest = _primary(candidates, registry, sources)
        problems += [
            _duplicate(other, record, ags, registry, sources) for other, _ in candidates if other.path != record.path
        ]
        problems += _moved(registry.municipality(ags), record.path, sources)
        unreadable = record.problem
        valid = newest if newest.valid and unreadable is None else store.latest_valid(ags, stichtag)
        received[ags] = Received(
            None if unreadable else _where_now(newest, record.path),
            _where_now(valid, record.path),
            unreadable,
            _where_now(approved.get(ags), record.path),
            first_signed=(first_signed or {}).get(ags),
        )
    for ags, version in approved.items():  # approved, but no file holds the municipality's workbook now
        received.setdefault(ags, Received(None, store.latest_valid(ags, stichtag), None, version))
    decisions = store.decisions(r.valid.id for r in received.values() if r.valid is not None)
    received = {
        ags: replace(r, decision=decisions.get(r.valid.id)) if r.valid is not None else r for ags, r in received.items()
    }
    return received, problems
