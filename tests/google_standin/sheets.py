"""The Sheets API v4 side of the stand-in: ranges, values, spreadsheets.get and batchUpdate on the model.

Shapes follow Google's discovery document (checked by discovery.py) and
gspread's recorded traffic: values come back with trailing empty cells and rows
left out, an open range is bounded by the grid, a date is a serial number or
formatted text, cells carry an effective number-format type (DATE for dates),
and batchUpdate refuses a second sheet with an id or a title already taken.

batchUpdate is all or nothing, as Google's reference says. Each request that
carries a `fields` mask has it checked against the schema it names fields of
(CellData, SheetProperties, DimensionProperties) and honoured: a masked field
the request leaves out is cleared. What the stand-in keeps of a cell beyond its
value (format, note, data validation) and of a sheet (frozen rows and columns,
column widths, the basic filter, its charts) comes back from spreadsheets.get
with grid data, a cell-level link as the read-only `hyperlink`. A data validation rule is
held to what the reference says of it (read from the discovery document's enum
descriptions): a condition type "supported by data validation", as many values
as that type takes, no relative dates, and a ONE_OF_LIST of values that are no
formulas. A chart (addChart, deleteEmbeddedObject) is held to what the
reference says of EmbeddedChart and ChartSourceRange: an id not yet taken, one
kind of chart (basic or pie), a domain and series of one row or column each,
inside the grid and of the same length, anchored on a cell of the grid.

Not checked, because nothing published describes it in a machine-readable way:
the syntax of number-format patterns, whether a link's URI is one Google
accepts, whether a formula parses, and how Sheets draws a chart (its axes'
number format, label rotation, colours; see docs/development.md, the Google stand-in).
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from . import discovery
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
    grid: dict[str, int] = {"rowCount": sheet.rows, "columnCount": sheet.cols}
    if sheet.frozen_rows:
        grid["frozenRowCount"] = sheet.frozen_rows
    if sheet.frozen_columns:
        grid["frozenColumnCount"] = sheet.frozen_columns
    return {
        "sheetId": sheet.sheet_id,
        "title": sheet.title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": grid,
    }


def _cell_data(sheet: Sheet, r: int, c: int) -> dict:
    """A cell as spreadsheets.get gives it with grid data: value, format, note, validation and its link."""
    value = sheet.get(r, c)
    cell: dict[str, Any] = {}
    number_format = None
    if value is not None:
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
        cell.update(
            {
                "userEnteredValue": entered,
                "effectiveValue": effective,
                "formattedValue": _render(value, "FORMATTED_VALUE", ""),
            }
        )
    fmt = sheet.formats.get((r, c)) or ({"numberFormat": number_format} if number_format else None)
    if fmt:
        cell["userEnteredFormat"] = fmt
        cell["effectiveFormat"] = fmt
        link = fmt.get("textFormat", {}).get("link", {}).get("uri")
        if link:
            cell["hyperlink"] = link  # read-only: what a cell-level link in the format makes of the cell
    if (r, c) in sheet.notes:
        cell["note"] = sheet.notes[(r, c)]
    if (r, c) in sheet.validations:
        cell["dataValidation"] = sheet.validations[(r, c)]
    return cell


def spreadsheet_answer(book: Spreadsheet, ranges: list[str], grid: bool) -> dict:
    sheets = []
    for index, sheet in enumerate(book.sheets):
        entry: dict[str, Any] = {"properties": _sheet_properties(sheet, index)}
        if sheet.basic_filter is not None:
            entry["basicFilter"] = sheet.basic_filter
        if sheet.charts:
            entry["charts"] = copy.deepcopy(sheet.charts)
        if grid:
            wanted = [grid_range(book, r) for r in ranges] or [(sheet, 0, 0, sheet.rows, sheet.cols)]
            data = []
            for target, r1, c1, r2, c2 in wanted:
                if target is sheet:
                    used = max(
                        [len(sheet.values)] + [r + 1 for r, _ in (*sheet.formats, *sheet.notes, *sheet.validations)]
                    )
                    rows = [
                        {"values": [_cell_data(sheet, r, c) for c in range(c1, min(c2, sheet.cols))]}
                        for r in range(r1, min(r2, used))
                    ]
                    columns = [{"pixelSize": sheet.column_pixels.get(c, 100)} for c in range(c1, min(c2, sheet.cols))]
                    data.append({"startRow": r1, "startColumn": c1, "rowData": rows, "columnMetadata": columns})
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


# -- batchUpdate ----------------------------------------------------------------------------------

MASKED = {
    "updateCells": "CellData",
    "repeatCell": "CellData",
    "updateSheetProperties": "SheetProperties",
    "updateDimensionProperties": "DimensionProperties",
}
"""Requests whose `fields` mask names what they change, and the schema the mask is rooted at."""


class _Request:
    """One request of a batch: its kind, body and position, and Google's refusal of it."""

    def __init__(self, index: int, kind: str, body: dict) -> None:
        self.index, self.kind, self.body = index, kind, body

    def refuse(self, message: str) -> ApiError:
        return ApiError(400, f"Invalid requests[{self.index}].{self.kind}: {message}")

    def mask(self) -> dict[str, Any]:
        """The request's `fields` mask, checked against the schema it names fields of (Google: 400)."""
        text = self.body.get("fields", "")
        if not text:
            raise self.refuse("At least one field must be specified.")
        if text.strip() == "*":
            return {"*": {}}
        mask = discovery.parse_mask(text)
        problems = discovery.check_mask("sheets", {"$ref": MASKED[self.kind]}, mask)
        if problems:
            for problem in problems:
                discovery.record(
                    f"request to sheets.spreadsheets.batchUpdate: requests[{self.index}].{self.kind}: {problem}"
                )
            raise self.refuse(problems[0])
        return mask

    def sheet(self, book: Spreadsheet, sheet_id: Any) -> Sheet:
        sheet = book.sheet_by_id(sheet_id)
        if sheet is None:
            raise self.refuse(f"No grid with id: {sheet_id}")
        return sheet

    def grid(self, book: Spreadsheet, target: dict) -> tuple[Sheet, int, int, int, int]:
        """A GridRange's sheet and bounds (missing indexes: unbounded), refused beyond the grid as Google does."""
        sheet = self.sheet(book, target.get("sheetId", 0))
        r0, r1 = target.get("startRowIndex", 0), target.get("endRowIndex", sheet.rows)
        c0, c1 = target.get("startColumnIndex", 0), target.get("endColumnIndex", sheet.cols)
        if r1 > sheet.rows or c1 > sheet.cols:
            raise self.refuse(f"Range ({sheet.title}!{column_letters(c1 - 1)}{r1}) exceeds grid limits.")
        if r0 > r1 or c0 > c1:
            raise self.refuse("The range's start index is greater than its end index.")
        return sheet, r0, r1, c0, c1


