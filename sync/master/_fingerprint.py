"""Whether a master shows what the store holds, decided from the sheets themselves.

A master is current when the sheets a run would write now are the sheets it was
last written with. The key is a digest of every cell of every sheet (value,
kind, style, fill, format, link, formula), built with a neutral run stamp, so it
cannot forget a column or a sheet added later: whatever a sheet shows is in it.

Left out, each for a reason:

- the run stamp ("Stand …, Abgleich Nr. …") and the Verlauf sheet: they name the
  run, and a run that changes nothing else rewrites nothing;
- the staff's columns of the Übersicht (`staff_owned`): the staff type them into
  the master itself, so a master that holds them needs no rewrite to show them;
  whether each master carries the store's notes is compared apart
  (`Masters.current`), medium by medium.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from pakt.schemas import Cell, SheetGrid

from ._layout import SHEET_HISTORY, SHEET_OVERVIEW, RunStamp
from ._overview import overview_columns

NEUTRAL_STAMP = RunStamp(0, datetime(2000, 1, 1), datetime(2000, 1, 1))
"""The stamp the compared sheets are built with: the same for every run."""

UNCOMPARED = frozenset({SHEET_HISTORY})
"""Sheets that describe the runs rather than the district."""


def _staff_columns() -> frozenset[int]:
    return frozenset(index for index, column in enumerate(overview_columns()) if column.staff_owned)


def _cell_text(cell: Cell | None) -> str:
    """Every field of a cell, spelt out (a dataclass's repr took twice as long as building the sheets)."""
    if cell is None:
        return "~"
    link = cell.link
    where = f"{link.path}|{link.url}|{link.sheet}|{link.cell}|{link.tip}" if link is not None else ""
    return f"{cell.value!r}|{cell.kind}|{cell.style}|{cell.fill}|{cell.number_format}|{cell.formula}|{where}"


def _digest_grid(digest, grid: SheetGrid, staff: frozenset[int]) -> None:
    digest.update(f"\x00{grid.name}\x00{grid.header_row}/{grid.data_rows}/{grid.freeze}/{grid.choices!r}".encode())
    first = grid.first_data_row if grid.name == SHEET_OVERVIEW else None
    for index, row in enumerate(grid.rows):
        staff_row = first is not None and first <= index < first + grid.data_rows
        cells = (None if staff_row and col in staff else cell for col, cell in enumerate(row))
        digest.update("\t".join(map(_cell_text, cells)).encode())
        digest.update(b"\n")


def sheets_key(grids: Iterable[SheetGrid], extra: str = "") -> str:
    """The digest of what the sheets show (`extra`: anything else a writer draws on, such as the binding's
    source). Grids are taken one at a time and not kept."""
    digest = hashlib.sha256(extra.encode())
    staff = _staff_columns()
    for grid in grids:
        if grid.name not in UNCOMPARED:
            _digest_grid(digest, grid, staff)
    return digest.hexdigest()
