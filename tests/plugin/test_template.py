"""The submission workbook as the clerk receives it: names, drop-downs, hints, formats, protection, binding."""

from __future__ import annotations

from pathlib import Path

import libreoffice
import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from pakt.cli import app
from pakt.plugin import Binding, build_workbook_bytes
from pakt.schemas import (
    CheckContext,
    Kind,
    TemplateFormat,
    check,
    funds_use_total,
    input_fields,
    material_costs_total,
    read_draft,
    rules_for,
    staff_columns,
)
from pakt.sync import open_workbook_file

BLANK = Path("sample_workbooks/vorlage/Pakt_Meldung_Vorlage.xlsx")


@pytest.fixture(scope="module")
def aldingen(repo):
    return openpyxl.load_workbook(repo / "sample_workbooks" / "08327002_Aldingen.xlsx")


@pytest.fixture(scope="module")
def blank(repo):
    return openpyxl.load_workbook(repo / BLANK)


def _target(book, name):
    sheet, cell = next(iter(book.defined_names[name].destinations))
    return book[sheet][cell.replace("$", "")]


def _validation_for(sheet, coordinate):
    return next((dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref), None)


def test_sheets_in_order_with_a_hidden_binding_sheet(aldingen):
    assert aldingen.sheetnames == ["Hinweise", "Meldung", "Integrationsmanager", "Kosten", "_Pakt"]
    assert aldingen["_Pakt"].sheet_state == "hidden"
    assert all(aldingen[name].sheet_state == "visible" for name in aldingen.sheetnames[:-1])
    assert aldingen.active.title == "Meldung"


def test_binding_sheet_holds_ags_schema_and_rules(aldingen, blank):
    assert _target(aldingen, "pakt_bind_ags").value == "08327002"
    assert _target(aldingen, "pakt_bind_schema").value == "1.0"
    assert _target(aldingen, "pakt_bind_rules").value == "pfi-2017-2019"
    assert _target(blank, "pakt_bind_template").value == "pakt-meldung"
    assert _target(blank, "pakt_bind_ags").value in (None, "")


def test_every_input_has_a_defined_name_and_a_german_drop_down_or_range_check(blank):
    for field in input_fields():
        cell = _target(blank, field.name)
        rule = _validation_for(blank[cell.parent.title], cell.coordinate)
        assert rule is not None, field.name
        assert rule.prompt and rule.promptTitle and rule.error, field.name
        assert "Bitte" in rule.error
        if field.spec.kind is Kind.CHOICE:
            assert rule.type == "list" and "selbst" in rule.formula1
        if field.spec.kind is Kind.COUNT:
            assert rule.type == "whole" and rule.formula1 == "0"
        if field.spec.kind is Kind.DATE:
            assert rule.type == "date" and "01.01.2017 bis 31.12.2019" in rule.prompt


def test_input_cells_are_unlocked_and_everything_else_protected_without_password(aldingen):
    for field in input_fields():
        cell = _target(aldingen, field.name)
        assert cell.protection.locked is field.prefilled, field.name
    for sheet in aldingen.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.protection.password, sheet.title
    assert aldingen["Meldung"]["A1"].protection.locked


def test_prefilled_header_is_open_in_the_blank_template(blank):
    assert not _target(blank, "pakt_header_ags").protection.locked


def test_staff_list_is_a_table_that_clerks_can_extend(aldingen):
    sheet = aldingen["Integrationsmanager"]
    table = sheet.tables["pakt_managers"]
    headers = [c.value for c in sheet[table.ref.split(":")[0] : table.ref.split(":")[1]][0]]
    assert headers == [c.label for c in staff_columns()]
    assert sheet.protection.insertRows is False and sheet.protection.deleteRows is False
    employer = _validation_for(sheet, "D20")
    assert employer.type == "list" and "freier Träger" in employer.formula1


def test_german_number_and_date_formats(aldingen):
    assert "€" in _target(aldingen, "pakt_material_costs_office_eur").number_format
    assert "DD.MM.YYYY" in _target(aldingen, "pakt_header_stichtag").number_format
    assert "[$-407]" in _target(aldingen, "pakt_persons_total").number_format


