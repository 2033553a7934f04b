"""The Auswertung: municipalities by status, persons and allowance by municipality, built once for both masters.

    rows 0-1     title and a note (Stichtag, Stand)
    rows 3-12    the status table: each status, its municipalities (COUNTIF over the Übersicht), the total
    charts       a pie of the status table beside it; under it a column chart of the persons, on the next
                 A4 page (across) one of the allowance, per municipality
    row 48 on    for a district of more than CHART_MUNICIPALITIES municipalities: the ones with the most
                 persons, as formulas over the Übersicht (a chart of more bars does not read)

The table is a grid that the xlsx and the Google writer render like every other sheet; each chart is a
`ChartData` (where its labels and figures are, its German title, anchor and size), which each writer turns into
its own chart (XlsxWriter's charts, the Sheets API's addChart).
"""

from __future__ import annotations

from dataclasses import dataclass

from pakt.schemas import Cell, Kind, Row, SheetGrid, Style, format_date, german_sort_key, to_a1

from ..view._consolidate import DistrictView, Status
from ._layout import (
    MIN_WIDTH,
    SHEET_CHARTS,
    SHEET_OVERVIEW,
    STATUS_FILL,
    RunStamp,
    shown_text,
    text_width,
)
from ._overview import overview_columns

CHART_MUNICIPALITIES = 40
"""A chart by municipality shows at most this many bars (the ones with the most persons); more do not read."""
CHART_WIDTH_PX = 1000
"""A chart across an A4 page printed landscape (the page takes about 1,040 pixels at full size)."""
CHART_ROWS = 15
"""A chart's height in rows (20 pixels each): the status table and two charts fill two A4 pages across."""
ROW_PX = 20
STATUS_ROW = 3
"""The status table's header row; the pie stands beside the table."""
STATUS_CHART_ROWS = 12
BY_MUNICIPALITY_ROW = 16
SECOND_PAGE_ROW = 31
"""The second page starts here, so that no chart is cut across two pages: a manual break (LibreOffice keeps it
when it fits the sheet to the page's width; Excel does not, but its own break falls here: at full size an A4
page across holds the title and 30 rows)."""
RANKED_HEADER_ROW = SECOND_PAGE_ROW + 1 + CHART_ROWS + 2


@dataclass(frozen=True)
class ChartData:
    """One chart of the Auswertung: where its labels and figures are (a sheet, its first and last row, both
    zero-based, and two columns), what it is titled, and where it stands on the Auswertung (row, column of its
    top left cell; width and height in pixels)."""

    title: str
    sheet: str
    first_row: int
    last_row: int
    label_col: int
    value_col: int
    anchor: tuple[int, int]
    size_px: tuple[int, int]

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1


@dataclass(frozen=True)
class Evaluation:
    """The Auswertung: its table and its three charts (status pie, persons and allowance columns)."""

    grid: SheetGrid
    status: ChartData
    persons: ChartData
    allowance: ChartData


def _header(*names: str) -> Row:
    return tuple(Cell(name, style=Style.HEADER) for name in names)


def _status_rows(view: DistrictView, overview: SheetGrid) -> list[Row]:
    """Municipalities by status, counted by COUNTIF over the Übersicht's Status column (Python's count is the
    value where a medium keeps no formulas), and their total."""
    status_col = to_a1(0, [column.key for column in overview_columns()].index("status"))[:-1]
    first, last = overview.first_data_row + 1, overview.first_data_row + max(overview.data_rows, 1)
    status_range = f"'{SHEET_OVERVIEW}'!${status_col}${first}:${status_col}${last}"
    top = STATUS_ROW + 1
    bottom = top + len(Status) - 1
    return [
        _header("Status", "Gemeinden"),
        *(
            (
                Cell(status.value, style=Style.BOLD, fill=STATUS_FILL[status]),
                Cell(view.count(status), Kind.COUNT, formula=f'=COUNTIF({status_range},"{status.value}")'),
            )
            for status in Status
        ),
        (
            Cell("gesamt", style=Style.TOTAL),
            Cell(len(view.rows), Kind.COUNT, Style.TOTAL, formula=f"=SUM(B{top + 1}:B{bottom + 1})"),
        ),
    ]


