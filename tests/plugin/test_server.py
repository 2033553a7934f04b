"""The add-in server on loopback, called as Excel's Office.js client and Google's Apps Script client call it."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import make_broken
import pytest
from districts import SAMPLE_STICHTAG
from payloads import apps_script_payload, officejs_payload, open_master_payload, written_sheet

from pakt.plugin import PublicUrlRefused, check_public_url
from pakt.plugin._appsscript import xlwings_client
from pakt.plugin._manifest import manifest_version
from pakt.plugin._marks import REPORT_SHEET
from pakt.schemas import ERROR_FILL, INPUT_FILL

PLUGIN = Path(__file__).parents[2] / "plugin"
FORMULAS = {"PAUSCHALE", "SATZ", "IM_ANTEIL", "IM_VERTEILUNG", "FALLZAHL", "AGS_PRUEFEN"}


def post(server, path, token, json):
    return httpx.post(server.url + path, json=json, headers=server.headers(token), timeout=60)


def formula(server, token, name, *args, client="Office.js"):
    body = {
        "client": client,
        "version": "0.37.8",
        "runtime": "1.4",
        "func_name": name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "[Meldung.xlsx]Meldung!C20",
        "session_id": "test",
        "culture_info_name": "de-DE",
        "date_format": "TT.MM.JJJJ",
    }
    return post(server, "/xlwings/custom-functions-call", token, body)


OFFICE_WEB_ORIGINS = (
    "https://excel.officeapps.live.com",
    "https://euc-excel.officeapps.live.com",
    "https://excel.cloud.microsoft",
    "https://www.office.com",
)
"""Where Excel on the web fetches the functions metadata and loader from (Microsoft's web app hosts)."""
PUBLIC = ("/functions.json", "/functions.js", "/taskpane.html", "/manifest.xml", "/static/taskpane.js")


def test_manifest_is_well_formed_and_points_at_the_configured_host(live_server):
    response = httpx.get(live_server.url + "/manifest.xml")
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    root = ET.fromstring(response.content)
    urls = [v for el in root.iter() for k, v in el.attrib.items() if v.startswith("http")]
    urls += [el.text for el in root.iter() if el.text and el.text.strip().startswith("http")]
    assert len(urls) >= 8
    assert all(u.startswith(live_server.url) for u in urls), urls
    namespace = next(el for el in root.iter() if el.attrib.get("id") == "Functions.Namespace")
    assert namespace.attrib["DefaultValue"] == "PAKT"
    for url in {u for u in urls}:
        assert httpx.get(url, follow_redirects=True).status_code == 200, url  # Excel sends no key for any


def test_task_pane_is_german_and_public(live_server):
    page = httpx.get(live_server.url + "/taskpane.html")
    assert page.status_code == 200
    for text in ("Prüfen", "Einreichen", "Aktualisieren", "Zugangsschlüssel", "Landkreis Tuttlingen"):
        assert text in page.text
    assert httpx.get(live_server.url + "/static/taskpane.js").status_code == 200
    assert httpx.get(live_server.url + "/static/icon-32.png").content.startswith(b"\x89PNG")


def test_metadata_lists_every_formula_with_german_descriptions(live_server):
    meta = httpx.get(live_server.url + "/functions.json").json()
    functions = {f["id"]: f for f in meta["functions"]}
    assert set(functions) == FORMULAS
    for function in functions.values():
        assert function["description"] and "Positional argument" not in function["description"]
        assert all(p["description"] and "Positional" not in p["description"] for p in function["parameters"])
    assert "Stichtag" in functions["PAUSCHALE"]["parameters"][1]["description"]
    assert functions["PAUSCHALE"]["parameters"][1]["optional"] is True


def test_functions_loader_is_valid_javascript_for_every_formula(live_server, tmp_path):
    code = httpx.get(live_server.url + "/functions.js").text
    path = tmp_path / "functions.js"
    path.write_text(code, encoding="utf-8")
    subprocess.run(["node", "--check", str(path)], check=True)
    for name in FORMULAS:
        assert f'associate("{name}"' in code
    assert live_server.url + '"' in code


def test_formula_call_as_office_js_sends_it(live_server):
    response = formula(live_server, live_server.aldingen, "pauschale", 816, 43281)
    assert response.status_code == 200
    assert response.json() == {"result": [[999600.0]]}


def test_a_range_with_empty_cells_as_office_js_sends_them_gives_empty_results_there(live_server):
    """Office.js sends an empty cell of a range as JSON null (or ""); the server reads it without Pyodide's
    JsNull probe (plugin/_xlwings.py) and answers each row: figures where persons stand, nothing where not."""
    persons = [[816], [None], [""], [12]]
    response = formula(live_server, live_server.aldingen, "pauschale", persons, 43281)
    assert response.status_code == 200
    assert response.json() == {"result": [[999600.0], [""], [""], [14700.0]]}


def test_wrong_arguments_give_german_text_in_the_cell(live_server):
    response = formula(live_server, live_server.aldingen, "pauschale", "zwölf", 43281)
    assert response.json()["result"] == [
        ["Fehler: Personen: „zwölf“ ist keine ganze Zahl. Bitte eine ganze Zahl ab 0 angeben."]
    ]


@pytest.mark.parametrize("token", [None, "pakt_falsch", ""])
def test_calls_without_a_valid_token_get_401(live_server, token):
    response = formula(live_server, token, "satz", 43281)
    assert response.status_code == 401
    assert "Zugangsschlüssel" in response.text
    assert post(live_server, "/xlwings/custom-scripts-call/pruefen", token, {}).status_code == 401
    assert (
        httpx.get(live_server.url + "/xlwings/custom-scripts-meta", headers=live_server.headers(token)).status_code
        == 401
    )
    assert httpx.get(live_server.url + "/api/key", headers=live_server.headers(token)).status_code == 401


def test_a_key_says_whom_it_speaks_for(live_server):
    answer = httpx.get(live_server.url + "/api/key", headers=live_server.headers(live_server.aldingen))
    assert answer.status_code == 200
    assert answer.json() == {"role": "gemeinde", "name": "Aldingen", "ags": "08327002"}


def test_malformed_and_unknown_calls_are_refused_in_german(live_server):
    missing_runtime_is_fine = formula(live_server, live_server.aldingen, "satz", 43281)
    assert missing_runtime_is_fine.status_code == 200
    broken = post(live_server, "/xlwings/custom-functions-call", live_server.aldingen, {"func_name": "satz"})
    assert broken.status_code == 400 and "Feld client fehlt" in broken.text
    unknown = formula(live_server, live_server.aldingen, "os_system", "rm")
    assert unknown.status_code == 400 and "Unbekannte Pakt-Formel" in unknown.text
    old = formula(live_server, live_server.aldingen, "satz", 43281, client="Google Apps Script")
    assert old.status_code == 200
    body = {"client": "Google Apps Script", "version": "0.30.0", "func_name": "satz", "args": [[[43281]]]}
    stale = post(live_server, "/xlwings/custom-functions-call", live_server.aldingen, body)
    assert stale.status_code == 400 and "veraltet" in stale.text


def test_oversized_payload_is_refused(live_server):
    huge = {"client": "Office.js", "func_name": "satz", "args": [[["x" * 1000] * 100] * 30]}
    response = post(live_server, "/xlwings/custom-functions-call", live_server.aldingen, huge)
    assert response.status_code == 413 and "zu groß" in response.text


@pytest.mark.parametrize("origin", OFFICE_WEB_ORIGINS)
def test_excel_on_the_web_may_fetch_metadata_loader_and_page_without_a_key(live_server, origin):
    for path in PUBLIC:
        response = httpx.get(live_server.url + path, headers={"Origin": origin})
        assert response.status_code == 200, path
        assert response.headers.get("access-control-allow-origin") == origin, path
        preflight = httpx.options(
            live_server.url + path, headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
    call = formula(live_server, None, "satz", 43281)
    assert call.status_code == 401
    from_office = httpx.post(
        live_server.url + "/xlwings/custom-functions-call", json={}, headers={"Origin": origin}, timeout=30
    )
    assert from_office.status_code == 401 and "access-control-allow-origin" not in from_office.headers


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "https://officeapps.live.com.evil.example", "http://excel.officeapps.live.com"]
)
def test_a_foreign_origin_gets_no_cors_admission(live_server, origin):
    for path in PUBLIC:
        response = httpx.get(live_server.url + path, headers={"Origin": origin})
        assert response.status_code == 200 and "access-control-allow-origin" not in response.headers, path


