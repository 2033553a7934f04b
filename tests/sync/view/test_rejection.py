"""Decisions that show: a rejected submission has a status, a colour, a legend line and a Prüfbericht line of
its own; the Übersicht says what was reported and, in a second row, what is approved; the district master's
binding carries the approval so that the state's master shows it per district."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from decimal import Decimal

import libreoffice
import make_broken
import openpyxl
import pytest
from master_reading import overview, sheet_rows
from openpyxl.utils.cell import coordinate_to_tuple

from pakt.schemas import load_registry
from pakt.sync import StateSyncOptions, decide, master_path, run_state_sync, state_path
from pakt.sync.master._layout import STATUS_FILL
from pakt.sync.view._row_status import Status

ALDINGEN, BALGHEIM, TUTTLINGEN = "08327002", "08327004", "08327066"


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def _decide(district) -> None:
    assert pakt(district, "sync").returncode == 0
    assert pakt(district, "approve", BALGHEIM, TUTTLINGEN, "--by", "M. Keller").returncode == 0
    rejected = pakt(district, "approve", ALDINGEN, "-d", "zurückgewiesen", "-r", "Altersgruppen fehlen", "--by", "Amt")
    assert rejected.returncode == 0, rejected.stderr


def _drop_names(master, prefix: str) -> None:
    """Take the defined names starting with `prefix` out of the workbook, leaving every other byte as it was."""
    with zipfile.ZipFile(master) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts.items():
            if info.filename == "xl/workbook.xml":
                data = re.sub(
                    rf'<definedName name="{prefix}[^"]*"[^>]*>[^<]*</definedName>', "", data.decode()
                ).encode()
            target.writestr(info, data)


def _approved_row(master) -> dict:
    rows = sheet_rows(master, "Übersicht")
    header = rows[4]
    found = next(row for row in rows if len(row) > 1 and row[1] == "davon freigegeben")
    return dict(zip(header, found, strict=False))


def test_a_rejection_has_its_own_status_colour_legend_and_report_line(district):
    _decide(district)
    rows, totals = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "zurückgewiesen"
    assert "Zurückgewiesen am" in rows[ALDINGEN]["Hinweis"] and "Altersgruppen fehlen" in rows[ALDINGEN]["Hinweis"]
    sheet = openpyxl.load_workbook(district.master)["Übersicht"]
    aldingen = next(row for row in sheet.iter_rows(min_row=6) if row[0].value == ALDINGEN)
    assert aldingen[2].fill.fgColor.rgb.endswith(STATUS_FILL[Status.ZURUECKGEWIESEN].lstrip("#"))
    legend = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "zurückgewiesen" in legend and any("Sie haben die Meldung zurückgewiesen" in text for text in legend)
    report = sheet_rows(district.master, "Prüfbericht")
    line = next(row for row in report if "MELDUNG_ZURUECKGEWIESEN" in row)
    assert "Aldingen" in line and any("Altersgruppen fehlen" in str(cell) for cell in line)
    assert totals["Personen"] == 828  # reported: the rejected figures count as reported
    assert ["zurückgewiesen", 1] in [row[:2] for row in sheet_rows(district.master, "Auswertung")]


def test_the_totals_say_what_is_approved_to_the_cent_and_libreoffice_agrees(district, tmp_path):
    _decide(district)
    rows, _ = overview(district.master)
    approved = _approved_row(district.master)
    expected = sum(Decimal(str(rows[ags]["Pro-Kopf-Pauschale"])) for ags in (BALGHEIM, TUTTLINGEN))
    assert Decimal(str(approved["Pro-Kopf-Pauschale"])).quantize(Decimal("0.01")) == expected
    assert approved["Personen"] == rows[BALGHEIM]["Personen"] + rows[TUTTLINGEN]["Personen"]
    assert approved["Status"] == "2 von 35 freigegeben"
    summary = json.loads(pakt(district, "sync", "--json").stdout)
    assert summary["approved"] == 2 and summary["rejected"] == 1
    assert summary["approved_allowance_eur"] == f"{expected:.2f}"

    recalculated = libreoffice.recalc(district.master, tmp_path)["Übersicht"]
    cached = sheet_rows(district.master, "Übersicht")
    row_index = next(i for i, row in enumerate(cached) if len(row) > 1 and row[1] == "davon freigegeben")
    formulas = {a: c for a, c in recalculated.items() if c["formula"] and coordinate_to_tuple(a)[0] == row_index + 1}
    assert len(formulas) == 6  # the count and the five approved sums
    for address, cell in formulas.items():
        _, column = coordinate_to_tuple(address)
        shown = cached[row_index][column - 1]
        assert (cell["text"] if isinstance(shown, str) else round(cell["value"], 2)) == (
            shown if isinstance(shown, str) else round(shown, 2)
        ), address


@pytest.mark.parametrize("with_approval", [True, False], ids=["bound", "older-master"])
def test_the_state_master_shows_each_districts_approval(district, tmp_path, with_approval):
    _decide(district)
    state = tmp_path / "land"
    (state / "landkreise").mkdir(parents=True)
    copy = state / "landkreise" / "08327_Landkreis_Tuttlingen.xlsx"
    shutil.copy(district.master, copy)
    if not with_approval:  # a district master written before Pakt named the approval: its names taken out
        _drop_names(copy, "pakt_master_approved")
    (state / "pakt.toml").write_text(
        '[district]\nname = "Baden-Württemberg"\nkey = "08"\n[round]\nstichtag = 2018-06-30\nrules = "pfi-2017-2019"\n'
        '[master]\npath = "master/Land.xlsx"\n[sources]\nfolders = ["landkreise"]\n'
        '[[districts]]\nkey = "08327"\nname = "Landkreis Tuttlingen"\nmaster = "landkreise/08327_Landkreis_Tuttlingen.xlsx"\n',
        encoding="utf-8",
    )
    result = run_state_sync(load_registry(state / "pakt.toml"), StateSyncOptions(retry_delay_s=0.1))
    rows = sheet_rows(result.master, "Übersicht")
    header = next(row for row in rows if row and row[0] == "Kreisschlüssel")
    tuttlingen = dict(zip(header, next(row for row in rows if row and row[0] == "08327"), strict=False))
    if with_approval:
        aldingen_rows, _ = overview(district.master)
        expected = sum(Decimal(str(aldingen_rows[ags]["Pro-Kopf-Pauschale"])) for ags in (BALGHEIM, TUTTLINGEN))
        assert tuttlingen["Gemeinden freigegeben"] == "2 von 35"
        assert Decimal(str(tuttlingen["Pro-Kopf-Pauschale freigegeben"])).quantize(Decimal("0.01")) == expected
    else:
        assert tuttlingen["Gemeinden freigegeben"] == "–" and tuttlingen["Pro-Kopf-Pauschale freigegeben"] in ("", None)
    assert Decimal(str(tuttlingen["Pro-Kopf-Pauschale"])) == Decimal("1014300.00")  # reported, rejected included


def _decide_in_python(district, ags: str, decision: str, reason: str = "") -> None:
    registry = district.registry()
    state = state_path(registry, master_path(registry))
    decide(registry, state, [ags], decision, reason, "M. Keller", datetime(2018, 7, 20, 10, 0))


def _edit_persons(district, persons: int) -> None:
    district.workbook("Aldingen").write_bytes(
        make_broken.submission({("persons", "total"): persons, ("persons", "by_age", "from_27_to_64"): persons - 29})
    )


def test_a_rejected_newer_version_keeps_the_approved_figures_in_davon_freigegeben(district):
    district.sync()
    _decide_in_python(district, ALDINGEN, "freigegeben")
    district.sync()
    frozen, _ = overview(district.master)
    _edit_persons(district, 50)
    district.sync()
    _decide_in_python(district, ALDINGEN, "zurückgewiesen", "Die 50 Personen bitte belegen")
    result = district.sync()
    rows, totals = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "zurückgewiesen" and rows[ALDINGEN]["Personen"] == frozen[ALDINGEN]["Personen"]
    assert "früher freigegebene Fassung" in rows[ALDINGEN]["Hinweis"] and totals["Personen"] == 828  # the frozen 44
    approved = _approved_row(district.master)
    assert approved["Status"] == "1 von 35 freigegeben" and approved["Personen"] == frozen[ALDINGEN]["Personen"]
    assert Decimal(str(approved["Pro-Kopf-Pauschale"])) == Decimal(str(frozen[ALDINGEN]["Pro-Kopf-Pauschale"]))
    assert (result.figures.approved, result.figures.rejected) == (1, 1)


def test_a_corrected_submission_after_a_rejection_is_open_again(district):
    district.sync()
    _decide_in_python(district, ALDINGEN, "zurückgewiesen", "Altersgruppen fehlen")
    assert district.sync().figures.rejected == 1
    _edit_persons(district, 47)
    corrected = district.sync()
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "eingereicht" and rows[ALDINGEN]["Personen"] == 47
    assert rows[ALDINGEN]["Prüfung"] == "" and "Zurückgewiesen" not in rows[ALDINGEN]["Hinweis"]
    assert not any("MELDUNG_ZURUECKGEWIESEN" in row for row in sheet_rows(district.master, "Prüfbericht"))
    assert (corrected.figures.approved, corrected.figures.rejected) == (0, 0)
    assert _approved_row(district.master)["Status"] == "0 von 35 freigegeben"
