"""A sheet as rows of typed cells: what every writer of the district master shares.

The sync service builds the master's sheets once, as grids; the xlsx writer,
the Google Sheets writer and the add-in's Aktualisieren each render the same
grid in their medium (number formats, fills, links, formulas with their
computed value), so a column added to the master appears in all three.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ._fields import Kind
from ._german import NUMBER_FORMATS

CellValue = str | int | float | Decimal | date | None

HEADER_FILL = "#DDEBF7"
"""Headers and section bars, in every Pakt workbook."""
INPUT_FILL = "#FFF2CC"
"""Cells people type into: a clerk's inputs in the form, the staff's own columns in the master."""
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
LINK_COLOUR = "#1F4E79"


class MasterMedium(enum.StrEnum):
    """Where a master is kept: the xlsx file (opened in Excel), or the Google master (a Google Sheet)."""

    XLSX = "xlsx"
    GOOGLE = "google"


class Style(enum.StrEnum):
    """How a cell looks beyond its number format and fill."""

    PLAIN = "plain"
    TITLE = "title"
    NOTE = "note"
    """Explanations under a title: italic, grey."""
    HEADER = "header"
    BOLD = "bold"
    TOTAL = "total"
    """A totals row: bold with a line above."""
    WRAP = "wrap"
    STAFF = "staff"
    """Typed by district staff: kept across refreshes, yellow."""


@dataclass(frozen=True, slots=True)
class Link:
    """Where a cell's figure comes from: a workbook file or a web address, and the cell inside it."""

    path: str | None = None
    """A workbook file (absolute); file-based writers link to it relative to the master."""
    url: str | None = None
    """A web address (a Google spreadsheet)."""
    sheet: str | None = None
    cell: str | None = None
    tip: str = ""


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as the master shows it.

    `formula` (English function names, A1 references on the same sheet) is written where
    the medium keeps formulas; `value` is its computed result there, and the value elsewhere.
    """

    value: CellValue = None
    kind: Kind | None = None
    style: Style = Style.PLAIN
    fill: str | None = None
    number_format: str | None = None
    """An explicit number format where the kind has none (a caseload with one decimal)."""
    link: Link | None = None
    formula: str | None = None

    @property
    def format_code(self) -> str | None:
        """The spreadsheet number format of this cell, if any."""
        if self.number_format is not None:
            return self.number_format
        return NUMBER_FORMATS[self.kind] if self.kind is not None else None

    @property
    def background(self) -> str | None:
        """The fill colour: the cell's own, else the one its style implies."""
        if self.fill is not None:
            return self.fill
        return _STYLE_FILLS.get(self.style)


_STYLE_FILLS = {Style.HEADER: HEADER_FILL, Style.STAFF: INPUT_FILL}
"""The fill a style implies (asked once per cell of every master: a module constant, not a dict per call)."""

Row = tuple[Cell, ...]


@dataclass(frozen=True)
class SheetGrid:
    """A whole sheet, top-left first: a title block, a table (header, data rows, totals), lines below."""

    name: str
    rows: tuple[Row, ...]
    widths: tuple[float, ...] = ()
    """The widest each column's text may grow (column units); a writer that fits columns to their content (the
    xlsx master) wraps longer text there, while figures and header words always fit."""
    header_row: int | None = None
    """Zero-based row of the table's header (None: the sheet has no table)."""
    data_rows: int = 0
    """Rows of data under the header (an autofilter covers them; a totals row may follow)."""
    freeze: tuple[int, int] | None = None
    """Rows and columns kept in view while scrolling."""
    choices: tuple[tuple[int, tuple[str, ...]], ...] = ()
    """Drop-down lists over the data rows: (column, allowed values); writers that can offer them do."""
    fitted: bool = False
    """`widths` are already fitted to the content (measuring 50,000 cells twice cost a large master 0.3 s)."""

    @property
    def first_data_row(self) -> int | None:
        return None if self.header_row is None else self.header_row + 1

    @property
    def header(self) -> Row:
        return self.rows[self.header_row] if self.header_row is not None else ()

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def title_rows(title: str, *lines: str) -> list[Row]:
    """The usual title block: a title and explanatory lines."""
    return [(Cell(title, style=Style.TITLE),), *((Cell(line, style=Style.NOTE),) for line in lines)]
