"""Column widths of the master: every figure fits its column, however many there are and whatever their sign."""

from __future__ import annotations

import random
from decimal import Decimal

from pakt.schemas import Cell, Kind, SheetGrid, Style
from pakt.sync.master._layout import fit_widths, shown_text, text_width


def _column(values: list, kind: Kind, style: Style = Style.PLAIN) -> SheetGrid:
    return SheetGrid(name="Probe", rows=tuple((Cell(value, kind, style),) for value in values))


def _needed(values: list, kind: Kind, bold: bool = False) -> float:
    """What the widest figure needs, measured one by one as a spreadsheet shows it."""
    return max(text_width(shown_text(Cell(value, kind)), bold) for value in values)


def test_a_column_of_many_figures_is_as_wide_as_its_widest_shown_figure():
    chance = random.Random(2018)
    money = [Decimal(chance.randint(-(10**9), 10**9)) / 100 for _ in range(3_000)]
    money += [Decimal("-999999.995"), Decimal("999999.995"), Decimal("0.00")]  # rounding adds a digit
    counts = [chance.randint(0, 10 ** chance.randint(0, 7)) for _ in range(3_000)] + [-12]
    for values, kind in ((money, Kind.MONEY), (counts, Kind.COUNT)):
        for order in (values, sorted(values), sorted(values, reverse=True)):
            fitted = fit_widths(_column(order, kind))
            assert fitted.widths[0] == round(_needed(values, kind), 1), (kind, fitted.widths)


def test_bold_totals_are_measured_as_bold_and_a_negative_sign_counts():
    rows = (
        (Cell(Decimal("123456.78"), Kind.MONEY),),
        (Cell(Decimal("-98765.43"), Kind.MONEY),),
        (Cell(Decimal("123456.78"), Kind.MONEY, Style.TOTAL),),
    )
    fitted = fit_widths(SheetGrid(name="Probe", rows=rows))
    widest = max(text_width("123.456,78 €"), text_width("-98.765,43 €"), text_width("123.456,78 €", bold=True))
    assert fitted.widths[0] == round(widest, 1)
    assert text_width("123.456,78 €", bold=True) > text_width("123.456,78 €")  # the bold total decides
