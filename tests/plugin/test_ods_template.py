"""The ODS form for LibreOffice clerks (`pakt template --format ods`): the xlsx form's names, drop-downs, hints,
protection and staff table, held to LibreOffice by opening, filling and re-reading it through UNO; and the
district's choice of format, per municipality or for all."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import libreoffice
import openpyxl
import pytest
from typer.testing import CliRunner

from pakt.cli import app
from pakt.plugin import Binding, build_workbook_bytes, write_templates
from pakt.schemas import (
    CENT,
    STAFF_RANGE,
    STAFF_TABLE,
    CheckContext,
    ConfigError,
    District,
    ImMode,
    Kind,
    Municipality,
    PaktError,
    TemplateFormat,
    check,
    input_fields,
    load_registry,
    load_rules,
    municipal_figures,
    per_head_allowance,
    read_draft,
    staff_columns,
)
from pakt.sync import open_workbook_file

UNO = Path(__file__).parents[1] / "uno_ods_template.py"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ALDINGEN, TUTTLINGEN = "08327002_Aldingen", "08327066_Tuttlingen"
EXPECTED_TYPE = {
    Kind.COUNT: "whole",
    Kind.MONEY: "decimal",
    Kind.FTE: "decimal",
    Kind.DATE: "date",
    Kind.CHOICE: "list",
    Kind.FLAG: "list",
    Kind.AGS: "length",
    Kind.TEXT: "length",
    Kind.PHONE: "length",
    Kind.EMAIL: "custom",
}


def uno(task: str, *arguments: object, timeout: int = 180) -> None:
    subprocess.run([libreoffice.uno_python(), str(UNO), task, *map(str, arguments)], check=True, timeout=timeout)


def template_command(config: Path, out: Path, *options: str):
    return CliRunner().invoke(app, ["template", "--config", str(config), "--out", str(out), *options])


def registry_text(repo: Path, changes: dict[str, str] | None = None, head: str = "") -> str:
    """The sample registry with lines added after a municipality's name line (`changes`: name -> lines)."""
    text = (repo / "pakt.toml").read_text(encoding="utf-8")
    for name, lines in (changes or {}).items():
        text = text.replace(f'name = "{name}"\n', f'name = "{name}"\n{lines}\n', 1)
    return head + text


