"""An xlwings Book as a `WorkbookView`: the same reader for Excel (Office.js, desktop) and Google Sheets.

xlwings' Book API spans the runtimes: a remote Book built from the JSON that
Excel's or Google's client sends, or a desktop workbook. Names are read through
`book.names`, the staff list through the Excel table, or, where a client has
no tables (Google Sheets), through the named range of the same name.
"""

from __future__ import annotations

from typing import Any

from pakt.schemas import STAFF_RANGE, STAFF_TABLE, RawCell, RawTable, parse_a1, to_a1

from ._xlwings import Book


def _plain(address: str) -> str:
    return address.replace("$", "")


def _grid(value: Any) -> list[list[Any]]:
    if not isinstance(value, list):
        return [[value]]
    return [row if isinstance(row, list) else [row] for row in value]


class BookView:
    """Reads by name from an xlwings Book. Implements `pakt.schemas.WorkbookView`."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.label = book.name

    def range_of(self, name: str):
        """The range a defined name refers to; None if the name is unknown or broken."""
        try:
            return self.book.names[name].refers_to_range
        except (KeyError, ValueError, IndexError, AttributeError):  # unknown, or broken (#REF!) in this engine
            return None

    def named_cell(self, name: str) -> RawCell | None:
        target = self.range_of(name)
        if target is None:
            return None
        first = target[0, 0]
        return RawCell(first.value, target.sheet.name, _plain(first.address))

    def table_range(self, name: str):
        """The staff table's range: the table where the runtime has tables, else its named range."""
        for sheet in self.book.sheets:
            try:
                tables = sheet.tables
                if name in [t.name for t in tables]:
                    return tables[name].range
            except (NotImplementedError, AttributeError):
                break
        return self.range_of(STAFF_RANGE if name == STAFF_TABLE else name)

    def table(self, name: str) -> RawTable | None:
        whole = self.table_range(name)
        if whole is None:
            return None
        values = _grid(whole.options(ndim=2).value)
        top, left = parse_a1(_plain(whole.address).split(":")[0])
        sheet = whole.sheet.name

        def cells(offset: int, row: list[Any]) -> tuple[RawCell, ...]:
            return tuple(RawCell(v, sheet, to_a1(top + offset, left + c)) for c, v in enumerate(row))

        rows = tuple(
            cells(i, row) for i, row in enumerate(values[1:], start=1) if any(v not in (None, "") for v in row)
        )
        return RawTable(header=cells(0, values[0]), rows=rows)