def test_manifest_icons_have_microsofts_sizes_and_version_follows_the_formulas(live_server):
    root = ET.fromstring(httpx.get(live_server.url + "/manifest.xml").content)
    ns = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1"}
    wanted = {"IconUrl": 32, "HighResolutionIconUrl": 64}
    for tag, size in wanted.items():
        assert png_size(httpx.get(root.find(f"o:{tag}", ns).attrib["DefaultValue"]).content) == (size, size), tag
    images = [el for el in root.iter() if el.tag.endswith("}Image") and "DefaultValue" in el.attrib]
    sizes = {png_size(httpx.get(el.attrib["DefaultValue"]).content)[0] for el in images}
    assert {16, 32, 80} <= sizes
    assert not [el for el in root.iter() if el.tag.endswith("TaskpaneId")]  # the shared runtime has no TaskpaneId
    version = root.find("o:Version", ns).text
    assert len(version.split(".")) == 4 and all(0 <= int(p) <= 65535 for p in version.split("."))
    meta = httpx.get(live_server.url + "/functions.json").json()
    assert manifest_version(meta) == version
    changed = json.loads(json.dumps(meta))
    changed["functions"][0]["parameters"].append({"name": "neu", "type": "any"})
    assert manifest_version(changed) != version


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    "url", ["http://pakt.landkreis.example", "http://10.0.0.5:8000", "ftp://pakt.example", "pakt.landkreis.example"]
)
def test_a_plain_http_public_url_is_refused_in_german(url):
    with pytest.raises(PublicUrlRefused) as refused:
        check_public_url(url)
    assert "https" in refused.value.message.lower()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000"])