def test_clerk_text_that_looks_like_a_formula_stays_text(write_submission):
    path = write_submission(
        {("header", "contact_person"): '=HYPERLINK("http://x")', ("header", "phone"): "+49 7461 926-0"}
    )
    book = openpyxl.load_workbook(path)
    assert _target(book, "pakt_header_contact_person").data_type == "s"
    draft = read_draft(open_workbook_file(path))
    assert draft.value("header", "contact_person") == '=HYPERLINK("http://x")'


def test_pakt_template_writes_one_workbook_per_municipality(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(app, ["template", "--config", "pakt.toml", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.xlsx"))
    assert len(files) == 36
    assert "36 Meldemappen geschrieben" in result.output
    tuttlingen = read_draft(open_workbook_file(tmp_path / "08327066_Tuttlingen.xlsx"))
    assert tuttlingen.binding["ags"] == "08327066"
    assert tuttlingen.value("header", "name") == "Tuttlingen"
    assert tuttlingen.value("management", "mode").value == "selbst"
    assert {f.code.value for f in tuttlingen.findings} == {"PFLICHTFELD"}


@pytest.mark.parametrize("fmt", list(TemplateFormat))
def test_the_hinweise_sheet_says_which_file_formats_pakt_reads(registry, tmp_path, fmt):
    """A form saved as .xls, .csv, PDF or Numbers cannot be read: the form says so before the clerk saves."""
    path = tmp_path / f"vorlage{fmt.suffix}"
    path.write_bytes(build_workbook_bytes(Binding.for_registry(registry, None), fmt=fmt))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Hinweise").to_python()
    text = " ".join(str(value) for row in rows for value in row if value)
    assert ".xlsx oder .ods; .xls, .csv, PDF und Numbers-Dateien kann Pakt nicht lesen" in text


def test_pakt_template_google_explains_the_google_version(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(app, ["template", "--out", str(tmp_path), "--google"])
    assert result.exit_code == 0, result.output
    assert "So entsteht die Google-Fassung" in result.output and "pakt_staff" in result.output
    assert "Betrachter" in result.output and "pakt appsscript" in result.output


def test_pakt_template_without_config_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["template"])
    assert result.exit_code != 0
    assert "Keine Konfigurationsdatei gefunden" in str(result.exception)


@pytest.mark.libreoffice
@pytest.mark.parametrize("relative", [BLANK, Path("sample_workbooks/08327002_Aldingen.xlsx")])
def test_libreoffice_opens_and_renders_to_pdf_without_errors(repo, tmp_path, relative):
    pdf = libreoffice.convert(repo / relative, "pdf", tmp_path)
    text = libreoffice.pdf_text(pdf)
    assert "Meldung – Pakt für Integration" in text and "Hinweise zur Meldung" in text
    assert "Integrationsmanager" in text and "Verwendung der Pro-Kopf-Pauschale" in text
    for error in ("#NAME?", "#REF!", "#WERT!", "#VALUE!", "Err:", "#NV"):
        assert error not in text
    if "Aldingen" in relative.name:
        assert "Aldingen, Landkreis Tuttlingen" in text and "IM-07" in text and "1.110,00 €" in text
        assert "Abgabefrist" in text and "31.07.2018" in text  # the form tells the clerk what matters:
        assert "1.225,00 €" in text and "53.900,00 €" in text  # the rate and what 44 persons bring


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_helper_formulas_to_what_python_computes(write_submission, tmp_path):
    path = write_submission()
    draft = read_draft(open_workbook_file(path))
    submission = check(draft, CheckContext(rules=rules_for(draft, None))).submission
    good = libreoffice.recalc(path, tmp_path)
    bad = libreoffice.recalc(write_submission({("persons", "by_age", "from_27_to_64"): 11}), tmp_path)
    assert all(cell["error"] == 0 for sheet in good.values() for cell in sheet.values())
    check_cell = next(c for c in good["Meldung"].values() if "stimmt" in c["formula"])
    assert check_cell["text"] == "stimmt"
    assert next(c for c in bad["Meldung"].values() if "stimmt" in c["formula"])["text"] == "stimmt nicht – bitte prüfen"
    sums = sorted(round(c["value"], 2) for c in good["Kosten"].values())
    python_sums = sorted(
        float(t) for t in (material_costs_total(submission.material_costs), funds_use_total(submission.funds_use))
    )
    assert sums == python_sums
