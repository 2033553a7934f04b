"""A municipality's versions and the district's decisions on them: `pakt history` and `pakt approve`.

Both work from the state store alone. A decision is taken on the version the
Übersicht shows for review (the newest valid one of the round), is kept with
who and when, and never replaces an earlier decision: the newest counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from pakt.schemas import Municipality, PaktError, Registry, format_date

from ..store._records import Decision, VersionRecord, review_choice
from ..store._store import StateStore
from ..view._diff import FieldChange, submission_changes


@dataclass(frozen=True)
class VersionLine:
    """One version of a municipality, as `pakt history` lists it."""

    version: VersionRecord
    decision: Decision | None
    in_totals: bool
    """The version the Übersicht counts in its totals (as of the last run)."""

    @property
    def state(self) -> str:
        if not self.version.valid:
            errors = sum(1 for f in self.version.findings if f.blocking)
            return f"fehlerhaft ({errors} Fehler)"
        submission = self.version.submission()
        return (
            "eingereicht" if submission is not None and submission.sign_off.submitted else "gültig, nicht eingereicht"
        )

    @property
    def file(self) -> str:
        return PurePath(self.version.path).name


def _municipality(registry: Registry, ags: str) -> Municipality:
    municipality = registry.municipality(ags.strip())
    if municipality is None:
        raise PaktError(f"Gemeindeschlüssel {ags} steht nicht im Gemeindeverzeichnis (pakt.toml).")
    return municipality


def _store(state: Path) -> StateStore:
    if not state.exists():
        raise PaktError("Noch kein Abgleich gelaufen. Bitte zuerst „pakt sync“ ausführen.")
    return StateStore(state)


def version_history(registry: Registry, state: Path, ags: str) -> tuple[Municipality, list[VersionLine]]:
    """Every stored version of a municipality, oldest first, with the decision in force on each."""
    municipality = _municipality(registry, ags)
    with _store(state) as store:
        versions = store.versions_of(municipality.ags)
        decisions = store.decisions(v.id for v in versions)
        used = store.snapshot().get(municipality.ags, {}).get("used")
    return municipality, [VersionLine(v, decisions.get(v.id), v.id == used) for v in versions]


def version_diff(registry: Registry, state: Path, ags: str, old: int, new: int) -> list[FieldChange]:
    """Field by field what changed from version `old` to version `new` of a municipality."""
    municipality = _municipality(registry, ags)
    with _store(state) as store:
        found = store.versions([old, new])
    submissions = []
    for number in (old, new):
        version = found.get(number)
        if version is None or version.ags != municipality.ags:
            raise PaktError(f"Fassung {number} gehört nicht zu {municipality.name}; siehe „pakt history {ags}“.")
        if not version.submission_json:
            raise PaktError(f"Fassung {number} von {municipality.name} ist fehlerhaft und hat keine lesbaren Werte.")
        submissions.append(version.submission())
    return submission_changes(*submissions)


@dataclass(frozen=True)
class Decided:
    """A decision `pakt approve` recorded, with the version it is about."""

    municipality: Municipality
    version: VersionRecord
    decision: Decision
    new_since_master: bool = False
    """The version arrived with this command's read (`pakt approve`): the master the staff looked at did not
    show it yet."""


def _version_for_review(store: StateStore, registry: Registry, municipality: Municipality) -> VersionRecord:
    """The version the Übersicht shows for review (as of the last run), else the newest valid one."""
    shown = store.snapshot().get(municipality.ags, {}).get("review_version")
    version = store.versions([shown]).get(shown) if shown else None
    if version is None or version.stichtag != registry.round.stichtag:  # the last run was of another round
        version = store.latest_valid(municipality.ags, registry.round.stichtag)
    if version is None:
        raise PaktError(
            f"Für {municipality.name} ({municipality.ags}) liegt keine gültige Meldung zum Stichtag "
            f"{format_date(registry.round.stichtag)} vor; es gibt nichts zu entscheiden."
        )
    return version


def decide(
    registry: Registry, state: Path, ags_list: Sequence[str], decision: str, reason: str, by: str, when: datetime
) -> list[Decided]:
    """Record the district's decision on each municipality's version under review; all or none."""
    choice = review_choice(decision)
    if choice is None or not choice:
        raise PaktError(f"„{decision}“ ist keine Entscheidung; möglich sind geprüft, freigegeben, zurückgewiesen.")
    if choice == "zurückgewiesen" and not reason.strip():
        raise PaktError("Bitte mit --reason angeben, warum die Meldung zurückgewiesen wird.")
    municipalities = [_municipality(registry, ags) for ags in ags_list]
    with _store(state) as store:
        chosen = [(m, _version_for_review(store, registry, m)) for m in municipalities]
        with store.transaction():
            return [
                Decided(m, v, store.record_decision(m.ags, v.id, choice, reason.strip(), by, when)) for m, v in chosen
            ]
