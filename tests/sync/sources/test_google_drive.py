"""Google as Google answers: shared drives and link-shared sheets, refusals told apart, the master repaired, dates
read with their type, and credentials through the token endpoint - against the stand-in held to Google's schemas."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from google_districts import make_district
from google_standin.fixture import service_account_key
from google_standin.model import XLSX, load_xlsx
from master_reading import overview as overview_of

from pakt.sync import Status


def row(result, name: str):
    return next(r for r in result.view.rows if r.municipality.name == name)


def finding_at(result, name: str, cell: str):
    """The finding of a municipality's newest (refused) version at a cell."""
    broken = row(result, name).newer_broken
    return next(f for f in broken.findings if f.cell == cell)


def edit_contact(district, name: str, text: str) -> None:
    sheet = district.sheet_of(name)
    sheet.sheet("Meldung").set(8, 1, text)  # B9, the contact person
    sheet.touch()


def test_sheets_in_a_shared_drive_and_shared_by_link_are_read_again_after_an_edit(google_district):
    world = google_district.world
    in_drive, by_link = google_district.sheet_of("Aldingen"), google_district.sheet_of("Balgheim")
    in_drive.drive_id, in_drive.shared_directly = "0ALandkreisMeldungen", False
    world.shared_drives.add("0ALandkreisMeldungen")
    by_link.shared_directly, by_link.link_shared = False, True
    first = google_district.sync()
    assert first.figures.received == 35 and not first.problems
    edit_contact(google_district, "Aldingen", "Neu in der Ablage")
    edit_contact(google_district, "Balgheim", "Neu per Link")
    second = google_district.sync()
    assert second.read == 2 and second.unchanged == 33
    assert row(second, "Aldingen").submission.header.contact_person == "Neu in der Ablage"
    assert row(second, "Balgheim").submission.header.contact_person == "Neu per Link"
    assert second.google.drive == 1 + 1 + 2  # the listing, files.get for the link-shared sheet, two exports


def test_a_trashed_sheet_is_reported_and_its_last_reading_kept(google_district):
    google_district.sync()
    google_district.sheet_of("Talheim").trashed = True
    result = google_district.sync()
    problem = next(p for p in result.problems if p.municipality == "Talheim")
    assert "im Papierkorb" in problem.message
    assert row(result, "Talheim").status is Status.EINGEREICHT


def test_an_uploaded_xlsx_that_was_never_converted_is_read_as_a_file(google_district, repo):
    sheet = google_district.sheet_of("Gosheim")
    sheet.mime_type = XLSX
    sheet.upload = (repo / "sample_workbooks" / "08327032_Gosheim.xlsx").read_bytes()
    result = google_district.sync()
    assert row(result, "Gosheim").status is Status.EINGEREICHT and not result.problems
    second = google_district.sync()
    assert second.google.as_dict() == {"drive": 1, "sheets_read": 0, "sheets_write": 0, "retries": 0}


def test_a_date_typed_into_a_count_is_an_error_at_its_cell(google_district):
    """A de_DE clerk types "1.5" into Personen: Sheets stores the 1st of May (serial 46,143), not 1.5."""
    sheet = google_district.sheet_of("Trossingen")
    sheet.sheet("Meldung").set(13, 1, datetime(2026, 5, 1))  # B14, persons in follow-up housing
    sheet.touch()
    result = google_district.sync()
    finding = finding_at(result, "Trossingen", "B14")
    assert row(result, "Trossingen").status is Status.FEHLERHAFT
    assert finding.sheet == "Meldung" and finding.blocking
    assert "46143" not in finding.message and "46.143" not in finding.message


def test_an_export_without_the_names_is_read_through_the_sheets_api_with_the_cells_types(google_district, monkeypatch):
    from google_standin import export

    original = export.export_xlsx

    def without_names(book):
        stripped = copy.deepcopy(book)
        stripped.named_ranges = []
        return original(stripped)

    monkeypatch.setattr("google_standin.app.export_xlsx", without_names)
    sheet = google_district.sheet_of("Trossingen")
    sheet.sheet("Meldung").set(13, 1, datetime(2026, 5, 1))
    sheet.touch()
    result = google_district.sync()
    assert result.figures.received == 34 and result.figures.invalid == 1
    assert result.google.sheets_read == 35 + 1, "one typed spreadsheets.get per sheet, and the master's layout"
    assert finding_at(result, "Trossingen", "B14").blocking


