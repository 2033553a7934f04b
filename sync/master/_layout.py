"""The district master's fixed parts, spelled once: sheet names, status colours, the run stamp; and how wide
and tall a text is on the page, so that every writer sizes the master's columns to their content and the xlsx
master its rows to their wrapped lines.

Widths are in spreadsheet column units (the width of the digit 0 of the default font, Calibri 11 in Excel);
text is measured with Excel's own character widths (XlsxWriter's table), which errs on the wide side for the
fonts LibreOffice substitutes, so nothing measured to fit is cut in either program.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from pakt.schemas import GERMAN_LOCALE_TAG, WARNING_FILL, Cell, SheetGrid, Style, format_number

from ..view._row_status import Status

SHEET_OVERVIEW = "Übersicht"
SHEET_STAFF = "Integrationsmanager"
SHEET_REPORT = "Prüfbericht"
SHEET_HISTORY = "Verlauf"
SHEET_SERIES = "Zeitreihe"
SHEET_PAYMENTS = "Auszahlung"
SHEET_CHARTS = "Auswertung"

AGS_HEADER = "AGS"
"""The first column of the Übersicht: how a row is found again (the staff's notes are keyed by it)."""

CASELOAD_FORMAT = GERMAN_LOCALE_TAG + "0.0"

STATUS_FILL = {
    Status.FEHLT: "#F4B6B6",
    Status.UEBERFAELLIG: "#E06666",
    Status.FEHLERHAFT: "#F8CBAD",
    Status.EINGEGANGEN: WARNING_FILL,
    Status.EINGEREICHT: "#C6EFCE",
    Status.VERSPAETET: "#D9D2E9",
    Status.GEAENDERT: "#BDD7EE",
    Status.ZURUECKGEWIESEN: "#F4B183",
}


@dataclass(frozen=True)
class RunStamp:
    """The run a master belongs to."""

    run_id: int
    started_at: datetime
    finished_at: datetime


STATUS_MEANING = {
    Status.FEHLT: "Noch keine Meldung; die Abgabefrist läuft noch.",
    Status.UEBERFAELLIG: "Die Abgabefrist ist verstrichen: keine Meldung, oder eine Meldung, die nicht eingereicht ist.",
    Status.FEHLERHAFT: "Die neueste Fassung hat Fehler (siehe Prüfbericht); in den Summen steht die letzte gültige "
    "Fassung, sofern es eine gibt.",
    Status.EINGEGANGEN: "Gültig, aber von der Gemeinde noch nicht eingereicht (Freigabe in der Arbeitsmappe fehlt).",
    Status.EINGEREICHT: "Gültig und fristgerecht eingereicht.",
    Status.VERSPAETET: "Gültig eingereicht, aber nach der Abgabefrist.",
    Status.GEAENDERT: "Die Gemeinde hat nach Ihrer Freigabe geändert; in den Summen steht die freigegebene Fassung, "
    "bis Sie die neue freigeben.",
    Status.ZURUECKGEWIESEN: "Sie haben die Meldung zurückgewiesen (Grund in der Spalte Grund); die Gemeinde muss "
    "korrigieren. Ihre Zahlen zählen bei „gemeldet“, nicht bei „davon freigegeben“.",
}
"""What each status means, in the words of the Übersicht's legend (the status's colour beside it)."""


# -- measuring text ----------------------------------------------------------------------------

DIGIT_PX = 7
"""Pixels of one column unit (the digit 0 of Calibri 11)."""
CELL_PADDING_PX = 7
"""What a cell keeps free around its text (Excel adds 7 pixels)."""
BOLD_FACTOR = 1.08
"""Bold text is wider; LibreOffice's bold substitute more so than Calibri bold."""
LINE_HEIGHT_PT = 15.0
"""One line of 11-point text (Excel's default row height)."""
TITLE_LINE_HEIGHT_PT = 21.0
"""One line of the 14-point title."""

_BREAKS = re.compile(r"(?<=[ \-/])")
"""Where a spreadsheet program may break a line: after a space, a hyphen or a slash."""

MEASURED_TEXTS = 1 << 12
"""Texts whose measure is remembered, most recently asked first: the words, names and headers that repeat
from row to row and sheet to sheet. Most texts of a large master (a source label, a link's cell) occur once;
remembering 65,536 of them held 14 MB of a run of 10,000 files for nothing."""
# The measures earn 0.2-0.3 s of the 2.6-3.1 s CPU that a 1,101-row master takes (bench/memo_benchmark.py).


@lru_cache(maxsize=MEASURED_TEXTS)
def xl_pixel_width(text: str) -> int:
    """Pixels of `text` in Excel's default font (XlsxWriter's table; imported when a master is written, so
    a run that writes nothing does not load XlsxWriter)."""
    from xlsxwriter.utility import xl_pixel_width as measure

    return measure(text)


@lru_cache(maxsize=MEASURED_TEXTS)
def text_width(text: str, bold: bool = False) -> float:
    """Column units a single line of `text` needs to show uncut."""
    return (xl_pixel_width(text) * (BOLD_FACTOR if bold else 1.0) + CELL_PADDING_PX) / DIGIT_PX


def longest_word_width(text: str, bold: bool = False) -> float:
    """Column units the longest unbreakable part of `text` needs (a header wraps, but never inside a word)."""
    return max((text_width(word.strip(), bold) for word in _BREAKS.split(text) if word.strip()), default=0.0)


@lru_cache(maxsize=MEASURED_TEXTS)
def wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """How many lines `text` takes in a wrapping cell `width` units wide (a word longer than a line is broken)."""
    room = max(width * DIGIT_PX - CELL_PADDING_PX + 2, DIGIT_PX)
    factor = BOLD_FACTOR if bold else 1.0
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in _BREAKS.split(paragraph):
            size = xl_pixel_width(word) * factor
            ink = xl_pixel_width(word.rstrip()) * factor  # a trailing space may hang past the edge
            if used and used + ink > room:
                lines += 1
                used = 0.0
            if ink > room:
                extra = math.ceil(ink / room) - 1
                lines += extra
                used = ink - extra * room
            else:
                used += size
    return lines


def _decimals(code: str) -> int:
    found = re.search(r"0\.(0+)", code)
    return len(found.group(1)) if found else 0


def shown_text(cell: Cell) -> str:
    """The text a spreadsheet shows for a cell with its number format (German separators)."""
    value = cell.value
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, datetime):
        return "00.00.0000 00:00" if value.time() != datetime.min.time() else "00.00.0000"
    if isinstance(value, date):
        return "00.00.0000"
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    code = cell.format_code or ""
    if isinstance(value, float) and not value.is_integer() and not code:
        return format_number(Decimal(str(value)), len(str(value).split(".")[-1]))
    text = format_number(value, _decimals(code))
    return f"{text} €" if "€" in code else text


