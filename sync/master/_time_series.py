"""The Zeitreihe: persons, allowance and FTE per municipality and round, from the state store.

The running round comes from the district view (so it equals the Übersicht,
frozen figures included); each earlier round declared in the registry from the
version that counted for it (the approved one, else the newest valid one),
computed with that round's own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from pakt.schemas import (
    Cell,
    Kind,
    MunicipalFigures,
    ReportingRound,
    SheetGrid,
    Style,
    format_date,
    load_rules,
    municipal_figures,
    title_rows,
    to_a1,
)

from ..store._store import StateStore
from ..view._consolidate import DistrictView
from ._layout import SHEET_SERIES

Series = dict[date, dict[str, MunicipalFigures]]
"""Figures by Stichtag and AGS."""

SERIES_COLUMNS = (
    ("persons", "Personen", Kind.COUNT),
    ("allowance_eur", "Pauschale", Kind.MONEY),
    ("im_fte", "VZÄ", Kind.FTE),
)
HEADER_ROW = 3


def round_series(view: DistrictView, store: StateStore) -> Series:
    """Every declared round's figures; the running round's are the view's."""
    registry = view.registry
    series: Series = {registry.round.stichtag: {r.municipality.ags: r.figures for r in view.rows if r.figures}}
    past = registry.all_rounds()[:-1]
    if not past:
        return series
    versions = store.round_versions(besides=registry.round.stichtag)
    for earlier in past:
        rules = load_rules(earlier.rules, registry.base_dir)
        figures = series.setdefault(earlier.stichtag, {})
        for (ags, day), version in versions.items():
            submission = version.submission() if day == earlier.stichtag else None
            if submission is not None and registry.municipality(ags) is not None:
                figures[ags] = municipal_figures(submission, rules)
    return series


def _round_header(round_: ReportingRound) -> list[Cell]:
    day = format_date(round_.stichtag)
    return [Cell(f"{label} {day}", style=Style.HEADER) for _, label, _ in SERIES_COLUMNS]


def series_grid(view: DistrictView, series: Mapping[date, Mapping[str, MunicipalFigures]]) -> SheetGrid:
    """One row per municipality, three columns per round (oldest first), sums below."""
    registry = view.registry
    rounds = registry.all_rounds()
    header = (Cell("AGS", style=Style.HEADER), Cell("Gemeinde", style=Style.HEADER))
    header += tuple(cell for round_ in rounds for cell in _round_header(round_))
    body = []
    for municipality in sorted(registry.municipalities, key=lambda m: m.ags):  # as the Übersicht
        cells = [Cell(municipality.ags), Cell(municipality.name)]
        for round_ in rounds:
            figures = series.get(round_.stichtag, {}).get(municipality.ags)
            cells += [Cell(getattr(figures, key) if figures else None, kind) for key, _, kind in SERIES_COLUMNS]
        body.append(tuple(cells))
    first, last = HEADER_ROW + 1, HEADER_ROW + len(body)
    totals = [Cell(style=Style.TOTAL), Cell(f"{registry.district.name} gesamt", style=Style.TOTAL)]
    for col in range(2, len(header)):
        values = [row[col].value for row in body if row[col].value is not None]
        kind = body[0][col].kind if body else None
        total = sum(values) if values else 0
        formula = f"=SUM({to_a1(first, col)}:{to_a1(max(last, first), col)})"
        totals.append(Cell(total, kind, Style.TOTAL, formula=formula))
    rows = [
        *title_rows(
            "Zeitreihe",
            "Personen, Pro-Kopf-Pauschale und Vollzeitstellen je Gemeinde und Runde. Frühere Runden mit der dort "
            "freigegebenen (sonst der neuesten gültigen) Fassung und den Regeln ihres Förderzeitraums.",
        ),
        (),
        header,
        *body,
        tuple(totals),
    ]
    widths = (10, 44, *(13 for _ in range(len(header) - 2)))
    return SheetGrid(SHEET_SERIES, tuple(rows), widths, HEADER_ROW, len(body), (first, 2))
