"""The Google master's Auswertung: the status table and its charts (the Sheets API's addChart), over HTTP to the
stand-in, which holds every chart to Google's discovery document and reference."""

from __future__ import annotations

import re

import gspread
from google_districts import GoogleDistrict
from google_standin.fixture import StandInSession
from google_standin.model import Formula

from pakt.sync import Status
from pakt.sync.master._google_sheet import CHART_IDS

STATUS_FIRST_ROW = 4
"""The status table's first status (zero-based row), under its header in row 4 of the Auswertung."""
_COUNTIF = re.compile(
    r"""=COUNTIF\('(?P<sheet>[^']+)'!\$(?P<col>[A-Z]+)\$(?P<first>\d+):\$[A-Z]+\$(?P<last>\d+),"(?P<status>[^"]+)"\)"""
)


def _spreadsheet(district: GoogleDistrict) -> dict:
    """The whole Google master as spreadsheets.get gives it (charts included), over HTTP: the answer is held
    to Google's response schema like every other."""
    client = gspread.Client(auth=None, session=StandInSession(district.standin.url))
    return client.open_by_key(district.master_id).fetch_sheet_metadata()


def _tab(meta: dict, title: str) -> dict:
    return next(s for s in meta["sheets"] if s["properties"]["title"] == title)


def _charts(meta: dict) -> dict[int, dict]:
    return {chart["chartId"]: chart for sheet in meta["sheets"] for chart in sheet.get("charts", [])}


