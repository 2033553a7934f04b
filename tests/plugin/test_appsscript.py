"""Pakt's Apps Script files under Node, with stand-ins for Google's services held to Google's typings, against the
live server; the sidebar of Prüfen in jsdom."""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import make_broken
import pytest
from node_packages import ensure_node_packages
from payloads import spreadsheet

from pakt.plugin._appsscript import export_appsscript, html_files, xlwings_client
from pakt.plugin._marks import REPORT_SHEET
from pakt.schemas import ERROR_FILL, INPUT_FILL

NODE = Path(__file__).parent / "node"
PAKT_JS = Path(__file__).parents[2] / "plugin" / "appsscript" / "Pakt.js"
SIDEBAR_HTML = PAKT_JS.parent / "Pruefen.html"

pytestmark = pytest.mark.node


@pytest.fixture(autouse=True, scope="module")
def _google_typings() -> None:
    """The stand-ins read Google's typings (and the sidebar runs in jsdom): both from npm, pinned."""
    ensure_node_packages()


def held_to_the_typings(outcome: dict) -> dict:
    """Every member of Google's services the scripts used is one Google publishes, with a number of
    arguments one of its overloads takes."""
    assert outcome["typings"]["off"] == []
    return outcome


def run_menu(tmp_path, workbook: Path, script: str, server: str, token: str) -> dict:
    data = tmp_path / "spreadsheet.json"
    data.write_text(json.dumps(spreadsheet(workbook), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(NODE / "appsscript.js"),
            "menu",
            server,
            token,
            str(data),
            script,
            str(PAKT_JS),
            str(xlwings_client()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return held_to_the_typings(json.loads(done.stdout))


def sheet(state: dict, name: str) -> dict:
    return next(s for s in state["sheets"] if s["name"] == name)


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_menu_offers_pruefen_and_einreichen(live_server, tmp_path, repo):
    state = run_menu(
        tmp_path,
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        "paktPruefen",
        live_server.url,
        live_server.aldingen,
    )
    (menu,) = state["menus"]
    assert menu["name"] == "Pakt"
    assert [label for label, _ in menu["items"]][:2] == ["Prüfen", "Einreichen"]
    report = sheet(state, "Prüfbericht")
    assert report["values"][0][0] == "Keine Beanstandungen – die Meldung kann eingereicht werden."
    assert state["sidebars"][0]["title"] == "Pakt – Prüfen"


def test_pruefen_marks_the_cell_and_writes_the_report(live_server, tmp_path):
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(make_broken.submission({("persons", "total"): None}))
    state = run_menu(tmp_path, workbook, "paktPruefen", live_server.url, live_server.aldingen)
    meldung = sheet(state, "Meldung")
    assert meldung["backgrounds"]["B14"] == ERROR_FILL
    assert "Personen in Anschlussunterbringung fehlt" in meldung["notes"]["B14"]
    assert len(meldung["notes"]) == 1
    report = sheet(state, "Prüfbericht")["values"]
    assert report[2][:3] == ["Fehler", "Meldung", "B14"]
    assert state["alerts"] == []


def test_einreichen_with_errors_is_refused_with_a_german_alert(live_server, tmp_path):
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(make_broken.submission({("material_costs", "travel_eur"): -5}))
    state = run_menu(tmp_path, workbook, "paktEinreichen", live_server.url, live_server.aldingen)
    assert any("Einreichen nicht möglich: 1 Fehler" in alert for alert in state["alerts"])
    assert sheet(state, "Kosten")["backgrounds"]["B7"] == ERROR_FILL
    assert [s["title"] for s in state["sidebars"]] == ["Pakt – Prüfen"], "and the list of errors beside the sheet"


def test_einreichen_without_errors_opens_no_list(live_server, tmp_path):
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(make_broken.submission({("header", "name"): "Aldingen am Neckar"}))
    state = run_menu(tmp_path, workbook, "paktEinreichen", live_server.url, live_server.aldingen)
    assert any("eingereicht am" in alert for alert in state["alerts"]), state["alerts"]
    assert state["sidebars"] == []


def test_another_municipalitys_key_is_turned_away_in_german(live_server, tmp_path, repo):
    state = run_menu(
        tmp_path,
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        "paktPruefen",
        live_server.url,
        live_server.balgheim,
    )
    (alert,) = state["alerts"]
    assert "gehört zu Balgheim (08327004)" in alert
    assert "Prüfbericht" not in [s["name"] for s in state["sheets"]]
    assert state["sidebars"] == [], "a check the server refused opens no list"


def test_unreachable_server_is_explained_in_german(tmp_path, repo, live_server):
    state = run_menu(
        tmp_path,
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        "paktPruefen",
        _closed_port_url(),
        live_server.aldingen,
    )
    (alert,) = state["alerts"]
    assert alert.startswith("Pakt: Der Pakt-Server ist nicht erreichbar.")


def test_without_settings_the_menu_says_how_to_set_up(tmp_path, repo):
    state = run_menu(tmp_path, repo / "sample_workbooks" / "08327002_Aldingen.xlsx", "paktPruefen", "-", "-")
    assert state["alerts"] == [
        "Pakt: Bitte zuerst im Menü Pakt > Zugang einrichten: Serveradresse und Zugangsschlüssel."
    ]


def run_formulas(tmp_path, server: str, token: str, cases: list[dict], script_time_zone: str = "Europe/Berlin") -> dict:
    """The formula cases as Google runs custom functions (formula mode), the script in `script_time_zone`."""
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(NODE / "appsscript.js"),
            "formulas",
            server,
            token,
            str(path),
            str(PAKT_JS),
            str(xlwings_client()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TZ": script_time_zone},
    )
    assert done.returncode == 0, done.stderr
    return held_to_the_typings(json.loads(done.stdout))


def test_formula_with_unreachable_server_says_so_in_the_cell(tmp_path):
    outcome = run_formulas(tmp_path, _closed_port_url(), "pakt_x", [{"name": "x", "func": "satz", "args": []}])
    assert outcome["results"]["x"] == [["Fehler: Der Pakt-Server ist nicht erreichbar. Bitte später neu berechnen."]]


@pytest.mark.parametrize("script_time_zone", ["America/New_York", "Pacific/Kiritimati", "Europe/Berlin"])
def test_dates_are_read_in_the_spreadsheets_time_zone_not_the_scripts(live_server, tmp_path, script_time_zone):
    days = ["2024-01-01", "2024-03-31", "2024-06-30", "2024-10-27", "2024-12-31"]
    cases = [{"name": d, "func": "satz", "args": [{"date": d}]} for d in days]
    outcome = run_formulas(tmp_path, live_server.url, live_server.aldingen, cases, script_time_zone)
    sent = [body["args"][0][0][0] for body in outcome["bodies"]]
    assert sent == [(date.fromisoformat(d) - date(1899, 12, 30)).days for d in days]


def test_an_answer_over_the_cache_limit_is_shown_and_asked_again(live_server, tmp_path):
    column = [[816 + i % 7] for i in range(12_000)]  # a result of about 130 KB, over CacheService's 100 KB
    cases = [{"name": "gross", "func": "pauschale", "args": [column, {"date": "2018-06-30"}]}]
    outcome = run_formulas(tmp_path, live_server.url, live_server.aldingen, cases)
    result = outcome["results"]["gross"]
    assert isinstance(result, list) and len(result) == 12_000 and result[0] == [999600.0]
    assert outcome["repeatFetches"] == 1, "not cached: the next recalculation asks the server again"


def test_a_certificate_google_does_not_trust_is_explained_in_german(tmp_path, repo):
    with self_signed_server(tmp_path) as url:
        outcome = run_formulas(tmp_path, url, "pakt_x", [{"name": "x", "func": "satz", "args": []}])
        menu = run_menu(tmp_path, repo / "sample_workbooks" / "08327002_Aldingen.xlsx", "paktPruefen", url, "pakt_x")
    (cell,) = outcome["results"]["x"][0]
    assert cell.startswith("Fehler: Google erkennt das HTTPS-Zertifikat des Pakt-Servers nicht an")
    (alert,) = menu["alerts"]
    assert "HTTPS-Zertifikat" in alert
    for text in (cell, alert):
        assert "SSL" not in text and "Exception" not in text and "certificate" not in text


@contextmanager
def self_signed_server(tmp_path) -> Iterator[str]:
    """An HTTPS server on loopback whose certificate nobody trusts (made here with openssl)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_formula_mode_refuses_what_google_refuses_a_custom_function():
    probe = """
    const { services } = require("./gas_standins");
    const env = services({ name: "x", sheets: [{ name: "A", values: [[1]] }], namedRanges: [] }, { K: "v" }, Date, { mode: "formula" });
    const g = env.globals;
    const outcome = (fn) => { try { return { ok: fn() }; } catch (e) { return { error: e.message }; } };
    process.stdout.write(JSON.stringify({
      ui: outcome(() => g.SpreadsheetApp.getUi()),
      write: outcome(() => g.SpreadsheetApp.getActiveSpreadsheet().getSheets()[0].getRange("A1").setValues([[2]])),
      read: outcome(() => g.SpreadsheetApp.getActiveSpreadsheet().getSheets()[0].getRange("A1").getValues()),
      property: outcome(() => g.PropertiesService.getScriptProperties().getProperty("K")),
      setProperty: outcome(() => g.PropertiesService.getScriptProperties().setProperties({ K: "w" })),
      bigValue: outcome(() => g.CacheService.getScriptCache().put("k", "x".repeat(102401))),
    }));
    """
    done = subprocess.run(["node", "-e", probe], cwd=NODE, capture_output=True, text=True, check=True, timeout=60)
    seen = json.loads(done.stdout)
    assert "getUi() from this context" in seen["ui"]["error"]
    assert "do not have permission" in seen["write"]["error"]
    assert seen["read"] == {"ok": [[1]]} and seen["property"] == {"ok": "v"}
    assert "do not have permission" in seen["setProperty"]["error"]
    assert "Argument too large" in seen["bigValue"]["error"]


def test_export_writes_the_project_with_the_matching_xlwings_client(tmp_path):
    written = export_appsscript(tmp_path)
    assert [p.name for p in written] == ["Pakt.gs", "xlwings.gs", "Pruefen.html", "appsscript.json"]
    assert (tmp_path / "Pruefen.html").read_bytes() == SIDEBAR_HTML.read_bytes()
    assert 'const version = "0.37.8";' in (tmp_path / "xlwings.gs").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "appsscript.json").read_text(encoding="utf-8"))
    assert "https://www.googleapis.com/auth/script.external_request" in manifest["oauthScopes"]
    for path in written[:2]:
        syntax_check = f"new Function(require('fs').readFileSync({json.dumps(str(path))}, 'utf8'))"
        subprocess.run(["node", "-e", syntax_check], check=True)


# --- the sidebar of Prüfen ------------------------------------------------------------------------------------


def run_sidebar(tmp_path, book: Path | dict, steps: list[str], server: str = "-", token: str = "-") -> dict:
    """Open `book` in the stand-in spreadsheet, take `steps` (see sidebar.js) and return, after each, the sidebar as
    the clerk meets it, the calls its page made, the selection in the spreadsheet; at the end the sheets."""
    data = tmp_path / "spreadsheet.json"
    data.write_text(
        json.dumps(spreadsheet(book) if isinstance(book, Path) else book, ensure_ascii=False), encoding="utf-8"
    )
    steps_file = tmp_path / "steps.json"
    steps_file.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(NODE / "sidebar.js"),
            server,
            token,
            str(data),
            str(steps_file),
            str(PAKT_JS),
            str(xlwings_client()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    outcome = held_to_the_typings(json.loads(done.stdout))
    assert outcome["pageErrors"] == [] and outcome["consoleErrors"] == []
    return outcome


def entries(page: dict) -> list[dict]:
    return [entry for group in page["groups"] for entry in group["entries"]]


def broken_form(tmp_path) -> Path:
    """Two errors on two sheets and a warning whose message quotes what the clerk typed (markup included)."""
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(
        make_broken.submission(
            {("persons", "by_age", "from_27_to_64"): 11, ("header", "name"): "Aldingen <b>am</b> Neckar"},
            managers=lambda rows: [{**rows[0], "fte": 1.5}, *rows[1:]],
        )
    )
    return workbook


def report_rows(state: dict) -> list[list]:
    """The findings in the Prüfbericht the server wrote: severity, sheet, cell, message."""
    values = sheet(state, REPORT_SHEET)["values"]
    header = values[1]
    columns = [header.index(label) for label in ("Schwere", "Blatt", "Zelle", "Meldung")]
    return [[row[c] for c in columns] for row in values[2:] if row and row[0]]


def test_pruefen_lists_the_findings_in_a_sidebar_errors_first(live_server, tmp_path):
    outcome = run_sidebar(tmp_path, broken_form(tmp_path), ["menu:paktPruefen"], live_server.url, live_server.aldingen)
    (after,) = outcome["steps"]
    page = after["page"]
    assert page["title"] == "Pakt – Prüfen" and page["lang"] == "de"
    assert page["count"] == "2 Fehler, 1 Warnung — Einreichen ist erst ohne Fehler möglich"
    assert page["countHasErrors"]
    assert [g["heading"] for g in page["groups"]] == ["Fehler (2)", "Warnungen (1)"]
    assert all(g["labelledBy"] for g in page["groups"])
    shown = [[e["sheet"], e["cell"], e["where"], e["message"]] for e in entries(page)]
    assert [row[:2] for row in shown] == [["Integrationsmanager", "B6"], ["Meldung", "B14"], ["Meldung", "B7"]]
    assert [row[2] for row in shown] == ["Integrationsmanager, Zelle B6", "Meldung, Zelle B14", "Meldung, Zelle B7"]
    report = report_rows(outcome)
    assert [[e["label"].split(": ")[0], e["sheet"], e["cell"], e["message"]] for e in entries(page)] == report
    assert "1,5 ist kein gültiger Stellenanteil" in shown[0][3]
    assert "Altersgruppen ergeben zusammen 40 Personen" in shown[1][3]
    warning = entries(page)[2]
    assert "„Aldingen <b>am</b> Neckar“" in warning["message"], "the clerk's text is shown as text"
    assert set(warning["tags"]) == {"span"}, "and makes no element of its own"
    assert [c["name"] for c in after["calls"]] == ["paktFindings"]
    assert after["alerts"] == []
    assert sheet(outcome, "Meldung")["backgrounds"]["B14"] == ERROR_FILL, "the cells are marked as before"


def test_the_sidebar_is_usable_with_the_keyboard(live_server, tmp_path):
    outcome = run_sidebar(tmp_path, broken_form(tmp_path), ["menu:paktPruefen"], live_server.url, live_server.aldingen)
    page = outcome["steps"][0]["page"]
    assert page["focused"] == "#count", "a screen reader starts at the count line"
    assert page["countTabIndex"] == "-1" and page["countLive"] == "polite" and page["statusLive"] == "polite"
    for entry in entries(page):
        assert (entry["tag"], entry["type"], entry["tabIndex"], entry["disabled"]) == ("button", "button", 0, False)
    assert entries(page)[0]["label"].startswith("Fehler: Integrationsmanager, Zelle B6: Stellenanteil (VZÄ): 1,5")
    assert entries(page)[2]["label"].startswith("Warnung: Meldung, Zelle B7: Gemeinde „Aldingen")
    assert not page["recheckDisabled"]


def test_clicking_a_finding_or_pressing_enter_on_it_selects_its_cell(live_server, tmp_path):
    outcome = run_sidebar(
        tmp_path,
        broken_form(tmp_path),
        ["menu:paktPruefen", "click:1", "enter:0", "enter:2"],
        live_server.url,
        live_server.aldingen,
    )
    opened, clicked, entered, warned = outcome["steps"]
    assert opened["selection"] != {"sheet": "Meldung", "a1": "B14"}
    assert clicked["calls"] == [{"name": "paktSelect", "args": ["Meldung", "B14"]}]
    assert clicked["selection"] == {"sheet": "Meldung", "a1": "B14"}
    assert clicked["page"]["status"] == "Meldung, Zelle B14 ist ausgewählt."
    assert entered["calls"] == [{"name": "paktSelect", "args": ["Integrationsmanager", "B6"]}]
    assert entered["selection"] == {"sheet": "Integrationsmanager", "a1": "B6"}
    assert entered["page"]["focused"] == "finding:0", "focus stays on the finding, the list can be walked on"
    assert entered["page"]["status"] == "Integrationsmanager, Zelle B6 ist ausgewählt."
    assert warned["selection"] == {"sheet": "Meldung", "a1": "B7"}


def test_erneut_pruefen_after_correcting_shows_what_is_left(live_server, tmp_path):
    outcome = run_sidebar(
        tmp_path,
        broken_form(tmp_path),
        ["menu:paktPruefen", "type:Meldung!B14=40", "type:Integrationsmanager!B6=0.5", "recheck"],
        live_server.url,
        live_server.aldingen,
    )
    rechecked = outcome["steps"][-1]
    assert [c["name"] for c in rechecked["calls"]] == ["paktRecheck"]
    page = rechecked["page"]
    assert page["count"] == "Keine Fehler, 1 Warnung — bitte prüfen, Einreichen ist möglich"
    assert not page["countHasErrors"] and page["focused"] == "#count"
    assert [g["heading"] for g in page["groups"]] == ["Warnungen (1)"]
    assert [(e["sheet"], e["cell"]) for e in entries(page)] == [("Meldung", "B7")]
    assert sheet(outcome, "Meldung")["backgrounds"]["B14"] == INPUT_FILL, "the corrected cell lost its mark"
    assert outcome["sidebars"] == 1, "the list is renewed in the open sidebar"


def test_a_form_without_findings_says_it_can_be_submitted(live_server, tmp_path, repo):
    outcome = run_sidebar(
        tmp_path,
        repo / "sample_workbooks" / "08327002_Aldingen.xlsx",
        ["menu:paktPruefen"],
        live_server.url,
        live_server.aldingen,
    )
    page = outcome["steps"][0]["page"]
    assert page["count"] == "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."
    assert page["groups"] == [] and not page["countHasErrors"]


def crafted_book(rows: list[list[str]], *, report: bool = True) -> dict:
    """A spreadsheet with the sheets the findings name and a Prüfbericht laid out as the server writes it."""
    sheets = [{"name": name, "values": [["x"]]} for name in ("Meldung", "Integrationsmanager", "Kosten")]
    if report:
        head = ["Überschrift", "", "", "", ""]
        values = [head, ["Schwere", "Blatt", "Zelle", "Code", "Meldung"]]
        values += [[severity, where, cell, "CODE", message] for severity, where, cell, message in rows]
        sheets.append({"name": REPORT_SHEET, "values": values})
    return {"name": "Meldung Aldingen", "sheets": sheets, "namedRanges": []}


def finding_rows(errors: int, warnings: int, notes: int = 0) -> list[list[str]]:
    rows = [["Warnung", "Meldung", f"B{20 + i}", f"Warnung {i}"] for i in range(warnings)]
    rows += [["Fehler", "Kosten", f"B{10 + i}", f"Fehler {i}"] for i in range(errors)]
    rows += [["Hinweis", "Meldung", f"C{5 + i}", f"Hinweis {i}"] for i in range(notes)]
    return rows


@pytest.mark.parametrize(
    ("errors", "warnings", "notes", "line"),
    [
        (1, 0, 0, "1 Fehler, keine Warnungen — Einreichen ist erst ohne Fehler möglich"),
        (3, 2, 0, "3 Fehler, 2 Warnungen — Einreichen ist erst ohne Fehler möglich"),
        (2, 1, 1, "2 Fehler, 1 Warnung — Einreichen ist erst ohne Fehler möglich"),
        (0, 1, 0, "Keine Fehler, 1 Warnung — bitte prüfen, Einreichen ist möglich"),
        (0, 2, 0, "Keine Fehler, 2 Warnungen — bitte prüfen, Einreichen ist möglich"),
        (0, 0, 1, "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."),
        (0, 0, 0, "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."),
    ],
)
def test_the_count_line_counts_in_german_and_errors_come_first(tmp_path, errors, warnings, notes, line):
    outcome = run_sidebar(tmp_path, crafted_book(finding_rows(errors, warnings, notes)), ["open"])
    page = outcome["steps"][0]["page"]
    assert page["count"] == line
    assert page["countHasErrors"] == bool(errors)
    expected = [("Fehler", errors), ("Warnungen", warnings), ("Hinweise", notes)]
    assert [g["heading"] for g in page["groups"]] == [f"{name} ({n})" for name, n in expected if n]
    messages = [e["message"] for e in entries(page)]
    wanted = [f"Fehler {i}" for i in range(errors)] + [f"Warnung {i}" for i in range(warnings)]
    assert messages == wanted + [f"Hinweis {i}" for i in range(notes)], "by severity, in the report's order"


def test_a_finding_without_a_cell_is_shown_but_not_a_button(tmp_path):
    rows = [["Fehler", "", "", "Die Mappe hat kein Blatt „Meldung“."], *finding_rows(1, 0)]
    outcome = run_sidebar(tmp_path, crafted_book(rows), ["open", "click:0"])
    opened, clicked = outcome["steps"]
    first, second = entries(opened["page"])
    assert (first["tag"], first["where"], first["message"]) == ("p", None, "Die Mappe hat kein Blatt „Meldung“.")
    assert second["tag"] == "button"
    assert clicked["calls"] == [{"name": "paktSelect", "args": ["Kosten", "B10"]}], "the first button is the second"


def test_a_finding_whose_sheet_was_renamed_says_so(tmp_path):
    outcome = run_sidebar(tmp_path, crafted_book(finding_rows(1, 0)), ["open", "rename:Kosten=Kosten 2024", "click:0"])
    clicked = outcome["steps"][-1]
    assert clicked["page"]["status"] == "Das Blatt „Kosten“ gibt es in dieser Tabelle nicht mehr. Bitte erneut prüfen."
    assert clicked["selection"] == outcome["steps"][0]["selection"], "nothing else is selected instead"


def test_erneut_pruefen_with_the_server_unreachable_says_so_in_the_sidebar(tmp_path, live_server):
    outcome = run_sidebar(
        tmp_path, crafted_book(finding_rows(1, 0)), ["open", "recheck"], _closed_port_url(), live_server.aldingen
    )
    page = outcome["steps"][-1]["page"]
    assert page["count"].startswith("Der Pakt-Server ist nicht erreichbar.")
    assert page["countHasErrors"] and page["groups"] == [] and not page["recheckDisabled"]
    assert outcome["steps"][-1]["alerts"] == [], "said in the sidebar, not in a dialog over it"


def test_without_a_pruefbericht_the_sidebar_asks_for_a_check(tmp_path):
    outcome = run_sidebar(tmp_path, crafted_book([], report=False), ["open"])
    assert outcome["steps"][0]["page"]["count"] == "Noch kein Prüfbericht: bitte im Menü Pakt „Prüfen“ wählen."


def test_the_sidebar_calls_only_public_functions_of_the_script():
    """google.script.run reaches only top-level functions whose names do not end in "_"."""
    page = SIDEBAR_HTML.read_text(encoding="utf-8")
    called = set(re.findall(r"\.(pakt\w+)\(", page))
    assert called == {"paktFindings", "paktSelect", "paktRecheck"}
    script = PAKT_JS.read_text(encoding="utf-8")
    for name in called:
        assert re.search(rf"^function {name}\(", script, re.MULTILINE), name
    assert f'PAKT_REPORT_SHEET = "{REPORT_SHEET}"' in script
    assert [p.name for p in html_files()] == ["Pruefen.html"]
    assert 'PAKT_SIDEBAR_FILE = "Pruefen"' in script


def test_the_checks_cover_the_sidebars_members(live_server, tmp_path):
    outcome = run_sidebar(
        tmp_path, broken_form(tmp_path), ["menu:paktPruefen", "click:0"], live_server.url, live_server.aldingen
    )
    used = set(outcome["typings"]["used"])
    assert {
        "HTML.HtmlService.createHtmlOutputFromFile",
        "HTML.HtmlOutput.setTitle",
        "Base.Ui.showSidebar",
        "Spreadsheet.Sheet.getDataRange",
        "Spreadsheet.Sheet.activate",
        "Spreadsheet.Range.activate",
        "google.script.run",
        "google.script.RunnerFunctions.withSuccessHandler",
        "google.script.RunnerFunctions.withFailureHandler",
        "google.script.PublicEndpoints.paktSelect",
    } <= used


STANDIN_PROBE = """
const { services, client } = require("./gas_standins");
const env = services({ name: "x", sheets: [{ name: "A", values: [[1]] }], namedRanges: [] }, {}, Date, { files: { Seite: "<p>x</p>" } });
const g = env.globals;
const outcome = (fn) => { try { return { ok: fn() }; } catch (e) { return { error: e.message }; } };
const seen = {};
const range = g.SpreadsheetApp.getActive().getSheets()[0].getRange("A1");
seen.select = outcome(() => range.select());
seen.inner = outcome(() => typeof range.sheet);
const page = g.HtmlService.createHtmlOutputFromFile("Seite");
seen.sidebarTwice = outcome(() => g.SpreadsheetApp.getUi().showSidebar(page, "Titel"));
seen.noFile = outcome(() => g.HtmlService.createHtmlOutputFromFile("Fehlt"));
const scope = { oeffentlich: () => new Date(0), privat_: () => 1, Zahl: () => [1, undefined] };
const run = client(scope, env, { Error }).google.script.run;
seen.date = outcome(() => run.oeffentlich(new Date()));
seen.privat = typeof run.privat_;
const got = [];
run.withSuccessHandler((v) => got.push(v)).oeffentlich();
run.withSuccessHandler((v) => got.push(v)).Zahl();
setTimeout(() => process.stdout.write(JSON.stringify({ seen, got, off: env.log.off })), 20);
"""


def test_the_stand_ins_flag_what_googles_typings_do_not_publish():
    done = subprocess.run(
        ["node", "-e", STANDIN_PROBE], cwd=NODE, capture_output=True, text=True, check=True, timeout=60
    )
    probe = json.loads(done.stdout)
    assert "Spreadsheet.Range.select (not in Google's typings)" in probe["off"]
    assert "Spreadsheet.Range.sheet (not in Google's typings)" in probe["off"], "the stand-in's insides are not API"
    assert any(o.startswith("Base.Ui.showSidebar with 2 argument(s)") for o in probe["off"])
    assert "No HTML file named Fehlt" in probe["seen"]["noFile"]["error"]
    assert "illegal value" in probe["seen"]["date"]["error"], "google.script.run refuses a Date"
    assert probe["seen"]["privat"] == "undefined", "a function ending in _ is private"
    assert probe["got"] == [None, [1, None]], "a Date result arrives as null, undefined in an array as null"
