"""Pakt's Apps Script files under Node, with stand-ins for Google's services, against the live server."""

from __future__ import annotations

import http.server
import json
import os
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
from payloads import spreadsheet

from pakt.plugin._appsscript import export_appsscript, xlwings_client
from pakt.schemas import ERROR_FILL

NODE = Path(__file__).parent / "node"
PAKT_JS = Path(__file__).parents[2] / "plugin" / "appsscript" / "Pakt.js"

pytestmark = pytest.mark.node


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
    return json.loads(done.stdout)


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
    return json.loads(done.stdout)


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
    assert [p.name for p in written] == ["Pakt.gs", "xlwings.gs", "appsscript.json"]
    assert 'const version = "0.37.8";' in (tmp_path / "xlwings.gs").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "appsscript.json").read_text(encoding="utf-8"))
    assert "https://www.googleapis.com/auth/script.external_request" in manifest["oauthScopes"]
    for path in written[:2]:
        syntax_check = f"new Function(require('fs').readFileSync({json.dumps(str(path))}, 'utf8'))"
        subprocess.run(["node", "-e", syntax_check], check=True)
