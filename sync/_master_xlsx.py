"""The district master as an .xlsx file: the shared grids rendered with XlsxWriter, plus a sheet of charts.

Figures come from the district view, which Python computed; totals are
written as formulas with the computed value cached, so a spreadsheet program
recalculates them to the same result. Every figure links to its source cell.
Clerk text is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pakt.schemas import (
    GERMAN_LOCALE_TAG,
    LINK_COLOUR,
    NUMBER_FORMATS,
    Cell,
    Kind,
    Link,
    SheetGrid,
    Style,
    format_date,
    german_sort_key,
    to_a1,
)

from ._consolidate import DistrictView, Status
from ._master_binding import (
    HEADER_NAME,
    MASTER_BINDING_FIELDS,
    MASTER_KIND,
    MASTER_SCHEMA,
    ROWS_NAME,
    SHEET_MASTER_BINDING,
    TOTALS_NAME,
    BindingField,
)
from ._master_layout import (
    MIN_WIDTH,
    SHEET_CHARTS,
    SHEET_OVERVIEW,
    STATUS_FILL,
    TITLE_LINE_HEIGHT_PT,
    RunStamp,
    SheetLayout,
    sheet_layout,
    shown_text,
    text_width,
)
from ._overview import overview_columns

MAX_LINKS_PER_SHEET = 60_000
"""Excel keeps at most 65,530 hyperlinks on a sheet; past this many, only text cells (the source) link."""

_STYLE_PROPS: dict[Style, dict[str, Any]] = {
    Style.PLAIN: {},
    Style.TITLE: {"bold": True, "font_size": 14},
    Style.NOTE: {"italic": True, "font_color": "#595959"},
    Style.HEADER: {"bold": True, "border": 1},
    Style.BOLD: {"bold": True},
    Style.TOTAL: {"bold": True, "top": 1},
    Style.WRAP: {},
    Style.STAFF: {},
}
A4 = 9
MARGIN_IN = 0.4
"""Left and right page margins; top and bottom keep 0.75 inch, the header and footer sit inside them."""
A4_UPRIGHT = (717, 734.0)
"""What an upright A4 page holds at full size within the margins: pixels across, points down."""
A4_ACROSS = (1046, 487.0)
"""The same for A4 printed across (landscape)."""
MIN_UPRIGHT_SCALE = 0.65
"""A wide sheet prints upright, shrunk to the page's width, only if its type keeps at least this size."""


@dataclass(frozen=True)
class PageHead:
    """What every printed page says at its top: whose master it is and as of when."""

    place: str
    stichtag: date
    stand: datetime

    def header(self) -> str:
        """District (bold), sheet, Stichtag."""
        return f'&L&"-,Bold"{_literal(self.place)}&C&A&RStichtag {format_date(self.stichtag)}'

    def footer(self) -> str:
        """Whose workbook and as of when, and the page: "Seite 2 von 9" (pages count through the workbook, as
        Excel and LibreOffice number a printout of all its sheets)."""
        return f"&LPakt für Integration · Stand {self.stand:%d.%m.%Y %H:%M}&RSeite &P von &N"


def _literal(text: str) -> str:
    """Text as a header/footer shows it literally ("&" starts a code there)."""
    return text.replace("&", "&&")


