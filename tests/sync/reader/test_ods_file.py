"""OpenDocument submissions (.ods): read by their own names, to the values the xlsx reader gives, as safely.

Most files here are built by code (tests/ods_forms.py, shaped as LibreOffice writes a form), so that each test
changes one thing; the last tests read what LibreOffice itself makes of the generated forms.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import libreoffice
import ods_forms
import pytest
import python_calamine
from ods_forms import address, cell, form, form_package, input_row, named_range, package

from pakt.schemas import (
    CheckContext,
    Code,
    WorkbookEncrypted,
    WorkbookUnreadable,
    check,
    input_fields,
    parse_reference,
    read_draft,
    rules_for,
    to_a1,
)
from pakt.sync import OdsFileView, XlsxFileView, open_workbook, open_workbook_file, validate_files

TOTAL = "pakt_persons_total"
TOTAL_ROW = input_row(TOTAL)


@pytest.fixture(scope="module")
def aldingen(repo: Path):
    """Aldingen's sample submission as the xlsx reader reads it: the reference for every ODS here."""
    return read_draft(open_workbook_file(repo / "sample_workbooks" / "08327002_Aldingen.xlsx"))


@pytest.fixture(scope="module")
def filled(aldingen) -> dict:
    """Aldingen's values by defined name and its staff rows, to build the same submission as ODS."""
    values = {f.name: aldingen.fields[f.path].raw for f in input_fields()}
    staff = [[m[c].raw for c in ("pseudonym", "fte", "start_date", "employer")] for m in aldingen.managers]
    return {"values": values, "staff": staff}


def aldingen_ods(filled: dict, **options) -> bytes:
    return form_package(filled["values"], filled["staff"], **options)


def refused(data: bytes, name: str = "meldung.ods") -> str:
    with pytest.raises(WorkbookUnreadable) as caught:
        read_draft(open_workbook(name, data))
    assert caught.value.file == name
    return caught.value.message


def value(data: bytes, name: str) -> object:
    found = open_workbook("meldung.ods", data).named_cell(name)
    assert found is not None, name
    return found.value


# -- the same submission ------------------------------------------------------------------------------------


def test_a_form_saved_as_ods_reads_as_the_same_form_saved_as_xlsx(filled, aldingen, registry, tmp_path):
    view = open_workbook("08327002_Aldingen.ods", aldingen_ods(filled))
    assert isinstance(view, OdsFileView)
    draft = read_draft(view)
    assert draft.binding == aldingen.binding and draft.findings == []
    assert {k: (e.raw, e.value, e.sheet) for k, e in draft.fields.items()} == {
        k: (e.raw, e.value, e.sheet) for k, e in aldingen.fields.items()
    }
    assert [{k: (e.raw, e.value) for k, e in m.items()} for m in draft.managers] == [
        {k: (e.raw, e.value) for k, e in m.items()} for m in aldingen.managers
    ]
    checked = [check(d, CheckContext(rules=rules_for(d, registry), registry=registry)) for d in (draft, aldingen)]
    assert checked[0].submission == checked[1].submission and not checked[0].blocking
    path = tmp_path / "08327002_Aldingen.ods"
    path.write_bytes(aldingen_ods(filled))
    assert validate_files([path], registry).exit_code == 0


def test_the_names_read_as_the_xlsx_reader_writes_them(filled):
    names = open_workbook("m.ods", aldingen_ods(filled)).defined_names()
    assert names[TOTAL] == f"Meldung!$B${TOTAL_ROW + 1}"
    assert names["pakt_bind_ags"] == "_Pakt!$B$4"
    assert parse_reference(names["pakt_staff"]) == ("Integrationsmanager", "A5", "D35")


def test_the_content_decides_the_reader_not_the_name(filled, repo):
    assert isinstance(open_workbook("meldung.xlsx", aldingen_ods(filled)), OdsFileView)
    xlsx = (repo / "sample_workbooks" / "08327002_Aldingen.xlsx").read_bytes()
    assert isinstance(open_workbook("meldung.ods", xlsx), XlsxFileView)
    assert read_draft(open_workbook("meldung.ods", xlsx)).binding["ags"] == "08327002"
    late = package(form(filled["values"], filled["staff"]), mimetype_first=False)  # against ODF's rule
    assert isinstance(open_workbook("meldung.xlsx", late), OdsFileView)
    assert read_draft(open_workbook("meldung.xlsx", late)).value("persons", "total") == 44