# -- fitting a grid to its content -------------------------------------------------------------

_BOLD = frozenset({Style.TITLE, Style.HEADER, Style.BOLD, Style.TOTAL})
_FREE_TEXT = frozenset({Style.TITLE, Style.NOTE})
"""Explanations: they run on into the empty cells to their right and never widen a column."""
_ALWAYS_WRAP = frozenset({Style.HEADER, Style.WRAP, Style.STAFF})

MIN_WIDTH = 4.0
DEFAULT_CAP = 40.0
"""The widest a text column grows where the grid gives no width; longer text wraps."""
BAND_WIDTH = 120.0
"""A line of text on its own (a note, a legend line) wraps at about this width (some 150 characters): longer
lines do not read, and a narrow table's band ends at the table's edge."""
HEADER_LINES = 3
"""A header wraps into at most this many lines; its row has one fixed height."""


def _empty(cell: Cell) -> bool:
    return cell.value is None or cell.value == ""


# -- the layout: column widths from the content, row heights from the wrapped text ----------------


@dataclass(frozen=True)
class SheetLayout:
    """How a grid sits on the page: its columns' widths, the rows that span the table, the text cells that
    run on to the right, and the rows taller than one line (points)."""

    widths: tuple[float, ...]
    bands: dict[int, tuple[int, int]]
    """Rows written as one merged cell: its first and last column."""
    spills: frozenset[tuple[int, int]]
    heights: dict[int, float]
    rows: int = 0

    @property
    def pixels(self) -> int:
        """How wide the sheet is at full size."""
        return sum(round(width * DIGIT_PX) + 5 for width in self.widths)

    @property
    def points(self) -> float:
        """How tall the sheet is at full size."""
        return sum(self.heights.values()) + LINE_HEIGHT_PT * (self.rows - len(self.heights))


