"""What Google's and Excel's clients would send for a workbook, built from an xlsx file.

Stand-ins for the clients that cannot run here: the Apps Script client
(xlwings.js runPython) and Excel's Office.js client. Shapes follow what those
clients put on the wire: Apps Script sends dates as ISO strings and has named
ranges but no tables; Office.js sends dates as serial numbers and the tables.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

XLWINGS_VERSION = "0.37.8"
EPOCH = datetime(1899, 12, 30)


def _load(path: Path):
    return openpyxl.load_workbook(path, data_only=True)


def _grid(sheet, convert) -> list[list[Any]]:
    rows = sheet.max_row or 1
    cols = sheet.max_column or 1
    return [[convert(sheet.cell(r, c).value) for c in range(1, cols + 1)] for r in range(1, rows + 1)]


def _names(book) -> list[tuple[str, str, str]]:
    found = []
    for name, defined in book.defined_names.items():
        for sheet, ref in defined.destinations:
            found.append((name, sheet, ref.replace("$", "")))
    return found


def _tables(book) -> list[tuple[str, str, str]]:
    return [(table.name, sheet.title, table.ref) for sheet in book.worksheets for table in sheet.tables.values()]


def spreadsheet(path: Path) -> dict:
    """A Google spreadsheet as the Node stand-in of SpreadsheetApp holds it (dates as {"$date": iso}).

    Like Google's conversion of an xlsx: defined names become named ranges, tables do not survive.
    """
    book = _load(path)

    def cell(value: Any) -> Any:
        if isinstance(value, (datetime, date)):
            return {"$date": value.isoformat()[:10]}
        return "" if value is None else value

    named = [{"name": n, "sheet": s, "a1": a} for n, s, a in _names(book)]
    return {
        "name": path.stem,
        "sheets": [{"name": ws.title, "values": _grid(ws, cell)} for ws in book.worksheets],
        "namedRanges": named,
    }


def _name_entry(name: str, sheet_index: int, address: str) -> dict:
    return {
        "name": name,
        "sheet_index": sheet_index,
        "address": address,
        "book_scope": True,
        "scope_sheet_name": None,
        "scope_sheet_index": None,
    }


def apps_script_payload(path: Path) -> dict:
    """The body xlwings' Apps Script client (runPython) posts for this workbook."""
    book = _load(path)
    index = {ws.title: i for i, ws in enumerate(book.worksheets)}

    def cell(value: Any) -> Any:
        if isinstance(value, (datetime, date)):
            return datetime(value.year, value.month, value.day).isoformat() + ".000Z"
        return "" if value is None else value

    names = [_name_entry(n, index[s], a) for n, s, a in _names(book)]
    return {
        "client": "Google Apps Script",
        "version": XLWINGS_VERSION,
        "book": {"name": path.stem, "active_sheet_index": 1, "selection": "B6"},
        "names": names,
        "sheets": [
            {"name": ws.title, "values": _grid(ws, cell), "pictures": [], "tables": []} for ws in book.worksheets
        ],
    }


def officejs_payload(path: Path) -> dict:
    """The body Pakt's task pane (Office.js) posts for this workbook: serial dates, tables included."""
    book = _load(path)
    index = {ws.title: i for i, ws in enumerate(book.worksheets)}

    def cell(value: Any) -> Any:
        if isinstance(value, (datetime, date)):
            return float((datetime(value.year, value.month, value.day) - EPOCH).days)
        return "" if value is None else value

    def table_entry(ws, table) -> dict:
        first, last = table.ref.split(":")
        top_left = openpyxl.utils.cell.coordinate_from_string(first)
        bottom_right = openpyxl.utils.cell.coordinate_from_string(last)
        header = f"{first}:{bottom_right[0]}{top_left[1]}"
        body = f"{top_left[0]}{top_left[1] + 1}:{last}"
        return {
            "name": table.name,
            "range_address": table.ref,
            "header_row_range_address": header,
            "data_body_range_address": body,
            "total_row_range_address": None,
            "show_headers": True,
            "show_totals": False,
            "show_autofilter": False,
            "table_style": "",
            "columns": [],
        }

    return {
        "client": "Office.js",
        "version": XLWINGS_VERSION,
        "runtime": "1.4",
        "culture_info_name": "de-DE",
        "date_format": "TT.MM.JJJJ",
        "book": {"name": path.name, "active_sheet_index": 1, "selection": "B6"},
        "names": [_name_entry(n, index[s], a) for n, s, a in _names(book)],
        "sheets": [
            {
                "name": ws.title,
                "values": _grid(ws, cell),
                "pictures": [],
                "notes": [],
                "notes_supported": False,
                "shapes": [],
                "charts": [],
                "pivot_tables": [],
                "show_gridlines": True,
                "tables": [table_entry(ws, t) for t in ws.tables.values()],
            }
            for ws in book.worksheets
        ],
    }


