"""The state master: the districts' figures in one workbook, with the district master's look and binding.

    Übersicht   one row per district (status, municipalities reported, persons, allowance, FTE, Stand, link to
                its master); totals as formulas with the sums Python computed cached, to the cent
    Gemeinden   every municipality of every district in the totals (the drill-down), each figure linked to
                its cell in the district's master
    Prüfbericht every finding about the districts' masters

The sheets are grids (pakt.schemas' SheetGrid), written by the district
master's writer; the hidden binding sheet names the state master what it is
(`pakt-land-uebersicht`) with the district master's defined names, so it can
be read back by name too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePath

import xlsxwriter

from pakt.schemas import (
    GERMAN_LOCALE_TAG,
    Cell,
    CellValue,
    Kind,
    Link,
    SheetGrid,
    Style,
    counted,
    format_date,
    format_number,
    title_rows,
    to_a1,
)

from ..master._layout import SHEET_OVERVIEW, STATUS_FILL, RunStamp
from ..master._overview import HEADER_ROW
from ..master._sheets import findings_grid
from ..master._xlsx import TableShape, write_binding_sheet, write_grids
from ..reader._master_binding import MASTER_BINDING_FIELDS, MASTER_SCHEMA
from ..view._row_status import Status
from ._reading import STATE_KIND, MasterRow, headers
from ._view import DistrictRow, DistrictStatus, StateView

SHEET_MUNICIPALITIES = "Gemeinden"
STAND_FORMAT = GERMAN_LOCALE_TAG + "DD.MM.YYYY hh:mm"

DISTRICT_FILL = {
    DistrictStatus.FEHLT: STATUS_FILL[Status.FEHLT],
    DistrictStatus.UEBERFAELLIG: STATUS_FILL[Status.UEBERFAELLIG],
    DistrictStatus.FEHLERHAFT: STATUS_FILL[Status.FEHLERHAFT],
    DistrictStatus.VERALTET: STATUS_FILL[Status.EINGEGANGEN],
    DistrictStatus.AKTUELL: STATUS_FILL[Status.EINGEREICHT],
}
"""The district master's colours, one level up: missing red, faulty orange, waiting yellow, current green."""

_FIGURE_HEADERS = headers()


@dataclass(frozen=True)
class Column:
    """One column of a state sheet: header, width, value, look, link back and totals cell."""

    key: str
    header: str
    width: float
    value: Callable[..., CellValue]
    kind: Kind | None = None
    number_format: str | None = None
    link: Callable[..., Link | None] | None = None
    total: Callable[[StateView, str], Cell] | None = None
    """The totals cell, given the view and the A1 range of the column's data rows."""
    status_colour: bool = False
    style: Style = Style.PLAIN


def _sum(key: str) -> Callable[[StateView, str], Cell]:
    def total(view: StateView, data_range: str) -> Cell:
        return Cell(getattr(view.totals, key), formula=f"=SUM({data_range})", style=Style.TOTAL)

    return total


def _state_label(view: StateView, _: str) -> Cell:
    return Cell(f"{view.registry.district.name} gesamt", style=Style.TOTAL)


def _current(view: StateView, data_range: str) -> Cell:
    count, everyone = view.count(DistrictStatus.AKTUELL), len(view.rows)
    formula = f'=COUNTIF({data_range},"{DistrictStatus.AKTUELL.value}")&" von {everyone} aktuell"'
    return Cell(f"{count} von {everyone} aktuell", formula=formula, style=Style.TOTAL)


def _reported(view: StateView, _: str) -> Cell:
    """Municipalities reported of those listed, over the districts in the totals (a sum of texts has no formula)."""
    figures = view.figures()
    return Cell(
        f"{format_number(figures.municipalities_reported)} von {format_number(figures.municipalities)}",
        style=Style.TOTAL,
    )


def _approval_text(row: DistrictRow) -> str:
    """'30 von 35' approved, or '–' for a district master that does not say (written by an older Pakt)."""
    if row.shown is None:
        return ""
    approval = row.shown.approval
    return f"{approval.municipalities} von {len(row.shown.rows)}" if approval is not None else "–"


def _approved_count(view: StateView, _: str) -> Cell:
    """Approved of the municipalities listed, over the districts whose master says (a sum of texts: no formula)."""
    figures = view.figures()
    everyone = sum(len(row.shown.rows) for row in view.rows if row.shown is not None and row.shown.approval)
    unknown = figures.approval_unknown
    without = f" ({counted(unknown, 'Landkreis', 'Landkreise')} ohne Angabe)" if unknown else ""
    return Cell(
        f"{format_number(figures.approved_municipalities)} von {format_number(everyone)}{without}", style=Style.TOTAL
    )


def _approved_sum(view: StateView, data_range: str) -> Cell:
    return Cell(view.figures().approved_allowance_eur, formula=f"=SUM({data_range})", style=Style.TOTAL)


