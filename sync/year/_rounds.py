"""What a new round needs from the sync side: the last submissions to pre-fill from, and what the ending round
leaves open (undecided submissions, corrections owed, money not paid)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pakt.schemas import Registry, counted, format_eur

from ..store._records import APPROVED
from ..store._store import StateStore
from ..view._payments import PaymentLine

if TYPE_CHECKING:
    from pakt.schemas import Submission

    from ..view._consolidate import DistrictView


def last_submissions(registry: Registry, state: Path) -> dict[str, Submission]:
    """Per municipality, the submission of the ending round that counts (the approved one, else the newest
    valid one), else its newest valid submission of any earlier round: what a new form takes over."""
    if not state.exists():
        return {}
    with StateStore(state) as store:
        counting = store.round_versions()
        found: dict[str, Submission] = {}
        for municipality in registry.municipalities:
            version = counting.get((municipality.ags, registry.round.stichtag))
            version = version or store.latest_valid_any_round(municipality.ags)
            submission = version.submission() if version is not None else None
            if submission is not None:
                found[municipality.ags] = submission
    return found


@dataclass(frozen=True)
class OpenItems:
    """What is still open in a round that is about to close: every item stays settleable afterwards with
    `--stichtag` (`pakt approve`, `pakt payments`), but the district must say that it knows."""

    stichtag: date
    undecided: tuple[str, ...] = ()
    """Municipalities whose valid submission (or its change after an approval) awaits a decision."""
    rejected: tuple[str, ...] = ()
    """Municipalities whose submission was rejected: a correction is owed."""
    unpaid: tuple[PaymentLine, ...] = ()
    """Approved amounts not yet on a payment list (and amounts to claim back)."""
    withheld: tuple[PaymentLine, ...] = ()
    """Planned amounts of municipalities whose figures are not approved."""

    @property
    def empty(self) -> bool:
        return not (self.undecided or self.rejected or self.unpaid or self.withheld)

    def lines(self) -> list[str]:
        """The open items in German, one line each kind."""
        found = []
        if self.undecided:
            found.append(f"nicht entschieden ({len(self.undecided)}): {_names(self.undecided)}")
        if self.rejected:
            found.append(f"zurückgewiesen, Korrektur steht aus ({len(self.rejected)}): {_names(self.rejected)}")
        if self.unpaid:
            found.append(f"freigegeben, noch nicht angewiesen: {_money(self.unpaid)}")
        if self.withheld:
            found.append(f"nicht freigegeben, zurückgehalten: {_money(self.withheld)}")
        return found


def _names(names: tuple[str, ...], shown: int = 8) -> str:
    more = f" und {len(names) - shown} weitere" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _money(lines: tuple[PaymentLine, ...]) -> str:
    total = sum((line.amount for line in lines), Decimal(0))
    people = {line.ags for line in lines}
    return f"{format_eur(total)} für {counted(len(people), 'Gemeinde', 'Gemeinden')}"


def open_items(view: DistrictView, plan: Sequence[PaymentLine]) -> OpenItems:
    """The open items of the round `view` shows, with its payment plan."""
    undecided, rejected = [], []
    for row in view.rows:
        decision = row.decision.decision if row.decision is not None else ""
        if decision == "zurückgewiesen":
            rejected.append(row.municipality.name)
        elif row.review_version is not None and decision != APPROVED:
            undecided.append(row.municipality.name)
    return OpenItems(
        view.registry.round.stichtag,
        tuple(undecided),
        tuple(rejected),
        tuple(line for line in plan if line.payable),
        tuple(line for line in plan if line.status == "nicht freigegeben"),
    )