def column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def _protection(sheet) -> dict:
    """A sheet's protection as Excel's API reports it (allow… = what the protection still permits)."""
    p = sheet.protection
    allowed = {
        "allowAutoFilter": p.autoFilter,
        "allowDeleteColumns": p.deleteColumns,
        "allowDeleteRows": p.deleteRows,
        "allowEditObjects": p.objects,
        "allowEditScenarios": p.scenarios,
        "allowFormatCells": p.formatCells,
        "allowFormatColumns": p.formatColumns,
        "allowFormatRows": p.formatRows,
        "allowInsertColumns": p.insertColumns,
        "allowInsertHyperlinks": p.insertHyperlinks,
        "allowInsertRows": p.insertRows,
        "allowPivotTables": p.pivotTables,
        "allowSort": p.sort,
    }
    return {"protected": bool(p.sheet), "options": {k: not bool(v) for k, v in allowed.items()}}


def _unlocked(sheet) -> list[str]:
    return [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.has_style and not cell.protection.locked
    ]


def _looks(sheet, formulas_sheet) -> dict:
    """A sheet's number formats, formulas and hyperlinks by A1 address, as the Excel stand-in keeps them."""
    formats, formulas, links = {}, {}, {}
    for row in formulas_sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                formulas[cell.coordinate] = cell.value
    for row in sheet.iter_rows():
        for cell in row:
            if cell.number_format not in ("General", "@"):
                formats[cell.coordinate] = cell.number_format
            if cell.hyperlink is not None and cell.hyperlink.target:
                links[cell.coordinate] = {"address": cell.hyperlink.target, "screenTip": cell.hyperlink.tooltip}
    return {"formats": formats, "formulas": formulas, "links": links}


def excel_workbook(path: Path) -> dict:
    """A workbook as the Excel stand-in holds it: values (serial dates), defined names, tables, each sheet's
    protection and its unlocked cells, number formats, formulas and hyperlinks."""
    payload = officejs_payload(path)
    book = _load(path)
    with_formulas = openpyxl.load_workbook(path)
    return {
        "sheets": [
            {
                "name": s["name"],
                "values": s["values"],
                "protection": _protection(ws),
                "unlocked": _unlocked(ws),
                **_looks(ws, with_formulas[ws.title]),
            }
            for s, ws in zip(payload["sheets"], book.worksheets, strict=True)
        ],
        "names": [{"name": n, "sheet": s, "address": a} for n, s, a in _names(book)],
        "tables": [{"name": n, "sheet": s, "ref": r} for n, s, r in _tables(book)],
    }


def open_master_payload(path: Path, overview_rows: list[list[Any]], client: str = "Google Apps Script") -> dict:
    """A payload of a workbook with an Übersicht sheet in front (an open master, as staff keep it), as the Apps
    Script client or ("Office.js") Pakt's task pane sends it."""
    payload = officejs_payload(path) if client == "Office.js" else apps_script_payload(path)
    extra = {"notes": [], "notes_supported": False, "shapes": [], "charts": [], "pivot_tables": [],
             "show_gridlines": True} if client == "Office.js" else {}  # fmt: skip
    payload["sheets"].insert(0, {"name": "Übersicht", "pictures": [], "tables": [], "values": overview_rows, **extra})
    for name in payload["names"]:
        name["sheet_index"] += 1
    return payload


def written_sheet(actions: list[dict], sheet_position: int = 0) -> list[list[Any]]:
    """The values a script wrote from A1 of a sheet (its first setValues there)."""
    return next(
        a
        for a in actions
        if a["func"] == "setValues"
        and a["sheet_position"] == sheet_position
        and a["start_row"] == 0
        and a["start_column"] == 0
    )["values"]


def _nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def _set(field: str, value: Any, index: int = 0) -> Callable[[dict], None]:
    return lambda payload: payload["names"][index].__setitem__(field, value)


def _drop(field: str, index: int = 0) -> Callable[[dict], None]:
    return lambda payload: payload["names"][index].pop(field)


def _local(**scope: Any) -> Callable[[dict], None]:
    return lambda payload: payload["names"][0].update(book_scope=False, **scope)


def _replace_names(value: Any) -> Callable[[dict], None]:
    return lambda payload: payload.__setitem__("names", value)


def _replace_tables(value: Any) -> Callable[[dict], None]:
    def change(payload: dict) -> None:
        sheet = next(s for s in payload["sheets"] if s.get("tables"))
        sheet["tables"] = value(sheet["tables"]) if callable(value) else value

    return change


