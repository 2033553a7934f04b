"""`pakt approve`: read first, then decide each municipality on its own, then write the masters.

Reading first: a clerk who reports a correction by telephone has saved it a
minute ago; the decision must be about that file, not about what the last run
saw. A named municipality is decided on its newest valid version after the
read (and the terminal says when that version is new since the last master);
`--all` decides only versions the staff could see in the master before (the
Übersicht showed them for review), never one that arrived this minute.

Each municipality is decided on its own: one without a valid submission is
reported and the others are decided (exit 1). A name that fits no municipality
(or two) refuses the command before anything is read or decided (exit 2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import get_close_matches

from pakt.schemas import Municipality, PaktError, Registry, format_date

from ..run._run import SyncOptions, SyncResult, run_sync
from ..store._records import APPROVED, VersionRecord, review_choice
from ..store._store import StateStore
from ._history import Decided

FINAL = frozenset({APPROVED, "zurückgewiesen"})
"""Decisions that settle a version; "geprüft" is a step on the way (`--all` still takes such versions)."""


@dataclass(frozen=True)
class NotDecided:
    municipality: Municipality
    reason: str
    """Why, in German."""


@dataclass
class Approval:
    """What `pakt approve` did: the decisions, the municipalities left as they were, the final run."""

    decided: list[Decided] = field(default_factory=list)
    not_decided: list[NotDecided] = field(default_factory=list)
    run: SyncResult | None = None

    @property
    def exit_code(self) -> int:
        if self.run is not None and self.run.exit_code:
            return self.run.exit_code
        return 1 if self.not_decided else 0


def _plain(text: str) -> str:
    """A name as compared: case, accents, hyphens and spaces aside ("Emmingen-Liptingen" = "emmingen liptingen")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = letters.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return "".join(c for c in letters if c.isalnum())


def find_municipality(registry: Registry, typed: str) -> Municipality:
    """A municipality by its AGS or its name, as staff type it; PaktError (German) naming the candidates."""
    text = typed.strip()
    by_key = registry.municipality(text) if text.isdigit() else None
    if by_key is not None:
        return by_key
    wanted = _plain(text)
    fitting = [m for m in registry.municipalities if _plain(m.name) == wanted] if wanted else []
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        keys = ", ".join(f"{m.name} ({m.ags})" for m in fitting)
        raise PaktError(f"„{typed}“ passt auf mehrere Gemeinden: {keys}. Bitte den Gemeindeschlüssel angeben.")
    names = {m.name: m for m in registry.municipalities}
    close = get_close_matches(text, list(names), n=3, cutoff=0.75)
    hint = f" Meinten Sie {' oder '.join(f'{n} ({names[n].ags})' for n in close)}?" if close else ""
    what = f"Gemeindeschlüssel {text}" if text.isdigit() else f"Gemeinde „{text}“"
    raise PaktError(f"{what} steht nicht im Gemeindeverzeichnis (pakt.toml).{hint}")


def _round(registry: Registry, stichtag: date | None) -> date:
    if stichtag is None or stichtag == registry.round.stichtag:
        return registry.round.stichtag
    if all(past.stichtag != stichtag for past in registry.rounds):
        known = ", ".join(format_date(r.stichtag) for r in (registry.round, *registry.rounds))
        raise PaktError(f"Zum Stichtag {format_date(stichtag)} gibt es keine Runde (bekannt: {known}).")
    return stichtag


def _shown_for_review(store: StateStore) -> dict[str, int]:
    """The version each row of the last master showed for review."""
    return {ags: row["review_version"] for ags, row in store.snapshot().items() if row.get("review_version")}


@dataclass(frozen=True)
class ApproveRequest:
    """What the staff asked for."""

    names: Sequence[str]
    decision: str
    reason: str
    by: str
    when: datetime
    every: bool = False
    """`--all`: every valid submission shown for review and not decided yet."""
    stichtag: date | None = None
    """An earlier round (default: the running one)."""


