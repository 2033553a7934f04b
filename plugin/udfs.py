"""Pakt's custom formulas: PAUSCHALE, SATZ, IM_ANTEIL, IM_VERTEILUNG, FALLZAHL, AGS_PRUEFEN.

Thin wrappers over the pure functions of `schemas`: they turn cell values into
typed arguments (with the same normalisation the reader uses), call the
function, and give back numbers, or a German error text in the cell, never a
traceback. Ranges in, ranges out: a column of persons gives a column of
allowances in one call.

Excel (Office.js) shows them as =PAKT.PAUSCHALE(...), the namespace coming
from the add-in manifest; classic desktop Excel as =PAUSCHALE(...); Google
Sheets as =PAUSCHALE(...) through the Apps Script files. The docstrings and
argument docs below are the German descriptions Excel shows.
"""

# No `from __future__ import annotations` here: xlwings resolves these functions'
# type hints on every call, and string annotations would be compiled each time.
import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pakt.schemas import (
    AGS_PATTERN,
    DistributionError,
    RulesError,
    Unreadable,
    allowance_on,
    caseload,
    format_date,
    is_blank,
    share_fte,
    to_ags,
    to_date,
    to_decimal,
    to_int,
)

from ._context import current
from ._xlwings import arg, func

Cells = list[list[Any]]
ERROR_PREFIX = "Fehler: "
FTE_STEP = Decimal("0.05")
MAX_PERSONS = 100_000_000
"""Larger than any district or state has; above it a number is a typo (or 1E+30), not a head count."""
MAX_FTE = Decimal(1_000_000)


class FormulaError(ValueError):
    """A wrong argument; its German message goes into the cell."""


def _as_grid(value: Any) -> Cells:
    if isinstance(value, list):
        return [row if isinstance(row, list) else [row] for row in value] or [[None]]
    return [[value]]


def _count(value: Any, what: str) -> int:
    kind = type(value)
    if ((kind is float and value.is_integer()) or kind is int) and 0 <= value <= MAX_PERSONS:
        return int(value)  # a whole number as a cell holds it (Excel sends 816.0): what to_int gives, sooner
    try:
        number = to_int(value)
    except Unreadable as exc:
        raise FormulaError(f"{what}: {exc.message}. Bitte eine ganze Zahl ab 0 angeben.") from exc
    if number < 0:
        raise FormulaError(f"{what} darf nicht negativ sein.")
    if number > MAX_PERSONS:
        raise FormulaError(f"{what}: {value} ist zu groß (höchstens {MAX_PERSONS:,}).".replace(",", "."))
    return number


def _fte(value: Any, what: str) -> Decimal:
    try:
        number = to_decimal(value)
    except Unreadable as exc:
        raise FormulaError(f"{what}: {exc.message}. Bitte Vollzeitstellen als Zahl angeben, z. B. 1,5.") from exc
    if not number.is_finite():
        raise FormulaError(f"{what}: „{value}“ ist keine Zahl.")
    if number < 0:
        raise FormulaError(f"{what} darf nicht negativ sein.")
    if number > MAX_FTE:
        raise FormulaError(f"{what}: {value} ist zu groß (höchstens {MAX_FTE:,} Stellen).".replace(",", "."))
    return number


def _day(value: Any) -> date:
    if value is None or is_blank(value):
        return current().default_stichtag
    try:
        return to_date(value)
    except Unreadable as exc:
        raise FormulaError(f"Stichtag: {exc.message}. Bitte ein Datum angeben, z. B. 30.06.2018.") from exc


def _rate_rules(day: date):
    rules = current().rules_on(day)
    if rules is None:
        raise FormulaError(f"Für den {format_date(day)} gilt keine Pro-Kopf-Pauschale.")
    return rules


def _cellwise(grid: Cells, compute: Callable[[Any], Any]) -> Cells:
    """Apply `compute` to every non-blank cell; blanks stay blank, errors become German text."""
    out = []
    for row in grid:
        out_row = []
        for value in row:
            if value is None or is_blank(value):
                out_row.append("")
                continue
            try:
                out_row.append(compute(value))
            except (FormulaError, RulesError) as exc:
                out_row.append(ERROR_PREFIX + str(exc.args[0] if isinstance(exc, FormulaError) else exc.message))
            except (ArithmeticError, OverflowError):
                out_row.append(ERROR_PREFIX + f"Mit „{value}“ lässt sich nicht rechnen.")
        out.append(out_row)
    return out


def _money(value: Decimal) -> float:
    return float(value)


@func
@arg("personen", ndim=2, doc="Anzahl Personen in Anschlussunterbringung (eine Zelle oder eine Spalte)")
@arg("stichtag", doc="Stichtag; leer: Stichtag der laufenden Meldung")
def pauschale(personen: Any, stichtag: Any = None) -> Cells:
    """Pro-Kopf-Pauschale in Euro: Personen mal Satz des Förderzeitraums am Stichtag, auf den Cent gerundet."""
    try:
        day = _day(stichtag)
        rules = _rate_rules(day)
    except FormulaError as exc:
        return [[ERROR_PREFIX + str(exc)]]
    try:
        allowance = allowance_on(day, rules)
    except RulesError as exc:
        allowance = _failing(exc)  # a gap between the period's rates: each count's cell says so, as before
    return _cellwise(_as_grid(personen), lambda v: _money(allowance(_count(v, "Personen"))))


