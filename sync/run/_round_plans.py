"""The payment plan of any round, the running one or an earlier one, so that nothing of a closed round is lost.

The running round's plan comes from the district view. An earlier round's comes from the store alone: per
municipality its approved version of that Stichtag (the figures that count), else its newest valid one (its
lines then wait for an approval, `pakt approve --stichtag`), with that round's own rules and paid lines.
The master's Auszahlung shows the open lines of every earlier round; `pakt payments --stichtag` pays them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pakt.schemas import PaktError, Payment, Registry, ReportingRound, format_date, load_rules, municipal_figures

from ..store._store import StateStore
from ..view._consolidate import DistrictView, MunicipalityRow, Status
from ..view._payments import PaymentLine, open_lines, payment_plan, plan_lines


def _past_round(registry: Registry, stichtag: date) -> ReportingRound:
    found = next((past for past in registry.rounds if past.stichtag == stichtag), None)
    if found is None:
        known = ", ".join(format_date(r.stichtag) for r in (registry.round, *registry.rounds))
        raise PaktError(f"Zum Stichtag {format_date(stichtag)} gibt es keine Runde (bekannt: {known}).")
    return found


def _earlier_rows(registry: Registry, store: StateStore, past: ReportingRound) -> list[MunicipalityRow]:
    rules = load_rules(past.rules, registry.base_dir)
    approved = store.approved_versions(past.stichtag)
    decisions = store.decisions(version.id for version in approved.values())
    rows = []
    for municipality in registry.municipalities:
        version = approved.get(municipality.ags) or store.latest_valid(municipality.ags, past.stichtag)
        submission = version.submission() if version is not None else None
        if submission is None:
            continue
        approval = decisions.get(version.id) if municipality.ags in approved else None
        status = Status.EINGEREICHT if approval is not None else Status.EINGEGANGEN
        figures = municipal_figures(submission, rules)
        rows.append(MunicipalityRow(municipality, status, figures=figures, used=version, approval=approval))
    return rows


def round_plan(
    registry: Registry, store: StateStore, view: DistrictView, stichtag: date | None
) -> tuple[list[PaymentLine], Sequence[Payment], date]:
    """The plan, the tranches and the Stichtag of round `stichtag` (None: the running one, from `view`)."""
    if stichtag is None or stichtag == registry.round.stichtag:
        day = registry.round.stichtag
        tranches = view.rules.tranches(day)
        return payment_plan(view, tranches, store.paid_lines(day)), tranches, day
    past = _past_round(registry, stichtag)
    tranches = load_rules(past.rules, registry.base_dir).tranches(past.stichtag)
    rows = _earlier_rows(registry, store, past)
    return plan_lines(past.stichtag, rows, tranches, store.paid_lines(past.stichtag)), tranches, past.stichtag


def earlier_open_lines(registry: Registry, store: StateStore) -> list[PaymentLine]:
    """The lines of every earlier round not yet on a payment list, oldest round first."""
    found: list[PaymentLine] = []
    for past in registry.rounds:
        tranches = load_rules(past.rules, registry.base_dir).tranches(past.stichtag)
        plan = plan_lines(
            past.stichtag, _earlier_rows(registry, store, past), tranches, store.paid_lines(past.stichtag)
        )
        found += open_lines(plan)
    return found