class _Formats:
    """XlsxWriter formats, one per distinct look (XlsxWriter keeps them per workbook)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._made: dict[tuple, Format | None] = {}

    def of(self, cell: Cell, link_text: bool, wrap: bool) -> Format | None:
        key = (cell.style, cell.format_code, cell.background, link_text, wrap)
        if key not in self._made:
            props = dict(_STYLE_PROPS[cell.style])
            if cell.format_code and cell.format_code != "@":
                props["num_format"] = cell.format_code
            if cell.background:
                props["bg_color"] = cell.background
            if link_text:
                props.update({"font_color": LINK_COLOUR, "underline": 1})
            if wrap:
                props.update({"text_wrap": True, "valign": "top"})
            self._made[key] = self.book.add_format(props) if props else None
        return self._made[key]


class _Targets:
    """Hyperlink targets: files relative to the master (one relpath per folder), web addresses as they are."""

    def __init__(self, master_dir: Path) -> None:
        self.master_dir = master_dir
        self._folders: dict[str, str] = {}

    def of(self, link: Link) -> str | None:
        if link.url:
            return link.url
        if not link.path:
            return None
        folder, name = os.path.split(link.path)
        if folder not in self._folders:
            self._folders[folder] = os.path.relpath(folder, self.master_dir)
        relative = name if self._folders[folder] == "." else f"{self._folders[folder]}/{name}"
        anchor = f"#'{link.sheet}'!{link.cell}" if link.sheet and link.cell else ""
        return f"external:{relative}{anchor}"


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


class _GridWriter:
    def __init__(self, book: Workbook, master_dir: Path) -> None:
        self.formats = _Formats(book)
        self.targets = _Targets(master_dir)

    def write(self, sheet: Worksheet, grid: SheetGrid) -> SheetLayout:
        layout = sheet_layout(grid)
        for col, width in enumerate(layout.widths):
            sheet.set_column(col, col, width)
        for r, height in layout.heights.items():
            sheet.set_row(r, height)
        links = sum(1 for row in grid.rows for cell in row if cell.link is not None)
        figures_link = links <= MAX_LINKS_PER_SHEET
        for r, row in enumerate(grid.rows):
            if r in layout.bands:
                start, end = layout.bands[r]
                fmt = self.formats.of(row[start], False, wrap=True)
                if end > start:
                    sheet.merge_range(r, start, r, end, "", fmt)
                sheet.write_string(r, start, row[start].value, fmt)
                continue
            for c, cell in enumerate(row):
                self._cell(sheet, r, c, cell, figures_link, wrap=(r, c) not in layout.spills)
        self._table(sheet, grid)
        return layout

    def _cell(self, sheet: Worksheet, r: int, c: int, cell: Cell, figures_link: bool, wrap: bool) -> None:
        value = cell.value
        text_link = isinstance(value, str) and cell.link is not None
        fmt = self.formats.of(cell, text_link, wrap)
        if cell.link is not None and (text_link or figures_link):
            target = self.targets.of(cell.link)
            if target:
                shown = value if isinstance(value, str) and value else None
                sheet.write_url(r, c, target, fmt, shown, cell.link.tip or None)
                if text_link:
                    return
        if cell.formula:
            sheet.write_formula(r, c, cell.formula, fmt, _plain(value) if value is not None else "")
        elif value is None or value == "":
            if cell.background or cell.style not in (Style.PLAIN, Style.WRAP):
                sheet.write_blank(r, c, None, fmt)  # a fill or a line shows on an empty cell too
        elif isinstance(value, str):
            sheet.write_string(r, c, value, fmt)
        elif isinstance(value, date):
            sheet.write_datetime(r, c, value, fmt)
        else:
            sheet.write_number(r, c, _plain(value), fmt)

    def _table(self, sheet: Worksheet, grid: SheetGrid) -> None:
        if grid.header_row is None:
            return
        header = grid.header
        if grid.data_rows:
            sheet.autofilter(grid.header_row, 0, grid.header_row + grid.data_rows, len(header) - 1)
        if grid.freeze:
            sheet.freeze_panes(*grid.freeze)
        first, last = grid.header_row + 1, grid.header_row + max(grid.data_rows, 1)
        for col, choices in grid.choices:
            sheet.data_validation(
                first,
                col,
                last,
                col,
                {
                    "validate": "list",
                    "source": list(choices),
                    "ignore_blank": True,
                    "error_title": "Pakt",
                    "error_message": "Bitte einen Eintrag aus der Liste wählen: " + ", ".join(choices) + ".",
                },
            )


def _pages(layout: SheetLayout, page: tuple[int, float]) -> tuple[int, float]:
    """How many pages a sheet takes, fitted to the page's width, and at which scale."""
    scale = min(1.0, page[0] / max(layout.pixels, 1))
    return math.ceil(layout.points * scale / page[1]), scale


def set_up_pages(sheet: Worksheet, layout: SheetLayout | None, head: PageHead, header_row: int | None = None) -> None:
    """A4, one page wide (as many tall as it takes), the table's header row on every page, and on every page
    the district, sheet, Stichtag, Stand and "Seite x von y". Upright where the sheet fits the page's width,
    or takes fewer pages so with its type still readable; across otherwise (and without a layout: charts)."""
    upright = False
    if layout is not None:
        pages, scale = _pages(layout, A4_UPRIGHT)
        upright = scale == 1.0 or (scale >= MIN_UPRIGHT_SCALE and pages < _pages(layout, A4_ACROSS)[0])
    if upright:
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.75, bottom=0.75)
    sheet.set_header(head.header(), {"margin": 0.3, "scale_with_doc": False})
    sheet.set_footer(head.footer(), {"margin": 0.3, "scale_with_doc": False})
    if header_row is not None:
        sheet.repeat_rows(header_row)


