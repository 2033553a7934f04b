"""The Übersicht: one column table from which every writer writes it and the staff's columns are read back.

Each column says, once: its key, German header, width, number format, how its
value comes from a municipality's row, the input cell its figure links to,
how the totals row fills it, and whether the district staff own it. The xlsx
master, the Google master and the add-in's Aktualisieren render the grid built
here; the staff's columns (Bemerkung, Wiedervorlage) are read back from any of
them by the same table. Adding a column is one entry in `OVERVIEW_COLUMNS`.

A column's width is the widest its text may grow: the xlsx writer fits every
column to its content (header words, figures of any size, text up to that
width, wrapped beyond it).

The rows are in AGS order, whatever order the registry lists them in: the key
the registry, the state's roll-up and the finance office go by, and within a
Landkreis the order of the official Gemeindeverzeichnis, whose numbers were
given largely alphabetically (the sample district's AGS order is its
alphabetical order). Lists a reader scans by name (the managers, the findings,
the municipalities a chart picks) are sorted by German collation
(`german_sort_key`: Ä as A, ß as ss).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pakt.schemas import (
    EXCEL_EPOCH,
    Cell,
    CellValue,
    Kind,
    Link,
    SheetGrid,
    Style,
    Unreadable,
    counted,
    format_date,
    format_number,
    is_blank,
    title_rows,
    to_a1,
    to_ags,
    to_text,
)

from ..sources._source import Place
from ..store._records import APPROVED, REVIEW_CHOICES, Annotation
from ..view._consolidate import DistrictView, MunicipalityRow, Status, approved_totals
from ._layout import AGS_HEADER, CASELOAD_FORMAT, SHEET_OVERVIEW, STATUS_FILL, STATUS_MEANING, RunStamp

STAFF_SOURCE = "staff"
"""A figure that comes from the staff list: it links to the list's first row."""

Places = Callable[[str], Place]


@dataclass(frozen=True)
class Totals:
    """What a column's totals cell can draw on: its own values and data range, and the other columns."""

    view: DistrictView
    values: Sequence[Any]
    data_range: str
    cell_of: Callable[[str], str]
    """The A1 address of another column's totals cell, by key."""
    range_of: Callable[[str], str]
    """The A1 range of another column's data rows, by key."""


TotalRule = Callable[[Totals], Cell]


@dataclass(frozen=True)
class OverviewColumn:
    """One column of the Übersicht."""

    key: str
    header: str
    width: float
    value: Callable[[MunicipalityRow], CellValue]
    kind: Kind | None = None
    number_format: str | None = None
    source: str | None = None
    """The input field (or STAFF_SOURCE) the figure links back to; None for figures of the whole district."""
    total: TotalRule | None = None
    staff_owned: bool = False
    """Typed by district staff into the master; read back before every refresh. The key names the
    `Annotation` field it is kept in."""
    status_colour: bool = False
    style: Style = Style.PLAIN
    choices: tuple[str, ...] = ()
    """What the staff may pick in a staff column (a drop-down where the master's program offers one)."""


# -- totals ------------------------------------------------------------------------------------


def sum_total(totals: Totals) -> Cell:
    """The column's sum, as a formula with the sum Python computed (to the cent) as its value."""
    present = [v for v in totals.values if v is not None]
    value = sum(present, Decimal(0)) if any(isinstance(v, Decimal) for v in present) else sum(present)
    return Cell(value, formula=f"=SUM({totals.data_range})", style=Style.TOTAL)


def _district_label(totals: Totals) -> Cell:
    return Cell(f"{totals.view.registry.district.name} gesamt", style=Style.TOTAL)


def _reported(totals: Totals) -> Cell:
    everyone = len(totals.view.rows)
    text = f"{everyone - totals.view.missing} von {everyone} gemeldet"
    status, persons = totals.data_range, totals.range_of("persons")
    missing = (
        f'COUNTIF({status},"{Status.FEHLT.value}")'
        f'+SUMPRODUCT(({status}="{Status.UEBERFAELLIG.value}")*ISBLANK({persons}))'
    )  # overdue and nothing received (an overdue unsigned submission has figures)
    formula = f'=ROWS({status})-({missing})&" von {everyone} gemeldet"'
    return Cell(text, formula=formula, style=Style.TOTAL)


