"""A Google sheet read through the Sheets API, with its cells' types: the fallback when an export lacks the names.

One spreadsheets.get asks for Pakt's named ranges with each cell's effective
value and number-format type, so a date stays a date whatever the sheet's
locale: a count a clerk typed as "1.5" in a German sheet (the 1st of May) is
refused at its cell, not read as the serial number 46,143.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from gspread.exceptions import APIError

from pakt.schemas import (
    BINDING_FIELDS,
    EXCEL_EPOCH,
    STAFF_RANGE,
    STAFF_TABLE,
    RawCell,
    RawTable,
    input_fields,
    parse_a1,
    parse_reference,
    to_a1,
)

from ._client import GoogleAccess
from ._errors import http_status

DATE_TYPES = frozenset({"DATE", "DATE_TIME"})
GRID_FIELDS = (
    "namedRanges(name,range(sheetId,startRowIndex,startColumnIndex,endRowIndex,endColumnIndex)),"
    "sheets(properties(sheetId,title),data(startRow,startColumn,"
    "rowData(values(effectiveValue,effectiveFormat(numberFormat(type))))))"
)


def submission_ranges() -> list[str]:
    """Every named range a submission has: inputs, the staff range, the binding."""
    return [f.name for f in input_fields()] + [STAFF_RANGE] + [b.name for b in BINDING_FIELDS]


def _cell(value: dict[str, Any]) -> Any:
    """A CellData as the reader takes it: a date for a date-formatted number, else the plain value."""
    effective = value.get("effectiveValue") or {}
    kind = ((value.get("effectiveFormat") or {}).get("numberFormat") or {}).get("type")
    if "numberValue" in effective:
        number = effective["numberValue"]
        if kind in DATE_TYPES:
            day: date = EXCEL_EPOCH + timedelta(days=int(number))
            return day
        return number
    for key in ("stringValue", "boolValue"):
        if key in effective:
            return effective[key]
    if "errorValue" in effective:
        return "#" + str(effective["errorValue"].get("type", "ERROR"))
    return ""


def _ranges_from_grid(answer: dict) -> dict[str, dict]:
    """Each named range as {"range": "'Sheet'!A1:B2", "values": rows} from a spreadsheets.get with grid data."""
    titles = {s["properties"]["sheetId"]: s["properties"]["title"] for s in answer.get("sheets", [])}
    blocks: dict[tuple[int, int, int], list[list[Any]]] = {}
    for sheet in answer.get("sheets", []):
        sheet_id = sheet["properties"]["sheetId"]
        for data in sheet.get("data", []):
            rows = [[_cell(v) for v in row.get("values", [])] for row in data.get("rowData", [])]
            blocks[(sheet_id, data.get("startRow", 0), data.get("startColumn", 0))] = rows
    found: dict[str, dict] = {}
    for named in answer.get("namedRanges", []):
        target = named.get("range", {})
        sheet_id = target.get("sheetId", 0)
        top, left = target.get("startRowIndex", 0), target.get("startColumnIndex", 0)
        bottom, right = target.get("endRowIndex", top + 1) - 1, target.get("endColumnIndex", left + 1) - 1
        if (sheet_id, top, left) not in blocks or sheet_id not in titles:
            continue
        title = titles[sheet_id].replace("'", "''")
        found[named["name"]] = {
            "range": f"'{title}'!{to_a1(top, left)}:{to_a1(bottom, right)}",
            "values": blocks[(sheet_id, top, left)],
        }
    return found


def read_typed_ranges(access: GoogleAccess, sheet: str) -> dict[str, dict]:
    """Pakt's named ranges of a sheet with typed values, in one Sheets read (two when some names are missing)."""
    client = access.sources.http_client
    names = submission_ranges()
    try:
        answer = client.spreadsheets_get(
            sheet, params={"ranges": names, "includeGridData": "true", "fields": GRID_FIELDS}
        )
    except APIError as exc:
        if http_status(exc) != 400:
            raise
        meta = client.spreadsheets_get(sheet, params={"fields": "namedRanges.name"})
        present = [n for n in names if n in {r["name"] for r in meta.get("namedRanges", [])}]
        if not present:
            return {}
        answer = client.spreadsheets_get(
            sheet, params={"ranges": present, "includeGridData": "true", "fields": GRID_FIELDS}
        )
    return _ranges_from_grid(answer)


class GoogleValuesView:
    """Named ranges with their values as a `WorkbookView` (each with its resolved A1 range)."""

    def __init__(self, label: str, ranges: dict[str, dict]) -> None:
        self.label = label
        self._ranges = ranges

    def _where(self, name: str) -> tuple[str, int, int, list[list[Any]]] | None:
        found = self._ranges.get(name)
        if found is None:
            return None
        parsed = parse_reference(found["range"])
        if parsed is None:
            return None
        row, col = parse_a1(parsed[1])
        return parsed[0], row, col, found.get("values", [])

    def named_cell(self, name: str) -> RawCell | None:
        where = self._where(name)
        if where is None:
            return None
        sheet, row, col, values = where
        value = values[0][0] if values and values[0] else None
        return RawCell(None if value == "" else value, sheet, to_a1(row, col))

    def table(self, name: str) -> RawTable | None:
        where = self._where(STAFF_RANGE if name == STAFF_TABLE else name)
        if where is None:
            return None
        sheet, top, left, values = where
        width = max((len(r) for r in values), default=0)

        def cells(offset: int, row: list[Any]) -> tuple[RawCell, ...]:
            padded = list(row) + [None] * (width - len(row))
            return tuple(
                RawCell(None if v == "" else v, sheet, to_a1(top + offset, left + c)) for c, v in enumerate(padded)
            )

        header = cells(0, values[0]) if values else ()
        rows = tuple(cells(i, r) for i, r in enumerate(values[1:], start=1) if any(v not in ("", None) for v in r))
        return RawTable(header=header, rows=rows)
