"""Pakt's Apps Script files under Node, with stand-ins for Google's services, against the live server."""

from __future__ import annotations

import json
import socket
import subprocess
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


def test_formula_with_unreachable_server_says_so_in_the_cell(tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"name": "x", "func": "satz", "args": []}]), encoding="utf-8")
    done = subprocess.run(
        [
            "node",
            str(NODE / "appsscript.js"),
            "formulas",
            _closed_port_url(),
            "pakt_x",
            str(cases),
            str(PAKT_JS),
            str(xlwings_client()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout)["results"]["x"] == [
        ["Fehler: Der Pakt-Server ist nicht erreichbar. Bitte später neu berechnen."]
    ]


def test_export_writes_the_project_with_the_matching_xlwings_client(tmp_path):
    written = export_appsscript(tmp_path)
    assert [p.name for p in written] == ["Pakt.gs", "xlwings.gs", "appsscript.json"]
    assert 'const version = "0.37.8";' in (tmp_path / "xlwings.gs").read_text(encoding="utf-8")
    manifest = json.loads((tmp_path / "appsscript.json").read_text(encoding="utf-8"))
    assert "https://www.googleapis.com/auth/script.external_request" in manifest["oauthScopes"]
    for path in written[:2]:
        syntax_check = f"new Function(require('fs').readFileSync({json.dumps(str(path))}, 'utf8'))"
        subprocess.run(["node", "-e", syntax_check], check=True)
