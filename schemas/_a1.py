"""A1 cell addresses and sheet-qualified references, as spreadsheets write them.

Cached: every workbook of a template repeats the same references, thousands of times in a sync. The caches
earn 0.2-0.5 s of reading 1,101 files (4.4-4.6 s CPU) and 0.1-0.3 s of writing their master (2.6-3.1 s CPU),
bench/memo_benchmark.py.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


@lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=65536)
def to_a1(row: int, col: int) -> str:
    """Zero-based row and column to 'C7'."""
    return f"{column_letters(col)}{row + 1}"


MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
"""Excel's grid (A1:XFD1048576); a reference outside it is broken, not a cell."""


@lru_cache(maxsize=4096)
def parse_a1(cell: str) -> tuple[int, int]:
    """'C7' or '$C$7' to zero-based (row, col); ValueError for anything outside the grid ('A0', 'XFE1')."""
    match = _CELL.match(cell.strip())
    if not match:
        raise ValueError(f"not an A1 cell: {cell!r}")
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    row = int(match.group(2))
    if not (1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLUMNS):
        raise ValueError(f"outside the grid: {cell!r}")
    return row - 1, col - 1


def quote_sheet(sheet: str) -> str:
    """Quote a sheet name for a formula when it needs it: "Meldung" stays, "Sheet 1" -> "'Sheet 1'"."""
    if re.fullmatch(r"[A-Za-z_\u00c0-\u024f][\w.\u00c0-\u024f]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@lru_cache(maxsize=4096)
def parse_reference(reference: str) -> tuple[str, str, str] | None:
    """ "'Meldung'!$C$7:$C$9" -> ('Meldung', 'C7', 'C9'); None for #REF! and other non-cell references."""
    text = reference.strip().lstrip("=")
    if "!" not in text or "#REF" in text.upper():
        return None
    sheet_part, _, cells = text.rpartition("!")
    if sheet_part.startswith("'") and sheet_part.endswith("'"):
        sheet_part = sheet_part[1:-1].replace("''", "'")
    first, _, last = cells.partition(":")
    try:
        start = to_a1(*parse_a1(first))
        end = to_a1(*parse_a1(last)) if last else start
    except ValueError:
        return None
    return sheet_part, start, end