def test_a_text_file_named_ods_is_told_what_it_is():
    message = refused(b"AGS;Personen\n08327002;44\n")
    assert "Text- oder CSV-Datei, auch wenn sie auf .ods endet" in message


# -- repeated rows and cells --------------------------------------------------------------------------------


def test_repeat_counts_of_a_billion_cost_nothing(filled):
    huge = (
        '<table:table table:name="Hinweise"><table:table-row table:number-rows-repeated="999999999">'
        '<table:table-cell table:number-columns-repeated="999999999"/></table:table-row></table:table>'
    )
    tail = (
        '<table:table-row table:number-rows-repeated="999999999">'
        '<table:table-cell table:number-columns-repeated="999999999"/></table:table-row>'
    )
    data = aldingen_ods(filled, replace={"Hinweise": huge}, tails={"Meldung": tail, "_Pakt": tail})
    started = time.perf_counter()
    draft = read_draft(open_workbook("m.ods", data))
    assert time.perf_counter() - started < 2.0
    assert draft.value("persons", "total") == 44 and draft.findings == []


def test_a_value_repeated_over_rows_and_columns_is_every_cell_it_spans(filled):
    money = [f for f in input_fields() if f.sheet == "Kosten"]
    rows = len(money)
    kosten = (
        '<table:table table:name="Kosten"><table:table-row><table:table-cell/></table:table-row>'
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        'office:value-type="float" office:value="5" table:number-columns-repeated="2"><text:p>5</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="16382"/></table:table-row></table:table>'
    )
    draft = read_draft(open_workbook("m.ods", aldingen_ods(filled, replace={"Kosten": kosten})))
    assert {draft.entry(*f.path).cell: draft.value(*f.path) for f in money} == {
        f"B{row + 2}": Decimal(5) for row in range(rows)
    }


def test_content_beyond_the_form_is_refused_with_the_cell_to_clear(filled):
    far_right = refused(aldingen_ods(filled, cells={"Meldung": {(0, 300): cell("x")}}))
    assert f"Das Blatt Meldung reicht bis Zelle {to_a1(0, 300)}" in far_right and "leeren" in far_right
    far_down = refused(aldingen_ods(filled, cells={"Kosten": {(100_000, 0): cell(1)}}))
    assert "Das Blatt Kosten reicht bis Zelle A100001" in far_down
    repeated = (
        '<table:table-cell office:value-type="string" table:number-columns-repeated="999999999">'
        "<text:p>x</text:p></table:table-cell>"
    )
    started = time.perf_counter()
    message = refused(aldingen_ods(filled, cells={"Hinweise": {(3, 0): repeated}}))
    assert "reicht bis Zelle XFD4" in message and time.perf_counter() - started < 2.0


# -- what is not a readable spreadsheet ----------------------------------------------------------------------


def test_a_document_type_declaration_is_refused(filled):
    laughs = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n'
    message = refused(aldingen_ods(filled, prolog=laughs))
    assert "Dokumenttyp-Deklaration (DTD)" in message
    manifest = laughs + ods_forms.manifest().split("\n", 1)[1]
    assert "Dokumenttyp-Deklaration" in refused(package(form(), manifest_xml=manifest))


@pytest.mark.parametrize(
    ("mimetype", "said"),
    [
        ("application/vnd.oasis.opendocument.text", "ein Textdokument (LibreOffice Writer), kein Tabellendokument"),
        ("application/epub+zip", "ein E-Book (EPUB), kein Tabellendokument"),
        ("application/x-unbekannt", "kein Tabellendokument (sie nennt sich „application/x-unbekannt“)"),
    ],
)
def test_another_package_is_told_what_it_is(mimetype, said):
    message = refused(package(form(), mimetype=mimetype))
    assert said in message and "als .ods oder .xlsx speichern" in message