def write_registry(repo: Path, folder: Path, changes: dict[str, str] | None = None, head: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pakt.toml"
    path.write_text(registry_text(repo, changes, head), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def written(repo, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ods-vorlagen")
    result = template_command(repo / "pakt.toml", out, "--format", "ods")
    assert result.exit_code == 0, result.output
    assert "36 Meldemappen geschrieben" in result.output
    return out


@pytest.fixture(scope="module")
def inspected(written, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("uno") / "aldingen.json"
    uno("inspect", written / f"{ALDINGEN}.ods", out)
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def xlsx_form(registry) -> openpyxl.Workbook:
    """Aldingen's xlsx form, which the ODS form must match."""
    aldingen = registry.municipality("08327002")
    return openpyxl.load_workbook(io.BytesIO(build_workbook_bytes(Binding.for_registry(registry, aldingen))))


@pytest.fixture(scope="module")
def xlsx_names(xlsx_form) -> dict[str, str]:
    """Where each defined name of the xlsx form points ('Meldung.B14', or a block 'Integrationsmanager.A5:D35')."""
    names = {}
    for name, defined in xlsx_form.defined_names.items():
        sheet, cells = next(iter(defined.destinations))
        names[name] = f"{sheet}.{cells.replace('$', '')}"
    return names


def xlsx_validation(book: openpyxl.Workbook, address: str):
    sheet, cell = address.split(".")
    return next(dv for dv in book[sheet].data_validations.dataValidation if cell in dv.sqref)


# -- the files -------------------------------------------------------------------------------------


def test_format_ods_writes_every_form_as_an_opendocument_spreadsheet(written):
    files = sorted(written.iterdir())
    assert len(files) == 36 and all(f.suffix == ".ods" for f in files)
    assert written / "Pakt_Meldung_Vorlage.ods" in files
    for path in files:
        with zipfile.ZipFile(path) as package:
            first = package.infolist()[0]
            assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
            assert package.read("mimetype") == ODS_MIMETYPE
            assert b"protection-key" not in package.read("content.xml")  # protected, but without a password


def test_a_second_run_in_another_process_writes_the_same_bytes(repo, written):
    """Generation is repeatable byte for byte, so `pakt template` into its own folder is refused nowhere."""
    before = {path.name: path.read_bytes() for path in written.iterdir()}
    again = subprocess.run(
        [sys.executable, "-m", "pakt", "template", "--config", str(repo / "pakt.toml"), "--out", str(written),
         "--format", "ods"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert {path.name: path.read_bytes() for path in written.iterdir()} == before


def test_the_ods_form_reads_back_as_the_xlsx_form_does(registry, tmp_path, repo):
    """Pakt's own reader takes the ODS form with the same binding, the same findings at the same cells."""
    tuttlingen = registry.municipality("08327066")
    binding = Binding.for_registry(registry, tuttlingen)
    drafts = {}
    for fmt in TemplateFormat:
        path = tmp_path / f"tuttlingen{fmt.suffix}"
        path.write_bytes(build_workbook_bytes(binding, fmt=fmt))
        drafts[fmt] = read_draft(open_workbook_file(path))
    xlsx, ods = drafts[TemplateFormat.XLSX], drafts[TemplateFormat.ODS]
    assert ods.binding == xlsx.binding and ods.binding["ags"] == "08327066"
    assert [(f.code, f.sheet, f.cell) for f in ods.findings] == [(f.code, f.sheet, f.cell) for f in xlsx.findings]
    assert {p: e.raw for p, e in ods.fields.items()} == {p: e.raw for p, e in xlsx.fields.items()}


# -- opened in LibreOffice -------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_every_named_range_points_where_the_xlsx_form_points(inspected, xlsx_names):
    ods_names = {name: entry["content"].replace("$", "") for name, entry in inspected["names"].items()}
    assert ods_names.keys() == xlsx_names.keys()
    for name, target in xlsx_names.items():
        sheet, cells = target.split(".")
        first, _, last = cells.partition(":")
        expected = f"{sheet}.{first}" + (f":{last}" if last else "")
        assert ods_names[name] == expected, name
    assert all(field.name in ods_names for field in input_fields())
    assert inspected["names"]["pakt_persons_total"]["sheet"] == "Meldung"


@pytest.mark.libreoffice
def test_sheets_in_order_the_binding_hidden_and_meldung_shown_first(inspected):
    assert inspected["sheets"] == ["Hinweise", "Meldung", "Integrationsmanager", "Kosten", "_Pakt"]
    assert not inspected["sheet"]["_Pakt"]["visible"]
    assert all(inspected["sheet"][name]["visible"] for name in inspected["sheets"][:-1])
    assert inspected["active"] == "Meldung"
    binding = inspected["names"]["pakt_bind_ags"]["cell"]
    assert binding["address"].startswith("_Pakt.") and binding["string"] == "08327002"


@pytest.mark.libreoffice
def test_every_input_has_the_drop_down_or_range_check_of_the_xlsx_form_with_its_german_texts(inspected, xlsx_form):
    for field in input_fields():
        cell = inspected["names"][field.name]["cell"]
        rule = cell["validation"]
        if field.prefilled:  # filled in by the district: locked, nothing to choose
            assert cell["locked"] and rule["type"] == "any", field.name
            continue
        same = xlsx_validation(xlsx_form, cell["address"])
        assert rule["type"] == EXPECTED_TYPE[field.spec.kind], field.name
        assert (rule["input_title"], rule["input_message"]) == (same.promptTitle, same.prompt), field.name
        assert (rule["error_title"], rule["error_message"]) == (same.errorTitle, same.error), field.name
        assert rule["error_message"].startswith(f"{field.label}: Bitte"), field.name
        assert rule["show_input"] and rule["show_error"] and rule["alert"] == "STOP" and rule["ignore_blank"]
        if rule["type"] == "list":
            assert rule["formula1"] == ";".join(f'"{c}"' for c in same.formula1.strip('"').split(",")), field.name
            assert rule["show_list"] == 1  # the drop-down arrow, choices in their own order
        elif rule["type"] in ("whole", "decimal", "date"):
            assert rule["operator"] == "BETWEEN", field.name
            assert float(rule["formula1"]) == float(same.formula1), field.name
            assert float(rule["formula2"]) == float(same.formula2), field.name
    assert inspected["names"]["pakt_management_mode"]["cell"]["validation"]["formula1"] == '"selbst";"landkreis"'
    sign_off = inspected["names"]["pakt_sign_off_date"]["cell"]["validation"]
    assert "Zulässig: 01.01.2017 bis 31.12.2019" in sign_off["input_message"]
    email = inspected["names"]["pakt_header_email"]["cell"]
    assert email["validation"]["formula1"] == 'ISNUMBER(FIND("@";B10))' and email["address"] == "Meldung.B10"


@pytest.mark.libreoffice
def test_input_cells_are_open_labels_and_key_figures_locked_every_sheet_protected_without_password(inspected):
    contact = inspected["names"]["pakt_header_contact_person"]["cell"]
    assert not contact["locked"]
    assert inspected["names"]["pakt_header_ags"]["cell"]["locked"]  # pre-filled by the district
    for name, sheet in inspected["sheet"].items():
        assert sheet["protected"] and sheet["unprotected_without_password"], name
        assert sheet["a1_locked"], name  # the title, a label like every other
    printed = [name for name, sheet in inspected["sheet"].items() if sheet["visible"]]
    assert all(inspected["sheet"][n]["landscape"] and inspected["sheet"][n]["pages_wide"] == 1 for n in printed)
    assert all(inspected["sheet"][n]["page_width_mm"] == 297 for n in printed)  # A4 landscape, one page wide


@pytest.mark.libreoffice
def test_german_number_formats(inspected):
    def number_format(name: str) -> str:
        return inspected["names"][name]["cell"]["number_format"]

    assert "€" in number_format("pakt_material_costs_office_eur") and "0,00" in number_format(
        "pakt_material_costs_office_eur"
    )
    assert number_format("pakt_header_stichtag") in ("TT.MM.JJJJ", "DD.MM.YYYY")
    assert number_format("pakt_persons_total") == "#.##0"
    assert number_format("pakt_header_ags") == "@"  # text: the leading zero of an AGS stays


@pytest.mark.libreoffice
def test_the_staff_list_is_a_database_range_named_like_the_xlsx_table(inspected, xlsx_names):
    assert inspected["databases"] == {STAFF_TABLE: xlsx_names[STAFF_RANGE]}
    header, first, last = inspected["staff_rows"].values()
    assert [cell["string"] for cell in header] == [c.label for c in staff_columns()]
    for row in (first, last):
        assert not any(cell["locked"] for cell in row)
        employer = row[[c.field for c in staff_columns()].index("employer")]
        assert employer["validation"]["type"] == "list" and "freier Träger" in employer["validation"]["formula1"]


# -- filled in LibreOffice ---------------------------------------------------------------------------

RATE_CHANGE = """
id = "test-ods-satzwechsel"
name = "Pakt für Integration (Test mit Satzwechsel)"
valid_from = 2023-01-01
valid_until = 2024-12-31
rounding = "ROUND_DOWN"

[[rates]]
valid_from = 2023-01-01
valid_until = 2023-12-31
per_person_eur = "1225.00"

[[rates]]
valid_from = 2024-01-01
valid_until = 2024-12-31
per_person_eur = "1225.05"
"""
"""1.225,05 € x 3 is 3675.1499999999996 in binary floating point: the cent a careless formula would lose."""


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("rules_ref", "stichtag", "persons"), [("pfi", date(2018, 6, 30), 44), ("change", date(2024, 6, 30), 3)]
)
def test_filled_through_uno_the_form_computes_the_allowance_pakt_computes(tmp_path, rules_ref, stichtag, persons):
    if rules_ref == "change":
        rules_file = tmp_path / "regeln.toml"
        rules_file.write_text(RATE_CHANGE, encoding="utf-8")
        rules = load_rules(str(rules_file))
    else:
        rules = load_rules("pfi-2017-2019")
    municipality = Municipality(ags="08327002", name="Aldingen", im_mode=ImMode.SELBST)
    binding = Binding(District(name="Landkreis Tuttlingen", key="08327"), rules, stichtag, municipality)
    form = tmp_path / "aldingen.ods"
    form.write_bytes(build_workbook_bytes(binding, fmt=TemplateFormat.ODS))
    typed = {
        "pakt_header_contact_person": "Anna Maier",
        "pakt_header_email": "integration@aldingen.example",
        "pakt_header_phone": "07424 8820",
        "pakt_persons_total": persons,
        "pakt_persons_by_age_from_27_to_64": persons,
    }
    values = tmp_path / "werte.json"
    values.write_text(json.dumps(typed), encoding="utf-8")
    report = tmp_path / "ausgefuellt.json"
    uno("fill", form, values, report)
    cells = json.loads(report.read_text(encoding="utf-8"))["Meldung"]
    allowance = next(c for c in cells.values() if c["formula"].startswith("=ROUND(pakt_persons_total*"))
    expected = per_head_allowance(persons, stichtag, rules)
    assert allowance["error"] == 0 and Decimal(str(allowance["value"])).quantize(CENT) == expected
    assert abs(Decimal(str(allowance["value"])) - expected) < Decimal("0.000001")
    assert next(c for c in cells.values() if "stimmt" in c["formula"])["text"] == "stimmt"
    saved = read_draft(open_workbook_file(tmp_path / "ausgefuellt.ods"))  # the clerk's saved form, read by Pakt
    submission = check(saved, CheckContext(rules=rules)).submission
    assert submission is not None and municipal_figures(submission, rules).allowance_eur == expected


# -- the district's choice ---------------------------------------------------------------------------


def test_a_municipality_with_format_ods_gets_an_ods_form_and_the_others_xlsx(repo, tmp_path):
    config = write_registry(repo, tmp_path / "kreis", {"Tuttlingen": 'format = "ods"'})
    registry = load_registry(config)
    assert registry.template_format(registry.municipality("08327066")) is TemplateFormat.ODS
    paths = write_templates(registry, tmp_path / "vorlagen")
    by_suffix = {suffix: sorted(p.name for p in paths if p.suffix == suffix) for suffix in (".xlsx", ".ods")}
    assert by_suffix[".ods"] == [f"{TUTTLINGEN}.ods"]
    assert len(by_suffix[".xlsx"]) == 35 and "Pakt_Meldung_Vorlage.xlsx" in by_suffix[".xlsx"]
    assert zipfile.ZipFile(tmp_path / "vorlagen" / f"{TUTTLINGEN}.ods").read("mimetype") == ODS_MIMETYPE


def test_a_district_default_of_ods_makes_every_form_ods_but_a_municipality_may_keep_xlsx(repo, tmp_path):
    config = write_registry(
        repo, tmp_path / "kreis", {"Aldingen": 'format = "xlsx"'}, head='[templates]\nformat = "ods"\n\n'
    )
    paths = write_templates(load_registry(config), tmp_path / "vorlagen")
    assert paths[0].name == "Pakt_Meldung_Vorlage.ods"
    assert [p.name for p in paths if p.suffix == ".xlsx"] == [f"{ALDINGEN}.xlsx"]
    assert len([p for p in paths if p.suffix == ".ods"]) == 35


def test_the_command_option_wins_over_the_registry(repo, tmp_path):
    config = write_registry(repo, tmp_path / "kreis", {"Tuttlingen": 'format = "ods"'})
    result = template_command(config, tmp_path / "vorlagen", "--format", "xlsx")
    assert result.exit_code == 0, result.output
    assert {p.suffix for p in (tmp_path / "vorlagen").iterdir()} == {".xlsx"}


@pytest.mark.parametrize(
    ("changes", "head", "where"),
    [
        ({"Aldingen": 'format = "xls"'}, "", "municipalities[0].format"),
        ({}, '[templates]\nformat = "pdf"\n\n', "templates.format"),
    ],
)
def test_a_wrong_format_is_a_german_registry_error(repo, tmp_path, changes, head, where):
    config = write_registry(repo, tmp_path, changes, head)
    with pytest.raises(ConfigError) as refused:
        load_registry(config)
    assert f"{where}: ist keiner der erlaubten Werte (erlaubt: 'xlsx' oder 'ods')" in str(refused.value)
    assert "ist fehlerhaft" in str(refused.value)


def test_a_wrong_format_option_is_refused_in_german(repo, tmp_path):
    result = template_command(repo / "pakt.toml", tmp_path, "--format", "xls")
    assert isinstance(result.exception, PaktError)
    assert "--format xls: dieses Format schreibt Pakt nicht. Möglich sind xlsx (Excel) und ods" in str(result.exception)
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_force_replaces_blank_ods_templates_never_a_filled_one(repo, tmp_path, registry):
    out = tmp_path / "vorlagen"
    assert template_command(repo / "pakt.toml", out, "--format", "ods").exit_code == 0
    later = write_registry(repo, tmp_path / "kreis")
    later.write_text(later.read_text(encoding="utf-8").replace("deadline = 2018-07-31", "deadline = 2018-08-15"))
    refused = template_command(later, out, "--format", "ods")  # the deadline moved: every file would change
    assert isinstance(refused.exception, PaktError) and "es wurde nichts geschrieben" in str(refused.exception)
    replaced = template_command(later, out, "--format", "ods", "--force")
    assert replaced.exit_code == 0, replaced.output
    assert read_draft(open_workbook_file(out / f"{ALDINGEN}.ods")).value("header", "name") == "Aldingen"
    aldingen = registry.municipality("08327002")
    filled = build_workbook_bytes(
        Binding.for_registry(registry, aldingen), {("persons", "total"): 44}, fmt=TemplateFormat.ODS
    )
    (out / f"{ALDINGEN}.ods").write_bytes(filled)
    kept = template_command(repo / "pakt.toml", out, "--format", "ods", "--force")
    assert isinstance(kept.exception, PaktError) and f"{ALDINGEN}.ods" in str(kept.exception)
    assert (out / f"{ALDINGEN}.ods").read_bytes() == filled


def test_round_start_writes_an_ods_municipality_its_form_as_ods(district):
    """`pakt round start` writes the new round's forms in each municipality's format, and the registry then
    expects the ODS municipality's form back under its .ods name."""
    text = district.config.read_text(encoding="utf-8")
    district.config.write_text(text.replace('name = "Tuttlingen"\n', 'name = "Tuttlingen"\nformat = "ods"\n', 1))
    started = subprocess.run(
        ["pakt", "round", "start", "--stichtag", "30.06.2019", "--deadline", "31.07.2019", "--keep-open"],
        cwd=district.root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    forms = district.root / "vorlagen" / "2019-06-30"
    assert zipfile.ZipFile(forms / f"{TUTTLINGEN}_2019-06-30.ods").read("mimetype") == ODS_MIMETYPE
    assert (forms / f"{ALDINGEN}_2019-06-30.xlsx").is_file() and not (forms / f"{TUTTLINGEN}_2019-06-30.xlsx").exists()
    registry = load_registry(district.config)
    assert registry.municipality("08327066").workbook == f"sample_workbooks/{TUTTLINGEN}_2019-06-30.ods"
    assert registry.municipality("08327066").format is TemplateFormat.ODS