def _check(request: ApproveRequest) -> str:
    choice = review_choice(request.decision)
    if choice is None or not choice:
        raise PaktError(
            f"„{request.decision}“ ist keine Entscheidung; möglich sind geprüft, freigegeben, zurückgewiesen."
        )
    if choice == "zurückgewiesen" and not request.reason.strip():
        raise PaktError("Bitte mit --reason angeben, warum die Meldung zurückgewiesen wird.")
    if not request.names and not request.every:
        raise PaktError("Bitte Gemeinden (Name oder Gemeindeschlüssel) angeben, oder --all für alle gezeigten.")
    return choice


def approve(registry: Registry, request: ApproveRequest, options: SyncOptions | None = None) -> Approval:
    """Read, decide, write: the whole of `pakt approve`."""
    choice = _check(request)
    named = [find_municipality(registry, name) for name in request.names]
    stichtag = _round(registry, request.stichtag)
    options = options or SyncOptions()
    with StateStore(_state(registry, options)) as store:
        before = _shown_for_review(store)
    first = run_sync(
        registry, SyncOptions(master=options.master, now=options.now, google_sessions=options.google_sessions)
    )
    result = Approval()
    with StateStore(first.state) as store:
        after = _shown_for_review(store) if stichtag == registry.round.stichtag else {}
        wanted = _wanted(registry, store, named, request.every, before, after, stichtag, result)
        with store.transaction():
            for municipality, version in wanted:
                decision = store.record_decision(
                    municipality.ags, version.id, choice, request.reason.strip(), request.by, request.when
                )
                new = stichtag == registry.round.stichtag and before.get(municipality.ags) != version.id
                result.decided.append(Decided(municipality, version, decision, new))
    result.run = run_sync(registry, options)
    return result


def _state(registry: Registry, options: SyncOptions):
    from ..files._paths import master_path, state_path

    return state_path(registry, master_path(registry, options.master))


def _wanted(
    registry: Registry, store: StateStore, named: list[Municipality], every: bool, before: dict[str, int],
    after: dict[str, int], stichtag: date, result: Approval,
) -> list[tuple[Municipality, VersionRecord]]:  # fmt: skip
    """The versions to decide, in the order asked; the municipalities that cannot be decided go to `result`."""
    chosen: dict[str, tuple[Municipality, VersionRecord]] = {}
    for municipality in named:
        version = _version(store, municipality.ags, after, stichtag)
        if version is None:
            result.not_decided.append(
                NotDecided(
                    municipality,
                    f"keine gültige Meldung zum Stichtag {format_date(stichtag)}; nichts zu entscheiden",
                )
            )
        else:
            chosen.setdefault(municipality.ags, (municipality, version))
    if every:
        for municipality, version in _undecided_shown(registry, store, before, after, result):
            chosen.setdefault(municipality.ags, (municipality, version))
    return list(chosen.values())


def _version(store: StateStore, ags: str, after: dict[str, int], stichtag: date) -> VersionRecord | None:
    shown = after.get(ags)
    version = store.versions([shown]).get(shown) if shown else None
    if version is None or version.stichtag != stichtag:
        version = store.latest_valid(ags, stichtag)
    return version


def _undecided_shown(
    registry: Registry, store: StateStore, before: dict[str, int], after: dict[str, int], result: Approval
) -> list[tuple[Municipality, VersionRecord]]:
    """`--all`: the valid versions the master showed for review with no final decision; a municipality whose
    version changed with this read is left for the staff to look at first."""
    in_force = store.decisions(after.values())
    versions = store.versions(after.values())
    found = []
    for municipality in registry.municipalities:
        shown = after.get(municipality.ags)
        if shown is None or ((decision := in_force.get(shown)) is not None and decision.decision in FINAL):
            continue
        if before.get(municipality.ags) != shown:
            result.not_decided.append(
                NotDecided(municipality, "neue Fassung seit der letzten Übersicht; bitte zuerst ansehen")
            )
            continue
        found.append((municipality, versions[shown]))
    return found