def test_a_manifest_that_contradicts_the_mimetype_is_refused():
    text = ods_forms.manifest("application/vnd.oasis.opendocument.text")
    assert "widerspricht der Angabe im Teil mimetype" in refused(package(form(), manifest_xml=text))


def test_a_package_without_content_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package(form()))) as archive, zipfile.ZipFile(buffer, "w") as rebuilt:
        for info in archive.infolist():
            if info.filename != "content.xml":
                rebuilt.writestr(info, archive.read(info))
    assert "content.xml fehlt" in refused(buffer.getvalue())


def test_a_password_protected_ods_says_so_in_german():
    encrypted = ods_forms.manifest(
        extra='<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="y"/>'
        "</manifest:encryption-data>"
    )
    with pytest.raises(WorkbookEncrypted) as caught:
        open_workbook("m.ods", package(b"\x8f\x02 encrypted bytes", manifest_xml=encrypted))
    assert "mit einem Kennwort geschützt" in caught.value.message and "ohne Kennwort speichern" in caught.value.message


@pytest.mark.parametrize(
    ("broken", "said"),
    [
        ("<table:table-cell><table:table-row/></table:table-cell>", "Eine Zelle enthält Zeilen oder Zellen"),
        ('<table:table-cell table:number-columns-repeated="zwei"/>', "Wiederholungsangabe („zwei“) ist ungültig"),
        ('<table:table-cell table:number-columns-repeated="0"/>', "Wiederholungsangabe („0“) ist ungültig"),
    ],
)
def test_damaged_cells_are_refused_in_german(filled, broken, said):
    assert said in refused(aldingen_ods(filled, cells={"Meldung": {(1, 5): broken}}))


