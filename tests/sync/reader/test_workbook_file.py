"""Reading workbook files: by name, whatever the cells hold and wherever a clerk moved them."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import libreoffice
import pytest

from pakt.schemas import CheckContext, check, read_draft, rules_for
from pakt.sync import open_workbook_file


def submission_of(path: Path):
    draft = read_draft(open_workbook_file(path))
    result = check(draft, CheckContext(rules=rules_for(draft, None)))
    assert not result.blocking, [f.line() for f in result.findings]
    return result.submission


def test_values_as_spreadsheets_store_them_are_normalised(write_submission):
    path = write_submission(
        {
            ("persons", "total"): " 44 ",
            ("material_costs", "office_eur"): "1.110,00 €",
            ("material_costs", "travel_eur"): "1029,6",
            ("header", "contact_person"): "  Anna\u00a0 Maier ",
            ("sign_off", "date"): 43284,
            ("header", "phone"): 7461910.0,
        },
        managers=lambda rows: [{**rows[0], "fte": "0,6", "start_date": datetime(2018, 1, 1, 0, 0)}],
    )
    submission = submission_of(path)
    assert submission.persons.total == 44
    assert submission.material_costs.office_eur == Decimal("1110.00")
    assert submission.material_costs.travel_eur == Decimal("1029.60")
    assert submission.header.contact_person == "Anna Maier"
    assert submission.header.phone == "7461910"
    assert submission.sign_off.date == date(2018, 7, 3)
    assert submission.managers[0].fte == Decimal("0.60")
    assert submission.managers[0].start_date == date(2018, 1, 1)


def test_blank_rows_in_the_staff_table_are_skipped(write_submission):
    path = write_submission(managers=lambda rows: [{}, rows[0], {}, {}])
    assert [m.pseudonym for m in submission_of(path).managers] == ["IM-07"]


def test_half_filled_staff_row_names_each_missing_cell(write_submission):
    path = write_submission(managers=lambda rows: [rows[0], {"pseudonym": "IM-99"}])
    draft = read_draft(open_workbook_file(path))
    result = check(draft, CheckContext(rules=rules_for(draft, None)))
    assert [(f.code.value, f.cell) for f in result.findings] == [
        ("PFLICHTFELD", "B7"),
        ("PFLICHTFELD", "C7"),
        ("PFLICHTFELD", "D7"),
    ]


def test_names_not_positions_locate_every_input(sample_paths):
    view = open_workbook_file(sample_paths[0])
    names = view.defined_names()
    assert names["pakt_persons_total"] == "Meldung!$B$14"
    assert view.named_cell("pakt_persons_total").value == 44
    assert view.named_cell("gibt_es_nicht") is None


def _with_part(path: Path, part: str, edit, target: Path) -> Path:
    with zipfile.ZipFile(path) as book:
        items = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        for info, data in items:
            book.writestr(info, edit(data.decode("utf-8")).encode("utf-8") if info.filename == part else data)
    return target


def test_a_form_whose_names_differ_from_the_forms_read_before_is_read_by_its_own_names(sample_paths, tmp_path):
    """The reader remembers parts it has read by their exact bytes (the forms of a district share them); a
    form with one name moved has other bytes and is read by what it says."""
    original = open_workbook_file(sample_paths[0])
    assert original.named_cell("pakt_persons_total").cell == "B14"
    moved = _with_part(
        sample_paths[0], "xl/workbook.xml", lambda xml: xml.replace("Meldung!$B$14<", "Meldung!$B$15<"),
        tmp_path / "verschoben.xlsx",
    )  # fmt: skip
    view = open_workbook_file(moved)
    assert view.defined_names()["pakt_persons_total"] == "Meldung!$B$15"
    assert view.named_cell("pakt_persons_total").cell == "B15"
    assert view.named_cell("pakt_persons_total").value != original.named_cell("pakt_persons_total").value
    assert open_workbook_file(sample_paths[0]).named_cell("pakt_persons_total").value == 44  # and back


@pytest.mark.libreoffice
def test_clerk_inserting_rows_and_reordering_sheets_reads_the_same(repo, tmp_path):
    original = repo / "sample_workbooks" / "08327066_Tuttlingen.xlsx"
    edited = libreoffice.clerk_edit(original, tmp_path / "Tuttlingen_bearbeitet.xlsx")
    view = open_workbook_file(edited)
    assert view.sheet_names[0] == "Kosten" and view.sheet_names[-1] == "Meldung"
    assert view.defined_names()["pakt_persons_total"] == "Meldung!$B$17"  # three rows further down
    staff_rows = view.table("pakt_managers").rows
    assert [row[0].cell for row in staff_rows] == ["A6", "A9", "A10"]  # two blank rows inserted after the first
    before, after = submission_of(original), submission_of(edited)
    assert len(after.managers) == 3
    assert after == before