def _in_table(grid: SheetGrid, r: int) -> bool:
    return grid.header_row is not None and grid.header_row <= r <= grid.header_row + grid.data_rows


def _band_start(grid: SheetGrid, r: int, row: Sequence[Cell]) -> int | None:
    """Where a line of text on its own outside the table (a title, a note, a bullet) starts: the xlsx writer
    merges it with the cells to its right (up to BAND_WIDTH, at most to the table's edge) and wraps it there,
    so that it is neither cut at the table's edge nor widens its column. None for any other row."""
    if _in_table(grid, r):
        return None
    filled = [c for c, cell in enumerate(row) if not _empty(cell)]
    if len(filled) != 1 or filled[0] >= grid.width - 1:
        return None
    cell = row[filled[0]]
    return filled[0] if isinstance(cell.value, str) and cell.link is None and cell.style is not Style.HEADER else None


def _spills(grid: SheetGrid, r: int, row: Sequence[Cell], c: int) -> bool:
    """A text outside the table that may run on into the empty cells to its right (a label before an
    empty cell, an explanation)."""
    cell = row[c]
    if not isinstance(cell.value, str) or not cell.value or cell.style in _ALWAYS_WRAP:
        return False
    if cell.style in _FREE_TEXT:
        return True
    return not _in_table(grid, r) and (c + 1 >= len(row) or _empty(row[c + 1]))


@lru_cache(maxsize=1 << 10)
def _header_width(text: str) -> float:
    """The narrowest width at which a header wraps into at most HEADER_LINES lines, never inside a word."""
    width = longest_word_width(text, bold=True)
    while wrapped_lines(text, width, bold=True) > HEADER_LINES:
        width += 0.5
    return width


def _cell_width(cell: Cell, cap: float) -> float:
    text = shown_text(cell)
    if not text:
        return 0.0
    if cell.style is Style.HEADER:
        return _header_width(text)
    width = text_width(text, cell.style in _BOLD)
    if not isinstance(cell.value, str) or cell.link is not None:
        return width  # figures and dates never wrap, nor does a link's text (LibreOffice cuts it): no cap
    return min(width, cap)


def _tabular(cell: Cell) -> bool:
    """A whole number or a finite decimal shown with the column's format: its shown width depends only on how
    many digits it has and its sign (Calibri's digits all have one width, the separators follow the digits)."""
    value = cell.value
    kind = type(value)
    return (kind is int or (kind is Decimal and value.is_finite())) and cell.style is not Style.HEADER


def _note_extreme(extremes: dict[tuple[int, str, bool], list[Cell]], key: tuple[int, str, bool], cell: Cell) -> None:
    """Keep the smallest and the largest figure of a column, format and weight: the widest is one of them (the
    largest positive or the most negative), so a column of 10,000 figures is measured twice, not 10,000 times."""
    kept = extremes.get(key)
    if kept is None:
        extremes[key] = [cell, cell]
    elif cell.value < kept[0].value:
        kept[0] = cell
    elif cell.value > kept[1].value:
        kept[1] = cell