def _self_managed(totals: Totals) -> Cell:
    count = sum(1 for value in totals.values if value == "selbst")
    return Cell(f"{count} selbst", formula=f'=COUNTIF({totals.data_range},"selbst")&" selbst"', style=Style.TOTAL)


def _distinct_managers(totals: Totals) -> Cell:
    """Distinct people, counted in Python: a manager employed by the district serves several municipalities,
    so the column's rows add up to more than this (never a formula over clerks' pseudonyms)."""
    return Cell(totals.view.totals.im_heads, style=Style.TOTAL)


def _caseload(totals: Totals) -> Cell:
    persons, fte = totals.cell_of("persons"), totals.cell_of("im_fte")
    caseload = totals.view.totals.caseload
    return Cell(
        caseload if caseload is not None else "", formula=f'=IF({fte}>0,ROUND({persons}/{fte},1),"")', style=Style.TOTAL
    )


# -- values ------------------------------------------------------------------------------------


def _mode(row: MunicipalityRow) -> str:
    """The mode a row shows: from its submission, else from the registry."""
    return row.figures.mode.value if row.figures else row.municipality.im_mode.value


def _figure(name: str) -> Callable[[MunicipalityRow], CellValue]:
    def value(row: MunicipalityRow) -> CellValue:
        return getattr(row.figures, name) if row.figures is not None else None

    value.__name__ = f"figure_{name}"
    return value


def _managers(row: MunicipalityRow) -> int | None:
    return len(row.submission.managers) if row.submission is not None else None


def _source_name(row: MunicipalityRow) -> str:
    return os.path.basename(row.used.path) if row.used is not None else ""


def _decided(row: MunicipalityRow) -> str:
    """Who decided what and when: on the version shown for review, and the approval still in force."""
    parts = []
    if row.decision is not None:
        parts.append(row.decision.describe())
    if row.approval is not None and row.approval != row.decision:
        parts.append(f"in den Summen: Fassung {row.approval.describe()}")
    return "; ".join(parts)


def as_date_or_text(text: str) -> date | str:
    """A follow-up date typed as a date stays a date; free text ("nach Urlaub") stays text."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text


OVERVIEW_COLUMNS: tuple[OverviewColumn, ...] = (
    OverviewColumn("ags", AGS_HEADER, 10, lambda r: r.municipality.ags, status_colour=True),
    OverviewColumn("name", "Gemeinde", 44, lambda r: r.municipality.name, total=_district_label),
    OverviewColumn(
        "status", "Status", 24, lambda r: r.status.value, status_colour=True, style=Style.BOLD, total=_reported
    ),
    OverviewColumn("im_mode", "Integrationsmanagement", 14, _mode, total=_self_managed),
    OverviewColumn("persons", "Personen", 10, _figure("persons"), Kind.COUNT, source="persons.total", total=sum_total),
    OverviewColumn(
        "allowance_eur",
        "Pro-Kopf-Pauschale",
        16,
        _figure("allowance_eur"),
        Kind.MONEY,
        source="persons.total",
        total=sum_total,
    ),
    OverviewColumn(
        "im_heads", "IM (Personen)", 10, _managers, Kind.COUNT, source=STAFF_SOURCE, total=_distinct_managers
    ),
    OverviewColumn("im_fte", "IM (VZÄ)", 9, _figure("im_fte"), Kind.FTE, source=STAFF_SOURCE, total=sum_total),
    OverviewColumn(
        "allocated_fte", "VZÄ-Anteil nach Personen", 12, lambda r: r.allocated_fte, Kind.FTE, total=sum_total
    ),
    OverviewColumn(
        "caseload",
        "Fallzahl (Personen je VZÄ)",
        12,
        _figure("caseload"),
        number_format=CASELOAD_FORMAT,
        total=_caseload,
    ),
    OverviewColumn(
        "material_costs_eur",
        "Sachkosten",
        13,
        _figure("material_costs_eur"),
        Kind.MONEY,
        source="material_costs.office_eur",
        total=sum_total,
    ),
    OverviewColumn(
        "funds_use_eur",
        "Verwendung der Pauschale",
        14,
        _figure("funds_use_eur"),
        Kind.MONEY,
        source="funds_use.child_care_eur",
        total=sum_total,
    ),
    OverviewColumn("signed_on", "Freigegeben am", 12, lambda r: r.submitted_on, Kind.DATE, source="sign_off.date"),
    OverviewColumn("source", "Quelle", 40, _source_name),
    OverviewColumn("remark", "Hinweis", 40, lambda r: r.remark, style=Style.WRAP),
    OverviewColumn(
        "review",
        "Prüfung",
        14,
        lambda r: r.annotation.review,
        staff_owned=True,
        style=Style.STAFF,
        choices=REVIEW_CHOICES,
    ),
    OverviewColumn("reason", "Grund", 28, lambda r: r.annotation.reason, staff_owned=True, style=Style.STAFF),
    OverviewColumn("decided", "Entscheidung", 30, _decided, style=Style.WRAP),
    OverviewColumn("reminded", "Erinnert am", 12, lambda r: r.reminded, Kind.DATE),
    OverviewColumn("note", "Bemerkung", 36, lambda r: r.annotation.note, staff_owned=True, style=Style.STAFF),
    OverviewColumn(
        "follow_up",
        "Wiedervorlage",
        14,
        lambda r: as_date_or_text(r.annotation.follow_up),
        Kind.DATE,
        staff_owned=True,
        style=Style.STAFF,
    ),
)
"""The Übersicht, left to right."""

HEADER_ROW = 4
"""Zero-based row of the Übersicht's header: a title block of four rows sits above it."""


