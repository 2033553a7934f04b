"""A table cut out of a sheet's kept cells: the one rule both readers (xlsx and ODS) follow for it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pakt.schemas import RawCell, RawTable


def table_from_cells(
    cells: Mapping[tuple[int, int], Any],
    cell: Callable[[int, int], RawCell],
    box: tuple[int, int, int, int],
    header_rows: int,
    totals_rows: int,
) -> RawTable:
    """The header and the data rows of the table in `box` (top, left, bottom, right), totals excluded. Only
    rows with a kept cell are visited and entirely empty ones are left out, so a table stretched to the end of
    the sheet costs what its filled rows cost."""
    top, left, bottom, right = box
    columns = range(left, right + 1)
    header = tuple(cell(top, c) for c in columns) if header_rows else ()
    first, last = top + header_rows, bottom - totals_rows
    filled = sorted({r for r, c in cells if first <= r <= last and left <= c <= right})
    rows = tuple(
        tuple(cell(r, c) for c in columns) for r in filled if any(cells.get((r, c)) not in ("", None) for c in columns)
    )
    return RawTable(header=header, rows=rows)