def _masked(current: dict | None, given: dict | None, mask: dict[str, Any]) -> dict:
    """`current` with the masked fields taken from `given` (a masked field `given` lacks is cleared)."""
    if "*" in mask:
        return dict(given or {})
    result = dict(current or {})
    for key, inner in mask.items():
        if inner and isinstance((given or {}).get(key), dict):
            result[key] = _masked(result.get(key), given[key], inner)
        elif given is not None and key in given:
            result[key] = given[key]
        else:
            result.pop(key, None)
    return {k: v for k, v in result.items() if v != {}}


def _write_cell(sheet: Sheet, r: int, c: int, cell: dict, mask: dict[str, Any]) -> None:
    """Write the masked fields of a CellData into a cell (a masked field the CellData lacks is cleared)."""
    every = "*" in mask
    if every or "userEnteredValue" in mask:
        sheet.set(r, c, _entered(cell))
    key = (r, c)
    for field_name, store in (("userEnteredFormat", sheet.formats), ("dataValidation", sheet.validations)):
        if every or field_name in mask:
            inner = {"*": {}} if every else (mask[field_name] or {"*": {}})
            merged = _masked(store.get(key), cell.get(field_name), inner)
            if merged:
                store[key] = merged
            else:
                store.pop(key, None)
    if every or "note" in mask:
        if cell.get("note"):
            sheet.notes[key] = cell["note"]
        else:
            sheet.notes.pop(key, None)


