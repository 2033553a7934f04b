"""One point each of what hostile or careless input once did to Pakt, and what it does now."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import make_broken
import pytest
from corpus.damage import rebuilt
from master_reading import overview

from pakt.schemas import Code, comparison_key
from pakt.sync import open_workbook_file, validate_files


def run(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def codes(path: Path) -> list[str]:
    return [f.code.value for f in validate_files([path]).findings]


# -- 4: numbers too large for any arithmetic --------------------------------------------------------------


def test_a_number_of_1e26_is_a_german_finding_not_an_exception(write_submission, district):
    path = write_submission({("persons", "total"): 1e26, ("material_costs", "office_eur"): 1e30})
    findings = validate_files([path]).findings
    messages = [f.message for f in findings if f.code is Code.TYP]
    assert any("1E+26 ist viel zu groß" in m for m in messages), messages
    district.sync()
    district.workbook("Aldingen").write_bytes(path.read_bytes())
    result = district.sync()
    row = next(r for r in result.view.rows if r.municipality.name == "Aldingen")
    assert row.status.value == "fehlerhaft" and result.figures.persons == 828, "the last valid figures stay"


# -- 5: cell text and file names are never console markup ------------------------------------------------


def test_markup_in_cells_and_file_names_is_printed_as_it_is(write_submission, tmp_path):
    values = {("header", "email"): "[/]", ("header", "phone"): "[link=http://x]Klick"}
    path = write_submission(values, name="[bold]Meldung[red].xlsx")
    broken = tmp_path / "[blink]kaputt[/blink].xlsx".replace("/", "")
    broken.write_bytes(b"kein Archiv")
    done = run("validate", str(path), str(broken), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "„[/]“" in done.stdout and "[link=http://x]Klick" in done.stdout and broken.name in done.stdout
    assert "\x1b]8;" not in done.stdout, "no terminal hyperlink"


# -- 6: clerk text never becomes criteria or formulas in the master --------------------------------------


def _criteria_pseudonyms(rows: list[dict]) -> list[dict]:
    """Aldingen's one manager as two people whose pseudonyms look like a formula and a wildcard."""
    return [
        {**rows[0], "pseudonym": "=1+1", "fte": Decimal("0.30")},
        {**rows[0], "pseudonym": "IM-1*", "fte": Decimal("0.30")},
    ]


def test_pseudonyms_that_look_like_criteria_are_counted_as_text(district):
    district.workbook("Aldingen").write_bytes(make_broken.submission(managers=_criteria_pseudonyms))
    result = district.sync()
    _, totals = overview(result.master)
    named = {comparison_key(line.manager.pseudonym) for line in result.view.staff}
    assert {"=1+1", "im-1*"} <= named
    assert totals["IM (Personen)"] == result.view.totals.im_heads == len(named)


@pytest.mark.libreoffice
def test_the_master_recalculates_without_errors_with_such_pseudonyms(district, tmp_path):
    import libreoffice

    district.workbook("Aldingen").write_bytes(make_broken.submission(managers=_criteria_pseudonyms))
    result = district.sync()
    recalculated = libreoffice.recalc(result.master, tmp_path)
    assert all(cell["error"] == 0 for sheet in recalculated.values() for cell in sheet.values())


# -- 7: invisible characters do not make two people of one ------------------------------------------------


def test_a_zero_width_space_does_not_hide_a_duplicate_pseudonym(write_submission):
    def twice(rows):
        return [
            {**rows[0], "fte": Decimal("0.30")},
            {**rows[0], "pseudonym": "im-07\u200b ", "fte": Decimal("0.30")},
        ]

    assert Code.KUERZEL_DOPPELT.value in codes(write_submission(managers=twice))


