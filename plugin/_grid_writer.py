"""A grid (schemas.SheetGrid) written into the open workbook through the xlwings Book API.

The same grid the master file and the Google master get: values in one write,
then number formats by column, formulas of the totals, fills and wrapping.
Clerk text that looks like a formula is written as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pakt.schemas import SheetGrid

from ._marks import as_text
from ._xlwings import Book


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    return as_text(value) if isinstance(value, str) else value


def _column_formats(grid: SheetGrid) -> Iterator[tuple[int, str]]:
    """Each column's number format in the data rows (one action per column, not per cell)."""
    first = grid.first_data_row
    if first is None or not grid.data_rows:
        return
    for col in range(grid.width):
        codes = {row[col].format_code for row in grid.rows[first : first + grid.data_rows] if col < len(row)}
        code = codes.pop() if len(codes) == 1 else None
        if code:
            yield col, code


def _sheet(book: Book, name: str):
    names = [s.name for s in book.sheets]
    if name in names:
        sheet = book.sheets[name]
        sheet.clear()
        return sheet
    return book.sheets.add(name, before=book.sheets[0])


def _fill_runs(grid: SheetGrid) -> Iterator[tuple[int, int, int, str]]:
    """Fills as runs down each column (column, first row, last row, colour): a few actions, not one per cell."""
    for col in range(grid.width):
        run: tuple[int, str] | None = None
        for r, row in enumerate(grid.rows):
            colour = row[col].background if col < len(row) else None
            if run is not None and colour != run[1]:
                yield col, run[0], r - 1, run[1]
                run = None
            if colour is not None and run is None:
                run = (r, colour)
        if run is not None:
            yield col, run[0], len(grid.rows) - 1, run[1]


def write_grid(book: Book, grid: SheetGrid) -> None:
    """Replace the sheet `grid.name` of the open workbook (added in front if missing) with the grid."""
    sheet = _sheet(book, grid.name)
    width = grid.width
    sheet["A1"].value = [[_plain(cell.value) for cell in row] + [""] * (width - len(row)) for row in grid.rows]
    first, count = grid.first_data_row, grid.data_rows
    for col, code in _column_formats(grid):
        sheet.range((first + 1, col + 1), (first + count, col + 1)).number_format = code
    for col, top, bottom, colour in _fill_runs(grid):
        sheet.range((top + 1, col + 1), (bottom + 1, col + 1)).color = colour
    for r, row in enumerate(grid.rows):
        for c, cell in enumerate(row):
            if cell.formula:
                sheet[r, c].formula = cell.formula
                if cell.format_code:
                    sheet[r, c].number_format = cell.format_code