_COUNTS = {
    "Requires no ConditionValues": (0, 0),
    "Requires a single ConditionValue": (1, 1),
    "Requires exactly two ConditionValues": (2, 2),
    "Supports zero, one or two": (0, 2),
    "Supports any number of condition values, one per item in the list": (1, None),
}
"""How many values a condition takes, in the words of the reference's enum descriptions."""


def _data_validation_types() -> dict[str, tuple[int, int | None]]:
    """Condition types the reference says data validation supports, with how many values each takes."""
    spec = discovery.document("sheets")["schemas"]["BooleanCondition"]["properties"]["type"]
    found = {}
    for kind, text in zip(spec["enum"], spec["enumDescriptions"], strict=True):
        if "Supported by data validation" in text:
            found[kind] = next((count for words, count in _COUNTS.items() if words in text), (0, None))
    return found


def _check_rule(request: _Request, rule: dict) -> None:
    """A DataValidationRule as Google's reference describes what it accepts."""
    condition = rule.get("condition")
    if not condition or "type" not in condition:
        raise request.refuse("A data validation rule needs a condition.")
    kind = condition["type"]
    supported = _data_validation_types()
    if kind not in supported:
        raise request.refuse(f"Invalid ConditionType {kind} for data validation.")
    values = condition.get("values", [])
    least, most = supported[kind]
    if len(values) < least or (most is not None and len(values) > most):
        raise request.refuse(f"Invalid number of condition values ({len(values)}) for {kind}.")
    for value in values:
        if "relativeDate" in value:
            raise request.refuse("Relative dates are not supported in data validation.")
        if value.get("userEnteredValue") is None:
            raise request.refuse(f"{kind} condition values need a userEnteredValue.")
    if kind == "ONE_OF_LIST" and any(v["userEnteredValue"].startswith("=") for v in values):
        raise request.refuse("Formulas are not supported in the values of ONE_OF_LIST.")


def batch_update(book: Spreadsheet, requests: list[dict]) -> list[dict]:
    """All requests, or none: a refused request leaves the spreadsheet as it was (Google's batchUpdate is
    atomic)."""
    saved = copy.deepcopy((book.sheets, book.named_ranges))
    try:
        return [_apply(book, _Request(index, *next(iter(request.items())))) for index, request in enumerate(requests)]
    except ApiError:
        book.sheets, book.named_ranges = saved
        raise


def _apply(book: Spreadsheet, request: _Request) -> dict:
    kind, body = request.kind, request.body
    if kind == "addSheet":
        props = body.get("properties", {})
        sheet_id = props.get("sheetId", max([s.sheet_id for s in book.sheets] + [0]) + 1)
        if book.sheet_by_id(sheet_id) is not None:
            raise request.refuse(f"It is an error to specify the ID of a sheet that already exists ({sheet_id}).")
        if book.sheet(props["title"]) is not None:
            raise request.refuse(f'A sheet with the name "{props["title"]}" already exists. Please enter another name.')
        grid = props.get("gridProperties", {})
        sheet = Sheet(sheet_id, props["title"], rows=grid.get("rowCount", 1000), cols=grid.get("columnCount", 26))
        sheet.frozen_rows, sheet.frozen_columns = grid.get("frozenRowCount", 0), grid.get("frozenColumnCount", 0)
        book.sheets.insert(props.get("index", len(book.sheets)), sheet)
        return {"addSheet": {"properties": _sheet_properties(sheet, book.sheets.index(sheet))}}
    if kind == "deleteSheet":
        request.sheet(book, body["sheetId"])
        book.sheets = [s for s in book.sheets if s.sheet_id != body["sheetId"]]
    elif kind == "updateSheetProperties":
        _update_sheet_properties(book, request)
    elif kind == "updateCells":
        _update_cells(book, request)
    elif kind == "repeatCell":
        mask = request.mask()
        sheet, r0, r1, c0, c1 = request.grid(book, body["range"])
        for r in range(r0, r1):
            for c in range(c0, c1):
                _write_cell(sheet, r, c, body.get("cell", {}), mask)
    elif kind == "setDataValidation":
        sheet, r0, r1, c0, c1 = request.grid(book, body["range"])
        rule = body.get("rule")
        if rule:
            _check_rule(request, rule)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if rule:
                    sheet.validations[(r, c)] = rule
                else:
                    sheet.validations.pop((r, c), None)
    elif kind == "updateDimensionProperties":
        mask = request.mask()
        target = body["range"]
        sheet = request.sheet(book, target.get("sheetId", 0))
        if target.get("dimension") == "COLUMNS":
            start, end = target.get("startIndex", 0), target.get("endIndex", sheet.cols)
            if end > sheet.cols:
                raise request.refuse(f"Range ({sheet.title}!{column_letters(end - 1)}1) exceeds grid limits.")
            if "*" in mask or "pixelSize" in mask:
                for col in range(start, end):
                    sheet.column_pixels[col] = body.get("properties", {}).get("pixelSize", 100)
    elif kind == "setBasicFilter":
        target = body.get("filter", {}).get("range")
        if target is None:
            raise request.refuse("A basic filter needs a range.")
        sheet = request.grid(book, target)[0]
        sheet.basic_filter = body["filter"]
    elif kind == "addChart":
        return {"addChart": {"chart": _add_chart(book, request)}}
    elif kind == "deleteEmbeddedObject":
        object_id = body.get("objectId")
        holder = next((s for s in book.sheets if any(c["chartId"] == object_id for c in s.charts)), None)
        if holder is None:
            raise request.refuse(f"No object with id: {object_id}")
        holder.charts = [c for c in holder.charts if c["chartId"] != object_id]
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
        raise ApiError(400, f"Invalid requests[{request.index}]: the stand-in does not carry out {kind}")
    return {}


