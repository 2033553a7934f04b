"""The arithmetic of the Pakt: pure functions over models, Decimal money, rounded once.

No I/O here. Custom formulas in the sheet, validation and the sync service
call these same functions, so a figure is computed one way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

from ._errors import DistributionError
from ._german import format_decimal
from ._lookalike import person_key
from ._rules import RuleSet
from ._submission import FundsUse, ImMode, MaterialCosts, Submission

CENT = Decimal("0.01")
FTE_STEP = Decimal("0.05")
CASELOAD_QUANTUM = Decimal("0.1")

K = TypeVar("K", bound=Hashable)


def per_head_allowance(persons: int, stichtag: date, rules: RuleSet) -> Decimal:
    """Per-head allowance in EUR for `persons` counted on `stichtag`, rounded once to the cent."""
    return allowance_on(stichtag, rules)(persons)


def allowance_on(stichtag: date, rules: RuleSet) -> Callable[[int], Decimal]:
    """`per_head_allowance` for one `stichtag`, with the rate and rounding looked up once: a formula over a
    column of head counts asks for the same day a thousand times. RulesError at once when no rate applies."""
    rate = rules.rate_on(stichtag)
    rounding = rules.rounding_mode

    def allowance(persons: int) -> Decimal:
        if persons < 0:
            raise ValueError("persons must not be negative")
        return (rate * persons).quantize(CENT, rounding=rounding)

    return allowance


def largest_remainder(weights: Mapping[K, int | Decimal], seats: int) -> dict[K, int]:
    """Share `seats` out in proportion to `weights` (Hare–Niemeyer).

    Each key first gets the whole part of its exact quota; the seats left over
    go to the largest remainders. Ties are broken by the larger weight, then by
    the order of `weights`, so the result is deterministic and documented.
    """
    if seats < 0:
        raise ValueError("seats must not be negative")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")
    if all(w == 0 for w in weights.values()):
        if seats == 0:
            return {key: 0 for key in weights}
        raise DistributionError("Es gibt nichts, woran die Stellen verteilt werden könnten (alle Gewichte sind 0).")
    if all(type(w) is int for w in weights.values()):
        return _largest_remainder_of_counts(weights, seats)  # type: ignore[arg-type]  # all int, checked
    total = sum((Fraction(str(w)) for w in weights.values()), Fraction(0))
    exact = {key: Fraction(str(w)) for key, w in weights.items()}
    quotas = {key: weight * seats / total for key, weight in exact.items()}
    shares = {key: int(quota) for key, quota in quotas.items()}
    left = seats - sum(shares.values())
    position = {key: index for index, key in enumerate(weights)}
    ranked = sorted(weights, key=lambda key: (-(quotas[key] - shares[key]), -exact[key], position[key]))
    for key in ranked[:left]:
        shares[key] += 1
    return shares


def _largest_remainder_of_counts(weights: Mapping[K, int], seats: int) -> dict[K, int]:
    """`largest_remainder` for whole-number weights (persons), in integers: every quota has the same
    denominator (the total), so the numerators rank the remainders exactly as fractions would, without a
    Fraction per municipality (a district of 10,000 took most of a second)."""
    total = sum(weights.values())
    parts = {key: divmod(weight * seats, total) for key, weight in weights.items()}
    shares = {key: whole for key, (whole, _) in parts.items()}
    left = seats - sum(shares.values())
    position = {key: index for index, key in enumerate(weights)}
    ranked = sorted(weights, key=lambda key: (-parts[key][1], -weights[key], position[key]))
    for key in ranked[:left]:
        shares[key] += 1
    return shares


def share_fte(persons: Mapping[K, int], total_fte: Decimal, step: Decimal = FTE_STEP) -> dict[K, Decimal]:
    """Share the district's FTE out in proportion to persons, in steps of `step` FTE.

    The shares always add up to `total_fte` exactly; a municipality with no
    persons gets nothing unless every municipality has none.
    """
    units = total_fte / step
    if units != units.to_integral_value():
        raise DistributionError(
            f"Die Stellen ({format_decimal(total_fte)} VZÄ) lassen sich nicht in Schritten von "
            f"{format_decimal(step)} VZÄ verteilen."
        )
    if total_fte < 0:
        raise DistributionError("Die Zahl der Stellen darf nicht negativ sein.")
    if persons and sum(persons.values()) == 0:
        persons = {key: 1 for key in persons}
    seats = largest_remainder(persons, int(units))
    return {key: (step * n).quantize(CENT) for key, n in seats.items()}


def caseload(persons: int, fte: Decimal) -> Decimal | None:
    """Persons per full-time position, to one decimal; None without any position."""
    if fte <= 0:
        return None
    return (Decimal(persons) / fte).quantize(CASELOAD_QUANTUM, rounding=ROUND_HALF_UP)


def material_costs_total(costs: MaterialCosts) -> Decimal:
    """Sum of the material costs in EUR."""
    return sum((getattr(costs, name) for name in type(costs).model_fields), Decimal("0.00"))


def funds_use_total(funds: FundsUse) -> Decimal:
    """Sum of the reported use of the per-head allowance in EUR."""
    return sum((getattr(funds, name) for name in type(funds).model_fields), Decimal("0.00"))


def median(values: Sequence[Decimal]) -> Decimal | None:
    """Median of `values`, None when empty (no statistics module: it would go through floats)."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class MunicipalFigures:
    """What one submission adds to the district, computed in Python (never copied from the sheet)."""

    ags: str
    persons: int
    allowance_eur: Decimal
    mode: ImMode
    im_pseudonyms: frozenset[str]
    """Its managers by person key (pakt.schemas.person_key): pseudonyms a reader takes for one are one person."""
    im_fte: Decimal
    caseload: Decimal | None
    material_costs_eur: Decimal
    funds_use_eur: Decimal