def test_plain_http_is_fine_on_this_machine(url):
    assert check_public_url(url) == url.rstrip("/")


def test_cors_only_for_the_servers_own_origin(live_server):
    own = httpx.options(
        live_server.url + "/xlwings/custom-functions-call",
        headers={
            "Origin": live_server.url,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    foreign = httpx.options(
        live_server.url + "/xlwings/custom-functions-call",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert own.headers.get("access-control-allow-origin") == live_server.url
    assert "access-control-allow-origin" not in foreign.headers


def _actions(response):
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def _broken(tmp_path, values=None, managers=None, name="aldingen.xlsx"):
    path = tmp_path / name
    path.write_bytes(make_broken.submission(values, managers))
    return path


def test_pruefen_on_an_apps_script_payload_marks_the_right_cells(live_server, tmp_path):
    path = _broken(tmp_path, {("persons", "by_age", "from_27_to_64"): 11, ("material_costs", "travel_eur"): -50})
    payload = apps_script_payload(path)
    actions = _actions(post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, payload))
    sheets = [s["name"] for s in payload["sheets"]]
    meldung, kosten = sheets.index("Meldung"), sheets.index("Kosten")
    red = {
        (a["sheet_position"], a["start_row"], a["start_column"])
        for a in actions
        if a["func"] == "setRangeColor" and a["args"] == [ERROR_FILL]
    }
    assert red == {(meldung, 13, 1), (kosten, 6, 1)}  # Meldung!B14 and Kosten!B7
    notes = {
        (a["sheet_position"], a["start_row"], a["start_column"]): a["args"][0]
        for a in actions
        if a["func"] == "paktSetNote"
    }
    assert "Die Altersgruppen ergeben zusammen 40 Personen" in notes[(meldung, 13, 1)]
    assert "Fahrtkosten: -50,00 € ist negativ" in notes[(kosten, 6, 1)]
    resets = [a for a in actions if a["func"] == "setRangeColor" and a["args"] == [INPUT_FILL]]
    assert len(resets) >= 27
    added = next(a for a in actions if a["func"] == "addSheet")
    assert added["args"][1] == REPORT_SHEET
    report = next(a for a in actions if a["func"] == "setValues" and a["sheet_position"] == len(sheets))
    assert report["values"][0][0].startswith("2 Fehler")
    assert report["values"][1] == ["Schwere", "Blatt", "Zelle", "Code", "Meldung"]
    assert {row[2] for row in report["values"][2:]} == {"B14", "B7"}


def test_pruefen_on_an_office_js_payload_reads_the_table(live_server, tmp_path):
    path = _broken(tmp_path, managers=lambda rows: [{**rows[0], "fte": 1.5}])
    payload = officejs_payload(path)
    actions = _actions(post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, payload))
    staff = [s["name"] for s in payload["sheets"]].index("Integrationsmanager")
    red = [(a["sheet_position"], a["start_row"], a["start_column"]) for a in actions if a["args"] == [ERROR_FILL]]
    assert red == [(staff, 5, 1)]  # Integrationsmanager!B6


def test_clean_workbook_has_no_marks_and_says_so(live_server, repo):
    payload = apps_script_payload(repo / "sample_workbooks" / "08327002_Aldingen.xlsx")
    actions = _actions(post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, payload))
    assert not [a for a in actions if a["func"] == "paktSetNote"]
    report = [a for a in actions if a["func"] == "setValues"][-1]
    assert report["values"][0][0] == "Keine Beanstandungen – die Meldung kann eingereicht werden."


