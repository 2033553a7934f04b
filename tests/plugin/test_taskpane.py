"""Pakt's task pane (Office.js client) under Node with a stand-in of Excel's JavaScript API, against the live server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import make_broken
import pytest
from payloads import excel_workbook

from pakt.schemas import ERROR_FILL

NODE = Path(__file__).parent / "node"
TASKPANE = Path(__file__).parents[2] / "plugin" / "static" / "taskpane.js"

pytestmark = pytest.mark.node


def press(tmp_path, workbook: Path, script: str, server: str, token: str) -> dict:
    data = tmp_path / "workbook.json"
    data.write_text(json.dumps(excel_workbook(workbook), ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        ["node", str(NODE / "taskpane.js"), server, token, str(data), script, str(TASKPANE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def sheet(state: dict, name: str) -> dict:
    return next(s for s in state["sheets"] if s["name"] == name)


def test_pruefen_button_marks_cells_adds_notes_and_the_report(live_server, tmp_path):
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(
        make_broken.submission(
            {("persons", "by_age", "from_27_to_64"): 11}, managers=lambda rows: [{**rows[0], "fte": 1.5}]
        )
    )
    state = press(tmp_path, workbook, "pruefen", live_server.url, live_server.aldingen)
    assert state["said"][-1] == {"text": "Fertig.", "isError": False}
    assert sheet(state, "Meldung")["fills"]["B14"] == ERROR_FILL
    assert "Altersgruppen ergeben zusammen 40 Personen" in sheet(state, "Meldung")["notes"]["B14"]
    assert sheet(state, "Integrationsmanager")["fills"]["B6"] == ERROR_FILL
    report = sheet(state, "Prüfbericht")["values"]
    assert report[0][0].startswith("2 Fehler") and {row[2] for row in report[2:]} == {"B14", "B6"}


def test_second_pruefen_after_the_fix_clears_the_marks(live_server, tmp_path, repo):
    state = press(
        tmp_path, repo / "sample_workbooks" / "08327002_Aldingen.xlsx", "pruefen", live_server.url, live_server.aldingen
    )
    assert all(color != ERROR_FILL for s in state["sheets"] for color in s["fills"].values())
    assert not any(s["notes"] for s in state["sheets"])
    assert sheet(state, "Prüfbericht")["values"][0][0].startswith("Keine Beanstandungen")


def test_missing_or_wrong_key_is_said_in_german(live_server, tmp_path, repo):
    workbook = repo / "sample_workbooks" / "08327002_Aldingen.xlsx"
    none = press(tmp_path, workbook, "pruefen", live_server.url, "-")
    assert none["said"] == [
        {"text": "Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen und speichern.", "isError": True}
    ]
    wrong = press(tmp_path, workbook, "pruefen", live_server.url, "pakt_falsch")
    assert wrong["said"][-1]["isError"] and "kein gültiger Zugangsschlüssel" in wrong["said"][-1]["text"]
