"""Reading the written master back in tests, by its headers (as staff see it)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
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


def type_notes(master, notes: dict[str, tuple[str, object]]):
    """District staff type into the master's Bemerkung and Wiedervorlage columns and save."""
    book = openpyxl.load_workbook(master)
    sheet = book["Übersicht"]
    header = [c.value for c in sheet[5]]
    for row in sheet.iter_rows(min_row=6):
        ags = row[0].value
        if ags in notes:
            for column, value in zip(("Bemerkung", "Wiedervorlage"), notes[ags], strict=False):
                cell = row[header.index(column)]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # typed as text (Excel: a leading apostrophe), not as a formula
    book.save(master)


def notes_in(master) -> dict[str, tuple]:
    rows, _ = overview(master)
    return {
        ags: (r["Bemerkung"], r["Wiedervorlage"]) for ags, r in rows.items() if r["Bemerkung"] or r["Wiedervorlage"]
    }