def _district_figure(key: str) -> Callable[[DistrictRow], CellValue]:
    return lambda row: getattr(row.figures, key) if row.figures is not None else None


def _to_district_total(key: str) -> Callable[[DistrictRow], Link | None]:
    """A district's figure links to its totals cell in the district's master."""

    def link(row: DistrictRow) -> Link | None:
        if row.shown is None or row.shown_path is None:
            return None
        cell = row.shown.cell(key, row.shown.totals_row)
        return Link(row.shown_path, None, row.shown.sheet, cell, f"Quelle: {PurePath(row.shown_path).name}, {cell}")

    return link


def _master_name(row: DistrictRow) -> str:
    path = row.current_path or row.shown_path
    return PurePath(path).name if path else ""


def _master_link(row: DistrictRow) -> Link | None:
    path = row.current_path or row.shown_path
    return Link(path, tip=f"Übersicht öffnen: {PurePath(path).name}") if path else None


STATE_COLUMNS: tuple[Column, ...] = (
    Column("district", "Kreisschlüssel", 12, lambda r: r.entry.key, status_colour=True),
    Column("name", "Landkreis", 30, lambda r: r.entry.name, total=_state_label),
    Column("status", "Status", 13, lambda r: r.status.value, status_colour=True, style=Style.BOLD, total=_current),
    Column("reported", "Gemeinden gemeldet", 14, lambda r: r.reported_text, total=_reported),
    *(
        Column(
            key, _FIGURE_HEADERS[key], width, _district_figure(key), kind, link=_to_district_total(key), total=_sum(key)
        )
        for key, width, kind in (
            ("persons", 12, Kind.COUNT),
            ("allowance_eur", 18, Kind.MONEY),
            ("im_fte", 10, Kind.FTE),
        )
    ),
    Column("approved", "Gemeinden freigegeben", 14, lambda r: _approval_text(r), total=_approved_count),
    Column(
        "approved_allowance",
        "Pro-Kopf-Pauschale freigegeben",
        18,
        lambda r: r.shown.approval.allowance_eur if r.shown and r.shown.approval else None,
        Kind.MONEY,
        total=_approved_sum,
    ),
    Column(
        "stand", "Stand der Übersicht", 17, lambda r: r.shown.finished if r.shown else None, number_format=STAND_FORMAT
    ),
    Column("source", "Übersicht des Landkreises", 40, _master_name, link=_master_link),
    Column("remark", "Hinweis", 60, lambda r: r.remark, style=Style.WRAP),
)
"""The state's Übersicht, left to right."""


def _municipal_figure(key: str) -> Callable[[DistrictRow, MasterRow], CellValue]:
    return lambda _, line: getattr(line, key)


def _to_municipal_cell(key: str) -> Callable[[DistrictRow, MasterRow], Link | None]:
    def link(row: DistrictRow, line: MasterRow) -> Link | None:
        cell = row.shown.cell(key, line.row)
        return Link(row.shown_path, None, row.shown.sheet, cell, f"Quelle: {PurePath(row.shown_path).name}, {cell}")

    return link


MUNICIPALITY_COLUMNS: tuple[Column, ...] = (
    Column("district", "Kreisschlüssel", 12, lambda r, _: r.entry.key),
    Column("district_name", "Landkreis", 28, lambda r, _: r.entry.name, total=_state_label),
    Column("ags", _FIGURE_HEADERS["ags"], 10, lambda _, line: line.ags, link=_to_municipal_cell("ags")),
    Column("name", _FIGURE_HEADERS["name"], 26, lambda _, line: line.name),
    Column("status", _FIGURE_HEADERS["status"], 13, lambda _, line: line.status, status_colour=True),
    *(
        Column(
            key,
            _FIGURE_HEADERS[key],
            width,
            _municipal_figure(key),
            kind,
            link=_to_municipal_cell(key),
            total=_sum(key),
        )
        for key, width, kind in (
            ("persons", 12, Kind.COUNT),
            ("allowance_eur", 18, Kind.MONEY),
            ("im_fte", 10, Kind.FTE),
        )
    ),
)
"""The Gemeinden sheet: every municipality of the districts in the totals."""


# -- grids -----------------------------------------------------------------------------------------


def _totals_row(view: StateView, columns: Sequence[Column], rows: int) -> tuple[Cell, ...]:
    first, last = HEADER_ROW + 1, HEADER_ROW + max(rows, 1)
    cells = []
    for index, column in enumerate(columns):
        if column.total is None:
            cells.append(Cell(style=Style.TOTAL))
            continue
        made = column.total(view, f"{to_a1(first, index)}:{to_a1(last, index)}")
        cells.append(replace(made, kind=column.kind, number_format=column.number_format))
    return tuple(cells)


def _cells(columns: Sequence[Column], fill: str | None, *item: object) -> tuple[Cell, ...]:
    return tuple(
        Cell(
            column.value(*item),
            column.kind,
            column.style,
            fill if column.status_colour else None,
            column.number_format,
            column.link(*item) if column.link else None,
        )
        for column in columns
    )


