"""Pakt's LibreOffice extension (.oxt): built by `pakt extension`, installed per user with `unopkg add` into a
throw-away profile, and pressed in headless LibreOffice (tests/uno_oxt.py) against the live server: the toolbar's
commands, looked up in the installed Addons configuration, dispatched to the extension's Python handler as a
click would dispatch them."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import make_broken
import pytest
from libreoffice import convert, uno_python

import pakt
from pakt.plugin._marks import REPORT_SHEET
from pakt.plugin._oxt import SOURCE, oxt_bytes
from pakt.schemas import ERROR_FILL, INPUT_FILL, WARNING_FILL, PaktError, Severity

TASKS = Path(__file__).parents[1] / "uno_oxt.py"
IDENTIFIER = "de.pakt.libreoffice"
NOBODY = 65534
SERVER = "https://pakt.landkreis.example"
ORIGINAL_SHEETS = ("Hinweise", "Meldung", "Integrationsmanager", "Kosten", "_Pakt")


def _findings_module():
    """The extension's pure module, loaded from its folder as LibreOffice loads it (Pakt is not there)."""
    path = SOURCE / "pythonpath" / "pakt_libreoffice" / "_findings.py"
    spec = importlib.util.spec_from_file_location("pakt_libreoffice_findings", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unopkg(profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`unopkg` on a throw-away profile, per user. unopkg refuses per-user work as root, so as root it runs as
    nobody (who then owns the profile; the office the tests start as root reads it all the same)."""
    command = [shutil.which("unopkg") or "unopkg", *arguments, f"-env:UserInstallation=file://{profile}"]
    if os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    environment = {**os.environ, "HOME": str(profile.parent)}
    return subprocess.run(command, capture_output=True, text=True, timeout=180, env=environment)


@contextmanager
def profiles() -> Iterator[Callable[[Path], Path]]:
    """A function that installs an .oxt with `unopkg add` into a new throw-away profile and returns the profile.
    Each profile lives in a folder of its own under the system's temporary folder (nobody may not enter
    pytest's), removed at the end."""
    folders: list[Path] = []

    def add(oxt: Path) -> Path:
        home = Path(tempfile.mkdtemp(prefix="pakt-oxt-"))
        folders.append(home)
        copy = shutil.copy(oxt, home / oxt.name)
        if os.geteuid() == 0:
            os.chown(home, NOBODY, NOBODY)
        added = unopkg(home / "profile", "add", str(copy))
        assert added.returncode == 0, added.stdout + added.stderr
        return home / "profile"

    try:
        yield add
    finally:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def install() -> Iterator[Callable[[Path], Path]]:
    with profiles() as add:
        yield add


def press(profile: Path, form: Path, steps: list[str], work: Path, saved: Path | None = None) -> list[dict]:
    """Open `form` in LibreOffice on `profile` and press (see tests/uno_oxt.py); the outcome and state after each
    button."""
    out = work / "presses.json"
    command = [uno_python(), str(TASKS), "press", str(profile), str(form), "|".join(steps), str(out)]
    subprocess.run([*command, *([str(saved)] if saved else [])], check=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def sheet(state: dict, name: str) -> dict:
    return next(s for s in state["sheets"] if s["name"] == name)


def broken(folder: Path) -> Path:
    """Aldingen's form with two errors: age groups that do not add up (Meldung!B14) and a Stellenanteil of 1.5
    (Integrationsmanager!B6)."""
    form = folder / "08327002_Aldingen.xlsx"
    form.write_bytes(
        make_broken.submission(
            {("persons", "by_age", "from_27_to_64"): 11}, managers=lambda rows: [{**rows[0], "fte": 1.5}]
        )
    )
    return form


@pytest.fixture(scope="module")
def oxt(live_server, tmp_path_factory) -> Path:
    """The extension as the district builds it for its server, with `pakt extension`."""
    target = tmp_path_factory.mktemp("oxt") / "Pakt.oxt"
    built = subprocess.run(
        [
            "pakt",
            "extension",
            "--out",
            str(target),
            "--server",
            live_server.url,
            "-c",
            str(live_server.district.config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    assert "LibreOffice-Erweiterung geschrieben" in built.stdout and "unopkg add Pakt.oxt" in built.stdout
    return target


@pytest.fixture(scope="module")
def corrected_run(oxt, live_server, tmp_path_factory) -> Iterator[tuple[list[dict], Path]]:
    """One clerk's morning: key entered, Prüfen on the broken form, both cells corrected, Prüfen, Einreichen,
    saved as .xlsx."""
    work = tmp_path_factory.mktemp("clerk")
    saved = work / "gespeichert.xlsx"
    steps = [
        f"zugang:{live_server.url}:{live_server.aldingen}",
        "Prüfen",
        "type:Meldung!B14=40",
        "type:Integrationsmanager!B6=1",
        "Prüfen",
        "Einreichen",
    ]
    with profiles() as install:
        yield press(install(oxt), broken(work), steps, work, saved), saved


@pytest.mark.libreoffice
def test_the_extension_installs_per_user_and_unopkg_lists_it(oxt, install):
    profile = install(oxt)
    listed = unopkg(profile, "list")
    assert listed.returncode == 0, listed.stderr
    assert f"Identifier: {IDENTIFIER}" in listed.stdout
    assert f"Version: {pakt.__version__}" in listed.stdout
    assert "is registered: no" not in listed.stdout  # the extension and each of its parts
    assert listed.stdout.count("is registered: yes") == 7


@pytest.mark.libreoffice
def test_the_installed_extension_adds_the_pakt_menu_and_toolbar_to_calc_in_german(oxt, install, tmp_path):
    profile = install(oxt)
    out = tmp_path / "addons.json"
    subprocess.run([uno_python(), str(TASKS), "addons", str(profile), str(out)], check=True, timeout=180)
    found = json.loads(out.read_text(encoding="utf-8"))
    for locale in ("default", "de"):
        menu = found[locale]["menu"]
        assert menu["title"] == "~Pakt", locale  # F10, P
        assert menu["context"] == "com.sun.star.sheet.SpreadsheetDocument"
        assert [(i["title"], i["url"]) for i in menu["items"]] == [
            ("~Prüfen", f"{IDENTIFIER}:pruefen"),
            ("~Einreichen", f"{IDENTIFIER}:einreichen"),
            (None, "private:separator"),
            ("~Zugang einrichten …", f"{IDENTIFIER}:zugang"),
        ]
        assert [(i["title"], i["url"]) for i in found[locale]["toolbar"]] == [
            ("Prüfen", f"{IDENTIFIER}:pruefen"),
            ("Einreichen", f"{IDENTIFIER}:einreichen"),
        ]
    assert found["enabled"] == {
        f"{IDENTIFIER}:pruefen": True,
        f"{IDENTIFIER}:einreichen": True,
        f"{IDENTIFIER}:zugang": True,
        f"{IDENTIFIER}:unbekannt": None,  # the handler takes only its own commands
    }


@pytest.mark.libreoffice
def test_pruefen_marks_the_broken_cells_and_fills_the_pruefbericht(corrected_run):
    first = corrected_run[0][1]
    assert first["state"] == 1  # DispatchResultState.SUCCESS: Prüfen ran (and found errors)
    assert first["text"].splitlines()[0] == "2 Fehler, keine Warnungen — Einreichen ist erst ohne Fehler möglich"
    assert first["undo"] == "Pakt – Prüfen"  # one step takes every mark off again
    meldung, staff = sheet(first, "Meldung"), sheet(first, "Integrationsmanager")
    assert meldung["fills"]["B14"] == ERROR_FILL and staff["fills"]["B6"] == ERROR_FILL
    assert meldung["fills"]["B20"] == INPUT_FILL  # the other inputs keep their colour
    assert "Altersgruppen ergeben zusammen 40 Personen" in meldung["notes"]["B14"]
    assert staff["notes"]["B6"].startswith("Fehler: Stellenanteil (VZÄ): 1,5 ist kein gültiger Stellenanteil.")
    report = sheet(first, REPORT_SHEET)["values"]
    assert report[1] == ["Schwere", "Blatt", "Zelle", "Code", "Meldung"]
    rows = {(row[1], row[2]): row for row in report[2:]}
    assert rows[("Meldung", "B14")][0] == "Fehler" and "40 Personen" in rows[("Meldung", "B14")][4]
    assert rows[("Integrationsmanager", "B6")][3] == "VZA_BEREICH"
    assert all(sheet(first, name)["protected"] for name in ORIGINAL_SHEETS)


@pytest.mark.libreoffice
def test_pruefen_after_the_correction_leaves_no_mark_and_einreichen_signs_off(corrected_run):
    presses, saved = corrected_run
    second, submitted = presses[2], presses[3]
    assert second["state"] == 1
    assert second["text"] == "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."
    fills = {colour for s in second["sheets"] for colour in s["fills"].values()}
    assert ERROR_FILL not in fills and WARNING_FILL not in fills
    assert sheet(second, "Meldung")["fills"]["B14"] == INPUT_FILL
    assert not any(s["notes"] for s in second["sheets"])
    assert len(sheet(second, REPORT_SHEET)["values"]) == 2  # headline and header, no finding
    assert "eingereicht am" in submitted["text"], submitted["text"]
    assert "ja" in [v for row in sheet(submitted, "Meldung")["values"] for v in row]
    assert all(sheet(submitted, name)["protected"] for name in ORIGINAL_SHEETS)

    from openpyxl import load_workbook

    book = load_workbook(saved)
    assert not book["Integrationsmanager"].protection.insertRows  # rows may still be inserted in the staff table
    assert book.defined_names["pakt_sign_off_submitted"].attr_text == "Meldung!$B$30"


@pytest.mark.libreoffice
def test_pruefen_marks_a_form_saved_as_ods_the_same(oxt, install, live_server, tmp_path):
    form = convert(broken(tmp_path), "ods", tmp_path / "ods")
    steps = [f"zugang:{live_server.url}:{live_server.aldingen}", "Prüfen"]
    state = press(install(oxt), form, steps, tmp_path)[-1]
    assert state["text"].startswith("2 Fehler, keine Warnungen"), state["text"]
    assert sheet(state, "Meldung")["fills"]["B14"] == ERROR_FILL
    assert sheet(state, "Integrationsmanager")["fills"]["B6"] == ERROR_FILL


@pytest.mark.libreoffice
def test_what_stops_pruefen_is_said_in_german(oxt, install, live_server, tmp_path):
    profile = install(oxt)
    steps = [
        "Prüfen",
        "zugang:http://127.0.0.1:9:pakt_irgendeiner",
        "Prüfen",
        f"zugang:{live_server.url}:pakt_falsch",
        "Prüfen",
        f"zugang:{live_server.url}:{live_server.balgheim}",
        "Prüfen",
        "zugang::",
        "Prüfen",
    ]
    told = [p["text"] for p in press(profile, broken(tmp_path), steps, tmp_path) if p["step"] == "Prüfen"]
    assert told[0].startswith("Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen: Pakt › Zugang einrichten")
    assert told[1].startswith("Der Pakt-Server ist nicht erreichbar.") and "http://127.0.0.1:9" in told[1]
    assert "kein gültiger Zugangsschlüssel" in told[2]
    assert "Dieser Zugangsschlüssel gehört zu Balgheim" in told[3]
    assert told[4].startswith("Die Adresse des Pakt-Servers fehlt.")


@pytest.mark.libreoffice
def test_a_sheet_protected_with_a_password_is_left_alone_and_said(oxt, install, live_server, tmp_path):
    profile = install(oxt)
    steps = [f"zugang:{live_server.url}:{live_server.aldingen}", "kennwort:Meldung=geheim", "Prüfen"]
    (state,) = [p for p in press(profile, broken(tmp_path), steps, tmp_path) if p["step"] == "Prüfen"]
    assert "Das Blatt „Meldung“ ist mit Kennwort geschützt" in state["text"]
    assert ERROR_FILL not in sheet(state, "Meldung")["fills"].values() and not sheet(state, "Meldung")["notes"]
    assert sheet(state, "Integrationsmanager")["fills"]["B6"] == ERROR_FILL
    assert sheet(state, "Meldung")["protected"]


def test_the_extension_is_built_the_same_every_time_and_is_well_formed():
    built = oxt_bytes(SERVER, "Landkreis Tuttlingen", "0.1.0")
    assert built == oxt_bytes(SERVER, "Landkreis Tuttlingen", "0.1.0")
    with zipfile.ZipFile(io.BytesIO(built)) as archive:
        names = archive.namelist()
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        for name in names:
            if name.endswith((".xml", ".xcu", ".xcs", ".components")):
                ET.fromstring(archive.read(name))  # LibreOffice refuses the whole extension for one bad file
        manifest = ET.fromstring(archive.read("META-INF/manifest.xml"))
        listed = [e.get("{http://openoffice.org/2001/manifest}full-path") for e in manifest]
        assert set(listed) <= set(names) and {n for n in names if n.endswith((".xcu", ".xcs"))} <= set(listed)
        description = ET.fromstring(archive.read("description.xml"))
        ns = {"d": "http://openoffice.org/extensions/description/2006"}
        assert description.find("d:identifier", ns).get("value") == IDENTIFIER
        assert description.find("d:version", ns).get("value") == "0.1.0"
        assert description.find("d:display-name/d:name", ns).text == "Pakt – Meldung prüfen (Landkreis Tuttlingen)"
        settings = ET.fromstring(archive.read("Settings.xcu"))
        assert settings.find(".//value").text == SERVER
        assert archive.read("images/pakt_16.png").startswith(b"\x89PNG")


def test_a_server_address_libreoffice_would_send_the_form_to_unencrypted_is_refused(tmp_path):
    with pytest.raises(PaktError, match="taugt nicht als Adresse des Pakt-Servers für die LibreOffice-Erweiterung"):
        oxt_bytes("http://pakt.landkreis.example")
    command = ["pakt", "extension", "--out", str(tmp_path / "Pakt.oxt"), "--server", "pakt.example"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "Fehler: „pakt.example“ taugt nicht als Adresse" in refused.stderr
    assert not list(tmp_path.iterdir())
    blank = zipfile.ZipFile(io.BytesIO(oxt_bytes()))
    assert ET.fromstring(blank.read("Settings.xcu")).find(".//value").text is None  # each clerk enters it


def test_the_count_line_reads_the_servers_pruefbericht():
    findings = _findings_module()
    assert findings.REPORT_SHEET == REPORT_SHEET
    assert (Severity.ERROR.value, Severity.WARNING.value) == (findings.ERROR, findings.WARNING)
    rows = [["2 Fehler …"], ["Schwere", "Blatt"], ["Fehler", "Meldung"], ["Warnung", "Kosten"], ["Fehler", "Kosten"]]
    assert (
        findings.count_line(*findings.counts(rows)) == "2 Fehler, 1 Warnung — Einreichen ist erst ohne Fehler möglich"
    )
    assert findings.count_line(0, 2) == "Keine Fehler, 2 Warnungen — bitte prüfen, Einreichen ist möglich"
    assert findings.count_line(0, 0) == "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."
