"""The district master as a Google Sheet: one read (layout, the staff's columns), one batchUpdate (everything).

A tab the staff renamed or deleted is added again under its name (a renamed one
keeps Pakt's sheet id, so the new tab takes the next free one: Google refuses
two tabs with one id or one title).

It renders the same grids as the xlsx master, with what a Google Sheet carries
of them: every sheet the xlsx master has, German number formats, fills and
text styles, frozen title and header rows, column widths, a filter over each
table, the drop-down of the staff's Prüfung column (ONE_OF_LIST) and the links
to the sources. Values go in as typed cells (stringValue, numberValue), so text
from clerks or staff never becomes a formula; only the totals (and the
Auswertung's counts, COUNTIF over the Übersicht) are formulaValue, and they are
Pakt's own. The staff's Bemerkung and Wiedervorlage are read before the view is
built and written back with it.

The Auswertung is the xlsx master's table (the same grid) with its three charts
as the Sheets API draws them (addChart: a pie of the status table, columns of
persons and allowance per municipality), with Pakt's fixed chart ids. The read
before the write learns which of them the master has (wherever staff moved
them); the write deletes those and adds them anew, so a chart is there once
after every write. The axes take the number format of the cells they show
(German thousands separators, from the master's locale); the pie has Google's
colours, as the API sets no colour per slice.

Links, as a Google user can follow them:

    a Google spreadsheet    a cell-level link to the spreadsheet (textFormat.link); the tab and cell go into
                            the cell's note, because a link can address a cell only by the tab's gid, which
                            the Drive export Pakt reads the sheets with does not carry (learning it would cost
                            one Sheets read per sheet and run)
    a file on the share     no link (a browser opens no file path from a Google Sheet); the note names the
                            file, tab and cell, as the xlsx master's link tip does
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pakt.schemas import EXCEL_EPOCH, LINK_COLOUR, Cell, Kind, SheetGrid, Style

from ..google._client import GoogleAccess
from ..store._records import Annotation
from ._evaluation import ChartData, Evaluation
from ._layout import (
    SHEET_CHARTS,
    SHEET_HISTORY,
    SHEET_OVERVIEW,
    SHEET_PAYMENTS,
    SHEET_REPORT,
    SHEET_SERIES,
    SHEET_STAFF,
)
from ._overview import read_staff_columns

SHEET_IDS = {
    SHEET_OVERVIEW: 7001,
    SHEET_STAFF: 7002,
    SHEET_REPORT: 7003,
    SHEET_HISTORY: 7004,
    SHEET_SERIES: 7005,
    SHEET_PAYMENTS: 7006,
    SHEET_CHARTS: 7007,
}
CHART_IDS = {"status": 7101, "persons": 7102, "allowance": 7103}
"""Pakt's charts on the Auswertung, by these ids (a write deletes them and adds them again)."""
CHART_BLUE = "#4472C4"
SPARE_ROWS = 20
CELL_FIELDS = "userEnteredValue,userEnteredFormat,note"
"""What Pakt writes into a cell: the clearing pass also drops data validation (set again per range)."""
_LOCALE_TAG = re.compile(r"\[\$-[0-9A-Fa-f]+\]")


