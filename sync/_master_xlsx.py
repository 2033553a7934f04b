"""The district master workbook (.xlsx): Übersicht, Integrationsmanager, Prüfbericht, Verlauf, Auswertung.

Figures come from the district view, which Python computed; totals are
written as formulas (with the computed value cached) so a spreadsheet program
recalculates them to the same result. Every figure links to its source cell.
Clerk text is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from plugin import NUMBER_FORMATS
from schemas import Kind, Severity, format_date, to_a1

from ._consolidate import DistrictView, MunicipalityRow, Status
from ._master_files import AGS_HEADER, FOLLOW_UP_HEADER, NOTE_HEADER, SHEET_OVERVIEW
from ._store import RunRecord

SHEET_STAFF = "Integrationsmanager"
SHEET_REPORT = "Prüfbericht"
SHEET_HISTORY = "Verlauf"
SHEET_CHARTS = "Auswertung"

STATUS_FILL = {
    Status.FEHLT: "#F4B6B6",
    Status.FEHLERHAFT: "#F8CBAD",
    Status.EINGEGANGEN: "#FFEB9C",
    Status.EINGEREICHT: "#C6EFCE",
    Status.VERSPAETET: "#D9D2E9",
}
LINKED_FIGURES_PER_ROW = 7
MAX_LINKS_PER_SHEET = 60_000
"""Excel keeps at most 65,530 hyperlinks on a sheet; past this many, only the source column links."""

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: Kind | None = None


OVERVIEW_COLUMNS = (
    Column(AGS_HEADER, 10),
    Column("Gemeinde", 24),
    Column("Status", 13),
    Column("Integrationsmanagement", 14),
    Column("Personen", 10, Kind.COUNT),
    Column("Pro-Kopf-Pauschale", 16, Kind.MONEY),
    Column("IM (Personen)", 10, Kind.COUNT),
    Column("IM (VZÄ)", 9, Kind.FTE),
    Column("VZÄ-Anteil nach Personen", 12, Kind.FTE),
    Column("Fallzahl (Personen je VZÄ)", 12, None),
    Column("Sachkosten", 13, Kind.MONEY),
    Column("Verwendung der Pauschale", 14, Kind.MONEY),
    Column("Freigegeben am", 12, Kind.DATE),
    Column("Quelle", 28),
    Column("Hinweis", 40),
    Column(NOTE_HEADER, 36),
    Column(FOLLOW_UP_HEADER, 14, Kind.DATE),
)
_COL = {c.header: i for i, c in enumerate(OVERVIEW_COLUMNS)}


@dataclass(frozen=True)
class RunStamp:
    """The run this master belongs to."""

    run_id: int
    started_at: datetime
    finished_at: datetime


class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
        self.text = book.add_format({})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.typed = book.add_format({"bg_color": "#FFF2CC", "text_wrap": True, "valign": "top"})
        self.typed_date = book.add_format({"bg_color": "#FFF2CC", "num_format": NUMBER_FORMATS[Kind.DATE]})
        self.bold = book.add_format({"bold": True, "top": 1})
        self.link = book.add_format({"font_color": "#1F4E79", "underline": 1})
        self.caseload = book.add_format({"num_format": "[$-407]0.0"})
        self.caseload_total = book.add_format({"num_format": "[$-407]0.0", "bold": True, "top": 1})
        self.status = {s: book.add_format({"bg_color": c, "bold": True}) for s, c in STATUS_FILL.items()}
        self._numbers: dict[tuple[Kind, bool], Any] = {}

    def number(self, kind: Kind, total: bool = False) -> Any:
        key = (kind, total)
        if key not in self._numbers:
            props: dict[str, Any] = {"num_format": NUMBER_FORMATS[kind]}
            if total:
                props.update({"bold": True, "top": 1})
            self._numbers[key] = self.book.add_format(props)
        return self._numbers[key]


def _relative(source: str, master_dir: Path) -> str:
    return os.path.relpath(source, master_dir)


GOOGLE_PREFIX = "gsheet:"


def _target(source: str, master_dir: Path, anchor: str = "") -> str:
    """A hyperlink target: the file relative to the master (with #'Sheet'!A1), or the Google sheet's URL."""
    if source.startswith(GOOGLE_PREFIX):
        return f"https://docs.google.com/spreadsheets/d/{source[len(GOOGLE_PREFIX):]}/edit"
    return f"external:{_relative(source, master_dir)}{anchor}"


class MasterWriter:
    """Writes one master workbook into memory."""

    def __init__(self, view: DistrictView, stamp: RunStamp, master_dir: Path) -> None:
        self.view = view
        self.stamp = stamp
        self.master_dir = master_dir
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.book.set_properties(
            {"title": f"Pakt für Integration – {view.registry.district.name}", "author": "Pakt", "created": stamp.finished_at}
        )
        self.fmt = _Formats(self.book)
        self.sheets = {
            name: self.book.add_worksheet(name)
            for name in (SHEET_OVERVIEW, SHEET_STAFF, SHEET_REPORT, SHEET_HISTORY, SHEET_CHARTS)
        }
        rows = len(view.rows)
        self.link_figures = rows * (LINKED_FIGURES_PER_ROW + 1) <= MAX_LINKS_PER_SHEET
        self.first_data_row = FIRST_ROW
        self.totals_row = FIRST_ROW + rows
        self.staff_first, self.staff_last = 5, 5 + max(len(view.staff), 1) - 1

    # -- Übersicht -------------------------------------------------------------------------

    def _title(self, sheet: Worksheet, title: str, lines: Sequence[str]) -> None:
        sheet.write_string(0, 0, title, self.fmt.title)
        for offset, line in enumerate(lines, start=1):
            sheet.write_string(offset, 0, line, self.fmt.note)

    def _figure(self, sheet: Worksheet, row: int, col: int, value: Any, kind: Kind | None, source: tuple[str, str, tuple[str, str] | None] | None) -> None:
        """A number, linked to the cell it comes from (source: relative path, file name, (sheet, cell))."""
        fmt = self.fmt.number(kind) if kind else self.fmt.caseload
        if self.link_figures and source is not None and source[2] is not None:
            path, file_name, (sheet_name, cell) = source
            target = _target(path, self.master_dir, f"#'{sheet_name}'!{cell}")
            sheet.write_url(row, col, target, fmt, tip=f"Quelle: {file_name}, Blatt {sheet_name}, Zelle {cell}")
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, date):
            sheet.write_datetime(row, col, value, fmt)
        else:
            sheet.write_number(row, col, float(value), fmt)

    def _overview_row(self, sheet: Worksheet, r: int, row: MunicipalityRow) -> None:
        m = row.municipality
        status_fmt = self.fmt.status[row.status]
        sheet.write_string(r, _COL[AGS_HEADER], m.ags, status_fmt)
        sheet.write_string(r, _COL["Gemeinde"], m.name)
        sheet.write_string(r, _COL["Status"], row.status.value, status_fmt)
        sheet.write_string(r, _COL["Integrationsmanagement"], _mode(row))
        values = figure_values(row)
        version = row.used
        file_name = Path(version.path).name if version is not None else ""
        for header, field in FIGURE_SOURCES.items():
            col = _COL[header]
            source = (version.path, file_name, _place(version, field)) if version is not None and field else None
            self._figure(sheet, r, col, values[header], OVERVIEW_COLUMNS[col].kind, source)
        if version is not None:
            sheet.write_url(r, _COL["Quelle"], _target(version.path, self.master_dir), self.fmt.link, file_name)
        sheet.write_string(r, _COL["Hinweis"], row.remark, self.fmt.wrap)
        sheet.write_string(r, _COL[NOTE_HEADER], row.annotation.note, self.fmt.typed)
        self._write_follow_up(sheet, r, row.annotation.follow_up)

    def _write_follow_up(self, sheet: Worksheet, r: int, text: str) -> None:
        col = _COL[FOLLOW_UP_HEADER]
        try:
            sheet.write_datetime(r, col, date.fromisoformat(text), self.fmt.typed_date)
        except ValueError:
            sheet.write_string(r, col, text, self.fmt.typed)

    def _sum(self, col: int) -> str:
        return f"=SUM({to_a1(self.first_data_row, col)}:{to_a1(self.totals_row - 1, col)})"

    def _overview_totals(self, sheet: Worksheet) -> None:
        r, totals = self.totals_row, self.view.totals
        sheet.write_string(r, _COL[AGS_HEADER], "", self.fmt.bold)
        sheet.write_string(r, _COL["Gemeinde"], f"{self.view.registry.district.name} gesamt", self.fmt.bold)
        statuses = f"{to_a1(self.first_data_row, 2)}:{to_a1(r - 1, 2)}"
        everyone = len(self.view.rows)
        reported = f"{everyone - self.view.missing} von {everyone} gemeldet"
        sheet.write_formula(r, _COL["Status"], f'=COUNTIF({statuses},"<>fehlt")&" von {everyone} gemeldet"', self.fmt.bold, reported)
        modes = f"{to_a1(self.first_data_row, 3)}:{to_a1(r - 1, 3)}"
        self_managed = sum(1 for row in self.view.rows if _mode(row) == "selbst")
        sheet.write_formula(r, _COL["Integrationsmanagement"], f'=COUNTIF({modes},"selbst")&" selbst"', self.fmt.bold, f"{self_managed} selbst")
        sums = {
            "Personen": (totals.persons, Kind.COUNT),
            "Pro-Kopf-Pauschale": (totals.allowance_eur, Kind.MONEY),
            "IM (VZÄ)": (totals.im_fte, Kind.FTE),
            "VZÄ-Anteil nach Personen": (sum((row.allocated_fte or Decimal(0) for row in self.view.rows), Decimal("0.00")), Kind.FTE),
            "Sachkosten": (totals.material_costs_eur, Kind.MONEY),
            "Verwendung der Pauschale": (totals.funds_use_eur, Kind.MONEY),
        }
        for header, (value, kind) in sums.items():
            sheet.write_formula(r, _COL[header], self._sum(_COL[header]), self.fmt.number(kind, total=True), float(value))
        heads = f"='{SHEET_STAFF}'!B2"
        sheet.write_formula(r, _COL["IM (Personen)"], heads, self.fmt.number(Kind.COUNT, total=True), totals.im_heads)
        persons, fte = to_a1(r, _COL["Personen"]), to_a1(r, _COL["IM (VZÄ)"])
        caseload = f'=IF({fte}>0,ROUND({persons}/{fte},1),"")'
        sheet.write_formula(r, _COL["Fallzahl (Personen je VZÄ)"], caseload, self.fmt.caseload_total, float(totals.caseload) if totals.caseload is not None else "")

    def write_overview(self) -> None:
        sheet, view = self.sheets[SHEET_OVERVIEW], self.view
        registry = view.registry
        deadline = f" · Abgabefrist {format_date(registry.round.deadline)}" if registry.round.deadline else ""
        self._title(
            sheet,
            f"Pakt für Integration – Übersicht {registry.district.name}",
            [
                f"Stichtag {format_date(registry.round.stichtag)}{deadline} · {view.rules.name} · "
                f"Stand {self.stamp.finished_at:%d.%m.%Y %H:%M} (Abgleich Nr. {self.stamp.run_id})",
                "Alle Zahlen hat Pakt aus den Eingaben der Gemeinden neu berechnet; ein Klick auf eine Zahl öffnet ihre Quellzelle. "
                "Die gelben Spalten Bemerkung und Wiedervorlage gehören Ihnen und bleiben bei jedem Abgleich erhalten.",
            ],
        )
        for col, column in enumerate(OVERVIEW_COLUMNS):
            sheet.set_column(col, col, column.width)
            sheet.write_string(HEADER_ROW, col, column.header, self.fmt.header)
        sheet.set_row(HEADER_ROW, 45)
        for offset, row in enumerate(view.rows):
            self._overview_row(sheet, FIRST_ROW + offset, row)
        self._overview_totals(sheet)
        sheet.freeze_panes(FIRST_ROW, 2)
        sheet.autofilter(HEADER_ROW, 0, self.totals_row - 1, len(OVERVIEW_COLUMNS) - 1)
        sheet.repeat_rows(HEADER_ROW)
        sheet.activate()

    # -- Integrationsmanager ------------------------------------------------------------------

    def write_staff(self) -> None:
        sheet, staff = self.sheets[SHEET_STAFF], self.view.staff
        headers = ("AGS", "Gemeinde", "Kürzel", "Stellenanteil (VZÄ)", "Beginn", "Arbeitgeber", "Quelle")
        widths = (10, 24, 10, 12, 12, 16, 40)
        sheet.write_string(0, 0, "Integrationsmanager im Landkreis", self.fmt.title)
        first, last = self.staff_first, self.staff_last
        kuerzel = f"C{first + 1}:C{last + 1}"
        sheet.write_string(1, 0, "Personen (verschiedene Kürzel)", self.fmt.bold)
        sheet.write_formula(1, 1, f'=SUMPRODUCT(({kuerzel}<>"")/COUNTIF({kuerzel},{kuerzel}&""))', self.fmt.number(Kind.COUNT, True), self.view.totals.im_heads)
        sheet.write_string(2, 0, "Vollzeitstellen (VZÄ)", self.fmt.bold)
        sheet.write_formula(2, 1, f"=SUM(D{first + 1}:D{last + 1})", self.fmt.number(Kind.FTE, True), float(self.view.totals.im_fte))
        for col, (header, width) in enumerate(zip(headers, widths)):
            sheet.set_column(col, col, width)
            sheet.write_string(first - 1, col, header, self.fmt.header)
        for offset, line in enumerate(staff):
            r = first + offset
            sheet.write_string(r, 0, line.municipality.ags)
            sheet.write_string(r, 1, line.municipality.name)
            sheet.write_string(r, 2, line.manager.pseudonym)
            sheet.write_number(r, 3, float(line.manager.fte), self.fmt.number(Kind.FTE))
            sheet.write_datetime(r, 4, line.manager.start_date, self.fmt.number(Kind.DATE))
            sheet.write_string(r, 5, line.manager.employer.value)
            where = f"#'{line.sheet}'!{line.cell}" if line.sheet and line.cell else ""
            label = f"{Path(line.source).name}, {line.sheet}!{line.cell}" if where else Path(line.source).name
            sheet.write_url(r, 6, _target(line.source, self.master_dir, where), self.fmt.link, label)
        sheet.freeze_panes(first, 0)
        sheet.autofilter(first - 1, 0, max(last, first), len(headers) - 1)

    # -- Prüfbericht ----------------------------------------------------------------------------

    def write_report(self) -> None:
        sheet = self.sheets[SHEET_REPORT]
        headers = ("Schwere", "Gemeinde", "AGS", "Datei", "Blatt", "Zelle", "Code", "Meldung", "Fassung")
        widths = (9, 22, 10, 30, 18, 7, 22, 90, 26)
        lines = self.view.report
        errors = sum(1 for line in lines if line.finding.severity is Severity.ERROR)
        warnings = sum(1 for line in lines if line.finding.severity is Severity.WARNING)
        notes = len(lines) - errors - warnings
        self._title(sheet, "Prüfbericht", [f"{errors} Fehler, {_counted(warnings, 'Warnung', 'Warnungen')}, {_counted(notes, 'Hinweis', 'Hinweise')}."])
        for col, (header, width) in enumerate(zip(headers, widths)):
            sheet.set_column(col, col, width)
            sheet.write_string(HEADER_ROW - 1, col, header, self.fmt.header)
        if not lines:
            sheet.write_string(HEADER_ROW, 0, "Keine Beanstandungen.")
        for offset, line in enumerate(lines):
            r, finding = HEADER_ROW + offset, line.finding
            values = (
                finding.severity.value, line.municipality, line.ags, Path(finding.file).name if finding.file else "",
                finding.sheet or "", finding.cell or "", finding.code.value, finding.message, line.version,
            )
            for col, value in enumerate(values):
                sheet.write_string(r, col, value, self.fmt.wrap if col == 7 else self.fmt.text)
        sheet.freeze_panes(HEADER_ROW, 0)
        if lines:
            sheet.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + len(lines), len(headers) - 1)

    # -- Verlauf ------------------------------------------------------------------------------

    def write_history(self, runs: Sequence[RunRecord], changes: Sequence[str]) -> None:
        sheet = self.sheets[SHEET_HISTORY]
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 2, 18)
        sheet.set_column(3, 8, 13)
        sheet.write_string(0, 0, "Verlauf der Abgleiche", self.fmt.title)
        sheet.write_string(2, 0, "Änderungen seit dem letzten Abgleich", self.fmt.bold)
        listed = list(changes) or ["Keine Änderungen."]
        for offset, text in enumerate(listed):
            sheet.write_string(3 + offset, 0, f"• {text}")
        r = 5 + len(listed)
        headers = ("Abgleich", "Beginn", "Ende", "gelesen", "unverändert", "neue Fassungen", "fehlerhaft", "fehlend", "Übersicht")
        for col, header in enumerate(headers):
            sheet.write_string(r, col, header, self.fmt.header)
        for offset, run in enumerate(runs, start=1):
            counts = run.counts
            row = r + offset
            sheet.write_number(row, 0, run.id)
            sheet.write_string(row, 1, f"{run.started_at:%d.%m.%Y %H:%M:%S}")
            sheet.write_string(row, 2, f"{run.finished_at:%d.%m.%Y %H:%M:%S}" if run.finished_at else "abgebrochen")
            for col, key in enumerate(("read", "unchanged", "new_versions", "invalid", "missing"), start=3):
                if key in counts:
                    sheet.write_number(row, col, counts[key])
            sheet.write_string(row, 8, counts.get("master_note", ""))

    # -- Auswertung ---------------------------------------------------------------------------

    def write_charts(self) -> None:
        sheet, view = self.sheets[SHEET_CHARTS], self.view
        sheet.write_string(0, 0, "Auswertung", self.fmt.title)
        sheet.write_string(2, 0, "Status", self.fmt.header)
        sheet.write_string(2, 1, "Gemeinden", self.fmt.header)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 11)
        status_range = f"'{SHEET_OVERVIEW}'!${_letter(_COL['Status'])}${self.first_data_row + 1}:${_letter(_COL['Status'])}${self.totals_row}"
        for offset, status in enumerate(Status):
            r = 3 + offset
            sheet.write_string(r, 0, status.value, self.fmt.status[status])
            sheet.write_formula(r, 1, f'=COUNTIF({status_range},"{status.value}")', None, view.count(status))
        last_status_row = 3 + len(Status) - 1
        completeness = self.book.add_chart({"type": "pie"})
        completeness.add_series(
            {
                "name": "Vollständigkeit",
                "categories": [SHEET_CHARTS, 3, 0, last_status_row, 0],
                "values": [SHEET_CHARTS, 3, 1, last_status_row, 1],
                "points": [{"fill": {"color": STATUS_FILL[s]}} for s in Status],
            }
        )
        completeness.set_title({"name": "Vollständigkeit der Meldungen"})
        sheet.insert_chart("D3", completeness, {"x_scale": 1.2, "y_scale": 1.2})
        first, last = self.first_data_row, self.totals_row - 1
        for anchor, header, title in (
            ("D22", "Personen", "Personen in Anschlussunterbringung je Gemeinde"),
            ("D45", "Pro-Kopf-Pauschale", "Pro-Kopf-Pauschale je Gemeinde (€)"),
        ):
            chart = self.book.add_chart({"type": "column"})
            chart.add_series(
                {
                    "name": header,
                    "categories": [SHEET_OVERVIEW, first, _COL["Gemeinde"], last, _COL["Gemeinde"]],
                    "values": [SHEET_OVERVIEW, first, _COL[header], last, _COL[header]],
                    "fill": {"color": "#4472C4"},
                }
            )
            chart.set_title({"name": title})
            chart.set_legend({"none": True})
            chart.set_x_axis({"num_font": {"rotation": -60}})
            chart.set_size({"width": 1100, "height": 420})
            sheet.insert_chart(anchor, chart)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


