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
import tempfile
from collections.abc import Iterable, Iterator, Sequence
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
    Cell,
    Link,
    SheetGrid,
    Style,
    format_date,
    to_a1,
)

from ..reader._master_binding import (
    APPROVAL_FIELDS,
    HEADER_NAME,
    MASTER_BINDING_FIELDS,
    MASTER_KIND,
    MASTER_SCHEMA,
    ROWS_NAME,
    SHEET_MASTER_BINDING,
    TOTALS_NAME,
    BindingField,
)
from ..view._consolidate import DistrictView, Status, approved_totals
from ._evaluation import SECOND_PAGE_ROW, ChartData, Evaluation, evaluation
from ._layout import (
    SHEET_CHARTS,
    SHEET_OVERVIEW,
    STATUS_FILL,
    TITLE_LINE_HEIGHT_PT,
    RunStamp,
    SheetLayout,
    sheet_layout,
)

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

    def write_cells(self, sheet: Worksheet, grid: SheetGrid) -> None:
        """The grid's cells as they are, unwrapped, with no layout of their own (the Auswertung: its charts
        stand where the layout is)."""
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                self._cell(sheet, r, c, cell, figures_link=True, wrap=False)

    def _cell(self, sheet: Worksheet, r: int, c: int, cell: Cell, figures_link: bool, wrap: bool) -> None:
        value = cell.value
        text_link = isinstance(value, str) and cell.link is not None
        fmt = self.formats.of(cell, text_link, wrap)
        # No link on a blank cell: Excel would show the bare target as its text.
        if cell.link is not None and value not in (None, "") and (text_link or figures_link):
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

COUNT_AXIS = GERMAN_LOCALE_TAG + "#,##0"
EURO_AXIS = GERMAN_LOCALE_TAG + '#,##0\\ "€"'


def _series(data: ChartData, col: int) -> list:
    return [data.sheet, data.first_row, col, data.last_row, col]


def _status_chart(book: Workbook, data: ChartData, view: DistrictView) -> Any:
    """A pie of the municipalities by status, in the status colours, the legend naming every status."""
    chart = book.add_chart({"type": "pie"})
    counts = [view.count(status) for status in Status]
    chart.add_series(
        {
            "name": "Gemeinden",
            "categories": _series(data, data.label_col),
            "values": _series(data, data.value_col),
            "points": [{"fill": {"color": STATUS_FILL[s]}, "border": {"color": "#FFFFFF"}} for s in Status],
            "data_labels": {
                "value": True,
                "num_format": COUNT_AXIS,
                "font": {"bold": True},
                "custom": [{"delete": True} if count == 0 else None for count in counts],  # no "0" on the pie
            },
        }
    )
    chart.set_title({"name": data.title, "name_font": {"size": 12}})
    chart.set_legend({"position": "right", "font": {"size": 9}})
    chart.set_size({"width": data.size_px[0], "height": data.size_px[1]})
    return chart