def test_another_municipalitys_workbook_is_forbidden(live_server, repo):
    payload = apps_script_payload(repo / "sample_workbooks" / "08327002_Aldingen.xlsx")
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.balgheim, payload)
    assert response.status_code == 403
    assert "gehört zu Balgheim (08327004)" in response.text and "08327002" in response.text
    assert post(live_server, "/xlwings/custom-scripts-call/pruefen", None, payload).status_code == 401


def test_municipal_token_cannot_refresh_the_master(live_server, repo):
    payload = apps_script_payload(repo / "sample_workbooks" / "08327002_Aldingen.xlsx")
    response = post(live_server, "/xlwings/custom-scripts-call/aktualisieren", live_server.aldingen, payload)
    assert response.status_code == 403 and "Landratsamt" in response.text


def test_einreichen_refuses_while_errors_exist(live_server, tmp_path):
    payload = apps_script_payload(_broken(tmp_path, {("persons", "total"): None}))
    actions = _actions(post(live_server, "/xlwings/custom-scripts-call/einreichen", live_server.aldingen, payload))
    alert = next(a for a in actions if a["func"] == "alert")
    assert alert["args"][0].startswith("Einreichen nicht möglich: 1 Fehler")
    sign_off_rows = {27, 28, 29}
    assert not [
        a for a in actions if a["func"] == "setValues" and a["start_row"] in sign_off_rows and a["sheet_position"] == 1
    ]


def test_einreichen_stamps_the_sign_off_when_clean(live_server, tmp_path):
    payload = apps_script_payload(
        _broken(tmp_path, {("sign_off", "name"): None, ("sign_off", "date"): None, ("sign_off", "submitted"): "nein"})
    )
    actions = _actions(post(live_server, "/xlwings/custom-scripts-call/einreichen", live_server.aldingen, payload))
    meldung = 1
    written = {
        a["start_row"]: a["values"][0][0]
        for a in actions
        if a["func"] == "setValues" and a["sheet_position"] == meldung
    }
    assert written[27] == "Anna Maier" and written[29] == "ja"  # B28 name (the contact person), B30 submitted
    assert len(written[28]) == 10  # B29: today's date, ISO
    assert "eingereicht am" in next(a for a in actions if a["func"] == "alert")["args"][0]


def _client_actions(client: str) -> set[str]:
    """The actions a client carries out: xlwings' Apps Script client with Pakt's own (functions it dispatches
    to by name), or the handlers of Pakt's task pane."""
    if client == "Google Apps Script":
        code = xlwings_client().read_text(encoding="utf-8") + (PLUGIN / "appsscript" / "Pakt.js").read_text("utf-8")
        return set(re.findall(r"^function (\w+)\(workbook, action\)", code, re.MULTILINE))
    code = (PLUGIN / "static" / "taskpane.js").read_text(encoding="utf-8")
    table = code[code.index("const handlers = {") : code.index("};", code.index("const handlers = {"))]
    return set(re.findall(r"^ {4}(\w+): ", table, re.MULTILINE))


def _refresh(live_server, repo, client: str, staff_rows: list[list]) -> tuple[list[dict], list[list], int]:
    """Aktualisieren on an open master as `client` sends it: the actions, the Übersicht written, its header row."""
    master_like = open_master_payload(
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        [[""], [""], [""], [""], ["AGS", "Gemeinde", "Bemerkung", "Wiedervorlage"], *staff_rows],
        client,
    )
    actions = _actions(
        post(live_server, "/xlwings/custom-scripts-call/aktualisieren", live_server.landkreis, master_like)
    )
    assert {a["func"] for a in actions} <= _client_actions(client), "an action the client does not carry out"
    sheet = written_sheet(actions)
    return actions, sheet, next(i for i, row in enumerate(sheet) if row[0] == "AGS")


