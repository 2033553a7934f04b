"""What each municipality is paid when: the round's allowance split into the rules' tranches. Pure, no I/O.

Splitting. Each tranche pays its share of a municipality's allowance. Every
tranche but the last is rounded down to the cent; the last pays the rest, so
the tranches add up to the allowance exactly and a cent left over by splitting
is always paid with the last tranche (never lost, never paid twice).

What was paid stays paid. A tranche is closed when its payment list went to
the finance office (`pakt payments`); its lines are kept in the state store
and shown as they were. The next open tranche pays its regular part of the
current figures plus the difference between what should have been paid by
now and what was paid: a Nachzahlung when the figures went up (or a
municipality was approved late), a Rückforderung when they went down. When
every tranche is closed, that difference goes into a Nachtrag.

Only approved figures are paid: a municipality whose figures the district has
not approved has its lines planned (so the tranches still add up to the
allowance) but marked "nicht freigegeben" and left out of the payment list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from pakt.schemas import Payment, format_date, spelt_out

from ..store._records import PaidLine
from ._consolidate import DistrictView, MunicipalityRow

CENT = Decimal("0.01")
REGULAR, TOP_UP, CLAWBACK = "Rate", "Nachzahlung", "Rückforderung"
SUPPLEMENT = "Nachtrag"
"""The tranche after the last one: differences found when every tranche was already paid."""


@dataclass(frozen=True)
class PaymentLine:
    """One line of the Auszahlung sheet and, when payable, of the payment list."""

    ags: str
    name: str
    tranche: str
    due: date | None
    kind: str
    amount: Decimal
    status: str
    """ "angewiesen am …" (paid: the list went out), "offen" (payable), "nicht freigegeben" (not payable yet)."""
    purpose: str

    @property
    def payable(self) -> bool:
        return self.status == "offen"


def split(amount: Decimal, shares: Sequence[Decimal]) -> list[Decimal]:
    """`amount` in parts by `shares` (which add up to 1): all but the last rounded down to the cent, the last
    takes the rest, so the parts add up to `amount` exactly."""
    parts = [(amount * share).quantize(CENT, rounding=ROUND_DOWN) for share in shares[:-1]]
    return [*parts, amount - sum(parts, Decimal(0))]


def purpose(stichtag: date, tranche: str, ags: str, kind: str) -> str:
    """The Verwendungszweck of a transfer: at most 140 characters of the SEPA character set (no umlauts, so
    "fuer"; a tranche name with umlauts is spelt out the same way)."""
    tranche, kind = spelt_out(tranche), spelt_out(kind)
    what = "" if kind == REGULAR else f" {kind}"
    return f"Pakt fuer Integration Pro-Kopf-Pauschale {tranche}{what} Stichtag {format_date(stichtag)} AGS {ags}"[:140]


def _cumulative(parts: Sequence[Decimal]) -> list[Decimal]:
    total, running = Decimal(0), []
    for part in parts:
        total += part
        running.append(total)
    return running


def _open_lines(
    row: MunicipalityRow, stichtag: date, tranches: Sequence[Payment], first_open: int, paid: Decimal
) -> list[PaymentLine]:
    """The lines of the open tranches (or the Nachtrag) for one municipality's current figures."""
    allowance = row.figures.allowance_eur if row.figures is not None else Decimal(0)
    parts = split(allowance, [t.share for t in tranches])
    owed = _cumulative(parts)
    status = "offen" if row.approved else "nicht freigegeben"
    ags, name = row.municipality.ags, row.municipality.name
    lines = []

    def line(tranche: str, due: date | None, kind: str, amount: Decimal) -> None:
        if amount:
            lines.append(
                PaymentLine(ags, name, tranche, due, kind, amount, status, purpose(stichtag, tranche, ags, kind))
            )

    if first_open >= len(tranches):
        difference = owed[-1] - paid if owed else -paid
        line(SUPPLEMENT, None, TOP_UP if difference > 0 else CLAWBACK, difference)
        return lines
    due_before = owed[first_open - 1] if first_open else Decimal(0)
    difference = due_before - paid
    current = tranches[first_open]
    line(current.name, current.paid_on, TOP_UP if difference > 0 else CLAWBACK, difference)
    for index in range(first_open, len(tranches)):
        line(tranches[index].name, tranches[index].paid_on, REGULAR, parts[index])
    return lines


def payment_plan(view: DistrictView, tranches: Sequence[Payment], paid: Sequence[PaidLine]) -> list[PaymentLine]:
    """Every line of the running round's payments: the lines that went out as they were, then the open ones."""
    return plan_lines(view.registry.round.stichtag, view.rows, tranches, paid)


def plan_lines(
    stichtag: date, rows: Sequence[MunicipalityRow], tranches: Sequence[Payment], paid: Sequence[PaidLine]
) -> list[PaymentLine]:
    """Every line of one round's payments, from that round's rows (figures and approval)."""
    closed = {line.tranche for line in paid}
    first_open = next((i for i, t in enumerate(tranches) if t.name not in closed), len(tranches))
    due = {t.name: t.paid_on for t in tranches}
    names = {row.municipality.ags: row.municipality.name for row in rows}
    lines = [
        PaymentLine(
            p.ags, names.get(p.ags, p.ags), p.tranche, due.get(p.tranche), p.kind, p.amount,
            f"angewiesen am {format_date(p.recorded_on)}", purpose(stichtag, p.tranche, p.ags, p.kind),
        )
        for p in paid
    ]  # fmt: skip
    paid_by_ags: dict[str, Decimal] = {}
    for p in paid:
        paid_by_ags[p.ags] = paid_by_ags.get(p.ags, Decimal(0)) + p.amount
    for row in rows:
        if row.figures is None and not paid_by_ags.get(row.municipality.ags):
            continue
        lines += _open_lines(row, stichtag, tranches, first_open, paid_by_ags.get(row.municipality.ags, Decimal(0)))
    order = {t.name: i for i, t in enumerate(tranches)}
    return sorted(lines, key=lambda line: (order.get(line.tranche, len(order)), line.ags, line.kind != REGULAR))


def next_list(
    plan: Sequence[PaymentLine], tranches: Sequence[Payment], paid: Sequence[PaidLine]
) -> tuple[str, list[PaymentLine]]:
    """The tranche whose list goes out next and its payable lines (Nachtrag when every tranche is closed)."""
    closed = {line.tranche for line in paid}
    tranche = next((t.name for t in tranches if t.name not in closed), SUPPLEMENT)
    return tranche, [line for line in plan if line.tranche == tranche and line.payable]


def open_lines(plan: Sequence[PaymentLine]) -> list[PaymentLine]:
    """The lines not yet on a payment list (payable or withheld)."""
    return [line for line in plan if not line.status.startswith("angewiesen")]


def tranche_totals(plan: Sequence[PaymentLine]) -> Mapping[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in plan:
        totals[line.tranche] = totals.get(line.tranche, Decimal(0)) + line.amount
    return totals