def test_a_truncated_content_part_is_refused(filled):
    content = form(filled["values"], filled["staff"])
    message = refused(package(content[: len(content) // 2]))
    assert "Ein XML-Teil ist beschädigt" in message and "Bitte in LibreOffice öffnen, neu speichern" in message


def test_two_sheets_of_one_name_are_refused(filled):
    twin = ods_forms.sheet("Kosten", {(0, 0): cell("zweites Blatt")})
    content = form(filled["values"], filled["staff"]).replace(
        "<table:named-expressions>", twin + "<table:named-expressions>", 1
    )
    assert "das Tabellenblatt „Kosten“ gibt es zweimal" in refused(package(content))


# -- names: one reading or none -------------------------------------------------------------------------------


def _moved_total(row: int) -> str:
    return named_range(TOTAL, address("Meldung", row, 1))


def test_a_name_defined_twice_with_different_targets_is_refused(filled, tmp_path):
    data = aldingen_ods(filled, extra_names=_moved_total(TOTAL_ROW + 3))
    message = refused(data)
    assert "beschädigt" in message and f"„{TOTAL}“ ist zweimal festgelegt" in message
    assert f"Meldung.B{TOTAL_ROW + 1} und Meldung.B{TOTAL_ROW + 4}" in message
    assert "neu speichern" in message
    path = tmp_path / "doppelt.ods"
    path.write_bytes(data)
    assert validate_files([path]).exit_code == 2


def test_names_that_differ_only_in_case_are_one_name(filled):
    shouting = named_range(TOTAL.upper(), address("Meldung", TOTAL_ROW + 3, 1))
    assert "ist zweimal festgelegt" in refused(aldingen_ods(filled, extra_names=shouting))


def test_a_name_defined_twice_with_the_same_target_is_read(filled):
    assert value(aldingen_ods(filled, extra_names=_moved_total(TOTAL_ROW)), TOTAL) == 44


def _without_global_total(filled: dict, **options) -> bytes:
    content = form(filled["values"], filled["staff"], **options)
    before, found, after = content.rpartition(_moved_total(TOTAL_ROW))  # the global names stand last
    assert found and "<table:named-expressions>" in before[before.rindex("</table:table>") :]
    return package(before + after)


def _local(*ranges: str) -> str:
    return "<table:named-expressions>" + "".join(ranges) + "</table:named-expressions>"


def test_a_sheet_local_name_is_read_where_no_global_one_exists(filled):
    data = _without_global_total(filled, tails={"Meldung": _local(_moved_total(TOTAL_ROW))})
    assert value(data, TOTAL) == 44


def test_the_global_name_wins_over_a_local_one_of_another_sheet(filled):
    data = aldingen_ods(filled, tails={"Kosten": _local(_moved_total(TOTAL_ROW + 3))})
    assert value(data, TOTAL) == 44


def test_local_names_that_differ_do_not_matter_beside_a_global_one(filled):
    tails = {"Meldung": _local(_moved_total(TOTAL_ROW + 2)), "Kosten": _local(_moved_total(TOTAL_ROW + 3))}
    assert value(aldingen_ods(filled, tails=tails), TOTAL) == 44


def test_two_local_names_with_different_targets_and_no_global_one_are_refused(filled):
    tails = {"Meldung": _local(_moved_total(TOTAL_ROW)), "Kosten": _local(_moved_total(TOTAL_ROW + 3))}
    assert "ist zweimal festgelegt" in refused(_without_global_total(filled, tails=tails))


def test_a_name_over_several_cells_where_one_is_meant_is_refused(filled):
    content = form(filled["values"], filled["staff"])
    wide = named_range(TOTAL, f"$Meldung.$B${TOTAL_ROW + 1}:.$B${TOTAL_ROW + 2}")
    message = refused(package(content.replace(_moved_total(TOTAL_ROW), wide, 1)))
    assert f"der Name {TOTAL} umfasst mehrere Zellen (Meldung.B{TOTAL_ROW + 1}:B{TOTAL_ROW + 2})" in message


def test_a_table_defined_twice_with_different_ranges_is_refused(filled):
    twice = (
        '<table:database-range table:name="pakt_managers" table:target-range-address="Integrationsmanager.A5:'
        'Integrationsmanager.D35"/><table:database-range table:name="pakt_managers" '
        'table:target-range-address="Integrationsmanager.A5:Integrationsmanager.D9"/>'
    )
    assert "pakt_managers“ ist zweimal festgelegt" in refused(aldingen_ods(filled, databases=twice))


def test_the_staff_table_falls_back_to_the_named_range(filled, aldingen):
    draft = read_draft(open_workbook("m.ods", aldingen_ods(filled, databases="")))
    assert [m["pseudonym"].value for m in draft.managers] == [m["pseudonym"].value for m in aldingen.managers]
    assert draft.findings == []


def test_the_database_range_is_the_table_where_both_are(filled):
    """LibreOffice keeps an xlsx table as a database range; rows inside it are the staff, also when the named
    range pakt_staff was left behind."""
    staff = [["IM-01", 0.5, None, "Gemeinde"], ["IM-02", 0.5, None, "Gemeinde"], ["IM-03", 0.5, None, "Gemeinde"]]
    short = (
        '<table:database-range table:name="pakt_managers" '
        'table:target-range-address="Integrationsmanager.A5:Integrationsmanager.D7"/>'
    )
    draft = read_draft(open_workbook("m.ods", form_package(filled["values"], staff, databases=short)))
    assert [m["pseudonym"].value for m in draft.managers] == ["IM-01", "IM-02"]


# -- values as the xlsx reader gives them ---------------------------------------------------------------------


def _typed(value_type: str, attributes: str, text: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="{value_type}" {attributes} calcext:value-type="{value_type}">'
        f"{text}</table:table-cell>"
    )


ROW = {f.name: input_row(f.name) for f in input_fields()}
CELLS = {
    "pakt_persons_total": (_typed("percentage", 'office:value="0.05"', "<text:p>5%</text:p>"), 0.05),
    "pakt_persons_by_age_under_3": (_typed("float", 'office:value="7"', "<text:p>sieben</text:p>"), 7),
    "pakt_persons_by_age_from_3_to_5": (_typed("float", 'office:value="1E+26"'), 1e26),
    "pakt_header_stichtag": (_typed("date", 'office:date-value="2018-06-30T18:00:00"'), datetime(2018, 6, 30, 18)),
    "pakt_sign_off_date": (_typed("time", 'office:time-value="PT12H30M00S"'), datetime(1899, 12, 30, 12, 30)),
    "pakt_sign_off_submitted": (_typed("boolean", 'office:boolean-value="true"', "<text:p>WAHR</text:p>"), True),
    "pakt_header_name": (_typed("string", 'office:string-value="Aldingen"', "<text:p>Ald</text:p>"), "Aldingen"),
    "pakt_header_contact_person": (
        _typed(
            "string",
            "",
            '<office:annotation><text:p>ein Kommentar</text:p></office:annotation><text:p>Anna<text:s text:c="2"/>'
            '<text:span text:style-name="T1">Maier</text:span><text:tab/>Zi.<text:line-break/>3</text:p>'
            '<text:p><text:a xlink:href="https://example.org">Web</text:a><draw:frame><draw:text-box><text:p>Bild'
            "</text:p></draw:text-box></draw:frame></text:p>",
        ),
        "Anna  Maier\tZi.\n3\nWeb",
    ),
    "pakt_header_phone": (
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>',
        "#DIV/0!",
    ),
    "pakt_header_email": (_typed("string", "", ""), None),
    "pakt_material_costs_office_eur": (_typed("currency", 'office:value="12.5" office:currency="EUR"'), 12.5),
    "pakt_material_costs_travel_eur": (_typed("date", 'office:date-value="1800-01-01"'), -36522),
}


def test_each_kind_of_value_comes_out_as_the_xlsx_reader_gives_it(filled):
    by_sheet: dict[str, dict] = {}
    for name, (element, _) in CELLS.items():
        sheet = next(f.sheet for f in input_fields() if f.name == name)
        by_sheet.setdefault(sheet, {})[(ROW[name], 1)] = element
    view = open_workbook("m.ods", aldingen_ods(filled, cells=by_sheet))
    assert {name: view.named_cell(name).value for name in CELLS} == {name: v for name, (_, v) in CELLS.items()}


def test_a_covered_cell_takes_its_place_in_the_row(filled):
    merged = {
        (TOTAL_ROW, 0): '<table:table-cell table:number-columns-spanned="2" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>',
        (TOTAL_ROW, 1): '<table:covered-table-cell office:value-type="float" office:value="44"/>',
        (TOTAL_ROW, 2): cell(99),
    }
    view = open_workbook("m.ods", aldingen_ods(filled, cells={"Meldung": merged}))
    assert view.named_cell(TOTAL).value == 44 and view.named_cell(TOTAL).cell == f"B{TOTAL_ROW + 1}"


def test_a_shape_anchored_in_a_cell_is_not_part_of_the_grid(filled):
    """A drawing in a cell (here a frame holding a table, as ODF allows) neither shifts the row nor adds text."""
    framed = (
        '<table:table-cell office:value-type="string"><text:p>Personen</text:p><draw:frame><table:table '
        'table:name="Rahmen"><table:table-row><table:table-cell office:value-type="float" office:value="1"/>'
        "</table:table-row></table:table></draw:frame></table:table-cell>"
    )
    view = open_workbook("m.ods", aldingen_ods(filled, cells={"Meldung": {(TOTAL_ROW, 0): framed}}))
    assert view.named_cell(TOTAL).value == 44 and view.sheet_names[-1] == "_Pakt"


def test_a_wrong_value_is_a_finding_at_its_cell_as_in_xlsx(filled, write_submission, registry, tmp_path):
    values = {**filled["values"], "pakt_persons_by_age_under_3": -3, "pakt_persons_by_age_from_65": "viele"}
    path = tmp_path / "falsch.ods"
    path.write_bytes(form_package(values, filled["staff"]))
    xlsx = write_submission({("persons", "by_age", "under_3"): -3, ("persons", "by_age", "from_65"): "viele"})
    report = validate_files([path, xlsx], registry)
    found = [{(f.code, f.message, f.sheet) for f in result.findings} for result in report.results]
    assert found[0] == found[1] and {c for c, _, _ in found[0]} == {Code.ZAHL_NEGATIV, Code.TYP}
    cells = {f.code: f.cell for f in report.results[0].findings}
    assert cells == {
        Code.ZAHL_NEGATIV: f"B{ROW['pakt_persons_by_age_under_3'] + 1}",
        Code.TYP: f"B{ROW['pakt_persons_by_age_from_65'] + 1}",
    }


def test_a_district_folder_takes_an_ods_where_the_xlsx_was(filled, district):
    before = district.sync()
    old = district.workbook("Aldingen")
    old.unlink()
    old.with_suffix(".ods").write_bytes(aldingen_ods(filled))
    after = district.sync()
    row = next(r for r in after.view.rows if r.municipality.name == "Aldingen")
    assert (
        row.status.value == "eingereicht" and row.used is not None and row.used.path.endswith("08327002_Aldingen.ods")
    )
    assert after.figures == before.figures and after.figures.persons == 828


# -- pakt validate ---------------------------------------------------------------------------------------------


def test_pakt_validate_checks_an_ods_like_an_xlsx(filled, tmp_path):
    good, bad, text = tmp_path / "gut.ods", tmp_path / "falsch.ods", tmp_path / "brief.ods"
    good.write_bytes(aldingen_ods(filled))
    bad.write_bytes(form_package({**filled["values"], TOTAL: -1}, filled["staff"]))
    text.write_bytes(package(form(), mimetype="application/vnd.oasis.opendocument.text"))

    def validate(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(["pakt", "validate", "--json", str(path)], capture_output=True, text=True, timeout=120)

    assert validate(good).returncode == 0
    done = validate(bad)
    assert done.returncode == 1, done.stdout + done.stderr
    finding = next(f for f in json.loads(done.stdout) if f["code"] == "ZAHL_NEGATIV")
    assert (finding["sheet"], finding["cell"]) == ("Meldung", f"B{TOTAL_ROW + 1}")
    done = validate(text)
    assert done.returncode == 2 and "Textdokument" in done.stdout and "Traceback" not in done.stderr


# -- what LibreOffice writes ------------------------------------------------------------------------------------


SAMPLES = ("08327002_Aldingen", "08327066_Tuttlingen", "08327004_Balgheim")


@pytest.fixture(scope="module")
def converted(repo: Path, tmp_path_factory) -> dict[str, Path]:
    """Sample submissions and the blank form (written by the template generator) saved as .ods by LibreOffice."""
    out = tmp_path_factory.mktemp("ods_converted")
    sources = [repo / "sample_workbooks" / f"{name}.xlsx" for name in SAMPLES]
    sources.append(repo / "sample_workbooks" / "vorlage" / "Pakt_Meldung_Vorlage.xlsx")
    return {source.stem: (source, libreoffice.convert(source, "ods", out)) for source in sources}


@pytest.mark.libreoffice
def test_forms_saved_as_ods_by_libreoffice_read_as_their_xlsx(converted):
    for source, ods in converted.values():
        view, original = open_workbook_file(ods), open_workbook_file(source)
        assert isinstance(view, OdsFileView)
        content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
        assert '<table:database-range table:name="pakt_managers"' in content, "the xlsx table, as LibreOffice keeps it"
        assert view.defined_names() == original.defined_names(), "the same names, pointing at the same cells"
        draft, reference = read_draft(view), read_draft(original)
        assert (draft.binding, draft.fields, draft.managers, draft.findings) == (
            reference.binding,
            reference.fields,
            reference.managers,
            reference.findings,
        ), source.name


def _calamine_value(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None if value == "" else value


@pytest.mark.libreoffice
def test_every_cell_read_agrees_with_calamine(converted):
    """python-calamine reads the same .ods whole: each cell Pakt picks by name has the value calamine finds there."""
    for _, ods in converted.values():
        view = open_workbook_file(ods)
        book = python_calamine.CalamineWorkbook.from_path(str(ods))
        grids = {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in view.sheet_names}
        compared = 0
        for name in view.defined_names():
            found = view.named_cell(name)
            if found is None or name not in OdsFileView.wanted_names:
                continue
            row, col = int(found.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1, ord(found.cell[0]) - 65
            grid = grids[found.sheet]
            there = grid[row][col] if row < len(grid) and col < len(grid[row]) else ""
            assert _calamine_value(there) == _calamine_value(found.value), (ods.name, name)
            compared += 1
        assert compared >= 30
