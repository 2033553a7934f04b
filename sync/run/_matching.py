"""Which present file counts for which municipality: duplicates, other rounds, unknown keys, unreadable files.

Reads the state store (what each present file holds) and decides, per
registered municipality, the newest version and the valid one to show. A file
that holds no version (another format, a broken workbook) but is tied to one
municipality, by the source or by its name (sources/_file_owner.py), is that
municipality's problem: its row says so instead of "Keine Meldung".
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime

from pakt.schemas import Code, Finding, Municipality, Registry, Severity, counted, format_date

from ..reader._problems import file_problem
from ..sources._file_owner import FileOwners
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


class _Strays:
    """Files that hold no version but a blocking problem, by the municipality they are tied to."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.by_ags: dict[str, list[SourceRecord]] = defaultdict(list)
        self._owners: FileOwners | None = None

    def take(self, record: SourceRecord) -> bool:
        """Keep the record under its municipality, if it has exactly one; False for a file of nobody's."""
        problem = record.problem
        if problem is None or not problem.blocking:
            return False
        if problem.ags is not None:  # the source knew (a file of another format, a registered Google sheet)
            owner = self.registry.municipality(problem.ags)
        elif os.path.isabs(record.path):
            if self._owners is None:
                self._owners = FileOwners(self.registry)
            owner = self._owners.of_path(record.path)
        else:
            owner = None
        if owner is None:
            return False
        self.by_ags[owner.ags].append(replace(record, problem=_stamped(problem, owner)))
        return True


def _stamped(problem: Finding, owner: Municipality) -> Finding:
    return problem.model_copy(update={"ags": owner.ags, "municipality": owner.name})


def _beside_valid(problem: Finding, kept: str) -> Finding:
    """A file that cannot be read, lying beside the municipality's valid workbook of the round.

    The row keeps the valid workbook's status: the district clerk sees what the municipality reported, and
    no reminder goes to a municipality that has done its part (many send a signed PDF beside the workbook, or
    leave a damaged copy). The file is named in the Prüfbericht under the municipality: a Hinweis for a file
    of another format (a PDF or a CSV beside the form is harmless), a Warnung for a workbook that cannot be
    read (it may be a newer version the clerk meant to send).
    """
    if problem.code is Code.DATEIFORMAT:
        message = (
            f"Neben der gültigen Meldung {kept} liegt diese Datei in einem Format, das Pakt nicht liest; gezählt "
            "wird die gültige Meldung. Nichts zu tun, wenn sie nur eine Kopie ist."
        )
        return problem.model_copy(update={"message": message, "severity": Severity.NOTE})
    message = (
        f"Neben der gültigen Meldung {kept} liegt diese Mappe, die sich nicht lesen lässt: {problem.message} "
        f"Gezählt wird {kept}; ist diese Mappe die neuere Fassung, bitte sie neu speichern."
    )
    return problem.model_copy(update={"message": message, "severity": Severity.WARNING})


def _readable_valid(candidates: list[tuple[SourceRecord, VersionRecord]]) -> SourceRecord | None:
    return next((record for record, version in candidates if record.problem is None and version.valid), None)


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
    strays = _Strays(registry)
    for record in in_files:
        version = versions.get(record.version_id)
        if version is None and strays.take(record):
            continue
        if record.problem is not None:
            problems.append(record.problem)
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
    for ags, stray in strays.by_ags.items():
        kept = _readable_valid(by_ags.get(ags, []))
        if kept is not None:
            problems += [_beside_valid(r.problem, sources.place(kept.path).label) for r in stray]
            continue
        problems += [r.problem for r in stray]
        if ags not in received:  # else its own workbook already shows what is wrong with it
            newest = max(stray, key=lambda r: (r.mtime_ns, r.path))
            received[ags] = Received(
                None,
                store.latest_valid(ags, stichtag),
                newest.problem,
                approved.get(ags),
                first_signed=(first_signed or {}).get(ags),
            )
    for ags, version in approved.items():  # approved, but no file holds the municipality's workbook now
        received.setdefault(ags, Received(None, store.latest_valid(ags, stichtag), None, version))
    decisions = store.decisions(r.valid.id for r in received.values() if r.valid is not None)
    received = {
        ags: replace(r, decision=decisions.get(r.valid.id)) if r.valid is not None else r for ags, r in received.items()
    }
    return received, problems