def _grid(name: str, title: list, columns: Sequence[Column], body: list, view: StateView, freeze: int) -> SheetGrid:
    top = title + [()] * (HEADER_ROW - len(title))
    header = tuple(Cell(column.header, style=Style.HEADER) for column in columns)
    rows = (*top, header, *body, _totals_row(view, columns, len(body)))
    return SheetGrid(
        name, tuple(rows), tuple(c.width for c in columns), HEADER_ROW, len(body), (HEADER_ROW + 1, freeze)
    )


def overview_title(view: StateView, stamp: RunStamp) -> list:
    state = view.registry
    deadline = f" · Abgabefrist {format_date(state.round.deadline)}" if state.round.deadline else ""
    return title_rows(
        f"Pakt für Integration – Übersicht {state.district.name}",
        f"Stichtag {format_date(state.round.stichtag)}{deadline} · {view.rules.name} · "
        f"Stand {stamp.finished_at:%d.%m.%Y %H:%M} (Abgleich Nr. {stamp.run_id})",
        "Eine Zeile je Landkreis, aus der Übersicht, die der Landkreis mit Pakt abgeglichen hat; gezählt wird eine "
        "geprüfte Übersicht des laufenden Stichtags (bei „fehlerhaft“ die letzte gültige). Ein Klick auf eine Zahl "
        "öffnet ihre Summe in der Übersicht des Landkreises; das Blatt Gemeinden zeigt jede Gemeinde. Personen und "
        "Pauschale sind gemeldet, zurückgewiesene Meldungen eingeschlossen; „freigegeben“ zählt nur, was der Landkreis "
        "freigegeben hat („–“: die Übersicht des Landkreises sagt es nicht, sie stammt von einer älteren Fassung von "
        "Pakt).",
    )


def state_overview_grid(view: StateView, stamp: RunStamp) -> SheetGrid:
    body = [_cells(STATE_COLUMNS, DISTRICT_FILL[row.status], row) for row in view.rows]
    return _grid(SHEET_OVERVIEW, overview_title(view, stamp), STATE_COLUMNS, body, view, 2)


def municipalities_grid(view: StateView) -> SheetGrid:
    lines = view.municipality_rows()
    body = [_cells(MUNICIPALITY_COLUMNS, STATUS_FILL.get(Status(line.status)), row, line) for row, line in lines]
    title = title_rows(
        f"Gemeinden in {view.registry.district.name}",
        f"{counted(len(lines), 'Gemeinde', 'Gemeinden')} aus den Übersichten der Landkreise; ein Klick auf eine Zahl "
        "öffnet ihre Zelle in der Übersicht des Landkreises.",
    )
    return _grid(SHEET_MUNICIPALITIES, title, MUNICIPALITY_COLUMNS, body, view, 4)


def state_report_grid(view: StateView) -> SheetGrid:
    """Every finding about the districts' masters: errors first."""
    lines = view.report
    errors = sum(1 for line in lines if line.finding.blocking)
    summary = f"{errors} Fehler, {counted(len(lines) - errors, 'Warnung oder Hinweis', 'Warnungen oder Hinweise')}."
    entries = [(line.finding, line.district_name, line.district_key, line.version) for line in lines]
    return findings_grid(summary, ("Landkreis", "Kreisschlüssel"), entries, (9, 28, 12, 34, 12, 7, 22, 90, 30))


def state_grids(view: StateView, stamp: RunStamp) -> list[SheetGrid]:
    """Every sheet of the state master, in order."""
    return [state_overview_grid(view, stamp), municipalities_grid(view), state_report_grid(view)]


# -- the workbook ----------------------------------------------------------------------------------

_STATE_LABELS = {"pakt_master_district": "Landesschlüssel", "pakt_master_district_name": "Land"}


def _binding(view: StateView, stamp: RunStamp) -> tuple:
    state = view.registry
    values = (
        STATE_KIND,
        MASTER_SCHEMA,
        state.district.key,
        state.district.name,
        state.round.stichtag.isoformat(),
        view.rules.id,
        str(stamp.run_id),
        stamp.finished_at.isoformat(timespec="seconds"),
    )
    fields = [replace(f, label=_STATE_LABELS.get(f.name, f.label)) for f in MASTER_BINDING_FIELDS]
    return tuple(zip(fields, values, strict=True))


def build_state_master(view: StateView, stamp: RunStamp, master_dir: Path) -> bytes:
    """The state master workbook as bytes: Übersicht, Gemeinden, Prüfbericht and the hidden binding."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties(
        {
            "title": f"Pakt für Integration – {view.registry.district.name}",
            "author": "Pakt",
            "created": stamp.finished_at,
        }
    )
    grids = state_grids(view, stamp)
    sheets = write_grids(book, grids, master_dir)
    write_binding_sheet(book, _binding(view, stamp), TableShape.of(grids[0]))
    sheets[0].activate()
    for sheet in sheets:
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()