def overview_columns() -> tuple[OverviewColumn, ...]:
    """The column table as it stands now (looked up at call time, so every writer sees the same one)."""
    return OVERVIEW_COLUMNS


# -- the grid ----------------------------------------------------------------------------------


def _link(row: MunicipalityRow, column: OverviewColumn, place: Place | None) -> Link | None:
    version = row.used
    if version is None or place is None or (column.source is None and column.key != "source"):
        return None
    if column.key == "source":
        return place.link(None, None)
    if column.source == STAFF_SOURCE:
        staff = version.locations.get("staff") or []
        where = (staff[0][0], staff[0][1]) if staff else None
    else:
        where = version.where(column.source)
    return place.link(*where) if where is not None else None


def _row_cells(row: MunicipalityRow, columns: Sequence[OverviewColumn], places: Places) -> tuple[Cell, ...]:
    fill = STATUS_FILL[row.status]
    place = places(row.used.path) if row.used is not None else None  # once a row, not once a linked figure
    return tuple(
        Cell(
            column.value(row),
            column.kind,
            column.style,
            fill if column.status_colour else None,
            column.number_format,
            _link(row, column, place),
        )
        for column in columns
    )


def _totals_row(
    view: DistrictView, columns: Sequence[OverviewColumn], body: Sequence[Sequence[Cell]]
) -> tuple[Cell, ...]:
    first, last = HEADER_ROW + 1, HEADER_ROW + len(body)
    totals_row = last + 1
    index = {column.key: i for i, column in enumerate(columns)}

    def cell_of(key: str) -> str:
        return to_a1(totals_row, index[key])

    def range_of(key: str) -> str:
        return f"{to_a1(first, index[key])}:{to_a1(max(last, first), index[key])}"

    cells = []
    for col, column in enumerate(columns):
        if column.total is None:
            cells.append(Cell(style=Style.TOTAL))
            continue
        values = [cells_row[col].value for cells_row in body]
        data_range = f"{to_a1(first, col)}:{to_a1(max(last, first), col)}"
        made = column.total(Totals(view, values, data_range, cell_of, range_of))
        cells.append(Cell(made.value, column.kind, Style.TOTAL, made.fill, column.number_format, None, made.formula))
    return tuple(cells)


