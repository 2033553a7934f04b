"""The open Calc document as the body of a Pakt script call: what Excel's task pane sends for a workbook.

The shape is xlwings' Office.js client's (the server builds an xlwings Book from
it): every sheet's values from A1 to the end of its used area, dates as serial
numbers (LibreOffice's and Excel's day count from 30.12.1899 agree for every
date a form holds), the defined names with the cells they refer to (the
document's named ranges, read by name, never by position), and the database
ranges as tables (Calc keeps an Excel table as one; the staff list is read from
it, or from the named range pakt_staff where there is none).
"""

from __future__ import annotations

from typing import Any

XLWINGS_VERSION = "0.37.8"
"""The xlwings client protocol the server speaks (its pinned xlwings); the task pane sends the same."""


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(address) -> str:
    """A CellRangeAddress as A1 text without the sheet: "B14" or "A5:D35"."""
    first = f"{column_letters(address.StartColumn)}{address.StartRow + 1}"
    if address.StartColumn == address.EndColumn and address.StartRow == address.EndRow:
        return first
    return f"{first}:{column_letters(address.EndColumn)}{address.EndRow + 1}"


def _cell(value: Any) -> Any:
    """A whole number as the int Excel's client sends (44, not 44.0); text and other numbers as they are."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def sheet_values(sheet) -> list[list[Any]]:
    """A sheet's values from A1 to the end of its used area (empty cells as "")."""
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    end = cursor.getRangeAddress()
    rows = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()
    return [[_cell(value) for value in row] for row in rows]


def _names(document) -> list[dict[str, Any]]:
    names = []
    ranges = document.NamedRanges
    for name in ranges.getElementNames():
        cells = ranges.getByName(name).getReferredCells()
        if cells is None:  # a named formula or constant, not a range: nothing a form reads
            continue
        address = cells.getRangeAddress()
        names.append(
            {
                "name": name,
                "sheet_index": address.Sheet,
                "address": a1(address),
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
            }
        )
    return names


def _tables(document) -> dict[int, list[dict[str, Any]]]:
    """The database ranges by sheet, as the task pane sends Excel's tables (header row, body)."""
    tables: dict[int, list[dict[str, Any]]] = {}
    ranges = document.DatabaseRanges
    for name in ranges.getElementNames():
        area = ranges.getByName(name).DataArea
        header = area.EndRow > area.StartRow
        whole = a1(area)
        first, last = column_letters(area.StartColumn), column_letters(area.EndColumn)
        tables.setdefault(area.Sheet, []).append(
            {
                "name": name,
                "range_address": whole,
                "header_row_range_address": f"{first}{area.StartRow + 1}:{last}{area.StartRow + 1}",
                "data_body_range_address": f"{first}{area.StartRow + 2}:{last}{area.EndRow + 1}" if header else whole,
                "total_row_range_address": None,
                "show_headers": header,
                "show_totals": False,
                "show_autofilter": False,
                "table_style": "",
                "columns": [],
            }
        )
    return tables


def _active_sheet_index(document) -> int:
    controller = document.getCurrentController()
    active = controller.getActiveSheet() if controller is not None else None
    return active.getRangeAddress().Sheet if active is not None else 0


def payload(document, book_name: str) -> dict[str, Any]:
    """The JSON body for /xlwings/custom-scripts-call/<script>."""
    sheets = document.Sheets
    tables = _tables(document)
    return {
        "client": "Office.js",
        "version": XLWINGS_VERSION,
        "runtime": "1.4",
        "culture_info_name": "de-DE",
        "date_format": "dd.MM.yyyy",
        "book": {"name": book_name, "active_sheet_index": _active_sheet_index(document), "selection": "A1"},
        "names": _names(document),
        "sheets": [
            {
                "name": sheet.Name,
                "values": sheet_values(sheet),
                "pictures": [],
                "tables": tables.get(index, []),
                "notes": [],
                "notes_supported": False,
                "shapes": [],
                "charts": [],
                "pivot_tables": [],
                "show_gridlines": True,
                "visibility": "Visible" if sheet.IsVisible else "Hidden",
            }
            for index, sheet in enumerate(sheets.getByIndex(i) for i in range(sheets.getCount()))
        ],
    }