def _rgb(hex_color: str) -> dict[str, float]:
    value = hex_color.lstrip("#")
    return {name: int(value[i : i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def _value(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float, Decimal)):
        return {"numberValue": float(value)}
    if isinstance(value, (date, datetime)):
        day = value.date() if isinstance(value, datetime) else value
        return {"numberValue": (day - EXCEL_EPOCH).days}
    if value not in (None, ""):
        return {"stringValue": str(value)}
    return None


def number_format(cell: Cell) -> dict[str, str] | None:
    """The cell's number format as a Sheets NumberFormat: the xlsx code without Excel's locale tag (the
    master's spreadsheet locale, de_DE, gives German separators), dates in Sheets' lower-case tokens."""
    code = cell.format_code
    if code is None or code == "@":
        return None
    pattern = _LOCALE_TAG.sub("", code)
    if cell.kind is Kind.DATE:
        return {"type": "DATE", "pattern": pattern.lower()}
    return {"type": "NUMBER", "pattern": pattern}


_TEXT_FORMATS: dict[Style, dict[str, Any]] = {
    Style.TITLE: {"bold": True, "fontSize": 14},
    Style.NOTE: {"italic": True, "foregroundColor": _rgb("#595959")},
    Style.HEADER: {"bold": True},
    Style.BOLD: {"bold": True},
    Style.TOTAL: {"bold": True},
}


def _format(cell: Cell) -> dict[str, Any]:
    fmt: dict[str, Any] = {}
    number = number_format(cell)
    if number:
        fmt["numberFormat"] = number
    if cell.background:
        fmt["backgroundColor"] = _rgb(cell.background)
    text = dict(_TEXT_FORMATS.get(cell.style, {}))
    if cell.link is not None and cell.link.url:
        text.update({"link": {"uri": cell.link.url}, "foregroundColor": _rgb(LINK_COLOUR), "underline": True})
    if text:
        fmt["textFormat"] = text
    if cell.style in (Style.HEADER, Style.WRAP, Style.STAFF):
        fmt["wrapStrategy"] = "WRAP"
        fmt["verticalAlignment"] = "TOP"
    if cell.style is Style.TOTAL:
        fmt["borders"] = {"top": {"style": "SOLID"}}
    return fmt


def cell_data(cell: Cell) -> dict[str, Any]:
    """One grid cell as the Sheets API's CellData."""
    data: dict[str, Any] = {}
    entered = {"formulaValue": cell.formula} if cell.formula else _value(cell.value)
    if entered is not None:
        data["userEnteredValue"] = entered
    fmt = _format(cell)
    if fmt:
        data["userEnteredFormat"] = fmt
    if cell.link is not None and cell.link.tip:
        data["note"] = cell.link.tip
    return data


def read_master(access: GoogleAccess, sheet: str) -> tuple[dict, dict[str, Annotation] | None]:
    """The master's sheet layout and charts (one spreadsheets.get) and, if it has an Übersicht, the staff's columns
    in it (one values.get): at most two reads before the one write."""
    client = access.master.http_client
    meta = client.spreadsheets_get(
        sheet, params={"fields": "sheets(properties(sheetId,title,index,gridProperties),charts(chartId))"}
    )
    titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
    if SHEET_OVERVIEW not in titles:
        return meta, None
    values = client.values_get(
        sheet,
        f"'{SHEET_OVERVIEW}'",
        params={"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"},
    ).get("values", [])
    return meta, read_staff_columns(values, serial_dates=True)


def _free_id(wanted: int, used: set[int]) -> int:
    """Pakt's own id for a tab, unless staff renamed that tab (it keeps its id): then the next free one."""
    sheet_id = wanted
    while sheet_id in used:
        sheet_id += 100
    used.add(sheet_id)
    return sheet_id


def column_pixels(width: float) -> int:
    """An xlsx column width (characters of the default font) in screen pixels, as Excel converts it."""
    return round(width * 7 + 5)


def _grid_properties(grid: SheetGrid, height: int, width: int) -> dict[str, int]:
    rows, cols = grid.freeze or (0, 0)
    return {"rowCount": height, "columnCount": width, "frozenRowCount": rows, "frozenColumnCount": cols}


def _layout_requests(sheet_id: int, grid: SheetGrid) -> list[dict]:
    """Column widths, the filter over the table and the drop-downs, after the cells are written."""
    requests: list[dict] = [
        {
            "updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1},
                "properties": {"pixelSize": column_pixels(width)},
                "fields": "pixelSize",
            }
        }
        for col, width in enumerate(grid.widths)
    ]
    first = grid.first_data_row
    if first is None or not grid.data_rows:
        return requests
    table = {
        "sheetId": sheet_id,
        "startRowIndex": grid.header_row,
        "endRowIndex": first + grid.data_rows,
        "startColumnIndex": 0,
        "endColumnIndex": len(grid.header),
    }
    requests.append({"setBasicFilter": {"filter": {"range": table}}})
    for col, choices in grid.choices:
        requests.append(
            {
                "setDataValidation": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": first,
                        "endRowIndex": first + grid.data_rows,
                        "startColumnIndex": col,
                        "endColumnIndex": col + 1,
                    },
                    "rule": {
                        "condition": {
                            "type": "ONE_OF_LIST",
                            "values": [{"userEnteredValue": choice} for choice in choices],
                        },
                        "inputMessage": "Bitte einen Eintrag aus der Liste wählen: " + ", ".join(choices) + ".",
                        "strict": True,
                        "showCustomUi": True,
                    },
                }
            }
        )
    return requests


def _sheet_requests(
    index: int, grid: SheetGrid, existing: dict[str, dict], used: set[int], least: tuple[int, int] = (0, 0)
) -> tuple[int, list[dict]]:
    """The tab's sheet id and the requests that make it show the grid, at least `least` rows and columns."""
    rows = [{"values": [cell_data(cell) for cell in row]} for row in grid.rows]
    height, width = max(len(rows) + SPARE_ROWS, least[0]), max(grid.width, len(grid.widths), least[1], 1)
    props = existing.get(grid.name)
    requests: list[dict] = []
    if props is None:
        sheet_id = _free_id(SHEET_IDS[grid.name], used)
        requests.append(
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": grid.name,
                        "index": index,
                        "gridProperties": _grid_properties(grid, height, width),
                    }
                }
            }
        )
    else:
        sheet_id = props["sheetId"]
        grid_props = props.get("gridProperties", {})
        size = (max(height, grid_props.get("rowCount", 0)), max(width, grid_props.get("columnCount", 0)))
        requests.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet_id, "gridProperties": _grid_properties(grid, *size)},
                    "fields": "gridProperties(rowCount,columnCount,frozenRowCount,frozenColumnCount)",
                }
            }
        )
        requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": CELL_FIELDS + ",dataValidation"}})
    requests.append(
        {
            "updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                "rows": rows,
                "fields": CELL_FIELDS,
            }
        }
    )
    return sheet_id, requests + _layout_requests(sheet_id, grid)


