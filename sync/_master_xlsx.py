"""The district master as an .xlsx file: the shared grids rendered with XlsxWriter, plus a sheet of charts.

Figures come from the district view, which Python computed; totals are
written as formulas with the computed value cached, so a spreadsheet program
recalculates them to the same result. Every figure links to its source cell.
Clerk text is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pakt.schemas import LINK_COLOUR, Cell, Link, SheetGrid, Style, to_a1

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
from ._master_layout import SHEET_CHARTS, SHEET_OVERVIEW, STATUS_FILL, RunStamp
from ._overview import overview_columns

MAX_LINKS_PER_SHEET = 60_000
"""Excel keeps at most 65,530 hyperlinks on a sheet; past this many, only text cells (the source) link."""

_STYLE_PROPS: dict[Style, dict[str, Any]] = {
    Style.PLAIN: {},
    Style.TITLE: {"bold": True, "font_size": 14},
    Style.NOTE: {"italic": True, "font_color": "#595959"},
    Style.HEADER: {"bold": True, "text_wrap": True, "valign": "top", "border": 1},
    Style.BOLD: {"bold": True},
    Style.TOTAL: {"bold": True, "top": 1},
    Style.WRAP: {"text_wrap": True, "valign": "top"},
    Style.STAFF: {"text_wrap": True, "valign": "top"},
}


class _Formats:
    """XlsxWriter formats, one per distinct look (XlsxWriter keeps them per workbook)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._made: dict[tuple, Format | None] = {}

    def of(self, cell: Cell, link_text: bool) -> Format | None:
        key = (cell.style, cell.format_code, cell.background, link_text)
        if key not in self._made:
            props = dict(_STYLE_PROPS[cell.style])
            if cell.format_code and cell.format_code != "@":
                props["num_format"] = cell.format_code
            if cell.background:
                props["bg_color"] = cell.background
            if link_text:
                props.update({"font_color": LINK_COLOUR, "underline": 1})
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

    def write(self, sheet: Worksheet, grid: SheetGrid) -> None:
        for col, width in enumerate(grid.widths):
            sheet.set_column(col, col, width)
        links = sum(1 for row in grid.rows for cell in row if cell.link is not None)
        figures_link = links <= MAX_LINKS_PER_SHEET
        for r, row in enumerate(grid.rows):
            for c, cell in enumerate(row):
                self._cell(sheet, r, c, cell, figures_link)
        self._table(sheet, grid)

    def _cell(self, sheet: Worksheet, r: int, c: int, cell: Cell, figures_link: bool) -> None:
        value = cell.value
        text_link = isinstance(value, str) and cell.link is not None
        fmt = self.formats.of(cell, text_link)
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
            if fmt is not None:
                sheet.write_blank(r, c, None, fmt)
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
        if any(len(str(cell.value or "")) > width for cell, width in zip(header, grid.widths, strict=False)):
            sheet.set_row(grid.header_row, 45)
        if grid.data_rows:
            sheet.autofilter(grid.header_row, 0, grid.header_row + grid.data_rows, len(header) - 1)
        sheet.repeat_rows(grid.header_row)
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


def _letter(col: int) -> str:
    return to_a1(0, col)[:-1]


def _write_charts(book: Workbook, sheet: Worksheet, view: DistrictView, overview: SheetGrid) -> None:
    """Completeness by status (pie) and persons and allowance by municipality (columns), over the Übersicht."""
    keys = [column.key for column in overview_columns()]
    title = book.add_format(_STYLE_PROPS[Style.TITLE])
    header = book.add_format({**_STYLE_PROPS[Style.HEADER], "bg_color": Cell(style=Style.HEADER).background})
    sheet.write_string(0, 0, "Auswertung", title)
    sheet.write_string(2, 0, "Status", header)
    sheet.write_string(2, 1, "Gemeinden", header)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 11)
    first, last = overview.first_data_row, overview.first_data_row + overview.data_rows - 1
    status_col = _letter(keys.index("status"))
    status_range = f"'{SHEET_OVERVIEW}'!${status_col}${first + 1}:${status_col}${last + 1}"
    for offset, status in enumerate(Status):
        fill = book.add_format({"bg_color": STATUS_FILL[status], "bold": True})
        sheet.write_string(3 + offset, 0, status.value, fill)
        sheet.write_formula(3 + offset, 1, f'=COUNTIF({status_range},"{status.value}")', None, view.count(status))
    last_status = 3 + len(Status) - 1
    completeness = book.add_chart({"type": "pie"})
    completeness.add_series(
        {
            "name": "Vollständigkeit",
            "categories": [SHEET_CHARTS, 3, 0, last_status, 0],
            "values": [SHEET_CHARTS, 3, 1, last_status, 1],
            "points": [{"fill": {"color": STATUS_FILL[s]}} for s in Status],
        }
    )
    completeness.set_title({"name": "Vollständigkeit der Meldungen"})
    sheet.insert_chart("D3", completeness, {"x_scale": 1.2, "y_scale": 1.2})
    for anchor, key, chart_title in (
        ("D22", "persons", "Personen in Anschlussunterbringung je Gemeinde"),
        ("D45", "allowance_eur", "Pro-Kopf-Pauschale je Gemeinde (€)"),
    ):
        chart = book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": overview.header[keys.index(key)].value,
                "categories": [SHEET_OVERVIEW, first, keys.index("name"), last, keys.index("name")],
                "values": [SHEET_OVERVIEW, first, keys.index(key), last, keys.index(key)],
                "fill": {"color": "#4472C4"},
            }
        )
        chart.set_title({"name": chart_title})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"rotation": -60}})
        chart.set_size({"width": 1100, "height": 420})
        sheet.insert_chart(anchor, chart)


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


def write_grids(book: Workbook, grids: Sequence[SheetGrid], master_dir: Path) -> list[Worksheet]:
    """Each grid as a sheet of `book`, in order, with the master's look (the state master shares it)."""
    writer = _GridWriter(book, master_dir)
    sheets = []
    for grid in grids:
        sheet = book.add_worksheet(grid.name)
        writer.write(sheet, grid)
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
    sheets = write_grids(book, grids, master_dir)
    charts = book.add_worksheet(SHEET_CHARTS)
    _write_charts(book, charts, view, grids[0])
    _write_binding(book, view, stamp, grids[0])
    sheets[0].activate()
    for sheet in [*sheets, charts]:
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