APPROVED_LABEL = "davon freigegeben"
"""The label of the row under the totals (column B; column A stays empty, so no reader takes it for a row)."""
APPROVED_SUMS = ("persons", "allowance_eur", "im_fte", "material_costs_eur", "funds_use_eur")
"""The figures the "davon freigegeben" row sums over the approved rows."""
APPROVED_MARK = f"{APPROVED} am "
"""What the Entscheidung column of a row whose figures are approved says (`Decision.describe` of the approval
in force, see `_decided`), found by SEARCH: a row counts in "davon freigegeben" exactly when it says so."""


def _approved_row(view: DistrictView, columns: Sequence[OverviewColumn], rows: int) -> tuple[Cell, ...]:
    """Under the totals: what the district approved. Each figure a SUMPRODUCT over the rows whose Entscheidung
    names an approval in force, with the sum Python computed (the approved versions' figures).

    A rejected submission is not approved: its figures stay in its row and in the totals above (reported), not
    here, unless an earlier version was approved; then that frozen version is what the row shows and counts."""
    approved = approved_totals(view)
    first, last = HEADER_ROW + 1, HEADER_ROW + max(rows, 1)
    index = {column.key: i for i, column in enumerate(columns)}

    def data(key: str) -> str:
        return f"{to_a1(first, index[key])}:{to_a1(last, index[key])}"

    marked = f'ISNUMBER(SEARCH("{APPROVED_MARK}",{data("decided")}))'
    everyone = len(view.rows)
    cells = []
    for column in columns:
        if column.key == "name":
            cells.append(Cell(APPROVED_LABEL, style=Style.TOTAL))
        elif column.key == "status":
            text = f"{approved.municipalities} von {everyone} freigegeben"
            cells.append(
                Cell(text, formula=f'=SUMPRODUCT(--{marked})&" von {everyone} freigegeben"', style=Style.TOTAL)
            )
        elif column.key in APPROVED_SUMS:
            value = getattr(approved, column.key)
            formula = f"=SUMPRODUCT(({marked})*{data(column.key)})"
            cells.append(Cell(value, column.kind, Style.TOTAL, None, column.number_format, None, formula))
        else:
            cells.append(Cell(style=Style.TOTAL))
    return tuple(cells)


def overview_title(view: DistrictView, stamp: RunStamp) -> list[tuple[Cell, ...]]:
    registry = view.registry
    deadline = f" · Abgabefrist {format_date(registry.round.deadline)}" if registry.round.deadline else ""
    return title_rows(
        f"Pakt für Integration – Übersicht {registry.district.name}",
        f"Stichtag {format_date(registry.round.stichtag)}{deadline} · {view.rules.name} · "
        f"Stand {stamp.finished_at:%d.%m.%Y %H:%M} (Abgleich Nr. {stamp.run_id})",
        "Alle Zahlen hat Pakt aus den Eingaben der Gemeinden neu berechnet; ein Klick auf eine Zahl öffnet ihre "
        "Quellzelle. Die gelben Spalten gehören Ihnen und bleiben bei jedem Abgleich erhalten. Was die Farben "
        "und die Summen bedeuten, steht in der Legende unter der Tabelle.",
    )


def _header_of(key: str) -> str:
    return next(column.header for column in overview_columns() if column.key == key)


