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
AMOUNT, TRANCHE = LINE_HEADERS.index("Betrag"), LINE_HEADERS.index("Auszahlung")


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


def payments_grid(view: DistrictView, tranches: Sequence[Payment], plan: Sequence[PaymentLine]) -> SheetGrid:
    """Tranche totals on top (formulas over the lines), the lines below."""
    names = [t.name for t in tranches] + ([SUPPLEMENT] if any(line.tranche == SUPPLEMENT for line in plan) else [])
    due = {t.name: t.paid_on for t in tranches}
    totals = tranche_totals(plan)
    summary_top = 4
    lines_header = summary_top + len(names) + 3
    first, last = lines_header + 1, lines_header + max(len(plan), 1)
    amounts = f"${to_a1(first, AMOUNT)[0]}${first + 1}:${to_a1(first, AMOUNT)[0]}${last + 1}"
    labels = f"${to_a1(first, TRANCHE)[0]}${first + 1}:${to_a1(first, TRANCHE)[0]}${last + 1}"
    summary = []
    for name in names:
        row = summary_top + 1 + len(summary)
        formula = f"=SUMIFS({amounts},{labels},{to_a1(row, 0)})"
        summary.append(
            (
                Cell(name),
                Cell(due.get(name), Kind.DATE),
                Cell(totals.get(name, Decimal(0)), Kind.MONEY, formula=formula),
            )
        )
    grand = sum(totals.values(), Decimal(0))
    total_row = summary_top + 1 + len(summary)
    sum_range = f"{to_a1(summary_top + 1, 2)}:{to_a1(max(total_row - 1, summary_top + 1), 2)}"
    note = (
        "Jede Rate zahlt ihren Anteil der Pro-Kopf-Pauschale; alle Raten außer der letzten sind auf den Cent "
        "abgerundet, die letzte zahlt den Rest. Was angewiesen ist, bleibt so; eine spätere Korrektur erscheint "
        "als Nachzahlung oder Rückforderung in der nächsten offenen Rate. In die Zahlungsliste (pakt payments) "
        "kommen nur Zeilen mit Status „offen“, also freigegebene Meldungen."
    )
    if not tranches:
        note = "Die Regeln sehen für diesen Stichtag keine Auszahlung vor. " + note
    rows: list[tuple[Cell, ...]] = [
        *title_rows(f"Auszahlung der Pro-Kopf-Pauschale – {view.registry.district.name}", note),
        (Cell(f"Pro-Kopf-Pauschale insgesamt: {format_eur(view.totals.allowance_eur)}", style=Style.BOLD),),
        (),
        _header(("Auszahlung", "fällig am", "Summe")),
        *summary,
        (
            Cell("Summe aller Auszahlungen", style=Style.TOTAL),
            Cell(style=Style.TOTAL),
            Cell(grand, Kind.MONEY, Style.TOTAL, formula=f"=SUM({sum_range})"),
        ),
        (),
        _header(LINE_HEADERS),
        *(_line(line) for line in plan),
    ]
    if not plan:
        rows.append((Cell("Keine Zahlungen: keine gültige Meldung."),))
    widths = (18, 44, 18, 12, 14, 14, 24, 90)  # a transfer's purpose on one line
    return SheetGrid(SHEET_PAYMENTS, tuple(rows), widths, lines_header, len(plan), (first, 2))
