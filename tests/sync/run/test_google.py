"""The sample district kept in Google Sheets, synced through gspread over real HTTP to the stand-in."""

from __future__ import annotations

from decimal import Decimal

import gspread
import pytest
import requests
from google_districts import GoogleDistrict, make_district
from google_standin.fixture import StandInSession
from google_standin.model import Formula
from master_reading import overview

from pakt.schemas import GoogleSettings
from pakt.sync import StateStore, Status
from pakt.sync.google._client import PaktHTTPClient, Traffic


def _google_overview(district: GoogleDistrict) -> tuple[list[str], list[list], list]:
    values = district.master_sheet("Übersicht").values
    header_index = next(i for i, row in enumerate(values) if row and row[0] == "AGS")
    header = values[header_index]
    body = [row for row in values[header_index + 1 :] if row and row[0]]
    totals = values[header_index + 1 + len(body)]
    return header, body, totals


def test_google_district_syncs_to_a_google_master_with_the_xlsx_totals(google_district):
    result = google_district.sync()
    summary = result.to_json()
    assert (summary["municipalities"], summary["received"], summary["missing"]) == (35, 35, 0)
    assert summary["im_heads"] == 14 and summary["im_fte"] == 11.0 and summary["allowance_eur"] == "1014300.00"
    header, body, totals = _google_overview(google_district)
    assert len(body) == 35
    _rows, xlsx_totals = overview(result.master)
    persons = header.index("Personen")
    assert sum(row[persons] for row in body) == xlsx_totals["Personen"] == 828
    allowance = header.index("Pro-Kopf-Pauschale")
    assert sum(Decimal(str(row[allowance])) for row in body) == Decimal(str(xlsx_totals["Pro-Kopf-Pauschale"]))
    assert totals[persons] == Formula("=SUM(E6:E40)") and isinstance(totals[persons], Formula)
    assert totals[header.index("IM (Personen)")] == xlsx_totals["IM (Personen)"] == 14
    status = header.index("Status")
    fills = google_district.master_sheet("Übersicht").backgrounds
    assert all((row_index, status) in fills for row_index in range(5, 40))
    assert {"Übersicht", "Integrationsmanager", "Prüfbericht", "Verlauf"} <= {
        s.title for s in google_district.world.spreadsheets[google_district.master_id].sheets
    }


def test_cold_sync_exports_each_sheet_once_through_drive_and_spends_no_sheets_reads_on_them(google_district):
    result = google_district.sync()
    traffic = result.google
    assert traffic.drive == 1 + 35  # one listing, one export per municipality (Drive's quota, not Sheets')
    assert traffic.sheets_read == 1  # the master's layout
    assert traffic.sheets_write == 1
    assert traffic.retries == 0


def test_second_sync_makes_no_sheets_reads(google_district):
    google_district.sync()
    google_district.world.reset_log()
    second = google_district.sync()
    assert (second.read, second.unchanged) == (0, 35)
    assert second.google.as_dict() == {"drive": 1, "sheets_read": 0, "sheets_write": 0, "retries": 0}
    assert google_district.world.count("sheets_read", None) == 0


def test_a_changed_sheet_is_read_with_one_request(google_district):
    google_district.sync()
    trossingen = google_district.sheet_of("Trossingen")
    trossingen.sheet("Meldung").set(8, 1, "Neue Ansprechperson")  # B9, the contact person
    trossingen.touch()
    again = google_district.sync()
    assert again.read == 1 and again.unchanged == 34
    assert again.google.drive == 1 + 1  # the listing; the changed sheet's export
    assert again.google.sheets_read == 2  # the master's layout and Übersicht
    assert again.google.sheets_write == 1
    row = next(r for r in again.view.rows if r.municipality.name == "Trossingen")
    assert row.submission.header.contact_person == "Neue Ansprechperson"


@pytest.mark.slow
def test_a_storm_of_429s_and_500s_still_ends_with_a_complete_master(tmp_path, standin, loaded_samples, repo):
    google_district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=10)
    world = google_district.world
    world.inject(429, times=3, match="/export")
    world.inject(403, times=2, match="/export", reason="userRateLimitExceeded")  # Drive's rate limit is a 403
    world.inject(502, times=2, match="/export", html=True)  # Google's front end: an HTML page
    world.inject(500, times=1, match="/export")
    world.inject(503, times=1, match=":batchUpdate", html=True)
    result = google_district.sync()
    assert result.to_json()["received"] == 35 and not result.problems
    assert result.google.retries == 9
    assert result.google.drive == 1 + 35 + 8
    assert result.google.sheets_write == 1 + 1
    assert world.count("drive", 429) == 3 and world.count("drive", 403) == 2 and world.count("drive", 502) == 2
    assert len(_google_overview(google_district)[1]) == 35