def test_aktualisieren_writes_the_district_view_and_keeps_annotations(live_server, repo):
    from pakt.sync import StateStore, master_path, state_path

    actions, sheet, start = _refresh(
        live_server,
        repo,
        "Google Apps Script",
        [["08327066", "Tuttlingen", "Zahlen mit Kämmerei abgleichen", "2018-08-01T00:00:00.000Z"]],
    )
    header, rows, totals = sheet[start], sheet[start + 1 : start + 36], sheet[start + 36]
    assert len(rows) == 35 and header[:3] == ["AGS", "Gemeinde", "Status"]
    tuttlingen = next(r for r in rows if r[0] == "08327066")
    assert tuttlingen[header.index("Bemerkung")] == "Zahlen mit Kämmerei abgleichen"
    assert totals[header.index("IM (Personen)")] == 14
    # xlwings' Apps Script client has no setFormula: the totals go in with the values (Apps Script enters a
    # value that starts with "=" as a formula), their number formats in Sheets' spelling
    assert totals[header.index("Pro-Kopf-Pauschale")] == "=SUM(F6:F40)"
    money = [
        a for a in actions if a["func"] == "setNumberFormat" and a["start_column"] == header.index("Pro-Kopf-Pauschale")
    ]
    assert money and money[0]["args"] == ['#,##0.00\\ "€"'] and money[0]["row_count"] == 37  # rows, totals, approved
    assert not [a for a in actions if a["func"] == "addHyperlink"]  # files on the share: no Google Sheet opens them
    registry = live_server.district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        assert store.annotations(SAMPLE_STICHTAG)["08327066"].note == "Zahlen mit Kämmerei abgleichen"
    assert "35 von 35 Gemeinden übernommen" in next(a for a in actions if a["func"] == "alert")["args"][0]


def test_aktualisieren_from_excel_sends_number_formats_links_and_total_formulas(live_server, repo):
    actions, sheet, start = _refresh(live_server, repo, "Office.js", [])
    header, totals_row = sheet[start], start + 36
    assert sheet[totals_row][header.index("Pro-Kopf-Pauschale")] == 1014300.0  # the value, then its formula
    formulas = {(a["start_row"], a["start_column"]): a["values"] for a in actions if a["func"] == "setFormula"}
    assert formulas[(totals_row, header.index("Personen"))] == [["=SUM(E6:E40)"]]
    assert formulas[(totals_row, header.index("Pro-Kopf-Pauschale"))] == [["=SUM(F6:F40)"]]
    money = next(
        a for a in actions if a["func"] == "setNumberFormat" and a["start_column"] == header.index("Pro-Kopf-Pauschale")
    )
    assert money["args"][0].startswith("[$-407]") and "€" in money["args"][0]
    assert (money["start_row"], money["row_count"]) == (start + 1, 37)  # the rows, their total, the approved
    aldingen = start + 1 + next(i for i, row in enumerate(sheet[start + 1 :]) if row[0] == "08327002")
    links = {(a["start_row"], a["start_column"]): a["args"] for a in actions if a["func"] == "addHyperlink"}
    address, text, tip = links[(aldingen, header.index("Personen"))]
    assert address == "../sample_workbooks/08327002_Aldingen.xlsx"  # from the master's folder, as in the file
    assert text is None and tip.endswith("Blatt Meldung, Zelle B14")  # no text: the figure stays a number
    assert links[(aldingen, header.index("Quelle"))][1] == "08327002_Aldingen.xlsx"


def test_a_workbook_of_another_template_gets_a_german_400(live_server, repo):
    payload = apps_script_payload(repo / "tests" / "fixtures" / "broken" / "fremde_vorlage.xlsx")
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.landkreis, payload)
    assert response.status_code == 400 and "keine Pakt-Meldung" in response.text


@pytest.mark.parametrize("client", ["Office.js", "Google Apps Script"])
def test_links_to_web_addresses_are_sent_as_the_client_can_carry_them_out(repo, client):
    """A Google source's link: Excel links the figure and keeps its value; xlwings' Apps Script client would turn
    a linked figure into text, so there only the text cell links."""
    from pakt.plugin._grid_writer import APPS_SCRIPT, OFFICE_JS, write_grid
    from pakt.plugin._xlwings import Book
    from pakt.schemas import Cell, Kind, Link, SheetGrid

    url = "https://docs.google.com/spreadsheets/d/1PaKt/edit"
    link = Link(url=url, sheet="Meldung", cell="B14", tip="Quelle: Aldingen, Blatt Meldung, Zelle B14")
    grid = SheetGrid("Übersicht", ((Cell("Aldingen", link=link), Cell(44, Kind.COUNT, link=link)),))
    book = Book(json=open_master_payload(repo / "sample_workbooks" / "08327002_Aldingen.xlsx", [[""]], client))
    write_grid(book, grid, None, OFFICE_JS if client == "Office.js" else APPS_SCRIPT)
    links = {a["start_column"]: a["args"] for a in book.json()["actions"] if a["func"] == "addHyperlink"}
    expected = {0: [url, "Aldingen", link.tip], 1: [url, None, link.tip]}
    assert links == (expected if client == "Office.js" else {0: expected[0]})
    assert {a["func"] for a in book.json()["actions"]} <= _client_actions(client)