def test_a_master_tab_renamed_or_deleted_by_staff_is_repaired(google_district):
    google_district.sync()
    master = google_district.world.spreadsheets[google_district.master_id]
    master.sheet("Übersicht").title = "Übersicht (alt)"
    master.sheets = [s for s in master.sheets if s.title != "Verlauf"]
    edit_contact(google_district, "Talheim", "Nach dem Umbenennen")
    result = google_district.sync()
    assert not result.failures
    titles = [s.title for s in master.sheets]
    assert {"Übersicht", "Übersicht (alt)", "Verlauf"} <= set(titles)
    assert len({s.sheet_id for s in master.sheets}) == len(master.sheets)
    overview = master.sheet("Übersicht").values
    assert sum(1 for r in overview if r and str(r[0]).startswith("0832")) == 35


def test_a_quiet_run_after_the_masters_could_not_be_read_writes_both(tmp_path, standin, loaded_samples, repo):
    district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=2, backoff_s=0.01)
    district.sync()
    trossingen = district.sheet_of("Trossingen")
    trossingen.sheet("Meldung").set(13, 1, datetime(2026, 5, 1))  # makes the row "fehlerhaft" in the masters
    trossingen.touch()
    district.world.inject(503, times=50, match=district.master_id, html=True)
    failed = district.sync()
    assert failed.exit_code == 5 and "Google-Übersicht lesen" in failed.failures[0].message
    district.world.faults.clear()
    quiet = district.sync()
    assert quiet.read == 0 and not quiet.failures
    assert quiet.google.sheets_write == 1
    overview = district.master_sheet("Übersicht").values
    assert any("Trossingen" in r and "fehlerhaft" in r for r in overview)
    xlsx_rows, _ = overview_of(quiet.master)
    assert any(r["Gemeinde"] == "Trossingen" and r["Status"] == "fehlerhaft" for r in xlsx_rows.values())


@pytest.mark.parametrize(
    ("api", "says"),
    [("drive", "Google Drive API aktivieren"), ("sheets", "Google Sheets API aktivieren")],
)
def test_an_api_not_enabled_is_said_once_for_the_run_not_as_every_municipalitys_problem(google_district, api, says):
    google_district.sync()
    edit_contact(google_district, "Talheim", "Neu")
    google_district.world.disabled_apis.add(api)
    result = google_district.sync()
    assert result.exit_code != 0
    assert any(says in f.message for f in result.failures), [f.message for f in result.failures]
    assert not any("freigeben" in p.message for p in result.problems if p.municipality)


def test_credentials_without_a_scope_are_told_to_it_not_to_the_municipalities(tmp_path, standin, loaded_samples, repo):
    district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=1, backoff_s=0.01)
    key = service_account_key(tmp_path / "dienstkonto.json", standin.url + "/token")
    narrow = standin.key_sessions(key, ("https://www.googleapis.com/auth/spreadsheets.readonly",))
    result = district.sync(google_sessions=narrow)
    assert result.exit_code != 0
    assert any("nötige Berechtigung (Scope)" in f.message for f in result.failures)
    assert not any("freigeben" in p.message for p in result.problems if p.municipality)


def test_a_service_account_key_syncs_through_the_token_endpoint(tmp_path, standin, loaded_samples, repo):
    district = make_district(tmp_path, standin, loaded_samples, repo)
    key = service_account_key(tmp_path / "dienstkonto.json", standin.url + "/token")
    result = district.sync(google_sessions=standin.key_sessions(key))
    assert result.figures.received == 35 and not result.failures
    issued = {scopes for _, scopes, _ in district.world.tokens.values()}
    assert frozenset({"https://www.googleapis.com/auth/spreadsheets"}) in issued