def _column(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _counted(district: GoogleDistrict, formula: str) -> int:
    """What a COUNTIF of the status table counts in the stand-in's Übersicht."""
    found = _COUNTIF.fullmatch(formula)
    assert found, formula
    sheet = district.master_sheet(found["sheet"])
    col = _column(found["col"])
    rows = range(int(found["first"]) - 1, int(found["last"]))
    return sum(1 for r in rows if sheet.get(r, col) == found["status"])


def _source(spec: dict) -> dict:
    (source,) = spec["sourceRange"]["sources"]
    return source


def test_the_google_master_has_the_auswertung_with_the_status_table_and_three_german_charts(google_district):
    result = google_district.sync()
    meta = _spreadsheet(google_district)
    assert [s["properties"]["title"] for s in meta["sheets"]][6] == "Auswertung"  # after the xlsx master's six
    evaluation = google_district.master_sheet("Auswertung")
    overview = google_district.master_sheet("Übersicht")

    assert (
        evaluation.get(STATUS_FIRST_ROW - 1, 0) == "Status" and evaluation.get(STATUS_FIRST_ROW - 1, 1) == "Gemeinden"
    )
    header = next(row for row in overview.values if row and row[0] == "AGS")
    statuses = [row[header.index("Status")] for row in overview.values[header_row(overview) + 1 :][:35]]
    for offset, status in enumerate(Status):
        row = STATUS_FIRST_ROW + offset
        assert evaluation.get(row, 0) == status.value
        count = evaluation.get(row, 1)
        assert isinstance(count, Formula)  # a formula over the Übersicht, as the xlsx master's
        assert _counted(google_district, count) == statuses.count(status.value) == result.view.count(status)
    total_row = STATUS_FIRST_ROW + len(Status)
    assert evaluation.get(total_row, 0) == "gesamt"
    assert evaluation.get(total_row, 1) == Formula(f"=SUM(B{STATUS_FIRST_ROW + 1}:B{total_row})")
    assert evaluation.formats[(STATUS_FIRST_ROW, 1)]["numberFormat"] == {"type": "NUMBER", "pattern": "#,##0"}

    charts = _charts(meta)
    assert sorted(charts) == sorted(CHART_IDS.values())
    evaluation_id = _tab(meta, "Auswertung")["properties"]["sheetId"]
    overview_id = _tab(meta, "Übersicht")["properties"]["sheetId"]
    assert len(_tab(meta, "Auswertung")["charts"]) == 3  # all on the Auswertung

    pie = charts[CHART_IDS["status"]]["spec"]
    stand = f"{result.stamp.finished_at:%d.%m.%Y}"
    assert pie["title"] == f"Gemeinden nach Status am {stand}"
    table = {"sheetId": evaluation_id, "startRowIndex": STATUS_FIRST_ROW, "endRowIndex": total_row}
    assert _source(pie["pieChart"]["domain"]) == {**table, "startColumnIndex": 0, "endColumnIndex": 1}
    assert _source(pie["pieChart"]["series"]) == {**table, "startColumnIndex": 1, "endColumnIndex": 2}

    first = header_row(overview) + 1
    rows = {"sheetId": overview_id, "startRowIndex": first, "endRowIndex": first + 35}
    for key, title, column in (
        ("persons", "Personen in Anschlussunterbringung je Gemeinde, Stichtag 30.06.2018", "Personen"),
        ("allowance", "Pro-Kopf-Pauschale in Euro je Gemeinde, Stichtag 30.06.2018", "Pro-Kopf-Pauschale"),
    ):
        spec = charts[CHART_IDS[key]]["spec"]
        assert spec["title"] == title
        columns = spec["basicChart"]
        assert columns["chartType"] == "COLUMN" and columns["legendPosition"] == "NO_LEGEND"
        names = header.index("Gemeinde")
        assert _source(columns["domains"][0]["domain"]) == {
            **rows,
            "startColumnIndex": names,
            "endColumnIndex": names + 1,
        }
        figures = header.index(column)
        assert _source(columns["series"][0]["series"]) == {
            **rows,
            "startColumnIndex": figures,
            "endColumnIndex": figures + 1,
        }
        anchor = charts[CHART_IDS[key]]["position"]["overlayPosition"]["anchorCell"]
        assert anchor["sheetId"] == evaluation_id


def header_row(sheet) -> int:
    return next(i for i, row in enumerate(sheet.values) if row and row[0] == "AGS")


def test_a_second_write_replaces_the_charts_in_its_one_batch_update(google_district):
    google_district.sync()
    changed = google_district.sheet_of("Talheim")
    changed.sheet("Meldung").set(8, 1, "Andere Person")
    changed.touch()
    google_district.world.reset_log()
    again = google_district.sync()
    assert again.google.sheets_write == 1 and again.google.sheets_read == 2  # layout and Übersicht, one write
    charts = _charts(_spreadsheet(google_district))
    assert sorted(charts) == sorted(CHART_IDS.values())  # three, not six

    master = google_district.world.spreadsheets[google_district.master_id]
    master.sheet("Auswertung").title = "Auswertung (alt)"  # staff renamed the tab: its charts go with it
    master.touch()
    google_district.sync(full=True)
    meta = _spreadsheet(google_district)
    assert sorted(_charts(meta)) == sorted(CHART_IDS.values())
    assert len(_tab(meta, "Auswertung")["charts"]) == 3 and "charts" not in _tab(meta, "Auswertung (alt)")


def test_the_standin_holds_charts_to_googles_reference(standin):
    """What Google's reference says addChart and deleteEmbeddedObject refuse, the stand-in refuses, leaving the
    spreadsheet untouched; a chart it takes comes back from spreadsheets.get."""
    from google_standin.discovery import VIOLATIONS

    world = standin.fresh()
    book = world.empty("Charts")
    session = StandInSession(standin.url)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{book.spreadsheet_id}"

    def column(c0: int, c1: int = 0, rows: int = 8) -> dict:
        grid = {"sheetId": 0, "startRowIndex": 1, "endRowIndex": rows, "startColumnIndex": c0}
        return {"sourceRange": {"sources": [{**grid, "endColumnIndex": c1 or c0 + 1}]}}

    def chart(chart_id: int = 5, anchor: int = 3, **spec) -> dict:
        spec = spec or {"pieChart": {"domain": column(0), "series": column(1)}}
        position = {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": anchor, "columnIndex": 3}}}
        return {"addChart": {"chart": {"chartId": chart_id, "spec": {"title": "Titel", **spec}, "position": position}}}

    basic = {"chartType": "COLUMN", "domains": [{"domain": column(0)}], "series": [{"series": column(1)}]}
    refused = {
        "the same id twice": [chart(), chart()],
        "two kinds of chart": [chart(pieChart={"domain": column(0), "series": column(1)}, basicChart=basic)],
        "no kind of chart": [chart(title="nur ein Titel")],
        "a source of two columns": [chart(pieChart={"domain": column(0), "series": column(1, 3)})],
        "a series shorter than its domain": [chart(pieChart={"domain": column(0), "series": column(1, rows=5)})],
        "two domains": [chart(basicChart={**basic, "domains": [{"domain": column(0)}, {"domain": column(2)}]})],
        "beyond the grid": [chart(pieChart={"domain": column(0, rows=5000), "series": column(1, rows=5000)})],
        "anchored outside the grid": [chart(anchor=5000)],
        "deleting a chart that is not there": [chart(), {"deleteEmbeddedObject": {"objectId": 6}}],
        "an unknown chart type": [chart(basicChart={**basic, "chartType": "SAEULE"})],
    }
    for why, requests in refused.items():
        answer = session.post(f"{url}:batchUpdate", json={"requests": requests})
        assert answer.status_code == 400, why
        assert book.charts() == [], why
    assert len(VIOLATIONS) == 1 and "SAEULE" in VIOLATIONS[0]  # only the unknown enum breaks the schema itself
    VIOLATIONS.clear()

    answer = session.post(f"{url}:batchUpdate", json={"requests": [chart(), chart(6, basicChart=basic)]})
    assert answer.status_code == 200
    assert [reply["addChart"]["chart"]["chartId"] for reply in answer.json()["replies"]] == [5, 6]
    listed = session.get(url, params={"fields": "sheets(charts(chartId,spec(title)))"}).json()
    assert listed["sheets"][0]["charts"] == [{"chartId": n, "spec": {"title": "Titel"}} for n in (5, 6)]
    answer = session.post(f"{url}:batchUpdate", json={"requests": [{"deleteEmbeddedObject": {"objectId": 5}}]})
    assert answer.status_code == 200 and [c["chartId"] for c in book.charts()] == [6]
