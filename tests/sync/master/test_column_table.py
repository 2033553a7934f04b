"""One column table for the Übersicht: a column added there appears in the xlsx master, the Google master and
Aktualisieren's output, with its values, its total and the staff's notes still read back."""

from __future__ import annotations

import httpx
import openpyxl
import pytest
from districts import SAMPLE_STICHTAG
from google_standin.model import Formula
from master_reading import overview
from payloads import open_master_payload, written_sheet

import pakt.sync.master._overview as overview_table
from pakt.schemas import Kind
from pakt.sync import OverviewColumn, StateStore, master_path, state_path, sum_total

HEADER = "Kinder (unter 18)"


def _children(row) -> int | None:
    if row.submission is None:
        return None
    ages = row.submission.persons.by_age
    return ages.under_3 + ages.from_3_to_5 + ages.from_6_to_17


@pytest.fixture
def children_column(monkeypatch) -> OverviewColumn:
    """The table with one more column after Personen: that entry is the whole change."""
    column = OverviewColumn(
        "children", HEADER, 10, _children, Kind.COUNT, source="persons.by_age.under_3", total=sum_total
    )
    columns = list(overview_table.OVERVIEW_COLUMNS)
    columns.insert([c.key for c in columns].index("persons") + 1, column)
    monkeypatch.setattr(overview_table, "OVERVIEW_COLUMNS", tuple(columns))
    return column


def _expected(district) -> dict[str, int]:
    result = district.sync(full=True)
    return {row.municipality.ags: _children(row) for row in result.view.rows}


def test_the_xlsx_master_gets_the_new_column_with_values_links_and_total(children_column, district):
    expected = _expected(district)
    rows, totals = overview(district.master)
    assert {ags: row[HEADER] for ags, row in rows.items()} == expected
    assert totals[HEADER] == sum(expected.values()) > 0
    assert list(rows["08327002"])[4:6] == ["Personen", HEADER]
    sheet = openpyxl.load_workbook(district.master)["Übersicht"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "AGS")
    column = [c.value for c in header_row].index(HEADER)
    aldingen = next(r for r in sheet.iter_rows() if r[0].value == "08327002")
    link = aldingen[column].hyperlink
    assert link.target.endswith("08327002_Aldingen.xlsx") and link.location == "'Meldung'!B16"  # the under-3s


def test_the_google_master_gets_the_new_column(children_column, google_district):
    result = google_district.sync()
    values = google_district.master_sheet("Übersicht").values
    start = next(i for i, row in enumerate(values) if row and row[0] == "AGS")
    header = values[start]
    column = header.index(HEADER)
    body = values[start + 1 : start + 1 + len(result.view.rows)]
    assert {row[0]: row[column] for row in body} == {r.municipality.ags: _children(r) for r in result.view.rows}
    letter = chr(ord("A") + column)
    assert values[start + 1 + len(body)][column] == Formula(f"=SUM({letter}6:{letter}40)")


def test_aktualisieren_writes_the_new_column_and_still_reads_the_notes_back(children_column, live_server, repo):
    payload = open_master_payload(
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        [
            [""],
            [""],
            [""],
            [""],
            ["AGS", "Gemeinde", "Bemerkung"],
            ["08327002", "Aldingen", "Kinderzahl mit Schulamt abgleichen"],
        ],
    )
    response = httpx.post(
        f"{live_server.url}/xlwings/custom-scripts-call/aktualisieren",
        json=payload,
        headers=live_server.headers(live_server.landkreis),
        timeout=60,
    )
    assert response.status_code == 200, response.text
    sheet = written_sheet(response.json()["actions"])
    start = next(i for i, row in enumerate(sheet) if row[0] == "AGS")
    header = sheet[start]
    aldingen = next(row for row in sheet[start + 1 :] if row[0] == "08327002")
    assert header.index(HEADER) == header.index("Personen") + 1
    assert aldingen[header.index(HEADER)] == _expected(live_server.district)["08327002"]
    assert aldingen[header.index("Bemerkung")] == "Kinderzahl mit Schulamt abgleichen"
    registry = live_server.district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        assert store.annotations(SAMPLE_STICHTAG)["08327002"].note == "Kinderzahl mit Schulamt abgleichen"