def _ranked_rows(overview: SheetGrid) -> tuple[list[Row], list[str], str]:
    """The municipalities with the most persons (German order among equals), each cell a formula over the
    Übersicht; their names and the largest allowance as shown (for the columns' widths)."""
    keys = [column.key for column in overview_columns()]
    names, persons, allowance = (keys.index(key) for key in ("name", "persons", "allowance_eur"))
    first = overview.first_data_row
    rows = overview.rows[first : first + overview.data_rows]
    ranked = sorted(
        range(len(rows)), key=lambda i: (-(rows[i][persons].value or 0), german_sort_key(str(rows[i][names].value)))
    )[:CHART_MUNICIPALITIES]
    where = f"='{SHEET_OVERVIEW}'!"

    def linked(index: int, col: int, kind: Kind | None) -> Cell:
        value = rows[index][col].value
        formula = f"{where}{to_a1(first + index, col)}"
        return Cell(value if kind is None else (value or 0), kind, formula=formula)

    table = [
        (Cell(f"Die {CHART_MUNICIPALITIES} Gemeinden mit den meisten Personen", style=Style.NOTE),),
        _header("Gemeinde", "Personen", "Pro-Kopf-Pauschale"),
        *((linked(i, names, None), linked(i, persons, Kind.COUNT), linked(i, allowance, Kind.MONEY)) for i in ranked),
    ]
    largest = shown_text(rows[ranked[0]][allowance])  # the most persons have the largest allowance
    return table, [str(rows[i][names].value) for i in ranked], largest


def evaluation(view: DistrictView, overview: SheetGrid, stamp: RunStamp) -> Evaluation:
    """The Auswertung of the view, its figures formulas over the Übersicht grid `overview`."""
    district, day = view.registry.district.name, format_date(view.registry.round.stichtag)
    stand = f"Stichtag {day} · Stand {stamp.finished_at:%d.%m.%Y %H:%M}."
    rows: list[Row] = [
        (Cell(f"Auswertung – {district}", style=Style.TITLE),),
        (Cell(f"{stand} Die Zahlen kommen aus der Übersicht und rechnen sich mit ihr neu.", style=Style.NOTE),),
        (),
        *_status_rows(view, overview),
    ]
    widths = [max(text_width(s.value, bold=True) for s in Status), text_width("Gemeinden", bold=True), MIN_WIDTH]
    status = ChartData(
        title=f"Gemeinden nach Status am {stamp.finished_at:%d.%m.%Y}",
        sheet=SHEET_CHARTS,
        first_row=STATUS_ROW + 1,
        last_row=STATUS_ROW + len(Status),
        label_col=0,
        value_col=1,
        anchor=(STATUS_ROW, 3),
        size_px=(600, STATUS_CHART_ROWS * ROW_PX),
    )

    keys = [column.key for column in overview_columns()]
    if overview.data_rows <= CHART_MUNICIPALITIES:
        scope, where = "je Gemeinde", SHEET_OVERVIEW
        first, last = overview.first_data_row, overview.first_data_row + overview.data_rows - 1
        label_col, persons_col, allowance_col = (keys.index(key) for key in ("name", "persons", "allowance_eur"))
    else:
        scope, where = f"der {CHART_MUNICIPALITIES} Gemeinden mit den meisten Personen", SHEET_CHARTS
        table, names, largest = _ranked_rows(overview)
        rows += [()] * (RANKED_HEADER_ROW - 1 - len(rows)) + table
        first, last = RANKED_HEADER_ROW + 1, RANKED_HEADER_ROW + len(names)
        label_col, persons_col, allowance_col = 0, 1, 2
        widths[0] = max([widths[0], *(text_width(name) for name in names)])
        widths[2] = max(text_width("Pro-Kopf-Pauschale", bold=True), text_width(largest))

    def by_municipality(title: str, value_col: int, row: int) -> ChartData:
        return ChartData(
            title=f"{title} {scope}, Stichtag {day}",
            sheet=where,
            first_row=first,
            last_row=last,
            label_col=label_col,
            value_col=value_col,
            anchor=(row, 0),
            size_px=(CHART_WIDTH_PX, CHART_ROWS * ROW_PX),
        )

    return Evaluation(
        grid=SheetGrid(SHEET_CHARTS, tuple(rows), tuple(widths)),
        status=status,
        persons=by_municipality("Personen in Anschlussunterbringung", persons_col, BY_MUNICIPALITY_ROW),
        allowance=by_municipality("Pro-Kopf-Pauschale in Euro", allowance_col, SECOND_PAGE_ROW + 1),
    )