def _letter(col: int) -> str:
    return to_a1(0, col)[:-1]


# -- Auswertung --------------------------------------------------------------------------------

CHART_MUNICIPALITIES = 40
"""A chart by municipality shows at most this many bars (the ones with the most persons); more do not read."""
COUNT_AXIS = GERMAN_LOCALE_TAG + "#,##0"
EURO_AXIS = GERMAN_LOCALE_TAG + '#,##0\\ "€"'
CHART_WIDTH_PX = 1000
"""A chart across an A4 page printed landscape (the page takes about 1,040 pixels at full size)."""
_CHART_ROWS = 15
"""A chart's height in rows (20 pixels each): the status table and two charts fill two A4 pages across."""
_STATUS_ROW = 3
_STATUS_CHART_ROWS = 12
_BY_MUNICIPALITY_ROW = 16
_SECOND_PAGE_ROW = 31
"""The second page starts here, so that no chart is cut across two pages: a manual break (LibreOffice keeps it
when it fits the sheet to the page's width; Excel does not, but its own break falls here: at full size an A4
page across holds the title and 30 rows)."""


def _status_chart(book: Workbook, first: int, last: int, view: DistrictView, stand: datetime) -> Any:
    """A pie of the municipalities by status, in the status colours, the legend naming every status."""
    chart = book.add_chart({"type": "pie"})
    counts = [view.count(status) for status in Status]
    chart.add_series(
        {
            "name": "Gemeinden",
            "categories": [SHEET_CHARTS, first, 0, last, 0],
            "values": [SHEET_CHARTS, first, 1, last, 1],
            "points": [{"fill": {"color": STATUS_FILL[s]}, "border": {"color": "#FFFFFF"}} for s in Status],
            "data_labels": {
                "value": True,
                "num_format": COUNT_AXIS,
                "font": {"bold": True},
                "custom": [{"delete": True} if count == 0 else None for count in counts],  # no "0" on the pie
            },
        }
    )
    chart.set_title({"name": f"Gemeinden nach Status am {stand:%d.%m.%Y}", "name_font": {"size": 12}})
    chart.set_legend({"position": "right", "font": {"size": 9}})
    chart.set_size({"width": 600, "height": _STATUS_CHART_ROWS * 20})
    return chart