FIGURE_SOURCES: dict[str, str | None] = {
    "Personen": "persons.total",
    "Pro-Kopf-Pauschale": "persons.total",
    "IM (Personen)": "staff",
    "IM (VZÄ)": "staff",
    "VZÄ-Anteil nach Personen": None,
    "Fallzahl (Personen je VZÄ)": None,
    "Sachkosten": "material_costs.office_eur",
    "Verwendung der Pauschale": "funds_use.child_care_eur",
    "Freigegeben am": "sign_off.date",
}
"""The figure columns of the Übersicht and the input each one comes from (None: computed for the district)."""


def figure_values(row: MunicipalityRow) -> dict[str, Any]:
    """The figures of one Übersicht row, by column header (None where the municipality has none)."""
    figures = row.figures
    return {
        "Personen": figures.persons if figures else None,
        "Pro-Kopf-Pauschale": figures.allowance_eur if figures else None,
        "IM (Personen)": len(row.submission.managers) if row.submission else None,
        "IM (VZÄ)": figures.im_fte if figures else None,
        "VZÄ-Anteil nach Personen": row.allocated_fte,
        "Fallzahl (Personen je VZÄ)": figures.caseload if figures else None,
        "Sachkosten": figures.material_costs_eur if figures else None,
        "Verwendung der Pauschale": figures.funds_use_eur if figures else None,
        "Freigegeben am": row.submitted_on,
    }


