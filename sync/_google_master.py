"""The district master as a Google Sheet: one read (annotations, sheet layout), one batchUpdate (everything).

Values go in as typed cells (stringValue, numberValue), so text from clerks or
staff never becomes a formula; only the totals are formulaValue, and they are
Pakt's own. The staff's Bemerkung and Wiedervorlage are read before the view is
built and written back with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from schemas import Severity, format_date, to_a1

from ._consolidate import DistrictView
from ._google_client import GoogleAccess
from ._master_files import AGS_HEADER, FOLLOW_UP_HEADER, NOTE_HEADER, SHEET_OVERVIEW, read_annotations_from_rows
from ._master_xlsx import OVERVIEW_COLUMNS, STATUS_FILL, overview_values
from ._store import Annotation, RunRecord

SHEET_IDS = {SHEET_OVERVIEW: 7001, "Integrationsmanager": 7002, "Prüfbericht": 7003, "Verlauf": 7004}
HEADER_ROW = 4
EPOCH = date(1899, 12, 30)
SUMMED = ("Personen", "Pro-Kopf-Pauschale", "IM (VZÄ)", "VZÄ-Anteil nach Personen", "Sachkosten", "Verwendung der Pauschale")


def _rgb(hex_color: str) -> dict[str, float]:
    value = hex_color.lstrip("#")
    return {name: int(value[i : i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def _cell(value: Any, background: str | None = None, bold: bool = False) -> dict:
    cell: dict[str, Any] = {}
    fmt: dict[str, Any] = {}
    if isinstance(value, bool):
        cell["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, (int, float, Decimal)):
        cell["userEnteredValue"] = {"numberValue": float(value)}
    elif isinstance(value, (date, datetime)):
        day = value.date() if isinstance(value, datetime) else value
        cell["userEnteredValue"] = {"numberValue": (day - EPOCH).days}
        fmt["numberFormat"] = {"type": "DATE", "pattern": "dd.mm.yyyy"}
    elif value not in (None, ""):
        cell["userEnteredValue"] = {"stringValue": str(value)}
    if background:
        fmt["backgroundColor"] = _rgb(background)
    if bold:
        fmt["textFormat"] = {"bold": True}
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def _formula(text: str, bold: bool = True) -> dict:
    return {"userEnteredValue": {"formulaValue": text}, "userEnteredFormat": {"textFormat": {"bold": bold}}}


def read_master(access: GoogleAccess, sheet: str) -> tuple[dict, dict[str, Annotation] | None]:
    """The master's sheet layout (one spreadsheets.get) and, if it has an Übersicht, the staff's columns
    in it (one values.get): at most two reads before the one write."""
    client = access.master.http_client
    meta = client.spreadsheets_get(sheet, params={"fields": "sheets(properties(sheetId,title,index,gridProperties))"})
    titles = [s["properties"]["title"] for s in meta.get("sheets", [])]
    if SHEET_OVERVIEW not in titles:
        return meta, None
    values = client.values_get(sheet, f"'{SHEET_OVERVIEW}'", params={
        "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}).get("values", [])
    return meta, _annotations(values)


def _annotations(rows: list[list[Any]]) -> dict[str, Annotation] | None:
    header = next((r for r in rows if AGS_HEADER in r and NOTE_HEADER in r), None)
    if header is not None and FOLLOW_UP_HEADER in header:
        column = header.index(FOLLOW_UP_HEADER)
        for row in rows[rows.index(header) + 1 :]:
            if column < len(row) and isinstance(row[column], (int, float)) and not isinstance(row[column], bool):
                row[column] = EPOCH + timedelta(days=int(row[column]))
    return read_annotations_from_rows(rows)


def _overview_rows(view: DistrictView) -> list[dict]:
    table = overview_values(view)
    header, body, totals = table[0], table[1:-1], table[-1]
    registry = view.registry
    rows = [
        {"values": [_cell(f"Pakt für Integration – Übersicht {registry.district.name}", bold=True)]},
        {"values": [_cell(f"Stichtag {format_date(registry.round.stichtag)} · {view.rules.name} · Stand {datetime.now():%d.%m.%Y %H:%M}")]},
        {"values": []},
        {"values": []},
        {"values": [_cell(h, "#DDEBF7", bold=True) for h in header]},
    ]
    status_col = header.index("Status")
    for municipality_row, values in zip(view.rows, body):
        cells = [_cell(v) for v in values]
        cells[0] = _cell(values[0], STATUS_FILL[municipality_row.status])
        cells[status_col] = _cell(values[status_col], STATUS_FILL[municipality_row.status], bold=True)
        rows.append({"values": cells})
    first, last = HEADER_ROW + 2, HEADER_ROW + 1 + len(body)
    total_cells = [_cell(v, bold=True) for v in totals]
    for name in SUMMED:
        col = header.index(name)
        letter = to_a1(0, col)[:-1]
        total_cells[col] = _formula(f"=SUM({letter}{first}:{letter}{last})")
    rows.append({"values": total_cells})
    return rows


def _staff_rows(view: DistrictView) -> list[dict]:
    header = ["AGS", "Gemeinde", "Kürzel", "Stellenanteil (VZÄ)", "Beginn", "Arbeitgeber", "Quelle"]
    rows = [{"values": [_cell(h, "#DDEBF7", bold=True) for h in header]}]
    for line in view.staff:
        m = line.manager
        rows.append({"values": [_cell(v) for v in (line.municipality.ags, line.municipality.name, m.pseudonym, m.fte,
                                                   m.start_date, m.employer.value, line.source)]})
    return rows


def _report_rows(view: DistrictView) -> list[dict]:
    header = ["Schwere", "Gemeinde", "AGS", "Datei", "Blatt", "Zelle", "Code", "Meldung", "Fassung"]
    rows = [{"values": [_cell(h, "#DDEBF7", bold=True) for h in header]}]
    for line in view.report:
        f = line.finding
        fill = "#FFC7CE" if f.severity is Severity.ERROR else None
        rows.append({"values": [_cell(v, fill if i == 0 else None) for i, v in enumerate(
            (f.severity.value, line.municipality, line.ags, f.file or "", f.sheet or "", f.cell or "", f.code.value,
             f.message, line.version))]})
    if len(rows) == 1:
        rows.append({"values": [_cell("Keine Beanstandungen.")]})
    return rows


def _history_rows(runs: Sequence[RunRecord], changes: Sequence[str]) -> list[dict]:
    rows = [{"values": [_cell("Änderungen seit dem letzten Abgleich", bold=True)]}]
    rows += [{"values": [_cell(f"• {c}")]} for c in (changes or ["Keine Änderungen."])]
    rows.append({"values": []})
    header = ["Abgleich", "Beginn", "Ende", "gelesen", "unverändert", "neue Fassungen", "fehlerhaft", "fehlend"]
    rows.append({"values": [_cell(h, "#DDEBF7", bold=True) for h in header]})
    for run in runs:
        counts = run.counts
        rows.append({"values": [_cell(v) for v in (
            run.id, f"{run.started_at:%d.%m.%Y %H:%M:%S}", f"{run.finished_at:%d.%m.%Y %H:%M:%S}" if run.finished_at else "abgebrochen",
            counts.get("read", 0), counts.get("unchanged", 0), counts.get("new_versions", 0), counts.get("invalid", 0),
            counts.get("missing", 0))]})
    return rows


def master_requests(view: DistrictView, meta: dict, runs: Sequence[RunRecord], changes: Sequence[str]) -> list[dict]:
    """The batchUpdate requests that make the master show `view` (sheets added or resized, cleared, filled)."""
    content = {
        SHEET_OVERVIEW: _overview_rows(view),
        "Integrationsmanager": _staff_rows(view),
        "Prüfbericht": _report_rows(view),
        "Verlauf": _history_rows(runs, changes),
    }
    existing = {s["properties"]["title"]: s["properties"] for s in meta.get("sheets", [])}
    requests: list[dict] = []
    for index, (title, rows) in enumerate(content.items()):
        height = len(rows) + 20
        width = max(len(OVERVIEW_COLUMNS), max(len(r["values"]) for r in rows))
        props = existing.get(title)
        if props is None:
            sheet_id = SHEET_IDS[title]
            requests.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "index": index,
                                                          "gridProperties": {"rowCount": height, "columnCount": width}}}})
        else:
            sheet_id = props["sheetId"]
            grid = props.get("gridProperties", {})
            if grid.get("rowCount", 0) < height or grid.get("columnCount", 0) < width:
                requests.append({"updateSheetProperties": {
                    "properties": {"sheetId": sheet_id, "gridProperties": {
                        "rowCount": max(height, grid.get("rowCount", 0)), "columnCount": max(width, grid.get("columnCount", 0))}},
                    "fields": "gridProperties(rowCount,columnCount)"}})
            requests.append({"updateCells": {"range": {"sheetId": sheet_id}, "fields": "userEnteredValue,userEnteredFormat"}})
        requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0}, "rows": rows,
                                         "fields": "userEnteredValue,userEnteredFormat"}})
    return requests


def write_master(access: GoogleAccess, sheet: str, view: DistrictView, meta: dict, runs: Sequence[RunRecord], changes: Sequence[str]) -> None:
    """One batchUpdate with everything."""
    access.master.http_client.batch_update(sheet, {"requests": master_requests(view, meta, runs, changes)})