def _failing(error: Exception) -> Callable[[int], Decimal]:
    def fail(_persons: int) -> Decimal:
        raise error

    return fail


@func
@arg("stichtag", doc="Stichtag; leer: Stichtag der laufenden Meldung")
def satz(stichtag: Any = None) -> Cells:
    """Satz der Pro-Kopf-Pauschale je Person in Euro, der am Stichtag gilt."""
    try:
        day = _day(stichtag)
        return [[_money(_rate_rules(day).rate_on(day))]]
    except FormulaError as exc:
        return [[ERROR_PREFIX + str(exc)]]


def _quota(persons: int, district_persons: int, district_fte: Decimal) -> Decimal:
    if district_persons == 0:
        raise FormulaError("Personen im Landkreis sind 0; ein Anteil lässt sich nicht berechnen.")
    if persons > district_persons:
        raise FormulaError("Personen der Gemeinde übersteigen die Personen im Landkreis.")
    steps = (district_fte * persons / district_persons / FTE_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (steps * FTE_STEP).quantize(Decimal("0.01"))


@func
@arg("personen", ndim=2, doc="Personen der Gemeinde (eine Zelle oder eine Spalte)")
@arg("personen_kreis", doc="Personen im ganzen Landkreis")
@arg("vza_kreis", doc="Vollzeitstellen Integrationsmanagement im Landkreis")
def im_anteil(personen: Any, personen_kreis: Any, vza_kreis: Any) -> Cells:
    """Anteil der Gemeinde an den Integrationsmanager-Stellen nach Personen, in Schritten von 0,05 VZÄ."""
    try:
        district_persons = _count(personen_kreis, "Personen im Landkreis")
        district_fte = _fte(vza_kreis, "Stellen im Landkreis")
    except FormulaError as exc:
        return [[ERROR_PREFIX + str(exc)]]
    return _cellwise(_as_grid(personen), lambda v: float(_quota(_count(v, "Personen"), district_persons, district_fte)))


@func
@arg("personen", ndim=2, doc="Spalte mit den Personen aller Gemeinden")
@arg("vza_kreis", doc="Vollzeitstellen Integrationsmanagement im Landkreis (Vielfaches von 0,05)")
def im_verteilung(personen: Any, vza_kreis: Any) -> Cells:
    """Verteilt die Stellen des Landkreises nach Personen auf alle Gemeinden der Spalte (größte Reste, 0,05 VZÄ); die Summe stimmt immer."""
    grid = _as_grid(personen)
    try:
        district_fte = _fte(vza_kreis, "Stellen im Landkreis")
        counts = {
            (r, c): _count(value, f"Zeile {r + 1}")
            for r, row in enumerate(grid)
            for c, value in enumerate(row)
            if not (value is None or is_blank(value))
        }
        shares = share_fte(counts, district_fte)
    except FormulaError as exc:
        return [[ERROR_PREFIX + str(exc)]]
    except DistributionError as exc:
        return [[ERROR_PREFIX + exc.message]]
    return [[float(shares[(r, c)]) if (r, c) in shares else "" for c in range(len(row))] for r, row in enumerate(grid)]


@func
@arg("personen", ndim=2, doc="Personen (eine Zelle oder eine Spalte)")
@arg("vza", ndim=2, doc="Vollzeitstellen (eine Zelle oder eine gleich lange Spalte)")
def fallzahl(personen: Any, vza: Any) -> Cells:
    """Fallzahl: Personen je Vollzeitstelle Integrationsmanagement, auf eine Nachkommastelle."""
    persons, positions = _as_grid(personen), _as_grid(vza)
    single = len(positions) == 1 and len(positions[0]) == 1
    if not single and (len(positions), len(positions[0])) != (len(persons), len(persons[0])):
        return [[ERROR_PREFIX + "Personen und Stellen müssen gleich groß sein (oder eine einzelne Zelle Stellen)."]]

    def one(value: Any, fte_value: Any) -> float:
        result = caseload(_count(value, "Personen"), _fte(fte_value, "Stellen"))
        if result is None:
            raise FormulaError("keine Stelle (0 VZÄ): keine Fallzahl.")
        return float(result)

    pairs = [
        [(v, positions[0][0] if single else positions[r][c]) for c, v in enumerate(row)]
        for r, row in enumerate(persons)
    ]
    return [[_cellwise([[pair[0]]], lambda v, pair=pair: one(v, pair[1]))[0][0] for pair in row] for row in pairs]


def _check_ags(value: Any) -> str:
    try:
        ags = to_ags(value)
    except Unreadable as exc:
        raise FormulaError(exc.message) from exc
    if not re.match(AGS_PATTERN, ags):
        raise FormulaError(f"„{ags}“ ist kein achtstelliger Gemeindeschlüssel.")
    registry = current().registry
    if registry is None:
        raise FormulaError("Kein Gemeindeverzeichnis geladen.")
    municipality = registry.municipality(ags)
    if municipality is None:
        raise FormulaError(f"{ags} steht nicht im Gemeindeverzeichnis ({registry.district.name}).")
    return municipality.name


@func
@arg("ags", ndim=2, doc="Gemeindeschlüssel, achtstellig (eine Zelle oder eine Spalte)")
def ags_pruefen(ags: Any) -> Cells:
    """Prüft einen Gemeindeschlüssel gegen das Gemeindeverzeichnis und nennt die Gemeinde, sonst den Fehler."""
    return _cellwise(_as_grid(ags), _check_ags)