def overview_legend(view: DistrictView, body: Sequence[Sequence[Cell]]) -> list[tuple[Cell, ...]]:
    """Under the totals: why the head count's total is less than its rows' sum, what Prüfung does, and what
    every status colour means. Column A stays empty, so no reader takes a legend line for a municipality."""
    heads = _header_of("im_heads")
    column = [column.key for column in overview_columns()].index("im_heads")
    rows_sum = sum(row[column].value or 0 for row in body)
    distinct = view.totals.im_heads
    gap = Cell()
    return [
        (),
        (gap, Cell("Legende", style=Style.BOLD)),
        (
            gap,
            Cell(
                f"{heads}: die Integrationsmanagerinnen und -manager, die eine Gemeinde meldet. Wer beim Landkreis "
                "angestellt ist, arbeitet meist für mehrere Gemeinden und steht in jeder von ihnen; die Summenzeile "
                f"zählt jede Person nur einmal ({counted(distinct, 'Person', 'Personen')}), die Zeilen ergeben "
                f"zusammen {format_number(rows_sum)}. {_header_of('im_fte')} und "
                f"{_header_of('allocated_fte')} addieren sich dagegen zur Summe."
            ),
        ),
        (
            gap,
            Cell(
                f"{_header_of('review')}: „freigegeben“ friert die Zahlen dieser Fassung ein; eine spätere "
                f"Änderung der Gemeinde erscheint als „{Status.GEAENDERT.value}“ und zählt erst, wenn Sie sie "
                "freigeben."
            ),
        ),
        (
            gap,
            Cell(
                f"Summen: „{view.registry.district.name} gesamt“ zählt, was gemeldet ist, zurückgewiesene Meldungen "
                f"eingeschlossen; „{APPROVED_LABEL}“ darunter nur die freigegebenen Fassungen (in der Spalte "
                f"{_header_of('status')}: wie viele Gemeinden)."
            ),
        ),
        (gap, Cell(f"Farben der Spalten {AGS_HEADER} und {_header_of('status')}:")),
        *(
            (Cell(fill=STATUS_FILL[status]), Cell(status.value, style=Style.BOLD), Cell(STATUS_MEANING[status]))
            for status in Status
        ),
    ]


def overview_grid(view: DistrictView, stamp: RunStamp, places: Places) -> SheetGrid:
    """The Übersicht as a grid: title block, header, one row per municipality (by AGS), totals, legend."""
    columns = overview_columns()
    top = overview_title(view, stamp)
    top += [()] * (HEADER_ROW - len(top))
    header = tuple(Cell(column.header, style=Style.HEADER) for column in columns)
    body = [_row_cells(row, columns, places) for row in sorted(view.rows, key=lambda row: row.municipality.ags)]
    totals = (_totals_row(view, columns, body), _approved_row(view, columns, len(body)))
    rows = (*top, header, *body, *totals, *overview_legend(view, body))
    choices = tuple((index, column.choices) for index, column in enumerate(columns) if column.choices)
    return SheetGrid(
        SHEET_OVERVIEW,
        tuple(rows),
        tuple(c.width for c in columns),
        HEADER_ROW,
        len(body),
        (HEADER_ROW + 1, 2),
        choices,
    )


# -- reading the staff's columns back ----------------------------------------------------------


def _staff_text(value: Any, kind: Kind | None, serial_dates: bool) -> str:
    if kind is Kind.DATE:
        if serial_dates and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = EXCEL_EPOCH + timedelta(days=int(value))
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
    if is_blank(value):
        return ""
    return value.strip() if isinstance(value, str) else to_text(value)


def read_staff_columns(rows: Sequence[Sequence[Any]], serial_dates: bool = False) -> dict[str, Annotation] | None:
    """What the staff typed into an Übersicht (a file's, a Google sheet's, an open workbook's values), by AGS.

    Columns are found by their headers, so a column the staff moved or inserted breaks nothing.
    `serial_dates`: numbers in date columns are spreadsheet serial numbers (Google's unformatted values).
    None when the sheet is not an Übersicht Pakt wrote.
    """
    columns = overview_columns()
    staff = [c for c in columns if c.staff_owned]
    header_index = next(
        (i for i, row in enumerate(rows) if AGS_HEADER in row and any(c.header in row for c in staff)), None
    )
    if header_index is None:
        return None
    header = list(rows[header_index])
    ags_col = header.index(AGS_HEADER)
    where = {c.key: (header.index(c.header), c.kind) for c in staff if c.header in header}
    known = {f.name for f in fields(Annotation)}
    found: dict[str, Annotation] = {}
    for row in rows[header_index + 1 :]:
        ags = _row_ags(row, ags_col)
        if ags is None:
            continue
        typed = {
            key: _staff_text(row[col] if col < len(row) else None, kind, serial_dates)  # Google drops trailing empties
            for key, (col, kind) in where.items()
            if key in known
        }
        found[ags] = Annotation(**typed)
    return found


def _row_ags(row: Sequence[Any], column: int) -> str | None:
    if column >= len(row) or is_blank(row[column]):
        return None
    try:
        ags = to_ags(row[column])
    except Unreadable:
        return None
    return ags if len(ags) == 8 and ags.isdigit() else None
