"""Reading the written master back in tests, by its headers (as staff see it)."""

from __future__ import annotations

from pathlib import Path

import python_calamine


def sheet_rows(master: Path, sheet: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_path(str(master))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def table(master: Path, sheet: str, first_header: str) -> tuple[list[dict], list]:
    """The rows under the header row that starts with `first_header`, as dicts; and the row after them."""
    rows = sheet_rows(master, sheet)
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    header = rows[start]
    records, rest = [], []
    for row in rows[start + 1 :]:
        if row[0] in ("", None):
            rest = row
            break
        records.append(dict(zip(header, row, strict=False)))
    return records, rest


def overview(master: Path) -> tuple[dict[str, dict], dict]:
    """Übersicht rows by AGS, and the totals row (by header)."""
    rows = sheet_rows(master, "Übersicht")
    start = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    header = rows[start]
    by_ags, totals = {}, {}
    for row in rows[start + 1 :]:
        if row[0] in ("", None):
            totals = dict(zip(header, row, strict=False))
            break
        by_ags[row[0]] = dict(zip(header, row, strict=False))
    return by_ags, totals
