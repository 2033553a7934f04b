"""The master's sheets as grids: built once per run, written by the xlsx and the Google writer alike.

    Übersicht            one row per municipality (see _overview.py, the column table)
    Integrationsmanager  every manager in every municipality, linked to the source row
    Prüfbericht          every finding, with the version it belongs to
    Auszahlung           the round's tranches with their totals, every payment line
    Zeitreihe            persons, allowance and FTE per municipality and round
    Verlauf              what changed since the last run, and the last runs

The Auswertung (a table and its charts) is built apart, in _evaluation.py: each writer draws its charts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePath

from pakt.schemas import (
    ERROR_FILL,
    Cell,
    Finding,
    Kind,
    Severity,
    SheetGrid,
    Style,
    counted,
    format_date,
    german_sort_key,
    title_rows,
    to_a1,
)

from ..store._records import RunRecord
from ..view._consolidate import DistrictView, StaffLine
from ..view._payments import PaymentLine
from ._layout import (
    SHEET_HISTORY,
    SHEET_OVERVIEW,
    SHEET_PAYMENTS,
    SHEET_REPORT,
    SHEET_SERIES,
    SHEET_STAFF,
    RunStamp,
    fit_widths,
)
from ._overview import Places, overview_grid
from ._payment_sheet import payments_grid
from ._time_series import Series, series_grid


def _header(*names: str) -> tuple[Cell, ...]:
    return tuple(Cell(name, style=Style.HEADER) for name in names)


# -- Integrationsmanager ---------------------------------------------------------------------------

STAFF_HEADER_ROW = 4


def _staff_row(line: StaffLine, places: Places) -> tuple[Cell, ...]:
    manager, place = line.manager, places(line.source)
    where = (line.sheet, line.cell) if line.sheet and line.cell else (None, None)
    label = f"{place.label}, {line.sheet}!{line.cell}" if where[0] else place.label
    return (
        Cell(line.municipality.ags),
        Cell(line.municipality.name),
        Cell(manager.pseudonym),
        Cell(manager.fte, Kind.FTE),
        Cell(manager.start_date, Kind.DATE),
        Cell(manager.employer.value),
        Cell(label, link=place.link(*where)),
    )


def staff_grid(view: DistrictView, places: Places) -> SheetGrid:
    """Every manager in every municipality, by municipality (German order) and Kürzel; under them the
    district's totals: the head count is of distinct people, counted in Python, the FTE a sum."""
    staff = sorted(
        view.staff,
        key=lambda line: (german_sort_key(line.municipality.name), line.municipality.ags, line.manager.pseudonym),
    )
    first = STAFF_HEADER_ROW + 1
    last = first + max(len(staff), 1) - 1
    totals = view.totals
    rows = [
        *title_rows(
            "Integrationsmanager im Landkreis",
            f"{view.registry.district.name} · Stichtag {format_date(view.registry.round.stichtag)}",
            "Eine Zeile je Person und Gemeinde: wer für mehrere Gemeinden arbeitet (etwa beim Landkreis "
            "angestellt), steht in jeder von ihnen. Die Summe zählt jede Person einmal (nach Kürzel); die "
            "Stellenanteile addieren sich.",
        ),
        (),
        _header("AGS", "Gemeinde", "Kürzel", "Stellenanteil (VZÄ)", "Beginn", "Arbeitgeber", "Quelle"),
        *(_staff_row(line, places) for line in staff),
        (
            Cell(style=Style.TOTAL),
            Cell(f"{view.registry.district.name} gesamt", style=Style.TOTAL),
            Cell(counted(totals.im_heads, "Person", "Personen"), style=Style.TOTAL),
            Cell(totals.im_fte, Kind.FTE, Style.TOTAL, formula=f"=SUM({to_a1(first, 3)}:{to_a1(last, 3)})"),
            *(Cell(style=Style.TOTAL) for _ in range(3)),
        ),
    ]
    return SheetGrid(SHEET_STAFF, tuple(rows), (10, 44, 12, 12, 12, 16, 50), STAFF_HEADER_ROW, len(staff), (first, 0))


# -- Prüfbericht -----------------------------------------------------------------------------------

REPORT_HEADER_ROW = 3


def report_grid(view: DistrictView) -> SheetGrid:
    """Every finding of the district: errors first, then by municipality (German order; findings of no
    municipality last), each with the version it belongs to."""
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    lines = sorted(
        view.report,
        key=lambda line: (
            order[line.finding.severity],
            not line.municipality,
            german_sort_key(line.municipality),
            line.ags,
            line.finding.file or "",
        ),
    )
    errors = sum(1 for line in lines if line.finding.severity is Severity.ERROR)
    warnings = sum(1 for line in lines if line.finding.severity is Severity.WARNING)
    notes = len(lines) - errors - warnings
    summary = f"{errors} Fehler, {counted(warnings, 'Warnung', 'Warnungen')}, {counted(notes, 'Hinweis', 'Hinweise')}."
    entries = [(line.finding, line.municipality, line.ags, line.version) for line in lines]
    return findings_grid(summary, ("Gemeinde", "AGS"), entries, (11, 32, 10, 30, 18, 7, 24, 60, 26))


ReportEntry = tuple[Finding, str, str, str]
"""A finding, whose it is (name and key) and which version it belongs to."""


