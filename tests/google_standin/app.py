"""The stand-in's HTTP face: the subset of Sheets API v4 and Drive API v3 that Pakt (and gspread) call.

    GET  /v4/spreadsheets/{id}                    spreadsheets.get (ranges, includeGridData)
    GET  /v4/spreadsheets/{id}/values:batchGet    values.batchGet (valueRenderOption, dateTimeRenderOption)
    GET  /v4/spreadsheets/{id}/values/{range}     values.get
    POST /v4/spreadsheets/{id}/values:batchUpdate values.batchUpdate (RAW, USER_ENTERED)
    POST /v4/spreadsheets/{id}:batchUpdate        batchUpdate (addSheet, updateCells, repeatCell,
                                                  updateSheetProperties, deleteSheet)
    GET  /drive/v3/files                          files.list (q, pageSize, pageToken)

Responses follow Google's documented (and gspread's recorded) shapes; errors are
{"error": {"code", "message", "status"}}. Reads and writes are counted against a
per-user quota per window; faults injected into the world answer first.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from .model import EPOCH, Formula, Logged, NamedRange, Sheet, Spreadsheet, World, column_index, column_letters

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MESSAGES = {
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
    "of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


def error(code: int, message: str | None = None) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": message or MESSAGES.get(code, "Error"),
            "status": STATUS.get(code, "UNKNOWN"),
        }
    }
    return JSONResponse(body, status_code=code)


class ApiError(Exception):
    def __init__(self, code: int, message: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _quote(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


def _a1(sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{column_letters(c1)}{r1 + 1}"
    last = f"{column_letters(c2 - 1)}{r2}"
    return f"{_quote(sheet.title)}!{first}" + ("" if (r2 - r1, c2 - c1) == (1, 1) else f":{last}")


def _grid_range(book: Spreadsheet, text: str) -> tuple[Sheet, int, int, int, int]:
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


def _value_range(book: Spreadsheet, text: str, option: str, dates: str) -> dict:
    sheet, r1, c1, r2, c2 = _grid_range(book, text)
    r2, c2 = min(r2, sheet.rows), min(c2, sheet.cols)
    body = {"range": _a1(sheet, r1, c1, r2, c2), "majorDimension": "ROWS"}
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
    if isinstance(value, bool):
        entered = {"boolValue": value}
    elif isinstance(value, (int, float)):
        entered = {"numberValue": value}
    elif isinstance(value, Formula):
        entered = {"formulaValue": str(value)}
    else:
        entered = {"stringValue": str(value)}
    return {
        "userEnteredValue": entered,
        "effectiveValue": entered,
        "formattedValue": _render(value, "FORMATTED_VALUE", ""),
    }


def _spreadsheet(book: Spreadsheet, ranges: list[str], grid: bool) -> dict:
    sheets = []
    for index, sheet in enumerate(book.sheets):
        entry: dict[str, Any] = {"properties": _sheet_properties(sheet, index)}
        if grid:
            wanted = [_grid_range(book, r) for r in ranges] or [(sheet, 0, 0, sheet.rows, sheet.cols)]
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
        "properties": {"title": book.title, "locale": "de_DE", "autoRecalc": "ON_CHANGE", "timeZone": "Europe/Berlin"},
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


def _batch_update(book: Spreadsheet, requests: list[dict]) -> list[dict]:
    replies = []
    for request in requests:
        ((kind, body),) = request.items()
        if kind == "addSheet":
            props = body.get("properties", {})
            sheet_id = props.get("sheetId", max([s.sheet_id for s in book.sheets] + [0]) + 1)
            grid = props.get("gridProperties", {})
            sheet = Sheet(sheet_id, props["title"], rows=grid.get("rowCount", 1000), cols=grid.get("columnCount", 26))
            book.sheets.insert(props.get("index", len(book.sheets)), sheet)
            replies.append({"addSheet": {"properties": _sheet_properties(sheet, book.sheets.index(sheet))}})
            continue
        if kind == "deleteSheet":
            book.sheets = [s for s in book.sheets if s.sheet_id != body["sheetId"]]
        elif kind == "updateSheetProperties":
            sheet = book.sheet_by_id(body["properties"]["sheetId"])
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


def _kind(method: str, path: str) -> str:
    if path.startswith("/drive/"):
        return "drive"
    return "sheets_read" if method == "GET" else "sheets_write"


def create_app(world: World) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def quota_faults_and_log(request: Request, call_next):
        path = unquote(request.url.path)
        kind = _kind(request.method, path)
        user = request.headers.get("authorization", "")
        if not user.lower().startswith("bearer "):
            response = error(401, "Request is missing required authentication credential.")
        elif (fault := world.take_fault(path + "?" + request.url.query)) is not None:
            if fault.status == "timeout":
                await asyncio.sleep(world.hang_s)
                response = error(503)
            else:
                response = error(int(fault.status))
            if fault.retry_after is not None:
                response.headers["Retry-After"] = str(fault.retry_after)
        elif world.over_quota(user, kind):
            response = error(429)
        else:
            try:
                response = await call_next(request)
            except ApiError as exc:
                response = error(exc.code, exc.message)
        with world.lock:
            world.log.append(Logged(request.method, path, kind, response.status_code))
        return response

    def book(spreadsheet_id: str) -> Spreadsheet:
        found = world.spreadsheets.get(spreadsheet_id)
        if found is None:
            raise ApiError(404)
        if spreadsheet_id in world.private:
            raise ApiError(403)
        return found

    @app.get("/v4/spreadsheets/{spreadsheet_id}/values:batchGet")
    def values_batch_get(spreadsheet_id: str, request: Request) -> dict:
        with world.lock:
            target = book(spreadsheet_id)
            params = request.query_params
            option = params.get("valueRenderOption", "FORMATTED_VALUE")
            dates = params.get("dateTimeRenderOption", "SERIAL_NUMBER")
            ranges = params.getlist("ranges")
            return {
                "spreadsheetId": spreadsheet_id,
                "valueRanges": [_value_range(target, r, option, dates) for r in ranges],
            }

    @app.get("/v4/spreadsheets/{spreadsheet_id}/values/{cell_range:path}")
    def values_get(spreadsheet_id: str, cell_range: str, request: Request) -> dict:
        with world.lock:
            params = request.query_params
            return _value_range(
                book(spreadsheet_id),
                unquote(cell_range),
                params.get("valueRenderOption", "FORMATTED_VALUE"),
                params.get("dateTimeRenderOption", "SERIAL_NUMBER"),
            )

    @app.post("/v4/spreadsheets/{spreadsheet_id}/values:batchUpdate")
    async def values_batch_update(spreadsheet_id: str, request: Request) -> dict:
        body = json.loads(await request.body())
        with world.lock:
            target = book(spreadsheet_id)
            cells = 0
            for data in body.get("data", []):
                sheet, r1, c1, _, _ = _grid_range(target, data["range"])
                user_entered = body.get("valueInputOption") == "USER_ENTERED"
                for i, row in enumerate(data.get("values", [])):
                    for j, value in enumerate(row):
                        typed_formula = user_entered and isinstance(value, str) and value.startswith("=")
                        sheet.set(r1 + i, c1 + j, Formula(value) if typed_formula else value)
                        cells += 1
            target.touch()
            return {"spreadsheetId": spreadsheet_id, "totalUpdatedCells": cells, "responses": []}

    @app.post("/v4/spreadsheets/{spreadsheet_id}:batchUpdate")
    async def batch_update(spreadsheet_id: str, request: Request) -> dict:
        body = json.loads(await request.body())
        with world.lock:
            target = book(spreadsheet_id)
            replies = _batch_update(target, body.get("requests", []))
            target.touch()
            return {"spreadsheetId": spreadsheet_id, "replies": replies}

    @app.get("/v4/spreadsheets/{spreadsheet_id}")
    def spreadsheets_get(spreadsheet_id: str, request: Request) -> dict:
        with world.lock:
            params = request.query_params
            grid = params.get("includeGridData", "false").lower() == "true"
            return _spreadsheet(book(spreadsheet_id), params.getlist("ranges"), grid)

    @app.get("/drive/v3/files")
    def files_list(request: Request) -> dict:
        params = request.query_params
        query = params.get("q", "")
        if "application/vnd.google-apps.spreadsheet" not in query:
            raise ApiError(400, "Invalid Value")
        size = min(int(params.get("pageSize", "100")), 1000)
        start = int(params.get("pageToken", "0") or 0)
        with world.lock:
            visible = [b for b in world.spreadsheets.values() if b.spreadsheet_id not in world.private]
            page = visible[start : start + size]
            body: dict[str, Any] = {
                "kind": "drive#fileList",
                "incompleteSearch": False,
                "files": [
                    {
                        "kind": "drive#file",
                        "id": b.spreadsheet_id,
                        "name": b.title,
                        "mimeType": "application/vnd.google-apps.spreadsheet",
                        "createdTime": "2018-01-02T08:00:00.000Z",
                        "modifiedTime": b.modified.strftime("%Y-%m-%dT%H:%M:%S.")
                        + f"{b.modified.microsecond // 1000:03d}Z",
                        "version": str(b.version),
                    }
                    for b in page
                ],
            }
            if start + size < len(visible):
                body["nextPageToken"] = str(start + size)
            return body

    @app.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE"])
    def unknown(rest: str) -> Response:
        return error(404, f"The stand-in does not implement /{rest}.")

    return app
