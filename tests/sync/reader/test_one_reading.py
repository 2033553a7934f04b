"""One reading or none: a file that two programs would read differently is refused as damaged, never taken as
data. `pakt validate` exits 2 with the German message; `pakt sync` keeps the municipality's last valid version
and shows the problem. The files are built in code (tests/corpus/ambiguous.py), each beside a control that a
legitimate variant of the same structure still reads."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from corpus.ambiguous import (
    DAMAGED,
    REPAIR,
    ambiguous_cases,
    members,
    package,
    with_descriptors,
    with_zip64_end,
)
from corpus.damage import rebuilt, valid_submission
from master_reading import sheet_rows

from pakt.schemas import PaktError, read_draft
from pakt.sync import XlsxFileView

CASES = {case.name: case for case in ambiguous_cases()}


def _values(view: XlsxFileView) -> tuple:
    draft = read_draft(view)
    fields = tuple(sorted((path, repr(entry.raw)) for path, entry in draft.fields.items()))
    staff = tuple(tuple(sorted((k, repr(e.raw)) for k, e in row.items())) for row in draft.managers)
    return fields, staff, tuple(sorted(draft.binding.items()))


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict[str, dict]]:
    """`pakt validate --json` over every case at once, as district staff would run it on a folder."""
    folder = tmp_path_factory.mktemp("zweideutig")
    for case in CASES.values():
        (folder / case.name).write_bytes(case.data)
    done = subprocess.run(
        ["pakt", "validate", "--json", *(str(folder / name) for name in CASES)],
        capture_output=True, text=True, timeout=300, cwd=folder,
    )  # fmt: skip
    return done, {Path(finding["file"]).name: finding for finding in json.loads(done.stdout)}


def test_pakt_validate_exits_2_for_files_with_two_readings(validated):
    done, findings = validated
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert set(findings) == set(CASES), "one finding per file"


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_file_with_two_readings_is_refused_in_german(name, validated):
    case, finding = CASES[name], validated[1][name]
    assert (finding["code"], finding["severity"]) == ("DATEI_UNLESBAR", "Fehler"), finding
    assert case.expected in finding["message"], finding["message"]
    if case.damaged:
        assert finding["message"].startswith(DAMAGED) and finding["message"].endswith(REPAIR), finding["message"]
    assert finding["sheet"] == case.sheet


def test_the_reader_refuses_them_where_it_opens_them(tmp_path):
    """The same refusal through the reader's API (the add-in server and sync use it), with sheet and cell."""
    for case in CASES.values():
        with pytest.raises(PaktError) as refused:
            read_draft(XlsxFileView(case.name, case.data))
        assert case.expected in refused.value.message, case.name
    cell = CASES["zelle_zwei_werte.xlsx"]
    with pytest.raises(PaktError) as refused:
        read_draft(XlsxFileView(cell.name, cell.data))
    assert (refused.value.sheet, refused.value.cell) == ("Meldung", "B14")


# -- what is not ambiguous still reads -------------------------------------------------------------------


def test_packages_as_other_writers_write_them_read_exactly_as_before():
    """Data descriptors (LibreOffice streams its parts so), zip64 headers and a zip64 end record that states the
    right count: nothing to refuse, the same values."""
    data = valid_submission()
    original = _values(XlsxFileView("meldung.xlsx", data))
    streamed = io.BytesIO()
    with zipfile.ZipFile(streamed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members(data):
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(content)
    variants = {
        "descriptors": with_descriptors(data),
        "zip64_headers": streamed.getvalue(),
        "zip64_end": with_zip64_end(data, len(members(data))),
        "parts_reordered": package(list(reversed(members(data)))),
    }
    for label, variant in variants.items():
        assert _values(XlsxFileView(label + ".xlsx", variant)) == original, label


def _workbook(data: bytes) -> str:
    return dict(members(data))["xl/workbook.xml"].decode()


def test_a_name_given_twice_for_the_same_cell_or_in_another_scope_reads_as_before():
    """Same name, same scope, same cell (written another way) is one reading; a sheet-level name beside the
    workbook's is another scope, and Pakt reads the workbook's, as before."""
    data = valid_submission()
    workbook = _workbook(data)
    element = '<definedName name="pakt_persons_total">Meldung!$B$14</definedName>'
    assert element in workbook
    same = element + "<definedName name=\"pakt_persons_total\">'Meldung'!B14</definedName>"
    other_scope = element + '<definedName name="pakt_persons_total" localSheetId="1">Meldung!$B$15</definedName>'
    for label, replacement in (("same", same), ("scope", other_scope)):
        view = XlsxFileView(label + ".xlsx", rebuilt(data, {"xl/workbook.xml": workbook.replace(element, replacement)}))
        assert view.named_cell("pakt_persons_total").value == 44, label


def test_a_formula_name_is_no_list_of_areas():
    """A name that is a formula (OFFSET(...), with commas) is not taken for several areas: it reads as a name
    Pakt cannot use, a broken field, as before."""
    data = valid_submission()
    workbook = _workbook(data).replace(">Meldung!$B$14<", ">OFFSET(Meldung!$B$1,13,0)<")
    view = XlsxFileView("formel.xlsx", rebuilt(data, {"xl/workbook.xml": workbook.encode()}))
    assert view.named_cell("pakt_persons_total") is None


# -- pakt sync keeps the last valid version ----------------------------------------------------------------


def test_sync_keeps_the_last_valid_version_of_a_municipality_and_shows_why(district):
    """Aldingen's valid submission is synced, then replaced by each file with two readings in turn: the master
    still counts the valid version (828 persons), Aldingen shows as fehlerhaft, and the Prüfbericht says why."""
    first = district.sync()
    assert first.figures.persons == 828
    valid = district.workbook("Aldingen").read_bytes()
    wrong: list[str] = []
    for case in CASES.values():
        district.workbook("Aldingen").write_bytes(case.data)
        result = district.sync()
        row = next(r for r in result.view.rows if r.municipality.name == "Aldingen")
        shown = [p.message for p in result.problems if p.file and p.file.endswith(district.workbook("Aldingen").name)]
        if row.status.value != "fehlerhaft" or result.figures.persons != 828 or row.figures.persons != 44:
            wrong.append(f"{case.name}: {row.status.value}, {result.figures.persons} Personen")
        if not any(case.expected in message for message in shown):
            wrong.append(f"{case.name}: {shown}")
    assert not wrong, wrong
    report = sheet_rows(district.master, "Prüfbericht")
    assert any(CASES["content_types_kaputt.xlsx"].expected in str(cell) for row in report for cell in row)
    district.workbook("Aldingen").write_bytes(valid)
    again = district.sync()
    row = next(r for r in again.view.rows if r.municipality.name == "Aldingen")
    assert row.status.value != "fehlerhaft" and again.figures.persons == 828