def findings_grid(
    summary: str, who: tuple[str, str], entries: Sequence[ReportEntry], widths: tuple[float, ...]
) -> SheetGrid:
    """A Prüfbericht: one row per finding with where it is; the district's (by municipality) and the state's
    (by district) differ only in whose findings they list."""
    rows: list[tuple[Cell, ...]] = [
        *title_rows("Prüfbericht", summary),
        (),
        _header("Schwere", *who, "Datei", "Blatt", "Zelle", "Code", "Meldung", "Fassung"),
    ]
    for finding, name, key, version in entries:
        rows.append(
            (
                Cell(finding.severity.value, fill=ERROR_FILL if finding.blocking else None),
                Cell(name),
                Cell(key),
                Cell(PurePath(finding.file).name if finding.file else ""),
                Cell(finding.sheet or ""),
                Cell(finding.cell or ""),
                Cell(finding.code.value),
                Cell(finding.message, style=Style.WRAP),
                Cell(version),
            )
        )
    if not entries:
        rows.append((Cell("Keine Beanstandungen."),))
    return SheetGrid(SHEET_REPORT, tuple(rows), widths, REPORT_HEADER_ROW, len(entries), (REPORT_HEADER_ROW + 1, 0))


# -- Verlauf ---------------------------------------------------------------------------------------


def _run_row(run: RunRecord) -> tuple[Cell, ...]:
    ended = f"{run.finished_at:%d.%m.%Y %H:%M:%S}" if run.finished_at else "abgebrochen"
    cells = [Cell(run.id), Cell(f"{run.started_at:%d.%m.%Y %H:%M:%S}"), Cell(ended)]
    summary = run.summary
    if summary is None:
        return tuple(cells)
    counts, figures = summary.counts, summary.figures
    numbers = (counts.read, counts.unchanged, counts.new_versions, figures.invalid, figures.missing, len(run.changes))
    return (*cells, *(Cell(n, Kind.COUNT) for n in numbers), Cell(counts.master_note))


def history_grid(runs: Sequence[RunRecord], changes: Sequence[str]) -> SheetGrid:
    """What changed since the last run, then the last runs, newest first."""
    listed = list(changes) or ["Keine Änderungen."]
    rows: list[tuple[Cell, ...]] = [
        *title_rows("Verlauf der Abgleiche"),
        (),
        (Cell("Änderungen seit dem letzten Abgleich", style=Style.BOLD),),
        *((Cell(f"• {text}"),) for text in listed),
        (),
    ]
    header_row = len(rows)
    rows.append(
        _header(
            "Abgleich",
            "Beginn",
            "Ende",
            "gelesen",
            "unverändert",
            "neue Fassungen",
            "fehlerhaft",
            "fehlend",
            "Änderungen",
            "Übersicht",
        )
    )
    rows += [_run_row(run) for run in runs]
    return SheetGrid(SHEET_HISTORY, tuple(rows), (10, 18, 18, 13, 13, 13, 13, 13, 13, 20), header_row, len(runs))


def master_grids(
    view: DistrictView,
    stamp: RunStamp,
    runs: Sequence[RunRecord],
    changes: Sequence[str],
    places: Places,
    series: Series | None = None,
    payments: Sequence[PaymentLine] = (),
    earlier_payments: Sequence[PaymentLine] = (),
) -> MasterGrids:
    """Every sheet of the master that both writers carry, in order, its columns as wide as their content."""
    tranches = view.rules.tranches(view.registry.round.stichtag)
    return MasterGrids(
        (
            (SHEET_OVERVIEW, lambda: overview_grid(view, stamp, places)),
            (SHEET_STAFF, lambda: staff_grid(view, places)),
            (SHEET_REPORT, lambda: report_grid(view)),
            (SHEET_PAYMENTS, lambda: payments_grid(view, tranches, payments, earlier_payments)),
            (SHEET_SERIES, lambda: series_grid(view, series or {})),
            (SHEET_HISTORY, lambda: history_grid(runs, changes)),
        )
    )


class MasterGrids(Sequence[SheetGrid]):
    """The master's sheets, each built (and fitted) when a writer comes to it.

    A sheet is built anew each time it is asked for, so that the xlsx writer, going through them once, holds
    one at a time (it notes what its charts and binding need from the Übersicht as it passes). A run of
    10,000 files held all six at once: 67 MB beside the district view. Writers that go through them more than
    once (the Google master beside the file) take them as a list.
    """

    def __init__(self, builds: Sequence[tuple[str, Callable[[], SheetGrid]]]) -> None:
        self.names = tuple(name for name, _ in builds)
        """The sheets' names, in order, without building them."""
        self._builds = tuple(build for _, build in builds)

    def __len__(self) -> int:
        return len(self._builds)

    def unfitted(self, leaving_out: frozenset[str] = frozenset()) -> Iterator[SheetGrid]:
        """The sheets as built, widths not fitted and those named in `leaving_out` not built (a fingerprint
        needs neither)."""
        for name, build in zip(self.names, self._builds, strict=True):
            if name not in leaving_out:
                yield build()

    def __iter__(self) -> Iterator[SheetGrid]:
        for build in self._builds:  # holding no name for the grid: the last is gone before the next is built
            yield fit_widths(build())

    def __getitem__(self, index: int) -> SheetGrid:  # type: ignore[override]  # no slices: none is asked for
        return fit_widths(self._builds[index]())