# -- charts ---------------------------------------------------------------------------------------


def _chart_kinds() -> frozenset[str]:
    """The kinds of chart a ChartSpec may be (its fields of a *ChartSpec schema): exactly one is set."""
    spec = discovery.document("sheets")["schemas"]["ChartSpec"]["properties"]
    return frozenset(name for name, inner in spec.items() if inner.get("$ref", "").endswith("ChartSpec"))


def _chart_sources(request: _Request, book: Spreadsheet, data: dict | None, what: str) -> list[tuple[int, int]]:
    """A ChartData's source ranges, held to ChartSourceRange's reference: on sheets that exist, inside their
    grids, each one row or one column, all of them the same way; (rows, columns) of each."""
    sources = ((data or {}).get("sourceRange") or {}).get("sources") or []
    if not sources:
        raise request.refuse(f"The {what} of a chart needs a sourceRange with at least one source.")
    shapes = []
    for source in sources:
        _sheet, r0, r1, c0, c1 = request.grid(book, source)
        rows, cols = r1 - r0, c1 - c0
        if rows < 1 or cols < 1 or (rows != 1 and cols != 1):
            raise request.refuse(f"The {what}'s source must be one row or one column (it is {rows} × {cols}).")
        shapes.append((rows, cols))
    if len({cols == 1 for _rows, cols in shapes}) > 1:
        raise request.refuse(f"All sources of the {what} must have the same dimension with length 1.")
    return shapes


def _check_chart_data(request: _Request, book: Spreadsheet, kind: str, spec: dict) -> None:
    """The domain and series of a basic or pie chart: a basic chart has at most one domain and a series at
    least; the domain and every series have as many source ranges, of the same lengths."""
    if kind == "pieChart":
        domains, series = [spec.get("domain")], [spec.get("series")]
    elif kind == "basicChart":
        if len(spec.get("domains", [])) > 1:
            raise request.refuse("Only a single domain is supported.")
        if "chartType" not in spec:
            raise request.refuse("A basic chart needs a chartType.")
        domains = [d.get("domain") for d in spec.get("domains", [])]
        series = [s.get("series") for s in spec.get("series", [])]
        if not series:
            raise request.refuse("A basic chart needs at least one series.")
    else:
        raise request.refuse(f"the stand-in does not draw a {kind}")
    shapes = [_chart_sources(request, book, d, "domain") for d in domains] + [
        _chart_sources(request, book, s, "series") for s in series
    ]
    lengths = {tuple(max(shape) for shape in found) for found in shapes}
    if len(lengths) > 1:
        raise request.refuse("The domain and all series must have the same number and lengths of source ranges.")