def fit_widths(grid: SheetGrid) -> SheetGrid:
    """The grid with its columns as wide as their content: every header word, every figure (however large)
    and every text up to the column's cap (`grid.widths`; longer text wraps). Every writer of the master
    gets the fitted widths (fitting again changes nothing)."""
    return grid if grid.fitted else replace(grid, widths=tuple(_fitted(grid)[0]), fitted=True)


def sheet_layout(grid: SheetGrid) -> SheetLayout:
    """Widths from the content (see `fit_widths`), the lines that span the table, the text that runs on to the
    right, and every row as tall as its wrapped lines."""
    widths, bands, spills = _fitted(grid)
    spans = {r: (start, _band_end(widths, start)) for r, start in bands.items()}
    return SheetLayout(tuple(widths), spans, spills, _heights(grid, widths, spans, spills), len(grid.rows))


def _fitted(grid: SheetGrid) -> tuple[list[float], dict[int, int], frozenset[tuple[int, int]]]:
    """The content's widths, where each band starts, and the cells that run on."""
    count = grid.width
    caps = [grid.widths[c] if c < len(grid.widths) else DEFAULT_CAP for c in range(count)]
    starts = ((r, _band_start(grid, r, row)) for r, row in enumerate(grid.rows))
    bands = {r: start for r, start in starts if start is not None}
    spills = frozenset(
        (r, c) for r, row in enumerate(grid.rows) if r not in bands for c in range(len(row)) if _spills(grid, r, row, c)
    )
    if grid.fitted:
        return list(grid.widths), bands, spills
    widths = [MIN_WIDTH] * count
    extremes: dict[tuple[int, str, bool], list[Cell]] = {}
    for r, row in enumerate(grid.rows):
        if r in bands:
            continue
        for c, cell in enumerate(row):
            if (r, c) in spills:
                continue
            if _tabular(cell):
                _note_extreme(extremes, (c, cell.format_code, cell.style in _BOLD), cell)
            else:
                widths[c] = max(widths[c], _cell_width(cell, caps[c]))
    for (c, _, _), smallest_and_largest in extremes.items():
        widths[c] = max(widths[c], *(_cell_width(cell, caps[c]) for cell in smallest_and_largest))
    for r, c in sorted(spills):
        cell, row = grid.rows[r][c], grid.rows[r]
        if cell.style in _FREE_TEXT:
            continue
        end = c + 1
        while end < count and (end >= len(row) or _empty(row[end])):
            end += 1
        short = text_width(cell.value, cell.style in _BOLD) - sum(widths[c:end])
        if short > 0:
            widths[end - 1] += short  # the last of the empty cells it runs into grows
    return [round(width, 1) for width in widths], bands, spills


def _band_end(widths: Sequence[float], start: int) -> int:
    """The last column of a band from `start`: as far as BAND_WIDTH reaches, or the table's right edge."""
    end, across = start, widths[start]
    while end + 1 < len(widths) and across < BAND_WIDTH:
        end += 1
        across += widths[end]
    return end


def _heights(
    grid: SheetGrid, widths: Sequence[float], bands: dict[int, tuple[int, int]], spills: frozenset[tuple[int, int]]
) -> dict[int, float]:
    heights: dict[int, float] = {}
    for r, row in enumerate(grid.rows):
        if r in bands:
            start, end = bands[r]
            first = row[start]
            line = TITLE_LINE_HEIGHT_PT if first.style is Style.TITLE else LINE_HEIGHT_PT
            lines = wrapped_lines(first.value, sum(widths[start : end + 1]), first.style in _BOLD)
            if lines > 1 or first.style is Style.TITLE:
                heights[r] = lines * line + 3
            continue
        lines = 1
        for c, cell in enumerate(row):
            if isinstance(cell.value, str) and cell.value and cell.link is None and (r, c) not in spills:
                lines = max(lines, wrapped_lines(cell.value, widths[c], cell.style in _BOLD))
        if r == grid.header_row:
            heights[r] = lines * LINE_HEIGHT_PT + 4
        elif lines > 1:
            heights[r] = lines * LINE_HEIGHT_PT + 2
    return heights