def _municipality_chart(book: Workbook, title: str, axis: str, categories: list, values: list) -> Any:
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": title, "categories": categories, "values": values, "fill": {"color": "#4472C4"}})
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    chart.set_y_axis({"num_format": axis, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_size({"width": CHART_WIDTH_PX, "height": _CHART_ROWS * 20})
    return chart


class _ChartSheetLooks:
    """The formats of the Auswertung's tables."""

    def __init__(self, book: Workbook) -> None:
        self.title = book.add_format(_STYLE_PROPS[Style.TITLE])
        self.note = book.add_format(_STYLE_PROPS[Style.NOTE])
        self.header = book.add_format({**_STYLE_PROPS[Style.HEADER], "bg_color": Cell(style=Style.HEADER).background})
        self.label = book.add_format(_STYLE_PROPS[Style.TOTAL])
        self.total = book.add_format({**_STYLE_PROPS[Style.TOTAL], "num_format": COUNT_AXIS})
        self.count = book.add_format({"num_format": COUNT_AXIS})
        self.money = book.add_format({"num_format": NUMBER_FORMATS[Kind.MONEY]})
        self.status = {s: book.add_format({"bg_color": STATUS_FILL[s], "bold": True}) for s in Status}


def _status_table(sheet: Worksheet, looks: _ChartSheetLooks, view: DistrictView, overview: SheetGrid) -> list[float]:
    """Municipalities by status (COUNTIF over the Übersicht's Status column), a total under them; the widths
    of the sheet's first columns."""
    status_col = _letter([column.key for column in overview_columns()].index("status"))
    first, last = overview.first_data_row + 1, overview.first_data_row + max(overview.data_rows, 1)
    status_range = f"'{SHEET_OVERVIEW}'!${status_col}${first}:${status_col}${last}"
    sheet.write_string(_STATUS_ROW, 0, "Status", looks.header)
    sheet.write_string(_STATUS_ROW, 1, "Gemeinden", looks.header)
    top = _STATUS_ROW + 1
    for offset, status in enumerate(Status):
        sheet.write_string(top + offset, 0, status.value, looks.status[status])
        formula = f'=COUNTIF({status_range},"{status.value}")'
        sheet.write_formula(top + offset, 1, formula, looks.count, view.count(status))
    bottom = top + len(Status) - 1
    sheet.write_string(bottom + 1, 0, "gesamt", looks.label)
    sheet.write_formula(bottom + 1, 1, f"=SUM(B{top + 1}:B{bottom + 1})", looks.total, len(view.rows))
    return [max(text_width(s.value, bold=True) for s in Status), text_width("Gemeinden", bold=True), MIN_WIDTH]


def _ranked_table(
    sheet: Worksheet, looks: _ChartSheetLooks, overview: SheetGrid, widths: list[float]
) -> tuple[str, int, int]:
    """The municipalities with the most persons, as formulas over the Übersicht, under the charts (a chart
    of more bars does not read): where the charts find them (sheet, first and last row)."""
    keys = [column.key for column in overview_columns()]
    names, persons, allowance = (keys.index(key) for key in ("name", "persons", "allowance_eur"))
    first = overview.first_data_row
    rows = overview.rows[first : first + overview.data_rows]
    ranked = sorted(
        range(len(rows)), key=lambda i: (-(rows[i][persons].value or 0), german_sort_key(str(rows[i][names].value)))
    )[:CHART_MUNICIPALITIES]
    top = _SECOND_PAGE_ROW + 1 + _CHART_ROWS + 2
    sheet.write_string(top - 1, 0, f"Die {CHART_MUNICIPALITIES} Gemeinden mit den meisten Personen", looks.note)
    for col, text in enumerate(("Gemeinde", "Personen", "Pro-Kopf-Pauschale")):
        sheet.write_string(top, col, text, looks.header)
    where = f"='{SHEET_OVERVIEW}'!"
    for offset, index in enumerate(ranked, start=1):
        cells, at = rows[index], first + index + 1
        sheet.write_formula(top + offset, 0, f"{where}{_letter(names)}{at}", None, cells[names].value)
        shown = _plain(cells[persons].value) or 0
        sheet.write_formula(top + offset, 1, f"{where}{_letter(persons)}{at}", looks.count, shown)
        shown = _plain(cells[allowance].value) or 0
        sheet.write_formula(top + offset, 2, f"{where}{_letter(allowance)}{at}", looks.money, shown)
    widths[0] = max([widths[0], *(text_width(str(rows[i][names].value)) for i in ranked)])
    largest = shown_text(rows[ranked[0]][allowance])  # the most persons have the largest allowance
    widths[2] = max(text_width("Pro-Kopf-Pauschale", bold=True), text_width(largest))
    return SHEET_CHARTS, top + 1, top + len(ranked)


def _write_charts(book: Workbook, sheet: Worksheet, view: DistrictView, overview: SheetGrid, stamp: RunStamp) -> None:
    """The Auswertung on two A4 pages across: municipalities by status (a table and a pie), then persons and
    allowance by municipality (columns), each chart titled with what it shows and when; every figure is a
    formula over the Übersicht."""
    looks = _ChartSheetLooks(book)
    district, day = view.registry.district.name, format_date(view.registry.round.stichtag)
    sheet.write_string(0, 0, f"Auswertung – {district}", looks.title)
    sheet.set_row(0, TITLE_LINE_HEIGHT_PT + 3)
    stand = f"Stichtag {day} · Stand {stamp.finished_at:%d.%m.%Y %H:%M}."
    sheet.write_string(1, 0, f"{stand} Die Zahlen kommen aus der Übersicht und rechnen sich mit ihr neu.", looks.note)
    widths = _status_table(sheet, looks, view, overview)
    top = _STATUS_ROW + 1
    sheet.insert_chart(_STATUS_ROW, 3, _status_chart(book, top, top + len(Status) - 1, view, stamp.finished_at))

    keys = [column.key for column in overview_columns()]
    if overview.data_rows <= CHART_MUNICIPALITIES:
        scope, columns = "je Gemeinde", tuple(keys.index(key) for key in ("name", "persons", "allowance_eur"))
        where, first = SHEET_OVERVIEW, overview.first_data_row
        last = first + overview.data_rows - 1
    else:
        scope, columns = f"der {CHART_MUNICIPALITIES} Gemeinden mit den meisten Personen", (0, 1, 2)
        where, first, last = _ranked_table(sheet, looks, overview, widths)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)

    def series(col: int) -> list:
        return [where, first, col, last, col]

    categories = series(columns[0])
    persons = _municipality_chart(
        book, f"Personen in Anschlussunterbringung {scope}, Stichtag {day}", COUNT_AXIS, categories, series(columns[1])
    )
    allowance = _municipality_chart(
        book, f"Pro-Kopf-Pauschale in Euro {scope}, Stichtag {day}", EURO_AXIS, categories, series(columns[2])
    )
    sheet.insert_chart(_BY_MUNICIPALITY_ROW, 0, persons)
    sheet.insert_chart(_SECOND_PAGE_ROW + 1, 0, allowance)
    sheet.set_h_pagebreaks([_SECOND_PAGE_ROW])


def _write_binding(book: Workbook, view: DistrictView, stamp: RunStamp, overview: SheetGrid) -> None:
    """The hidden binding sheet and the defined names a reader finds the master's table by."""
    registry = view.registry
    values = (
        MASTER_KIND,
        MASTER_SCHEMA,
        registry.district.key,
        registry.district.name,
        registry.round.stichtag.isoformat(),
        view.rules.id,
        str(stamp.run_id),
        stamp.finished_at.isoformat(timespec="seconds"),
    )
    write_binding_sheet(book, tuple(zip(MASTER_BINDING_FIELDS, values, strict=True)), overview)


def write_binding_sheet(
    book: Workbook, binding: Sequence[tuple[BindingField, str]], overview: SheetGrid
) -> None:  # the state master writes its binding the same way, with its own kind
    """The hidden binding sheet (label and value per field, each value a defined name) and the names of the
    Übersicht's header, rows and totals."""
    sheet = book.add_worksheet(SHEET_MASTER_BINDING)
    text = book.add_format({"num_format": "@"})
    sheet.set_column(0, 1, 30)
    sheet.write_string(0, 0, "Pakt-Bindung der Übersicht – bitte nicht ändern")
    for row, (field, value) in enumerate(binding, start=1):
        sheet.write_string(row, 0, field.label)
        sheet.write_string(row, 1, value, text)
        book.define_name(field.name, f"='{SHEET_MASTER_BINDING}'!$B${row + 1}")
    header_row, width = overview.header_row, len(overview.header)
    last_col = _letter(width - 1)
    first, last = header_row + 2, header_row + 1 + max(overview.data_rows, 1)
    where = f"'{SHEET_OVERVIEW}'!"
    book.define_name(HEADER_NAME, f"={where}$A${header_row + 1}:${last_col}${header_row + 1}")
    book.define_name(ROWS_NAME, f"={where}$A${first}:${last_col}${last}")
    book.define_name(TOTALS_NAME, f"={where}$A${last + 1}:${last_col}${last + 1}")
    sheet.hide()


def write_grids(
    book: Workbook, grids: Sequence[SheetGrid], master_dir: Path, head: PageHead | None = None
) -> list[Worksheet]:
    """Each grid as a sheet of `book`, in order, with the master's look (the state master shares it); with
    `head`, set up for printing (see `set_up_pages`)."""
    writer = _GridWriter(book, master_dir)
    sheets = []
    for grid in grids:
        sheet = book.add_worksheet(grid.name)
        layout = writer.write(sheet, grid)
        if head is not None:
            set_up_pages(sheet, layout, head, grid.header_row)
        sheets.append(sheet)
    return sheets


def build_master(grids: Sequence[SheetGrid], view: DistrictView, stamp: RunStamp, master_dir: Path) -> bytes:
    """The whole master workbook as bytes: the grids (the Übersicht first), then the charts."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties(
        {
            "title": f"Pakt für Integration – {view.registry.district.name}",
            "author": "Pakt",
            "created": stamp.finished_at,
        }
    )
    head = PageHead(view.registry.district.name, view.registry.round.stichtag, stamp.finished_at)
    write_grids(book, grids, master_dir, head)[0].activate()
    charts = book.add_worksheet(SHEET_CHARTS)
    _write_charts(book, charts, view, grids[0], stamp)
    set_up_pages(charts, None, head)
    _write_binding(book, view, stamp, grids[0])
    book.close()
    return buffer.getvalue()