def test_a_sheet_not_shared_is_reported_in_german_and_the_rest_is_consolidated(google_district):
    google_district.world.private.add(google_district.ids["Aldingen"])
    result = google_district.sync()
    assert result.to_json()["received"] == 34
    problem = next(p for p in result.problems if p.municipality == "Aldingen")
    assert problem.message.startswith("Die Tabelle von Aldingen ist für das Dienstkonto von Pakt nicht zu sehen")
    assert "nicht freigegeben" in problem.message and "als Betrachter freigeben" in problem.message
    assert next(r for r in result.view.rows if r.municipality.name == "Aldingen").absent
    _, body, _ = _google_overview(google_district)
    assert len(body) == 35


def test_a_deleted_sheet_is_reported_in_german(google_district):
    del google_district.world.spreadsheets[google_district.ids["Balgheim"]]
    result = google_district.sync()
    problem = next(p for p in result.problems if p.municipality == "Balgheim")
    assert "gelöscht, im Papierkorb, nicht freigegeben oder falsche Adresse im Verzeichnis" in problem.message


def test_nothing_stored_is_lost_when_google_fails_halfway(google_district):
    google_district.sync()
    for name in ("Aldingen", "Gosheim", "Talheim"):
        sheet = google_district.sheet_of(name)
        sheet.sheet("Meldung").set(8, 1, f"Zweite Fassung {name}")
        sheet.touch()
    google_district.world.inject(500, times=50, match=google_district.ids["Gosheim"])
    failed = google_district.sync(full=False)
    gosheim = next(r for r in failed.view.rows if r.municipality.name == "Gosheim")
    assert gosheim.status is Status.EINGEREICHT and gosheim.submission.header.contact_person != "Zweite Fassung Gosheim"
    assert any("Gosheim" in (p.municipality or "") and "nicht geliefert" in p.message for p in failed.problems)
    talheim = next(r for r in failed.view.rows if r.municipality.name == "Talheim")
    assert talheim.submission.header.contact_person == "Zweite Fassung Talheim"
    google_district.world.faults.clear()
    recovered = google_district.sync()
    assert recovered.read == 1
    gosheim = next(r for r in recovered.view.rows if r.municipality.name == "Gosheim")
    assert gosheim.submission.header.contact_person == "Zweite Fassung Gosheim"
    with StateStore(recovered.state) as store:
        assert store.db.execute("SELECT COUNT(*) FROM versions").fetchone() == (38,)


@pytest.mark.slow
def test_a_hanging_request_times_out_and_is_retried(google_district):
    google_district.world.hang_s = 3.0
    google_district.world.inject("timeout", times=1, match="/export")
    result = google_district.sync()
    assert result.to_json()["received"] == 35 and result.google.retries == 1


@pytest.mark.slow
def test_the_limiter_keeps_requests_inside_the_quota(tmp_path, standin, loaded_samples, repo):
    district = make_district(
        tmp_path, standin, loaded_samples, repo, standin_reads=12, standin_drive=12, reads_per_minute=12,
        drive_per_minute=12, quota_window_s=1.0,
    )  # fmt: skip
    district.world.window_s = 1.0
    result = district.sync()
    assert result.to_json()["received"] == 35
    assert district.world.count("drive", 403) == 0 and district.world.count("sheets_read", 429) == 0
    assert result.google.retries == 0
    naive = gspread.Client(auth=None, session=StandInSession(standin.url, "ungeduldig"))
    refused = 0
    for sheet_id in list(district.ids.values())[:20]:
        try:
            naive.open_by_key(sheet_id)
        except gspread.exceptions.APIError as exc:
            refused += exc.code == 429
    assert refused >= 8, "the stand-in enforces the quota on a client without a limiter"


def test_staff_columns_in_the_google_master_survive_a_refresh(google_district):
    google_district.sync()
    overview_sheet = google_district.master_sheet("Übersicht")
    header = next(r for r in overview_sheet.values if r and r[0] == "AGS")
    row = next(i for i, r in enumerate(overview_sheet.values) if r and r[0] == "08327066")
    overview_sheet.set(row, header.index("Bemerkung"), "=Rückruf Kämmerei")
    overview_sheet.set(row, header.index("Wiedervorlage"), 43313)  # 01.08.2018 as Sheets stores it
    google_district.world.spreadsheets[google_district.master_id].touch()
    changed = google_district.sheet_of("Talheim")
    changed.sheet("Meldung").set(8, 1, "Andere Person")
    changed.touch()
    google_district.sync()
    overview_sheet = google_district.master_sheet("Übersicht")
    row = next(r for r in overview_sheet.values if r and r[0] == "08327066")
    note = row[header.index("Bemerkung")]
    assert note == "=Rückruf Kämmerei" and not isinstance(note, Formula)
    assert row[header.index("Wiedervorlage")] == 43313.0


