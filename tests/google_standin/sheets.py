"""The Sheets API v4 side of the stand-in: ranges, values, spreadsheets.get and batchUpdate on the model.

Shapes follow Google's discovery document (checked by discovery.py) and
gspread's recorded traffic: values come back with trailing empty cells and rows
left out, an open range is bounded by the grid, a date is a serial number or
formatted text, cells carry an effective number-format type (DATE for dates),
and batchUpdate refuses a second sheet with an id or a title already taken.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .errors import ApiError
from .model import EPOCH, Formula, NamedRange, Sheet, Spreadsheet, column_index, column_letters


def _quote(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


def a1(sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{column_letters(c1)}{r1 + 1}"
    last = f"{column_letters(c2 - 1)}{r2}"
    return f"{_quote(sheet.title)}!{first}" + ("" if (r2 - r1, c2 - c1) == (1, 1) else f":{last}")


def grid_range(book: Spreadsheet, text: str) -> tuple[Sheet, int, int, int, int]:
    """A range as the API takes it: a named range, 'Sheet!A1:B2', 'Sheet', or 'A1:B2' (first sheet)."""
    named = next((n for n in book.named_ranges if n.name == text), None)
    if named is not None:
        return book.sheet_by_id(named.sheet_id), named.r1, named.c1, named.r2, named.c2
    sheet_part, bang, cells = text.rpartition("!")
    if not bang:
        unquoted = text[1:-1].replace("''", "'") if text.startswith("'") and text.endswith("'") else text
        sheet = book.sheet(unquoted)
        if sheet is not None:
            return sheet, 0, 0, sheet.rows, sheet.cols
        sheet_part, cells = book.sheets[0].title, text
    title = sheet_part[1:-1].replace("''", "'") if sheet_part.startswith("'") else sheet_part
    sheet = book.sheet(title)
    match = re.fullmatch(r"([A-Z]+)?(\d+)?(?::([A-Z]+)?(\d+)?)?", cells.upper())
    if sheet is None or match is None or not cells:
        raise ApiError(400, f"Unable to parse range: {text}")
    c1 = column_index(match.group(1)) if match.group(1) else 0
    r1 = int(match.group(2)) - 1 if match.group(2) else 0
    if match.group(3) is None and match.group(4) is None and ":" not in cells:
        return sheet, r1, c1, r1 + 1, c1 + 1
    c2 = column_index(match.group(3)) + 1 if match.group(3) else sheet.cols
    r2 = int(match.group(4)) if match.group(4) else sheet.rows
    return sheet, r1, c1, r2, c2


def _render(value: Any, option: str, dates: str) -> Any:
    if isinstance(value, datetime):
        serial = (value - EPOCH).total_seconds() / 86400
        serial = int(serial) if float(serial).is_integer() else serial
        if option == "UNFORMATTED_VALUE" and dates == "SERIAL_NUMBER":
            return serial
        return value.strftime("%d.%m.%Y")
    if option == "UNFORMATTED_VALUE":
        return value
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def _values(sheet: Sheet, r1: int, c1: int, r2: int, c2: int, option: str, dates: str) -> list[list[Any]]:
    """Rows of the range, trailing empty cells and rows left out, as Google does."""
    rows = []
    for r in range(r1, min(r2, max(len(sheet.values), r1))):
        row = [sheet.get(r, c) for c in range(c1, c2)]
        while row and row[-1] in (None, ""):
            row.pop()
        rows.append([("" if v is None else _render(v, option, dates)) for v in row])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def value_range(book: Spreadsheet, text: str, option: str, dates: str) -> dict:
    sheet, r1, c1, r2, c2 = grid_range(book, text)
    r2, c2 = min(r2, sheet.rows), min(c2, sheet.cols)
    body = {"range": a1(sheet, r1, c1, r2, c2), "majorDimension": "ROWS"}
    values = _values(sheet, r1, c1, r2, c2, option, dates)
    if values:
        body["values"] = values
    return body


def _sheet_properties(sheet: Sheet, index: int) -> dict:
    return {
        "sheetId": sheet.sheet_id,
        "title": sheet.title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": sheet.rows, "columnCount": sheet.cols},
    }


def _cell_data(value: Any) -> dict:
    if value is None:
        return {}
    number_format = None
    if isinstance(value, bool):
        entered = {"boolValue": value}
    elif isinstance(value, (int, float)):
        entered = {"numberValue": value}
    elif isinstance(value, datetime):
        entered = {"numberValue": (value - EPOCH).total_seconds() / 86400}
        number_format = {"type": "DATE", "pattern": "dd.MM.yyyy"}
    elif isinstance(value, Formula):
        entered = {"formulaValue": str(value)}
    else:
        entered = {"stringValue": str(value)}
    effective = {"numberValue": 0} if isinstance(value, Formula) else entered
    cell: dict[str, Any] = {
        "userEnteredValue": entered,
        "effectiveValue": effective,
        "formattedValue": _render(value, "FORMATTED_VALUE", ""),
    }
    if number_format:
        cell["userEnteredFormat"] = {"numberFormat": number_format}
        cell["effectiveFormat"] = {"numberFormat": number_format}
    return cell


def spreadsheet_answer(book: Spreadsheet, ranges: list[str], grid: bool) -> dict:
    sheets = []
    for index, sheet in enumerate(book.sheets):
        entry: dict[str, Any] = {"properties": _sheet_properties(sheet, index)}
        if grid:
            wanted = [grid_range(book, r) for r in ranges] or [(sheet, 0, 0, sheet.rows, sheet.cols)]
            data = []
            for target, r1, c1, r2, c2 in wanted:
                if target is sheet:
                    rows = [
                        {"values": [_cell_data(sheet.get(r, c)) for c in range(c1, min(c2, sheet.cols))]}
                        for r in range(r1, min(r2, len(sheet.values)))
                    ]
                    data.append({"startRow": r1, "startColumn": c1, "rowData": rows})
            entry["data"] = data
        sheets.append(entry)
    return {
        "spreadsheetId": book.spreadsheet_id,
        "properties": {
            "title": book.title,
            "locale": book.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": book.time_zone,
        },
        "sheets": sheets,
        "namedRanges": [
            {
                "namedRangeId": n.named_range_id,
                "name": n.name,
                "range": {
                    "sheetId": n.sheet_id,
                    "startRowIndex": n.r1,
                    "endRowIndex": n.r2,
                    "startColumnIndex": n.c1,
                    "endColumnIndex": n.c2,
                },
            }
            for n in book.named_ranges
        ],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
    }


def _entered(cell: dict) -> Any:
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        return Formula(value["formulaValue"])
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def batch_update(book: Spreadsheet, requests: list[dict]) -> list[dict]:
    replies = []
    for request in requests:
        ((kind, body),) = request.items()
        if kind == "addSheet":
            props = body.get("properties", {})
            sheet_id = props.get("sheetId", max([s.sheet_id for s in book.sheets] + [0]) + 1)
            if book.sheet_by_id(sheet_id) is not None:
                raise ApiError(
                    400,
                    f"Invalid requests[{len(replies)}].addSheet: It is an error to specify the ID of a sheet that "
                    f"already exists ({sheet_id}).",
                )
            if book.sheet(props["title"]) is not None:
                raise ApiError(
                    400,
                    f'Invalid requests[{len(replies)}].addSheet: A sheet with the name "{props["title"]}" already '
                    "exists. Please enter another name.",
                )
            grid = props.get("gridProperties", {})
            sheet = Sheet(sheet_id, props["title"], rows=grid.get("rowCount", 1000), cols=grid.get("columnCount", 26))
            book.sheets.insert(props.get("index", len(book.sheets)), sheet)
            replies.append({"addSheet": {"properties": _sheet_properties(sheet, book.sheets.index(sheet))}})
            continue
        if kind == "deleteSheet":
            book.sheets = [s for s in book.sheets if s.sheet_id != body["sheetId"]]
        elif kind == "updateSheetProperties":
            sheet = book.sheet_by_id(body["properties"]["sheetId"])
            if sheet is None:
                raise ApiError(400, f"Invalid requests[{len(replies)}].updateSheetProperties: No grid with id: "
                               f"{body['properties']['sheetId']}")  # fmt: skip
            grid = body["properties"].get("gridProperties", {})
            sheet.rows, sheet.cols = grid.get("rowCount", sheet.rows), grid.get("columnCount", sheet.cols)
            sheet.title = body["properties"].get("title", sheet.title)
        elif kind == "updateCells":
            _update_cells(book, body)
        elif kind == "repeatCell":
            target = body["range"]
            sheet = book.sheet_by_id(target["sheetId"])
            for r in range(target.get("startRowIndex", 0), target.get("endRowIndex", sheet.rows)):
                for c in range(target.get("startColumnIndex", 0), target.get("endColumnIndex", sheet.cols)):
                    background = body["cell"].get("userEnteredFormat", {}).get("backgroundColor")
                    if background:
                        sheet.backgrounds[(r, c)] = background
        elif kind == "addNamedRange":
            target = body["namedRange"]["range"]
            book.named_ranges.append(
                NamedRange(
                    f"nr{len(book.named_ranges)}",
                    body["namedRange"]["name"],
                    target["sheetId"],
                    target["startRowIndex"],
                    target["startColumnIndex"],
                    target["endRowIndex"],
                    target["endColumnIndex"],
                )
            )
        else:
            raise ApiError(400, f"Invalid requests[{len(replies)}]: unsupported request {kind}")
        replies.append({})
    return replies


def _update_cells(book: Spreadsheet, body: dict) -> None:
    fields = body.get("fields", "*")
    if "range" in body:
        target = body["range"]
        sheet = book.sheet_by_id(target["sheetId"])
        r0, c0 = target.get("startRowIndex", 0), target.get("startColumnIndex", 0)
        r_end, c_end = target.get("endRowIndex", sheet.rows), target.get("endColumnIndex", sheet.cols)
        if not body.get("rows"):
            for r in range(r0, min(r_end, len(sheet.values))):
                for c in range(c0, min(c_end, len(sheet.values[r]))):
                    sheet.values[r][c] = None
            if "userEnteredFormat" in fields or fields == "*":
                sheet.backgrounds = {
                    k: v for k, v in sheet.backgrounds.items() if not (r0 <= k[0] < r_end and c0 <= k[1] < c_end)
                }
            return
    else:
        start = body["start"]
        sheet = book.sheet_by_id(start["sheetId"])
        r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    for i, row in enumerate(body.get("rows", [])):
        for j, cell in enumerate(row.get("values", [])):
            if r0 + i >= sheet.rows or c0 + j >= sheet.cols:
                raise ApiError(400, f"Range ({sheet.title}!{column_letters(c0 + j)}{r0 + i + 1}) exceeds grid limits.")
            if "userEnteredValue" in fields or fields == "*":
                sheet.set(r0 + i, c0 + j, _entered(cell))
            background = cell.get("userEnteredFormat", {}).get("backgroundColor")
            if background and ("userEnteredFormat" in fields or fields == "*"):
                sheet.backgrounds[(r0 + i, c0 + j)] = background