def _add_chart(book: Spreadsheet, request: _Request) -> dict:
    """An EmbeddedChart over a sheet, checked as AddChartRequest's reference says (an id not yet taken, one kind
    of chart, data a chart can show, anchored on a cell of the grid); the chart as the reply gives it."""
    chart = copy.deepcopy(request.body.get("chart") or {})
    taken = {c["chartId"] for c in book.charts()}
    chart_id = chart.get("chartId")
    if chart_id is None:
        chart_id = max(taken | {0}) + 1
        chart["chartId"] = chart_id
    elif chart_id in taken:
        raise request.refuse(
            f"It is an error to specify the ID of an embedded object that already exists ({chart_id})."
        )
    spec = chart.get("spec") or {}
    kinds = sorted(_chart_kinds() & spec.keys())
    if len(kinds) != 1:
        raise request.refuse(f"A chart spec needs exactly one kind of chart, not {kinds or 'none'}.")
    _check_chart_data(request, book, kinds[0], spec[kinds[0]])
    position = chart.get("position") or {}
    overlay = position.get("overlayPosition")
    if set(position) != {"overlayPosition"} or not overlay or "anchorCell" not in overlay:
        raise request.refuse("the stand-in places a chart only over a sheet (overlayPosition with an anchorCell)")
    anchor = overlay["anchorCell"]
    sheet = request.sheet(book, anchor.get("sheetId", 0))
    row, col = anchor.get("rowIndex", 0), anchor.get("columnIndex", 0)
    if row >= sheet.rows or col >= sheet.cols:
        raise request.refuse(f"The chart's anchor ({sheet.title}!{column_letters(col)}{row + 1}) is outside the grid.")
    sheet.charts.append(chart)
    return copy.deepcopy(chart)


def _update_sheet_properties(book: Spreadsheet, request: _Request) -> None:
    mask = request.mask()
    props = request.body["properties"]
    sheet = request.sheet(book, props["sheetId"])
    every = "*" in mask
    grid, wanted = props.get("gridProperties", {}), mask.get("gridProperties", {})

    def masked(name: str) -> bool:
        return every or ("gridProperties" in mask and (not wanted or name in wanted))

    for name, attribute in (
        ("rowCount", "rows"),
        ("columnCount", "cols"),
        ("frozenRowCount", "frozen_rows"),
        ("frozenColumnCount", "frozen_columns"),
    ):
        if masked(name) and name in grid:
            setattr(sheet, attribute, grid[name])
        elif masked(name) and name.startswith("frozen"):
            setattr(sheet, attribute, 0)
    if (every or "title" in mask) and "title" in props:
        sheet.title = props["title"]


def _update_cells(book: Spreadsheet, request: _Request) -> None:
    """Rows written from `start`, or into `range`; the masked fields of a range's cells the rows do not
    cover are cleared (Google's reference for UpdateCellsRequest.range)."""
    body = request.body
    mask = request.mask()
    rows = body.get("rows", [])
    if "range" in body:
        sheet, r0, r_end, c0, c_end = request.grid(book, body["range"])
        used_rows = max([len(sheet.values)] + [r + 1 for r, _ in (*sheet.formats, *sheet.notes, *sheet.validations)])
        for r in range(r0, min(r_end, used_rows)):
            width = max([len(sheet.values[r]) if r < len(sheet.values) else 0]
                        + [c + 1 for rr, c in (*sheet.formats, *sheet.notes, *sheet.validations) if rr == r])  # fmt: skip
            for c in range(c0, min(c_end, width)):
                i, j = r - r0, c - c0
                covered = i < len(rows) and j < len(rows[i].get("values", []))
                _write_cell(sheet, r, c, rows[i]["values"][j] if covered else {}, mask)
        return
    start = body["start"]
    sheet = request.sheet(book, start.get("sheetId", 0))
    r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.get("values", [])):
            if r0 + i >= sheet.rows or c0 + j >= sheet.cols:
                raise request.refuse(f"Range ({sheet.title}!{column_letters(c0 + j)}{r0 + i + 1}) exceeds grid limits.")
            _write_cell(sheet, r0 + i, c0 + j, cell, mask)