def _municipality_chart(book: Workbook, data: ChartData, axis: str) -> Any:
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": data.title,
            "categories": _series(data, data.label_col),
            "values": _series(data, data.value_col),
            "fill": {"color": "#4472C4"},
        }
    )
    chart.set_title({"name": data.title, "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"rotation": -45, "size": 8}})
    chart.set_y_axis({"num_format": axis, "min": 0, "major_gridlines": {"visible": True}})
    chart.set_size({"width": data.size_px[0], "height": data.size_px[1]})
    return chart


def _write_charts(book: Workbook, sheet: Worksheet, view: DistrictView, found: Evaluation, master_dir: Path) -> None:
    """The Auswertung on two A4 pages across: municipalities by status (a table and a pie), then persons and
    allowance by municipality (columns), each chart titled with what it shows and when; every figure is a
    formula over the Übersicht."""
    grid = found.grid
    for col, width in enumerate(grid.widths):
        sheet.set_column(col, col, width)
    sheet.set_row(0, TITLE_LINE_HEIGHT_PT + 3)
    _GridWriter(book, master_dir).write_cells(sheet, grid)
    sheet.insert_chart(*found.status.anchor, _status_chart(book, found.status, view))
    sheet.insert_chart(*found.persons.anchor, _municipality_chart(book, found.persons, COUNT_AXIS))
    sheet.insert_chart(*found.allowance.anchor, _municipality_chart(book, found.allowance, EURO_AXIS))
    sheet.set_h_pagebreaks([SECOND_PAGE_ROW])


def _write_binding(book: Workbook, view: DistrictView, stamp: RunStamp, overview: TableShape) -> None:
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
    approved = approved_totals(view)
    approval = (str(approved.municipalities), str(approved.persons), f"{approved.allowance_eur:.2f}")
    fields = (*MASTER_BINDING_FIELDS, *APPROVAL_FIELDS)
    write_binding_sheet(book, tuple(zip(fields, (*values, *approval), strict=True)), overview)


@dataclass(frozen=True)
class TableShape:
    """Where the Übersicht's table stands: what the binding's names cover, kept when its grid is gone."""

    header_row: int
    width: int
    data_rows: int

    @classmethod
    def of(cls, grid: SheetGrid) -> TableShape:
        if grid.header_row is None:
            raise ValueError(f"{grid.name} has no table to bind")
        return cls(grid.header_row, len(grid.header), grid.data_rows)


def write_binding_sheet(
    book: Workbook, binding: Sequence[tuple[BindingField, str]], overview: TableShape
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
    header_row, width = overview.header_row, overview.width
    last_col = _letter(width - 1)
    first, last = header_row + 2, header_row + 1 + max(overview.data_rows, 1)
    where = f"'{SHEET_OVERVIEW}'!"
    book.define_name(HEADER_NAME, f"={where}$A${header_row + 1}:${last_col}${header_row + 1}")
    book.define_name(ROWS_NAME, f"={where}$A${first}:${last_col}${last}")
    book.define_name(TOTALS_NAME, f"={where}$A${last + 1}:${last_col}${last + 1}")
    sheet.hide()


def write_grids(
    book: Workbook, grids: Iterable[SheetGrid], master_dir: Path, head: PageHead | None = None
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
        del grid  # before the next is built (a lazy sequence builds it now)
    return sheets


def build_master(grids: Sequence[SheetGrid], view: DistrictView, stamp: RunStamp, master_dir: Path) -> bytes:
    """The whole master workbook as bytes: the grids (the Übersicht first), then the charts."""
    buffer = io.BytesIO()
    # rows spill to the machine's temporary folder, never to the share; a file Windows still holds open when
    # a write fails must not hide that failure
    with tempfile.TemporaryDirectory(prefix="pakt-master-", ignore_cleanup_errors=True) as spill:
        book = xlsxwriter.Workbook(
            buffer, {"constant_memory": True, "tmpdir": spill, "strings_to_formulas": False, "strings_to_urls": False}
        )
        _fill_master(book, grids, view, stamp, master_dir)
    return buffer.getvalue()


def _fill_master(
    book: Workbook, grids: Sequence[SheetGrid], view: DistrictView, stamp: RunStamp, master_dir: Path
) -> None:
    book.set_properties(
        {
            "title": f"Pakt für Integration – {view.registry.district.name}",
            "author": "Pakt",
            "created": stamp.finished_at,
        }
    )
    head = PageHead(view.registry.district.name, view.registry.round.stichtag, stamp.finished_at)
    noted: list[tuple[Evaluation, TableShape]] = []

    def overview_noted() -> Iterator[SheetGrid]:
        """The grids as they come, noting from the Übersicht what the charts and the binding need: no grid
        outlives its sheet (see MasterGrids)."""
        for grid in grids:
            if not noted:
                noted.append((evaluation(view, grid, stamp), TableShape.of(grid)))
            yield grid
            del grid  # before the next is built

    write_grids(book, overview_noted(), master_dir, head)[0].activate()
    found, table = noted[0]
    charts = book.add_worksheet(SHEET_CHARTS)
    _write_charts(book, charts, view, found, master_dir)
    set_up_pages(charts, None, head)
    _write_binding(book, view, stamp, table)
    book.close()