BROKEN_NAMES: dict[str, tuple[Callable[[dict], None], str]] = {
    # an entry without a field xlwings needs
    "no-name": (_drop("name"), "Feld names.0.name fehlt"),
    "no-sheet-index": (_drop("sheet_index"), "Feld names.0.sheet_index fehlt"),
    "no-address": (_drop("address"), "Feld names.0.address fehlt"),
    # null where a value is needed
    "null-name": (_set("name", None), "Feld names.0.name hat einen ungültigen Wert"),
    "null-sheet-index": (_set("sheet_index", None), "Feld names.0.sheet_index hat einen ungültigen Wert"),
    "null-address": (_set("address", None), "Feld names.0.address hat einen ungültigen Wert"),
    "null-book-scope": (_set("book_scope", None), "Feld names.0.book_scope hat einen ungültigen Wert"),
    # numbers where text is expected, text where numbers are
    "number-name": (_set("name", 14), "Feld names.0.name hat einen ungültigen Wert"),
    "number-address": (_set("address", 14), "Feld names.0.address hat einen ungültigen Wert"),
    "text-sheet-index": (_set("sheet_index", "1"), "Feld names.0.sheet_index hat einen ungültigen Wert"),
    "fraction-sheet-index": (_set("sheet_index", 1.5), "Feld names.0.sheet_index hat einen ungültigen Wert"),
    "true-sheet-index": (_set("sheet_index", True), "Feld names.0.sheet_index hat einen ungültigen Wert"),
    "negative-sheet-index": (_set("sheet_index", -1), "Feld names.0.sheet_index hat einen ungültigen Wert"),
    "text-book-scope": (_set("book_scope", "ja"), "Feld names.0.book_scope hat einen ungültigen Wert"),
    "number-scope-name": (_local(scope_sheet_name=5, scope_sheet_index=1), "Feld names.0.scope_sheet_name hat"),
    # addresses a spreadsheet would not send
    "address-with-sheet": (_set("address", "Meldung!B14"), "Feld names.0.address hat einen ungültigen Wert"),
    "address-past-the-grid": (_set("address", "XFE1"), "Feld names.0.address hat einen ungültigen Wert"),
    "address-row-0": (_set("address", "B0"), "Feld names.0.address hat einen ungültigen Wert"),
    "address-three-parts": (_set("address", "A1:B2:C3"), "Feld names.0.address hat einen ungültigen Wert"),
    "address-no-cell": (_set("address", "x"), "Feld names.0.address hat einen ungültigen Wert"),
    "address-upside-down": (_set("address", "C3:A1"), "Feld names.0.address hat einen ungültigen Wert"),
    "rows-upside-down": (_set("address", "5:2"), "Feld names.0.address hat einen ungültigen Wert"),
    # lists where objects are expected, objects where lists are
    "names-object": (_replace_names({"name": "pakt_bind_ags"}), "Feld names hat einen ungültigen Wert"),
    "entry-list": (_replace_names([["pakt_bind_ags", 1, "B3"]]), "Feld names.0 hat einen ungültigen Wert"),
    "entry-text": (_replace_names(["pakt_bind_ags"]), "Feld names.0 hat einen ungültigen Wert"),
    "entry-null": (_replace_names([None]), "Feld names.0 hat einen ungültigen Wert"),
    "address-list": (_set("address", ["B14"]), "Feld names.0.address hat einen ungültigen Wert"),
    "address-object": (_set("address", {"row": 14}), "Feld names.0.address hat einen ungültigen Wert"),
    "tables-object": (_replace_tables({"name": "x"}), "Feld sheets.2.tables hat einen ungültigen Wert"),
    "table-no-range": (
        _replace_tables(lambda t: [{"name": t[0]["name"]}]),
        "Feld sheets.2.tables.0.range_address fehlt",
    ),
    "table-number-range": (_replace_tables(lambda t: [{**t[0], "range_address": 6}]), "tables.0.range_address hat"),
    # a range Pakt reads whole, re-pointed at a whole sheet (xlwings would build 17 billion cells)
    "staff-table-whole-sheet": (
        _replace_tables(lambda t: [{**t[0], "range_address": "A1:XFD1048576"}]),
        "der Bereich „pakt_managers“ (A1:XFD1048576) umfasst 17.179.869.184 Zellen, höchstens 1.000.000",
    ),
    "staff-body-whole-sheet": (
        _replace_tables(lambda t: [{**t[0], "data_body_range_address": "A:XFD"}]),
        "der Bereich „pakt_managers“ (A:XFD) umfasst 17.179.869.184 Zellen",
    ),
    "staff-range-whole-columns": (
        lambda payload: payload["names"].append({**payload["names"][0], "name": "pakt_staff", "address": "A:C"}),
        "der Bereich „pakt_staff“ (A:C) umfasst 3.145.728 Zellen",
    ),
    # huge strings, deep nesting
    "huge-name": (_set("name", "x" * 1_000_000), "Feld names.0.name hat einen ungültigen Wert"),
    "huge-address": (_set("address", "B" + "1" * 500_000), "Feld names.0.address hat einen ungültigen Wert"),
    "nested-name": (_set("name", _nested(500, "pakt_bind_ags")), "Feld names.0.name hat einen ungültigen Wert"),
    "nested-entry": (_replace_names(_nested(500, {})), "Feld names.0 hat einen ungültigen Wert"),
    # a sheet-scoped name must belong to a sheet that was sent, by index and name
    "local-no-sheet": (_local(), "gehört zu keinem mitgeschickten Blatt"),
    "local-sheet-99": (_local(scope_sheet_name="Meldung", scope_sheet_index=99), "zu keinem mitgeschickten Blatt"),
    "local-wrong-sheet": (_local(scope_sheet_name="Kosten", scope_sheet_index=1), "zu keinem mitgeschickten Blatt"),
}
"""Nested `names` entries (and the tables xlwings reads beside them) a broken or hostile client could send, each
with what the German 400 must say; applied to a payload of the Aldingen sample (the first name is a Pakt name)."""