def test_gspread_runs_unmodified_against_the_standin(google_district):
    client = gspread.Client(auth=None, session=StandInSession(google_district.standin.url))
    files = client.list_spreadsheet_files()
    assert {f["id"] for f in files} >= set(google_district.ids.values())
    spreadsheet = client.open_by_key(google_district.ids["Aldingen"])
    assert [w.title for w in spreadsheet.worksheets()] == [
        "Hinweise",
        "Meldung",
        "Integrationsmanager",
        "Kosten",
        "_Pakt",
    ]
    meldung = spreadsheet.worksheet("Meldung").get_all_values()
    assert meldung[13][:2] == ["Personen in Anschlussunterbringung", "44"]


def test_retry_after_is_honoured_but_never_for_a_day(google_district):
    settings = GoogleSettings(max_retry_after_s=30)
    client = PaktHTTPClient(None, session=requests.Session())
    client.tune(settings, Traffic(), {})
    answer = requests.Response()
    answer.headers["Retry-After"] = "86400"
    assert client._delay(0, answer) == 30
    answer.headers["Retry-After"] = "2"
    assert client._delay(0, answer) == 2


def test_a_sheet_that_keeps_failing_is_given_up_at_its_deadline_and_the_rest_is_read(
    tmp_path, standin, loaded_samples, repo
):
    district = make_district(
        tmp_path, standin, loaded_samples, repo, request_deadline_s=1.0, backoff_s=0.3, max_retries=50
    )
    district.world.inject(503, times=10_000, match=district.ids["Aldingen"])
    result = district.sync()
    assert result.google.retries < 10, "the deadline, not the 50 retries allowed, ended the attempts"
    assert result.figures.received == 34
    problem = next(p for p in result.problems if p.municipality == "Aldingen")
    assert "nicht geliefert (Fehler 503)" in problem.message


def test_a_failed_google_master_write_is_said_and_the_next_quiet_run_writes_both_masters(
    tmp_path, standin, loaded_samples, repo
):
    district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=2, backoff_s=0.01)
    district.sync()
    trossingen = district.sheet_of("Trossingen")
    trossingen.sheet("Meldung").set(8, 1, "Neue Ansprechperson")  # B9: a new version the masters must take up
    trossingen.touch()
    district.world.inject(503, times=50, match=":batchUpdate")
    failed = district.sync()
    assert failed.exit_code == 5 and "Google-Übersicht schreiben" in failed.failures[0].message
    assert "Sie zeigt den alten Stand" in failed.failures[0].message
    district.world.faults.clear()
    quiet = district.sync()
    assert quiet.read == 0 and not quiet.failures
    assert quiet.google.sheets_write == 1, "the Google master is written although no sheet changed"


# -- what the Google master carries beyond values ---------------------------------------------------


def master_tab(district: GoogleDistrict, title: str) -> dict:
    """A tab of the Google master as spreadsheets.get gives it with grid data, over HTTP (the answer is held
    to Google's response schema like every other)."""
    client = gspread.Client(auth=None, session=StandInSession(district.standin.url))
    meta = client.open_by_key(district.master_id).fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": f"'{title}'"}
    )
    return next(s for s in meta["sheets"] if s["properties"]["title"] == title)


def _cells(tab: dict) -> list[list[dict]]:
    return [row.get("values", []) for row in tab["data"][0]["rowData"]]


def _text(cell: dict) -> object:
    entered = cell.get("userEnteredValue", {})
    return next(iter(entered.values()), None)


