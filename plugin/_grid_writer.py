"""A grid (schemas.SheetGrid) written into the open workbook through the xlwings Book API.

The same grid the master file and the Google master get, with what the client
can carry out of it: the values in one write, number formats and fills as runs
down each column (a few actions, not one per cell), the links to the sources and
the totals as formulas. Clerk text that looks like a formula is written as text.

What each client does with the actions decides how they are sent:

    Office.js (Pakt's task pane)    setValues, setNumberFormat (Excel's codes), setRangeColor, addHyperlink,
                                    setFormula. A figure's link has no text to display, so the figure keeps
                                    its value (xlwings' public add_hyperlink would put the address there);
                                    a file is linked relative to the master's folder, as the master file
                                    links it, but without the cell: Office.js documents a link's address as
                                    a URL and no sub-address into another file, so the tip names the cell.
    Apps Script (xlwings.js)        xlwings' Apps Script client has no setFormula: a total goes in with the
                                    values (Apps Script enters a value that starts with "=" as a formula).
                                    Its addHyperlink writes rich text, which would turn a figure into text:
                                    only text cells link, and only to web addresses (a browser opens no
                                    file path from a Google Sheet). Number formats in Sheets' spelling.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pakt.schemas import GERMAN_LOCALE_TAG, Cell, Kind, Link, SheetGrid

from ._marks import as_text
from ._xlwings import Book


@dataclass(frozen=True)
class Client:
    """What the client that sent the workbook can carry out."""

    formulas: bool = True
    """Has setFormula (Pakt's task pane); otherwise formulas travel in the values."""
    figure_links: bool = True
    """Links a cell and keeps its value; otherwise a link replaces the value with text."""
    file_links: bool = True
    """Can open a file on the share (Excel); a Google Sheet cannot."""
    sheets_formats: bool = False
    """Takes Google Sheets' number-format patterns rather than Excel's codes."""


OFFICE_JS = Client()
APPS_SCRIPT = Client(formulas=False, figure_links=False, file_links=False, sheets_formats=True)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    return as_text(value) if isinstance(value, str) else value


def _entered(cell: Cell, client: Client) -> Any:
    """What goes into the values write: a formula where the client takes formulas only that way."""
    if cell.formula and not client.formulas:
        return cell.formula
    return _plain(cell.value)


def number_format(cell: Cell, client: Client) -> str | None:
    """The cell's number format in the client's spelling (text cells get none: "@" would freeze them as text)."""
    code = cell.format_code
    if code is None or code == "@":
        return None
    if not client.sheets_formats:
        return code
    pattern = code.replace(GERMAN_LOCALE_TAG, "")
    return pattern.lower() if cell.kind is Kind.DATE else pattern


def link_target(link: Link, client: Client, base: Path | None) -> str | None:
    """Where a link points from the open workbook: a web address as it is, a file relative to `base` (the
    master's folder), None where the client cannot follow it."""
    if link.url:
        return link.url
    if link.path and client.file_links and base is not None:
        return os.path.relpath(link.path, base).replace(os.sep, "/")
    return None


def _sheet(book: Book, name: str):
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        sheet.clear()
        return sheet
    return book.sheets.add(name, before=book.sheets[0])


def _runs(grid: SheetGrid, look: Callable[[Cell], str | None]) -> Iterator[tuple[int, int, int, str]]:
    """Runs of one look down each column (column, first row, last row, look): a few actions, not one per cell."""
    for col in range(grid.width):
        run: tuple[int, str] | None = None
        for r, row in enumerate(grid.rows):
            value = look(row[col]) if col < len(row) else None
            if run is not None and value != run[1]:
                yield col, run[0], r - 1, run[1]
                run = None
            if value is not None and run is None:
                run = (r, value)
        if run is not None:
            yield col, run[0], len(grid.rows) - 1, run[1]


def _link(rng, cell: Cell, target: str, client: Client) -> None:
    text = cell.value if isinstance(cell.value, str) and cell.value else None
    tip = (cell.link.tip or None) if cell.link is not None else None
    if text is not None:
        rng.add_hyperlink(target, text, tip)
    elif client.figure_links:
        rng.impl.add_hyperlink(target, None, tip)  # no text to display: the figure stays a number


def write_grid(book: Book, grid: SheetGrid, link_base: Path | None = None, client: Client = OFFICE_JS) -> None:
    """Replace the sheet `grid.name` of the open workbook (added in front if missing) with the grid.

    `link_base`: the folder the master is kept in, which file links are relative to (None: files unlinked).
    """
    sheet = _sheet(book, grid.name)
    width = grid.width
    sheet["A1"].value = [[_entered(cell, client) for cell in row] + [""] * (width - len(row)) for row in grid.rows]
    for col, top, bottom, code in _runs(grid, lambda cell: number_format(cell, client)):
        sheet.range((top + 1, col + 1), (bottom + 1, col + 1)).number_format = code
    for col, top, bottom, colour in _runs(grid, lambda cell: cell.background):
        sheet.range((top + 1, col + 1), (bottom + 1, col + 1)).color = colour
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            target = link_target(cell.link, client, link_base) if cell.link is not None else None
            if target is not None:
                _link(sheet[r, c], cell, target, client)
            if cell.formula and client.formulas:
                sheet[r, c].formula = cell.formula
