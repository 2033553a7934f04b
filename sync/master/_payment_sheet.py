"""The Auszahlung sheet: the tranches with their totals, then every payment line.

The totals are SUMIFS formulas over the lines (with the sums Python computed
cached), so a spreadsheet program recalculates them to the same figures; the
tranches add up to the district's allowance to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pakt.schemas import Cell, Kind, Payment, SheetGrid, Style, format_eur, title_rows, to_a1

from ..view._consolidate import DistrictView
from ..view._payments import SUPPLEMENT, PaymentLine, tranche_totals
from ._layout import SHEET_PAYMENTS

LINE_HEADERS = ("AGS", "Gemeinde", "Auszahlung", "fällig am", "Art", "Betrag", "Status", "Verwendungszweck")
AMOUNT, TRANCHE, STATUS = (LINE_HEADERS.index(name) for name in ("Betrag", "Auszahlung", "Status"))


def _header(names: Sequence[str]) -> tuple[Cell, ...]:
    return tuple(Cell(name, style=Style.HEADER) for name in names)


def _line(line: PaymentLine) -> tuple[Cell, ...]:
    return (
        Cell(line.ags),
        Cell(line.name),
        Cell(line.tranche),
        Cell(line.due, Kind.DATE),
        Cell(line.kind),
        Cell(line.amount, Kind.MONEY),
        Cell(line.status),
        Cell(line.purpose),
    )


SPLIT = ("angewiesen", "offen", "zurückgehalten")
"""The tranche totals by where the money stands: on a list, payable, waiting for an approval."""


def _split_cells(name: str, lines: Sequence[PaymentLine], row: int, amounts: str, labels: str, states: str) -> list:
    """angewiesen (a list went out), offen (approved, not yet on a list), zurückgehalten (not approved): each a
    formula over the lines with the sum Python computed."""
    mine = [line for line in lines if line.tranche == name]
    sums = (
        sum((line.amount for line in mine if line.status.startswith("angewiesen")), Decimal(0)),
        sum((line.amount for line in mine if line.status == "offen"), Decimal(0)),
        sum((line.amount for line in mine if line.status == "nicht freigegeben"), Decimal(0)),
    )
    label = to_a1(row, 0)
    formulas = (
        f'=SUMPRODUCT(({labels}={label})*(LEFT({states},10)="angewiesen")*{amounts})',
        f'=SUMIFS({amounts},{labels},{label},{states},"offen")',
        f'=SUMIFS({amounts},{labels},{label},{states},"nicht freigegeben")',
    )
    return [Cell(value, Kind.MONEY, formula=formula) for value, formula in zip(sums, formulas, strict=True)]


def payments_grid(
    view: DistrictView, tranches: Sequence[Payment], plan: Sequence[PaymentLine], earlier: Sequence[PaymentLine] = ()
) -> SheetGrid:
    """Tranche totals on top (formulas over the lines, split by where the money stands), the round's lines
    below, then the open lines of earlier rounds."""
    names = [t.name for t in tranches] + ([SUPPLEMENT] if any(line.tranche == SUPPLEMENT for line in plan) else [])
    due = {t.name: t.paid_on for t in tranches}
    totals = tranche_totals(plan)
    summary_top = 4
    lines_header = summary_top + len(names) + 3
    first, last = lines_header + 1, lines_header + max(len(plan), 1)

    def column(index: int) -> str:
        letter = to_a1(first, index)[0]
        return f"${letter}${first + 1}:${letter}${last + 1}"

    amounts, labels, states = column(AMOUNT), column(TRANCHE), column(STATUS)
    summary = []
    for name in names:
        row = summary_top + 1 + len(summary)
        formula = f"=SUMIFS({amounts},{labels},{to_a1(row, 0)})"
        summary.append(
            (
                Cell(name),
                Cell(due.get(name), Kind.DATE),
                Cell(totals.get(name, Decimal(0)), Kind.MONEY, formula=formula),
                *_split_cells(name, plan, row, amounts, labels, states),
            )
        )
    grand = sum(totals.values(), Decimal(0))
    total_row = summary_top + 1 + len(summary)
    total_cells = [Cell(style=Style.TOTAL), Cell(style=Style.TOTAL)]
    for col in range(2, 6):
        cells = f"{to_a1(summary_top + 1, col)}:{to_a1(max(total_row - 1, summary_top + 1), col)}"
        value = grand if col == 2 else sum((r[col].value for r in summary), Decimal(0))
        total_cells.append(Cell(value, Kind.MONEY, Style.TOTAL, formula=f"=SUM({cells})"))
    note = (
        "Jede Rate zahlt ihren Anteil der Pro-Kopf-Pauschale; alle Raten außer der letzten sind auf den Cent "
        "abgerundet, die letzte zahlt den Rest. Was angewiesen ist, bleibt so; eine spätere Korrektur erscheint "
        "als Nachzahlung oder Rückforderung in der nächsten offenen Rate. In die Zahlungsliste (pakt payments) "
        "kommen nur Zeilen mit Status „offen“, also freigegebene Meldungen; „zurückgehalten“ wartet auf die "
        "Freigabe."
    )
    if not tranches:
        note = "Die Regeln sehen für diesen Stichtag keine Auszahlung vor. " + note
    rows: list[tuple[Cell, ...]] = [
        *title_rows(f"Auszahlung der Pro-Kopf-Pauschale – {view.registry.district.name}", note),
        (Cell(f"Pro-Kopf-Pauschale insgesamt: {format_eur(view.totals.allowance_eur)}", style=Style.BOLD),),
        (),
        _header(("Auszahlung", "fällig am", "Summe", *SPLIT)),
        *summary,
        (Cell("Summe aller Auszahlungen", style=Style.TOTAL), *total_cells[1:]),
        (),
        _header(LINE_HEADERS),
        *(_line(line) for line in plan),
    ]
    if not plan:
        rows.append((Cell("Keine Zahlungen: keine gültige Meldung."),))
    if earlier:
        rows += [
            (),
            (Cell(EARLIER_HEADING, style=Style.BOLD),),
            _header(LINE_HEADERS),
            *(_line(line) for line in earlier),
        ]
    widths = (18, 44, 18, 14, 14, 14, 24, 90)  # a transfer's purpose on one line
    return SheetGrid(SHEET_PAYMENTS, tuple(rows), widths, lines_header, len(plan), (first, 2))


EARLIER_HEADING = "Offen aus früheren Runden (pakt payments --stichtag, pakt approve --stichtag)"
