"""The formulas of a generated form, written once: as Excel writes them, as OpenFormula, and evaluated.

A form's formulas (the allowance, the sums, the age check, the staff's FTE total, a validation's test) are
built here as small trees, so the xlsx and the ODS writer cannot disagree on them, and so the value every
formula cell carries until a spreadsheet program recalculates (its cached value) is computed from the very
formula written. A cached value that differs from what the program computes shows the clerk a false
warning on opening ("stimmt nicht – bitte prüfen" in a blank form, issue 25).

The evaluator knows what these formulas need and no more, with the semantics LibreOffice and Excel share:
a blank cell is 0 in arithmetic and comparisons with numbers and "" with text; SUM over references skips
text and blanks; arithmetic on text converts a number written as text (digits, a point before the
decimals) and is #VALUE! otherwise, as LibreOffice does; ROUND rounds half away from zero after the
program's snap to 15 significant digits; an error propagates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from pakt.schemas import EXCEL_EPOCH, column_letters


class Formula:
    """A node of a formula tree."""


@dataclass(frozen=True)
class Ref(Formula):
    """A cell of the formula's own sheet; `absolute` writes $B$3 (it stays put when rows are copied)."""

    row: int
    col: int
    absolute: bool = False


@dataclass(frozen=True)
class Area(Formula):
    """A block of cells of the formula's own sheet."""

    first: Ref
    last: Ref


@dataclass(frozen=True)
class Name(Formula):
    """A named range (one cell): the form's defined names are the only way a formula reaches another sheet."""

    name: str


@dataclass(frozen=True)
class Text(Formula):
    text: str


@dataclass(frozen=True)
class Number(Formula):
    value: int | float


@dataclass(frozen=True)
class Call(Formula):
    function: str
    args: tuple[Formula, ...]


@dataclass(frozen=True)
class Binary(Formula):
    operator: str
    left: Formula
    right: Formula


def call(function: str, *args: Formula) -> Call:
    return Call(function, args)


# -- writing ---------------------------------------------------------------------------------------


def _a1(ref: Ref) -> str:
    dollar = "$" if ref.absolute else ""
    return f"{dollar}{column_letters(ref.col)}{dollar}{ref.row + 1}"


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else format(Decimal(repr(value)), "f")


def _write(formula: Formula, separator: str, cell: Callable[[Ref], str], area: Callable[[Area], str]) -> str:
    def text(node: Formula) -> str:
        if isinstance(node, Ref):
            return cell(node)
        if isinstance(node, Area):
            return area(node)
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Text):
            return '"' + node.text.replace('"', '""') + '"'
        if isinstance(node, Number):
            return _number(node.value)
        if isinstance(node, Call):
            return f"{node.function}({separator.join(text(arg) for arg in node.args)})"
        if isinstance(node, Binary):
            left, right = (
                f"({text(side)})" if isinstance(side, Binary) else text(side) for side in (node.left, node.right)
            )
            return f"{left}{node.operator}{right}"
        raise TypeError(f"no formula node: {node!r}")

    return text(formula)


def excel(formula: Formula) -> str:
    """'=ROUND(pakt_persons_total*$B$3,2)': the formula as an xlsx file stores it."""
    return "=" + _write(formula, ",", _a1, lambda a: f"{_a1(a.first)}:{_a1(a.last)}")


def openformula_expression(formula: Formula) -> str:
    """'ROUND(pakt_persons_total*[.$B$3];2)': OpenFormula (ODF 1.2 part 2), as LibreOffice writes it."""
    return _write(formula, ";", lambda r: f"[.{_a1(r)}]", lambda a: f"[.{_a1(a.first)}:.{_a1(a.last)}]")


def openformula(formula: Formula) -> str:
    """The formula of an ODS cell: 'of:=' and the OpenFormula expression."""
    return "of:=" + openformula_expression(formula)


# -- evaluating ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """An error value ('#VALUE!'), as a formula cell shows and an xlsx or ODS file caches it."""

    code: str


VALUE_ERROR, NUM_ERROR = CellError("#VALUE!"), CellError("#NUM!")

Value = float | str | bool | CellError | None
"""What a cell holds to a formula: a number (dates as serial numbers), text, a truth value, an error, blank."""

Cached = float | str | CellError
"""What a formula cell shows."""

_NUMBER_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell_value(value: object) -> Value:
    """What a cell written with `value` holds for a formula: dates become the serial number both programs use."""
    if value is None or isinstance(value, (str, bool, CellError)):
        return value
    if isinstance(value, datetime):
        return (value - datetime.combine(EXCEL_EPOCH, time())).total_seconds() / 86400
    if isinstance(value, date):
        return float((value - EXCEL_EPOCH).days)
    return float(value)  # int, float, Decimal