def municipal_figures(submission: Submission, rules: RuleSet) -> MunicipalFigures:
    """Recompute a municipality's figures from its inputs."""
    persons = submission.persons.total
    return MunicipalFigures(
        ags=submission.header.ags,
        persons=persons,
        allowance_eur=per_head_allowance(persons, submission.header.stichtag, rules),
        mode=submission.management.mode,
        im_pseudonyms=frozenset(person_key(m.pseudonym) for m in submission.managers),
        im_fte=submission.im_fte,
        caseload=caseload(persons, submission.im_fte),
        material_costs_eur=material_costs_total(submission.material_costs),
        funds_use_eur=funds_use_total(submission.funds_use),
    )


@dataclass(frozen=True)
class DistrictTotals:
    """District-wide sums; every money figure is the exact sum of the rows."""

    municipalities: int
    persons: int
    allowance_eur: Decimal
    im_heads: int
    im_fte: Decimal
    self_managed: int
    material_costs_eur: Decimal
    funds_use_eur: Decimal
    caseload: Decimal | None


def district_totals(rows: Iterable[MunicipalFigures]) -> DistrictTotals:
    """Add the municipalities up. Integration managers are counted once per person key (the pseudonyms a reader
    takes for one, such as IM-01 with a Cyrillic М or an en dash, are one person)."""
    rows = list(rows)
    persons = sum(r.persons for r in rows)
    fte = sum((r.im_fte for r in rows), Decimal("0.00"))
    return DistrictTotals(
        municipalities=len(rows),
        persons=persons,
        allowance_eur=sum((r.allowance_eur for r in rows), Decimal("0.00")),
        im_heads=len(frozenset().union(*(r.im_pseudonyms for r in rows))),
        im_fte=fte,
        self_managed=sum(1 for r in rows if r.mode is ImMode.SELBST),
        material_costs_eur=sum((r.material_costs_eur for r in rows), Decimal("0.00")),
        funds_use_eur=sum((r.funds_use_eur for r in rows), Decimal("0.00")),
        caseload=caseload(persons, fte),
    )