def test_a_person_counts_once_in_the_district_however_the_pseudonym_is_spelt(district):
    aldingen = make_broken.submission()
    with zipfile.ZipFile(io.BytesIO(aldingen)) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    assert b"IM-07" in strings
    spelt = strings.replace(b"IM-07", "im-07\u200b".encode(), 1)
    district.workbook("Aldingen").write_bytes(rebuilt(aldingen, {"xl/sharedStrings.xml": spelt}))
    result = district.sync()
    assert result.view.totals.im_heads == 14


# -- 8: broken names, special files, German causes --------------------------------------------------------


def _with_name(data: bytes, name: str, reference: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    start = workbook.index(f'<definedName name="{name}">') + len(f'<definedName name="{name}">')
    end = workbook.index("</definedName>", start)
    return rebuilt(data, {"xl/workbook.xml": (workbook[:start] + reference + workbook[end:]).encode()})


def test_a_name_pointing_at_row_0_is_a_broken_field_not_the_last_row(tmp_path):
    path = tmp_path / "zeile_null.xlsx"
    path.write_bytes(_with_name(make_broken.submission(), "pakt_persons_total", "Meldung!$B$0"))
    findings = validate_files([path]).findings
    assert any(f.code is Code.VORLAGE_BESCHAEDIGT and "pakt_persons_total" in f.message for f in findings)
    assert open_workbook_file(path).named_cell("pakt_persons_total") is None


def test_a_binding_name_turned_into_ref_is_a_blocking_finding(tmp_path):
    path = tmp_path / "bindung_ref.xlsx"
    path.write_bytes(_with_name(make_broken.submission(), "pakt_bind_ags", "#REF!"))
    report = validate_files([path])
    assert report.exit_code == 1
    assert any(f.code is Code.VORLAGE_BESCHAEDIGT and "pakt_bind_ags" in f.message for f in report.findings)


def test_a_pipe_and_a_device_are_refused_at_once_in_german(tmp_path):
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)
    device = tmp_path / "null.xlsx"
    device.symlink_to("/dev/zero")
    done = run("validate", "--json", str(pipe), str(device), cwd=tmp_path, timeout=30)
    assert done.returncode == 2
    messages = {Path(f["file"]).name: f["message"] for f in json.loads(done.stdout)}
    assert "eine Pipe" in messages["pipe.xlsx"] and "ein Gerät" in messages["null.xlsx"]


def test_the_operating_systems_english_never_reaches_a_message(tmp_path):
    missing = tmp_path / "gibt_es_nicht.xlsx"
    done = run("validate", "--json", str(missing), cwd=tmp_path)
    message = json.loads(done.stdout)[0]["message"]
    assert "Nicht gefunden" in message and "No such file" not in message


# -- 9: pakt template never writes over a clerk's work -----------------------------------------------------


@pytest.mark.slow
def test_template_refuses_a_folder_of_filled_submissions_and_changes_nothing(district):
    folder = district.folder
    before = {p.name: p.read_bytes() for p in folder.glob("*.xlsx")}
    done = run("template", "--out", str(folder), cwd=district.root)
    assert done.returncode == 2 and "es wurde nichts geschrieben" in done.stderr
    forced = run("template", "--out", str(folder), "--force", cwd=district.root)
    assert forced.returncode == 2
    assert {p.name: p.read_bytes() for p in folder.glob("*.xlsx")} == before


@pytest.mark.slow
def test_template_writes_again_over_its_own_blank_forms_and_with_force_over_older_blank_ones(district, tmp_path):
    target = tmp_path / "vorlagen"
    assert run("template", "--out", str(target), cwd=district.root).returncode == 0
    assert run("template", "--out", str(target), cwd=district.root).returncode == 0, "the same bytes: nothing to refuse"
    text = district.config.read_text(encoding="utf-8").replace("deadline = 2018-07-31", "deadline = 2018-08-15")
    district.config.write_text(text.replace("stichtag = 2018-06-30", "stichtag = 2018-07-01"), encoding="utf-8")
    assert run("template", "--out", str(target), cwd=district.root).returncode == 2
    assert run("template", "--out", str(target), "--force", cwd=district.root).returncode == 0