def overview_values(view: DistrictView) -> list[list[Any]]:
    """The Übersicht as plain values (header, one row per municipality, totals), for workbooks written cell by cell."""
    def plain(value: Any) -> Any:
        return float(value) if isinstance(value, Decimal) else ("" if value is None else value)

    rows: list[list[Any]] = [[c.header for c in OVERVIEW_COLUMNS]]
    for row in view.rows:
        figures = figure_values(row)
        values = {AGS_HEADER: row.municipality.ags, "Gemeinde": row.municipality.name, "Status": row.status.value,
                  "Integrationsmanagement": _mode(row), "Quelle": Path(row.used.path).name if row.used else "",
                  "Hinweis": row.remark, NOTE_HEADER: row.annotation.note, FOLLOW_UP_HEADER: _as_date(row.annotation.follow_up),
                  **figures}
        rows.append([plain(values.get(c.header)) for c in OVERVIEW_COLUMNS])
    totals = view.totals
    sums = {"Gemeinde": f"{view.registry.district.name} gesamt", "Personen": totals.persons,
            "Pro-Kopf-Pauschale": totals.allowance_eur, "IM (Personen)": totals.im_heads, "IM (VZÄ)": totals.im_fte,
            "Fallzahl (Personen je VZÄ)": totals.caseload, "Sachkosten": totals.material_costs_eur,
            "Verwendung der Pauschale": totals.funds_use_eur,
            "VZÄ-Anteil nach Personen": sum((r.allocated_fte or Decimal(0) for r in view.rows), Decimal("0.00"))}
    rows.append([plain(sums.get(c.header)) for c in OVERVIEW_COLUMNS])
    return rows


def _as_date(text: str) -> date | str:
    """A follow-up date typed as a date stays a date; free text ("nach Urlaub") stays text."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


def _place(version, field: str) -> tuple[str, str] | None:
    """Sheet and cell a figure comes from: a named input, or the first row of the staff table."""
    if field == "staff":
        staff = version.locations.get("staff") or []
        return (staff[0][0], staff[0][1]) if staff else None
    return version.where(field)


def _mode(row: MunicipalityRow) -> str:
    """The mode a row shows: from its submission, else from the registry."""
    return row.figures.mode.value if row.figures else row.municipality.im_mode.value


def _letter(col: int) -> str:
    return to_a1(0, col)[:-1]


def _counted(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def build_master(view: DistrictView, stamp: RunStamp, runs: Sequence[RunRecord], changes: Sequence[str], master_dir: Path) -> bytes:
    """The whole master workbook as bytes."""
    writer = MasterWriter(view, stamp, master_dir)
    writer.write_overview()
    writer.write_staff()
    writer.write_report()
    writer.write_history(runs, changes)
    writer.write_charts()
    for sheet in writer.sheets.values():
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    return writer.close()