# -- the Auswertung's charts -----------------------------------------------------------------------


def _source(data: ChartData, col: int, sheet_ids: dict[str, int]) -> dict:
    """One column of a chart's figures as a ChartData source range."""
    grid_range = {
        "sheetId": sheet_ids[data.sheet],
        "startRowIndex": data.first_row,
        "endRowIndex": data.last_row + 1,
        "startColumnIndex": col,
        "endColumnIndex": col + 1,
    }
    return {"sourceRange": {"sources": [grid_range]}}


def _chart(chart_id: int, data: ChartData, spec: dict, sheet_ids: dict[str, int]) -> dict:
    row, col = data.anchor
    return {
        "addChart": {
            "chart": {
                "chartId": chart_id,
                "spec": {"title": data.title, "titleTextFormat": {"bold": True, "fontSize": 12}, **spec},
                "position": {
                    "overlayPosition": {
                        "anchorCell": {"sheetId": sheet_ids[SHEET_CHARTS], "rowIndex": row, "columnIndex": col},
                        "widthPixels": data.size_px[0],
                        "heightPixels": data.size_px[1],
                    }
                },
            }
        }
    }


def _status_chart(data: ChartData, sheet_ids: dict[str, int]) -> dict:
    """A pie of the status table, the legend naming every status."""
    pie = {
        "legendPosition": "RIGHT_LEGEND",
        "domain": _source(data, data.label_col, sheet_ids),
        "series": _source(data, data.value_col, sheet_ids),
    }
    return _chart(CHART_IDS["status"], data, {"pieChart": pie}, sheet_ids)


def _municipality_chart(key: str, axis_title: str, data: ChartData, sheet_ids: dict[str, int]) -> dict:
    """Columns of one figure per municipality, from zero up, the municipalities' names along the bottom."""
    columns = {
        "chartType": "COLUMN",
        "legendPosition": "NO_LEGEND",
        "headerCount": 0,
        "axis": [
            {"position": "BOTTOM_AXIS", "title": "Gemeinde"},
            {"position": "LEFT_AXIS", "title": axis_title, "viewWindowOptions": {"viewWindowMin": 0}},
        ],
        "domains": [{"domain": _source(data, data.label_col, sheet_ids)}],
        "series": [
            {
                "series": _source(data, data.value_col, sheet_ids),
                "targetAxis": "LEFT_AXIS",
                "colorStyle": {"rgbColor": _rgb(CHART_BLUE)},
            }
        ],
    }
    return _chart(CHART_IDS[key], data, {"basicChart": columns}, sheet_ids)


def _chart_room(found: Evaluation) -> tuple[int, int]:
    """Rows and columns the Auswertung needs for its charts to stand on cells of its grid (at Google's default
    21 pixels a row and 100 a column)."""
    charts = (found.status, found.persons, found.allowance)
    rows = max(data.anchor[0] + -(-data.size_px[1] // 21) for data in charts)
    return rows, max(data.anchor[1] + -(-data.size_px[0] // 100) for data in charts)


def chart_requests(found: Evaluation, sheet_ids: dict[str, int], meta: dict) -> list[dict]:
    """Pakt's charts the master has deleted, then the Auswertung's charts added (a chart by municipality only
    where there is a municipality)."""
    present = {chart.get("chartId") for sheet in meta.get("sheets", []) for chart in sheet.get("charts", [])}
    requests = [
        {"deleteEmbeddedObject": {"objectId": chart_id}} for chart_id in CHART_IDS.values() if chart_id in present
    ]
    requests.append(_status_chart(found.status, sheet_ids))
    if found.persons.rows > 0:
        requests.append(_municipality_chart("persons", "Personen", found.persons, sheet_ids))
        requests.append(_municipality_chart("allowance", "Euro", found.allowance, sheet_ids))
    return requests


def master_requests(grids: Sequence[SheetGrid], meta: dict, found: Evaluation | None = None) -> list[dict]:
    """The batchUpdate requests that make the master show the grids (sheets added or resized, cleared, filled,
    laid out) and, with `found`, the Auswertung after them: its table and charts."""
    existing = {s["properties"]["title"]: s["properties"] for s in meta.get("sheets", [])}
    used = {props["sheetId"] for props in existing.values()}
    shown = [*grids, found.grid] if found is not None else list(grids)
    requests: list[dict] = []
    sheet_ids: dict[str, int] = {}
    for index, grid in enumerate(shown):
        least = _chart_room(found) if found is not None and grid is found.grid else (0, 0)
        sheet_ids[grid.name], sheet_requests = _sheet_requests(index, grid, existing, used, least)
        requests += sheet_requests
    if found is not None:
        requests += chart_requests(found, sheet_ids, meta)
    return requests


def write_master(
    access: GoogleAccess, sheet: str, grids: Sequence[SheetGrid], meta: dict, found: Evaluation | None = None
) -> None:
    """One batchUpdate with everything."""
    access.master.http_client.batch_update(sheet, {"requests": master_requests(grids, meta, found)})