def test_the_google_master_has_the_xlsx_masters_sheets_formats_links_and_review_drop_down(google_district):
    result = google_district.sync()
    master = google_district.world.spreadsheets[google_district.master_id]
    assert [s.title for s in master.sheets[:6]] == [
        "Übersicht",
        "Integrationsmanager",
        "Prüfbericht",
        "Auszahlung",
        "Zeitreihe",
        "Verlauf",
    ]
    tab = master_tab(google_district, "Übersicht")
    cells = _cells(tab)
    start = next(i for i, row in enumerate(cells) if row and _text(row[0]) == "AGS")
    header = [_text(c) for c in cells[start]]
    aldingen = next(row for row in cells if row and _text(row[0]) == "08327002")
    totals = cells[start + 1 + len(result.view.rows)]

    persons, allowance = aldingen[header.index("Personen")], aldingen[header.index("Pro-Kopf-Pauschale")]
    assert persons["userEnteredFormat"]["numberFormat"] == {"type": "NUMBER", "pattern": "#,##0"}
    assert allowance["userEnteredFormat"]["numberFormat"]["pattern"] == '#,##0.00\\ "€"'
    signed = aldingen[header.index("Freigegeben am")]["userEnteredFormat"]["numberFormat"]
    assert signed == {"type": "DATE", "pattern": "dd.mm.yyyy"}
    source_url = f"https://docs.google.com/spreadsheets/d/{google_district.ids['Aldingen']}/edit"
    assert persons["hyperlink"] == allowance["hyperlink"] == source_url
    assert persons["note"].endswith("Blatt Meldung, Zelle B14")  # the tab and cell a link cannot address
    assert aldingen[header.index("Quelle")]["hyperlink"] == source_url

    total = totals[header.index("Pro-Kopf-Pauschale")]
    assert total["userEnteredValue"] == {"formulaValue": "=SUM(F6:F40)"}
    assert total["userEnteredFormat"]["numberFormat"]["pattern"].endswith('"€"')

    review = aldingen[header.index("Prüfung")]["dataValidation"]
    assert review["condition"] == {
        "type": "ONE_OF_LIST",
        "values": [{"userEnteredValue": choice} for choice in ("geprüft", "freigegeben", "zurückgewiesen")],
    }
    assert review["showCustomUi"] and review["strict"]
    assert "dataValidation" not in totals[header.index("Prüfung")]

    grid = tab["properties"]["gridProperties"]
    assert (grid["frozenRowCount"], grid["frozenColumnCount"]) == (start + 1, 2)
    assert tab["basicFilter"]["range"]["startRowIndex"] == start
    assert tab["basicFilter"]["range"]["endRowIndex"] == start + 1 + len(result.view.rows)
    widths = [c["pixelSize"] for c in tab["data"][0]["columnMetadata"][: len(header)]]
    assert widths[header.index("Gemeinde")] > widths[header.index("AGS")] > 0

    staff = _cells(master_tab(google_district, "Integrationsmanager"))
    staff_start = next(i for i, row in enumerate(staff) if row and _text(row[0]) == "AGS")
    staff_header = [_text(c) for c in staff[staff_start]]
    first = staff[staff_start + 1][staff_header.index("Quelle")]
    assert first["hyperlink"].startswith("https://docs.google.com/spreadsheets/d/")
    assert "Blatt Integrationsmanager" in first["note"]


def test_a_second_write_replaces_links_notes_and_drop_downs_rather_than_piling_them_up(google_district):
    google_district.sync()
    overview_sheet = google_district.master_sheet("Übersicht")
    before = (dict(overview_sheet.notes), dict(overview_sheet.validations), dict(overview_sheet.formats))
    below = overview_sheet.rows - 1  # under the table, where a longer table of an earlier run reached
    overview_sheet.notes[(below, 3)] = "eine Notiz weit unten"
    overview_sheet.validations[(below, 15)] = {
        "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "x"}]}
    }
    google_district.world.spreadsheets[google_district.master_id].touch()
    google_district.sync(full=True)
    overview_sheet = google_district.master_sheet("Übersicht")
    assert (overview_sheet.notes, overview_sheet.validations, overview_sheet.formats) == before


def test_a_google_master_of_a_district_with_files_names_the_file_in_the_note(tmp_path, standin, loaded_samples, repo):
    """A file on the share cannot be opened from a Google Sheet: no link, the note says where the figure is."""
    district = make_district(tmp_path, standin, loaded_samples, repo)
    config = district.root / "pakt.toml"
    folder = district.root / "gemeinden"
    folder.mkdir()
    (folder / "08327002_Aldingen.xlsx").write_bytes((repo / "sample_workbooks" / "08327002_Aldingen.xlsx").read_bytes())
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            f'workbook = "gsheet:{district.ids["Aldingen"]}"', 'workbook = "gemeinden/08327002_Aldingen.xlsx"'
        ),
        encoding="utf-8",
    )
    result = district.sync()
    assert result.figures.received == 35
    cells = _cells(master_tab(district, "Übersicht"))
    header = [_text(c) for c in next(row for row in cells if row and _text(row[0]) == "AGS")]
    aldingen = next(row for row in cells if row and _text(row[0]) == "08327002")
    persons = aldingen[header.index("Personen")]
    assert "hyperlink" not in persons
    assert persons["note"] == "Quelle: 08327002_Aldingen.xlsx, Blatt Meldung, Zelle B14"
    balgheim = next(row for row in cells if row and _text(row[0]) == "08327004")
    assert balgheim[header.index("Personen")]["hyperlink"].startswith("https://docs.google.com/spreadsheets/d/")