class Sheets:
    """Where a formula finds its cells: `value(sheet, row, col)` and `named(name) -> (sheet, row, col)`."""

    def value(self, sheet: str, row: int, col: int) -> Value:
        raise NotImplementedError

    def named(self, name: str) -> tuple[str, int, int]:
        raise NotImplementedError


def _as_number(value: Value) -> float | CellError:
    if isinstance(value, CellError):
        return value
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        return float(text) if _NUMBER_TEXT.fullmatch(text) else VALUE_ERROR
    return value


def _finite(number: float) -> float | CellError:
    return number if math.isfinite(number) else NUM_ERROR


def _round(number: float, places: int) -> float | CellError:
    """ROUND as the programs do it: snap the binary noise to 15 significant digits, then half away from 0."""
    if abs(number) >= 1e15:  # no fraction left to round; Decimal's 28 digits need not hold it
        return number
    snapped = Decimal(f"{number:.15g}")
    return float(snapped.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _equal(left: Value, right: Value) -> bool | CellError:
    for side in (left, right):
        if isinstance(side, CellError):
            return side
    if left is None and right is None:
        return True
    if left is None:
        left = "" if isinstance(right, str) else 0.0
    if right is None:
        right = "" if isinstance(left, str) else 0.0
    if isinstance(left, str) != isinstance(right, str):
        return False
    if isinstance(left, str):
        return left.casefold() == right.casefold()  # type: ignore[union-attr]
    return math.isclose(float(left), float(right), rel_tol=1e-15, abs_tol=0.0)


class Evaluation:
    """Evaluates formulas of one sheet against a form's cells."""

    def __init__(self, sheets: Sheets, sheet: str) -> None:
        self.sheets, self.sheet = sheets, sheet

    def _reference_values(self, node: Formula) -> list[Value] | None:
        """The cells a reference names, or None when `node` is no reference."""
        if isinstance(node, Ref):
            return [self.sheets.value(self.sheet, node.row, node.col)]
        if isinstance(node, Name):
            return [self.sheets.value(*self.sheets.named(node.name))]
        if isinstance(node, Area):
            rows = range(node.first.row, node.last.row + 1)
            cols = range(node.first.col, node.last.col + 1)
            return [self.sheets.value(self.sheet, row, col) for row in rows for col in cols]
        return None

    def value(self, node: Formula) -> Value:
        cells = self._reference_values(node)
        if cells is not None:
            if len(cells) != 1:
                return VALUE_ERROR
            return cells[0]
        if isinstance(node, Text):
            return node.text
        if isinstance(node, Number):
            return float(node.value)
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, Call):
            return self._call(node)
        raise TypeError(f"no formula node: {node!r}")

    def _binary(self, node: Binary) -> Value:
        left, right = self.value(node.left), self.value(node.right)
        if node.operator == "=":
            return _equal(left, right)
        if node.operator == "*":
            a, b = _as_number(left), _as_number(right)
            if isinstance(a, CellError):
                return a
            if isinstance(b, CellError):
                return b
            return _finite(a * b)
        raise ValueError(f"operator {node.operator} is not evaluated")

    def _call(self, node: Call) -> Value:
        if node.function == "SUM":
            return self._sum(node.args)
        if node.function == "ROUND":
            number, places = (_as_number(self.value(arg)) for arg in node.args)
            if isinstance(number, CellError):
                return number
            if isinstance(places, CellError):
                return places
            return _round(number, int(places))
        if node.function == "IF":
            condition = self.value(node.args[0])
            if isinstance(condition, CellError):
                return condition
            if isinstance(condition, str):
                return VALUE_ERROR
            return self.value(node.args[1] if condition else node.args[2])
        raise ValueError(f"function {node.function} is not evaluated")

    def _sum(self, args: tuple[Formula, ...]) -> Value:
        total = 0.0
        for arg in args:
            cells = self._reference_values(arg)
            if cells is None:  # a value typed into the call counts, text converted as arithmetic does
                number = _as_number(self.value(arg))
                if isinstance(number, CellError):
                    return number
                total += number
                continue
            for cell in cells:
                if isinstance(cell, CellError):
                    return cell
                if isinstance(cell, float):  # text, truth values and blanks in references are skipped
                    total += cell
        return _finite(total)


def evaluate(formula: Formula, sheet: str, sheets: Sheets) -> Cached:
    """What a spreadsheet program shows for `formula` in a cell of `sheet`: its cached value."""
    result = Evaluation(sheets, sheet).value(formula)
    if result is None:
        return 0.0
    if isinstance(result, bool):
        return float(result)  # no formula of a form shows a truth value; LibreOffice and Excel differ there
    return result