def test_a_refused_token_is_a_german_failure_and_a_failing_token_endpoint_is_retried(
    tmp_path, standin, loaded_samples, repo
):
    district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=3, backoff_s=0.01)
    key = service_account_key(tmp_path / "dienstkonto.json", standin.url + "/token")
    district.world.token_faults.extend([503, 503])
    recovered = district.sync(google_sessions=standin.key_sessions(key))
    assert recovered.figures.received == 35 and not recovered.failures
    district.world.tokens.clear()
    district.world.token_faults.extend(["invalid_grant"] * 20)
    refused = district.sync(google_sessions=standin.key_sessions(key), full=True)
    assert refused.exit_code == 5
    assert "Anmeldung bei Google ist fehlgeschlagen" in refused.failures[0].message
    assert row(refused, "Talheim").status is Status.EINGEREICHT, "what was read before stands"


def test_a_failing_drive_listing_is_a_german_failure_and_the_last_readings_stand(
    tmp_path, standin, loaded_samples, repo
):
    district = make_district(tmp_path, standin, loaded_samples, repo, max_retries=2, backoff_s=0.01)
    district.sync()
    district.world.inject(500, times=50, match="/drive/v3/files")
    result = district.sync()
    assert result.exit_code == 5 and "die Liste der Tabellen abrufen" in result.failures[0].message
    assert result.figures.received == 35


def test_every_method_pakt_calls_accepts_the_narrow_scopes_it_asks_for():
    """Held to the discovery documents: sources read with read-only scopes, only the master may be written."""
    from google_standin.discovery import method_for

    from pakt.sync.google._client import MASTER_SCOPES, SOURCE_SCOPES

    for http, path in [
        ("GET", "/drive/v3/files"),
        ("GET", "/drive/v3/files/x"),
        ("GET", "/drive/v3/files/x/export"),
        ("GET", "/v4/spreadsheets/x"),
    ]:
        assert method_for(http, path).scopes & set(SOURCE_SCOPES), path
    for http, path in [("GET", "/v4/spreadsheets/x"), ("GET", "/v4/spreadsheets/x/values/A1"),
                       ("POST", "/v4/spreadsheets/x:batchUpdate")]:  # fmt: skip
        assert method_for(http, path).scopes & set(MASTER_SCOPES), path
    assert not any("drive" in s and "readonly" not in s for s in SOURCE_SCOPES)


def test_the_stand_in_refuses_what_google_refuses(standin, repo):
    """Requests outside Google's contract get Google's 400 (and would fail the suite if Pakt sent them)."""
    from google_standin.discovery import VIOLATIONS
    from google_standin.fixture import StandInSession

    world = standin.fresh()
    book = world.add(load_xlsx(repo / "sample_workbooks" / "08327002_Aldingen.xlsx"))
    session = StandInSession(standin.url)
    base = "https://sheets.googleapis.com/v4/spreadsheets/" + book.spreadsheet_id
    unknown_param = session.get(base, params={"includeGridDta": "true"})
    bad_enum = session.get(base + "/values:batchGet", params={"ranges": "A1", "valueRenderOption": "RAW"})
    bad_field = session.get(base, params={"fields": "sheets(properties(farbe))"})
    duplicate = session.post(
        base + ":batchUpdate", json={"requests": [{"addSheet": {"properties": {"sheetId": 7, "title": "X"}}}]}
    )
    unknown_body = session.post(base + ":batchUpdate", json={"requests": [{"addSheet": {"eigenschaften": {}}}]})
    listed = session.get(
        "https://www.googleapis.com/drive/v3/files",
        params={"q": "mimeType='application/vnd.google-apps.spreadsheet'", "corpora": "allDrives"},
    )
    assert [r.status_code for r in (unknown_param, bad_enum, bad_field, duplicate, unknown_body)] == [400] * 5
    assert (
        listed.status_code == 403 and listed.json()["error"]["errors"][0]["reason"] == "teamDriveIncludeItemsRequired"
    )
    assert "already exists" in duplicate.json()["error"]["message"]
    assert len(VIOLATIONS) == 4
    VIOLATIONS.clear()
