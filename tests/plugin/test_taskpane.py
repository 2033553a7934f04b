"""Pakt's task pane (Office.js client) against the live server, in a stand-in of Excel's JavaScript API held to
Microsoft's typings, at three API levels: the newest the typings know, Excel 2024 LTSC (ExcelApi 1.17, no cell
notes) and the oldest the manifest admits. Its script runs under Node (the buttons pressed in code); the page
itself, with the findings list, its buttons and the keyboard, runs in headless Chromium (real input events)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import make_broken
import pytest
from live_server import running_server
from office_typings import ensure_typings, newest_excel_api, version_key
from payloads import excel_workbook

from pakt.plugin._manifest import MIN_EXCEL_API
from pakt.schemas import ERROR_FILL, INPUT_FILL, WARNING_FILL

NODE = Path(__file__).parent / "node"
TASKPANE = Path(__file__).parents[2] / "plugin" / "static" / "taskpane.js"
NOTES_API = "1.18"

pytestmark = pytest.mark.node


@pytest.fixture(scope="module", params=["newest", "1.17", "minimum"])
def level(request) -> str:
    """An Excel build by its ExcelApi level."""
    table = ensure_typings()
    return {"newest": newest_excel_api(table), "minimum": MIN_EXCEL_API}.get(request.param, request.param)


def press(tmp_path, workbook: Path | dict, steps: str, server: str, token: str, level: str = "") -> dict:
    """Open `workbook` in the stand-in, press the buttons in `steps` (comma-separated; "type:Blatt!B14=40"
    types a value in between) and return the workbook, what the clerk was told, and the API members used."""
    ensure_typings()
    data = tmp_path / "workbook.json"
    book = workbook if isinstance(workbook, dict) else excel_workbook(workbook)
    data.write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        ["node", str(NODE / "taskpane.js"), server, token, str(data), steps, str(TASKPANE), level],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def on_page(tmp_path, workbook: Path | dict, steps: list[dict], page: str, level: str = "") -> dict:
    """Open the task pane page (`page`, from the live server) in headless Chromium with `workbook` in the Excel
    stand-in, do `steps` as the clerk (see taskpane_page.js) and return a snapshot of the page after each."""
    ensure_typings()
    assert shutil.which("chromium"), "Chromium fehlt: apt-get install chromium (./test installiert es)"
    data, plan = tmp_path / "page_workbook.json", tmp_path / "page_steps.json"
    book = workbook if isinstance(workbook, dict) else excel_workbook(workbook)
    data.write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    plan.write_text(json.dumps(steps), encoding="utf-8")
    done = subprocess.run(
        ["node", str(NODE / "taskpane_page.js"), page, str(data), str(plan), level],
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["exceptions"] == []
    return result


def sheet(state: dict, name: str) -> dict:
    return next(s for s in state["sheets"] if s["name"] == name)


def broken(tmp_path) -> Path:
    workbook = tmp_path / "aldingen.xlsx"
    workbook.write_bytes(
        make_broken.submission(
            {("persons", "by_age", "from_27_to_64"): 11}, managers=lambda rows: [{**rows[0], "fte": 1.5}]
        )
    )
    return workbook


def has_notes(level: str) -> bool:
    return version_key(level) >= version_key(NOTES_API)


def with_errors_and_warnings(tmp_path, name: str = "Aldingen") -> Path:
    """Two errors (the age groups do not add up, a staff share of 1.5) and a warning (management by the district,
    the registry says the municipality does it), plus a second warning when `name` differs from the registry."""
    workbook = tmp_path / "aldingen_befunde.xlsx"
    values = {("persons", "by_age", "from_27_to_64"): 11, ("management", "mode"): "landkreis", ("header", "name"): name}
    workbook.write_bytes(make_broken.submission(values, managers=lambda rows: [{**rows[0], "fte": 1.5}]))
    return workbook


STAFF_SHARE = "Stellenanteil (VZÄ): 1,5 ist kein gültiger Stellenanteil."
AGE_GROUPS = "Die Altersgruppen ergeben zusammen 40 Personen, insgesamt sind 44 eingetragen."
MANAGEMENT = "Integrationsmanagement „landkreis“ weicht vom Verzeichnis des Landkreises ab („selbst“)."


def test_pruefen_marks_cells_and_notes_where_this_excel_has_notes(live_server, tmp_path, level):
    workbook = broken(tmp_path)
    before = {s["name"]: s["protection"] for s in excel_workbook(workbook)["sheets"]}
    state = press(tmp_path, workbook, "pruefen", live_server.url, live_server.aldingen, level)
    told = state["said"][-1]
    assert not told["isError"], told
    assert sheet(state, "Meldung")["fills"]["B14"] == ERROR_FILL
    assert sheet(state, "Integrationsmanager")["fills"]["B6"] == ERROR_FILL
    report = sheet(state, "Prüfbericht")["values"]
    assert report[0][0].startswith("2 Fehler") and {row[2] for row in report[2:]} >= {"B14", "B6"}
    shown = state["lists"][-1]
    assert shown["countLine"] == "2 Fehler, keine Warnungen — Einreichen ist erst ohne Fehler möglich"
    assert [(f["sheet"], f["cell"]) for f in shown["findings"]] == [("Integrationsmanager", "B6"), ("Meldung", "B14")]
    if has_notes(level):
        assert "Altersgruppen ergeben zusammen 40 Personen" in sheet(state, "Meldung")["notes"]["B14"]
        assert told["text"] == ""  # the list says it all; no "Fertig." after a Prüfen
    else:
        assert not any(s["notes"] for s in state["sheets"])
        assert "Prüfbericht" in told["text"] and "keine Hinweise an Zellen" in told["text"]
    for name, protection in before.items():
        assert sheet(state, name)["protection"]["protected"] == protection["protected"], name
        assert sheet(state, name)["protection"]["options"] == {**protection["options"], "selectionMode": "Normal"}


def test_pruefen_after_the_correction_leaves_no_mark_and_no_note(live_server, tmp_path, level):
    steps = "pruefen,type:Meldung!B14=40,type:Integrationsmanager!B6=1,pruefen"
    state = press(tmp_path, broken(tmp_path), steps, live_server.url, live_server.aldingen, level)
    assert [p[-1]["isError"] for p in state["presses"]] == [False, False]
    fills = {color for s in state["sheets"] for color in s["fills"].values()}
    assert ERROR_FILL not in fills and WARNING_FILL not in fills and INPUT_FILL in fills
    assert not any(s["notes"] for s in state["sheets"])
    assert sheet(state, "Prüfbericht")["values"][0][0].startswith("Keine Beanstandungen")
    assert all(sheet(state, n)["protection"]["protected"] for n in ("Meldung", "Integrationsmanager", "Kosten"))
    assert state["lists"][-1]["findings"] == []
    assert state["lists"][-1]["countLine"] == "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."


def test_the_findings_list_puts_errors_first_and_a_pick_selects_the_cell(live_server, tmp_path, level):
    steps = "pruefen,select:0,select:2,rename:Integrationsmanager=IM,select:0"
    state = press(tmp_path, with_errors_and_warnings(tmp_path), steps, live_server.url, live_server.aldingen, level)
    shown = state["lists"][0]
    assert shown["script"] == "pruefen" and shown["focus"]
    assert shown["countLine"] == "2 Fehler, 1 Warnung — Einreichen ist erst ohne Fehler möglich"
    found = [(f["severity"], f["sheet"], f["cell"], f["message"]) for f in shown["findings"]]
    assert [f[:3] for f in found] == [
        ("Fehler", "Integrationsmanager", "B6"),
        ("Fehler", "Meldung", "B14"),
        ("Warnung", "Meldung", "B25"),
    ]
    assert [f[3].split(" Bitte")[0] for f in found] == [STAFF_SHARE, AGE_GROUPS, MANAGEMENT]

    first, warning, renamed = state["picks"]
    assert first["selection"] == {"sheet": "Integrationsmanager", "address": "B6"}
    assert first["active"] == "Integrationsmanager"
    assert first["answer"] == {"selected": True, "text": "Integrationsmanager, Zelle B6 ist ausgewählt."}
    assert warning["selection"] == {"sheet": "Meldung", "address": "B25"} and warning["active"] == "Meldung"
    # the sheet was renamed since the check: nothing selected, the clerk told where the cell was
    assert not renamed["answer"]["selected"] and renamed["selection"] == warning["selection"]
    assert "„Integrationsmanager“ gibt es in dieser Mappe nicht mehr" in renamed["answer"]["text"]
    assert "die Zelle B6 aufsuchen" in renamed["answer"]["text"]
    assert state["selections"] == [first["selection"], warning["selection"]]
    select = next(u for u in state["used"] if u["member"] == "Excel.Range.select")
    assert select["requirement"] == {"set": "ExcelApi", "version": "1.1", "params": {}}


def test_einreichen_shows_the_list_only_when_errors_stop_it(live_server, tmp_path):
    steps = "einreichen,type:Meldung!B14=40,type:Integrationsmanager!B6=1,type:Meldung!B25=selbst,einreichen"
    state = press(tmp_path, with_errors_and_warnings(tmp_path), steps, live_server.url, live_server.aldingen)
    refused, submitted = state["presses"]
    assert "Einreichen nicht möglich: 2 Fehler" in refused[-1]["text"] and "eingereicht am" in submitted[-1]["text"]
    assert len(state["lists"]) == 1  # the refusal's list; a submitted form shows none
    assert state["lists"][0]["script"] == "einreichen" and not state["lists"][0]["focus"]
    assert state["lists"][0]["countLine"].startswith("2 Fehler, 1 Warnung")


def test_einreichen_confirmation_is_what_the_clerk_reads(live_server, tmp_path, repo, level):
    workbook = repo / "sample_workbooks" / "08327002_Aldingen.xlsx"
    state = press(tmp_path, workbook, "einreichen", live_server.url, live_server.aldingen, level)
    told = state["said"][-1]
    assert not told["isError"] and "eingereicht am" in told["text"], told
    assert "ja" in [v for row in sheet(state, "Meldung")["values"] for v in row]


def test_a_sheet_protected_with_a_password_is_left_alone_and_said(live_server, tmp_path):
    book = excel_workbook(broken(tmp_path))
    meldung = next(s for s in book["sheets"] if s["name"] == "Meldung")
    meldung["protection"]["password"] = "geheim"
    state = press(tmp_path, book, "pruefen", live_server.url, live_server.aldingen)
    told = state["said"][-1]
    assert "„Meldung“ ist mit Kennwort geschützt" in told["text"]
    assert sheet(state, "Meldung")["fills"] == {} and sheet(state, "Meldung")["protection"]["protected"]
    assert sheet(state, "Integrationsmanager")["fills"]["B6"] == ERROR_FILL


def test_the_task_pane_works_with_the_server_under_a_sub_path(repo, tmp_path):
    with running_server(repo, tmp_path / "landkreis", sub_path="/pakt") as server:
        manifest = httpx.get(server.url + "/manifest.xml").text
        assert f'"{server.url}/taskpane.html"' in manifest and f'"{server.url}/functions.json"' in manifest
        assert "<AppDomain>" + server.url.removesuffix("/pakt") + "</AppDomain>" in manifest
        page = server.url + "/taskpane.html"
        assert httpx.get(page).status_code == 200
        state = press(tmp_path, broken(tmp_path), "pruefen", page, server.aldingen)
    assert not state["said"][-1]["isError"], state["said"]
    assert sheet(state, "Meldung")["fills"]["B14"] == ERROR_FILL


def test_missing_or_wrong_key_is_said_in_german(live_server, tmp_path, repo):
    workbook = repo / "sample_workbooks" / "08327002_Aldingen.xlsx"
    none = press(tmp_path, workbook, "pruefen", live_server.url, "-")
    assert none["said"] == [
        {"text": "Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen und speichern.", "isError": True}
    ]
    wrong = press(tmp_path, workbook, "pruefen", live_server.url, "pakt_falsch")
    assert wrong["said"][-1]["isError"] and "kein gültiger Zugangsschlüssel" in wrong["said"][-1]["text"]


def test_an_unreachable_server_is_said_as_such(tmp_path, repo):
    workbook = repo / "sample_workbooks" / "08327002_Aldingen.xlsx"
    state = press(tmp_path, workbook, "pruefen", "http://127.0.0.1:9", "pakt_irgendeiner")
    assert state["said"][-1]["isError"] and "nicht erreichbar" in state["said"][-1]["text"]


def test_every_member_used_is_in_the_typings_and_newer_ones_are_guarded(live_server, tmp_path, repo):
    """The stand-in refuses members the typings lack; at the manifest's minimum level it refuses newer ones at
    sync, so a run there that succeeds has guarded every newer member; and the manifest asks for no more than
    the run needed."""
    table = ensure_typings()
    steps = "pruefen,select:0,type:Meldung!B14=40,pruefen,einreichen"
    newest = press(tmp_path, broken(tmp_path), steps, live_server.url, live_server.aldingen, newest_excel_api(table))
    oldest = press(tmp_path, broken(tmp_path), steps, live_server.url, live_server.aldingen, MIN_EXCEL_API)
    for run in (newest, oldest):
        assert not any(p[-1]["isError"] for p in run["presses"]), run["presses"]

    def excel_levels(run: dict) -> dict[str, str]:
        return {
            u["member"]: u["requirement"]["version"]
            for u in run["used"]
            if u["requirement"] and u["requirement"]["set"] == "ExcelApi" and u["requirement"]["version"]
        }

    used_oldest = excel_levels(oldest)
    assert max(used_oldest.values(), key=version_key) == MIN_EXCEL_API
    guarded = {m for m, v in excel_levels(newest).items() if version_key(v) > version_key(MIN_EXCEL_API)}
    assert "Excel.Worksheet.notes" in guarded
    assert not guarded & set(used_oldest)


def _a1(row: int, col: int) -> str:
    letters, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def test_aktualisieren_in_an_open_master_keeps_number_formats_links_and_totals(live_server, tmp_path, level):
    """The master file as the district staff open it in Excel: after Aktualisieren its Übersicht has the figures
    again with the master file's number formats, a link from every figure to its source and the totals as
    formulas (what the server sent, carried out by the task pane in the stand-in of Excel)."""
    district = live_server.district
    district.sync(full=True)
    opened = excel_workbook(district.master)
    before = sheet(opened, "Übersicht")
    state = press(tmp_path, opened, "aktualisieren", live_server.url, live_server.landkreis, level)
    assert not state["said"][-1]["isError"], state["said"]
    assert "35 von 35 Gemeinden übernommen" in state["said"][-1]["text"]
    after = sheet(state, "Übersicht")
    values = after["values"]
    start = next(i for i, row in enumerate(values) if row and row[0] == "AGS")
    header = values[start]
    totals_row = start + 1 + 35
    table = {_a1(r, c) for r in range(start + 1, totals_row + 1) for c in range(len(header))}

    kept = {k: v for k, v in before["formats"].items() if k in table}
    assert kept and kept.items() <= after["formats"].items()  # every number format of the file's table
    assert {k: v for k, v in before["formulas"].items() if k in table} == {
        k: v for k, v in after["formulas"].items() if k in table
    }
    assert after["formulas"][_a1(totals_row, header.index("Personen"))] == f"=SUM(E{start + 2}:E{start + 36})"
    aldingen = next(r for r in range(start + 1, totals_row) if values[r][0] == "08327002")
    persons = _a1(aldingen, header.index("Personen"))
    assert (
        "#,##0" in after["formats"][persons]
        and "€" in after["formats"][_a1(aldingen, header.index("Pro-Kopf-Pauschale"))]
    )
    assert values[aldingen][header.index("Personen")] == 44  # a linked figure keeps its value
    source = district.workbook("Aldingen")
    assert after["links"][persons]["address"] == os.path.relpath(source, district.master.parent).replace(os.sep, "/")
    assert after["links"][persons]["screenTip"].endswith("Blatt Meldung, Zelle B14")
    linked_before = {k for k in before["links"] if k in table}
    assert linked_before and linked_before == {k for k in after["links"] if k in table}
    assert values[aldingen][header.index("Quelle")] == "08327002_Aldingen.xlsx"


def entries(snapshot: dict) -> list[dict]:
    return [entry for group in snapshot["groups"] for entry in group["entries"]]


def test_the_page_lists_the_findings_and_a_click_enter_or_space_selects_the_cell(live_server, tmp_path, level):
    """As the clerk: save the key, press Prüfen, go through the list with Tab and pick entries with Enter, Space
    and the mouse; the stand-in records what Excel would have selected."""
    workbook = with_errors_and_warnings(tmp_path, name="Aldingen <b>am</b> See")
    steps = [
        {"key": live_server.aldingen},
        {"click": "#pruefen"},
        {"press": "Tab"},
        {"press": "Enter"},
        {"press": "Tab"},
        {"press": " "},
        {"click": "#befunde-liste section:nth-of-type(2) .finding"},
    ]
    run = on_page(tmp_path, workbook, steps, live_server.url + "/taskpane.html", level)
    _, checked, tabbed, entered, tabbed_on, spaced, clicked = run["snapshots"]

    assert not checked["results"]["hidden"]
    assert checked["results"]["count"] == "2 Fehler, 2 Warnungen — Einreichen ist erst ohne Fehler möglich"
    assert checked["results"]["countIsError"]
    assert checked["focus"]["id"] == "befunde-zahl"  # focus moves to the count line after Prüfen
    assert {"befunde-zahl", "befunde-auswahl", "status"} <= set(checked["live"])
    if has_notes(level):
        assert checked["status"]["hidden"] and checked["status"]["text"] == ""  # no "Fertig."
    else:
        assert "keine Hinweise an Zellen" in checked["status"]["text"] and not checked["status"]["hidden"]
    assert [(g["heading"], g["labelledBy"]) for g in checked["groups"]] == [
        ("Fehler (2)", "Fehler (2)"),
        ("Warnungen (2)", "Warnungen (2)"),
    ]
    shown = entries(checked)
    assert [(e["tag"], e["type"]) for e in shown] == [("BUTTON", "button")] * 4  # real buttons: Tab, Enter, Space
    assert [e["where"] for e in shown] == [
        "Integrationsmanager, Zelle B6",
        "Meldung, Zelle B14",
        "Meldung, Zelle B25",
        "Meldung, Zelle B7",
    ]
    assert [(e["sheet"], e["cell"]) for e in shown][:2] == [("Integrationsmanager", "B6"), ("Meldung", "B14")]
    assert shown[0]["message"].startswith(STAFF_SHARE) and shown[1]["message"].startswith(AGE_GROUPS)
    assert shown[2]["message"].startswith(MANAGEMENT)
    assert shown[0]["name"].startswith("Fehler: Integrationsmanager, Zelle B6: " + STAFF_SHARE)  # what a reader says
    assert "„Aldingen <b>am</b> See“" in shown[3]["message"] and shown[3]["markup"] == 0  # text, never markup
    assert checked["selection"] is None

    assert tabbed["focus"]["cell"] == "B6" and tabbed["selection"] is None
    assert entered["selection"] == {"sheet": "Integrationsmanager", "address": "B6"}
    assert entered["results"]["chosen"] == "Integrationsmanager, Zelle B6 ist ausgewählt."
    assert tabbed_on["focus"]["cell"] == "B14"
    assert spaced["selection"] == {"sheet": "Meldung", "address": "B14"}
    assert clicked["selection"] == {"sheet": "Meldung", "address": "B25"} and clicked["focus"]["cell"] == "B25"
    assert clicked["results"]["chosen"] == "Meldung, Zelle B25 ist ausgewählt."
    assert run["selections"] == [entered["selection"], spaced["selection"], clicked["selection"]]


def test_the_page_after_einreichen_and_after_the_correction(live_server, tmp_path):
    """Einreichen refused: the same list, the refusal in the status line, the focus back on Einreichen. Corrected
    and checked again: no findings, the count line says the form can be submitted; submitted: no list."""
    steps = [
        {"key": live_server.aldingen},
        {"click": "#einreichen"},
        {"type": "Meldung!B14", "value": 40},
        {"type": "Integrationsmanager!B6", "value": 1},
        {"type": "Meldung!B25", "value": "selbst"},
        {"click": "#pruefen"},
        {"click": "#einreichen"},
    ]
    run = on_page(tmp_path, with_errors_and_warnings(tmp_path), steps, live_server.url + "/taskpane.html")
    refused, checked, submitted = (run["snapshots"][i] for i in (1, 5, 6))
    assert "Einreichen nicht möglich: 2 Fehler" in refused["status"]["text"]
    assert refused["results"]["count"].startswith("2 Fehler, 1 Warnung") and len(entries(refused)) == 3
    assert refused["focus"]["id"] == "einreichen"
    assert checked["results"]["count"] == "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."
    assert checked["groups"] == [] and checked["results"]["hint"] is None and checked["status"]["hidden"]
    assert checked["focus"]["id"] == "befunde-zahl"
    assert submitted["results"]["hidden"] and "eingereicht am" in submitted["status"]["text"]
