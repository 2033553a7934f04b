"""Cached values that match (issue 25): every formula of a generated form, xlsx or ODS, blank, pre-filled for
a municipality, carried over from the last round or filled, carries the value LibreOffice computes for it, so
no clerk sees a false "stimmt nicht – bitte prüfen" before the program recalculates."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
import zipfile
from datetime import date
from pathlib import Path

import generate as sample
import libreoffice
import make_broken
import openpyxl
import pytest

from pakt.plugin import Binding, build_workbook_bytes, write_templates
from pakt.plugin._form_formulas import Area, Binary, Name, Number, Ref, Text, call, excel, openformula
from pakt.schemas import (
    CheckContext,
    Submission,
    TemplateFormat,
    check,
    column_letters,
    load_rules,
    read_draft,
    rules_for,
)
from pakt.sync import open_workbook_file

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
NEXT_STICHTAG = date(2019, 6, 30)


def cached_xlsx(path: Path) -> dict[str, dict[str, object]]:
    """The value each formula cell of an xlsx caches: {sheet: {cell: value}} (errors as their text)."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    found: dict[str, dict[str, object]] = {}
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found.setdefault(sheet.title, {})[cell.coordinate] = values[sheet.title][cell.coordinate].value
    return found


def cached_ods(path: Path) -> dict[str, dict[str, object]]:
    """The value each formula cell of an ODS caches, read from content.xml as the file holds it."""
    root = ElementTree.fromstring(zipfile.ZipFile(path).read("content.xml"))
    found: dict[str, dict[str, object]] = {}
    for sheet in root.iter(f"{{{TABLE}}}table"):
        for number, row in enumerate(sheet.iter(f"{{{TABLE}}}table-row")):
            col = 0
            for cell in row:
                formula = cell.get(f"{{{TABLE}}}formula")
                if formula is not None:
                    shown = "".join(cell.itertext())
                    if cell.get(f"{{{CALCEXT}}}value-type") == "error":
                        value: object = shown
                    elif cell.get(f"{{{OFFICE}}}value-type") == "string":
                        value = cell.get(f"{{{OFFICE}}}string-value", shown)
                    else:
                        value = float(cell.get(f"{{{OFFICE}}}value"))
                    found.setdefault(sheet.get(f"{{{TABLE}}}name"), {})[f"{column_letters(col)}{number + 1}"] = value
                col += int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
    return found


def cached(path: Path) -> dict[str, dict[str, object]]:
    return cached_ods(path) if path.suffix == ".ods" else cached_xlsx(path)


def same(cached_value: object, recalculated: dict) -> bool:
    """Whether a cached value is what LibreOffice shows after recalculating (its value, text or error)."""
    if recalculated["error"]:
        return cached_value == recalculated["text"]
    if isinstance(cached_value, str):
        return cached_value == recalculated["text"]
    if isinstance(cached_value, bool) or not isinstance(cached_value, (int, float)):
        return False
    return math.isclose(cached_value, recalculated["value"], rel_tol=1e-12, abs_tol=1e-9)


@pytest.fixture(scope="module")
def last_round(repo, registry) -> dict[str, Submission]:
    """Aldingen's last valid submission, as `pakt round start` carries it over."""
    draft = read_draft(open_workbook_file(repo / "sample_workbooks" / "08327002_Aldingen.xlsx"))
    submission = check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry)).submission
    assert submission is not None and submission.managers
    return {submission.header.ags: submission}


@pytest.fixture(scope="module")
def forms(registry, last_round, tmp_path_factory) -> list[Path]:
    """Generated forms in both formats: blank, pre-filled (every municipality of the sample, the blank
    template), carried over from the last round, filled, and filled with what a form must survive."""
    out = tmp_path_factory.mktemp("formen")
    next_round = registry.model_copy(update={"round": registry.round.model_copy(update={"stichtag": NEXT_STICHTAG})})
    paths: list[Path] = []
    for fmt in TemplateFormat:
        folder = out / fmt.value
        written = write_templates(registry, folder / "vorlagen", fmt=fmt)
        paths += [written[0], *(p for p in written if p.stem.startswith(("08327002", "08327066", "08327052")))]
        carried = write_templates(next_round, folder / "runde", previous=last_round, with_stichtag=True, fmt=fmt)
        paths.append(next(p for p in carried if p.stem.startswith("08327002")))
        filled = {
            "ausgefuellt": {},
            "altersgruppen_falsch": {("persons", "by_age", "from_27_to_64"): 11},
            "personen_text": {("persons", "total"): "vierundvierzig"},
            "personen_zahl_als_text": {("persons", "total"): " 44"},
            "personen_bruch": {("persons", "total"): 44.5},
            "personen_1e26": {("persons", "total"): 1e26},
        }
        for name, values in filled.items():
            paths.append(_saved(folder / f"{name}{fmt.suffix}", aldingen_submission(values, fmt)))
    return paths


def aldingen_submission(values: dict, fmt: TemplateFormat) -> bytes:
    """Aldingen's sample submission with `values` overriding single cells (make_broken.submission), in `fmt`."""
    own, base, rows = make_broken._aldingen()
    binding = Binding(sample.DISTRICT, load_rules(sample.RULES_ID), sample.STICHTAG, own)
    return build_workbook_bytes(binding, {**base, **values}, rows, fmt=fmt)


def _saved(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_blank_form_caches_stimmt_for_its_empty_age_check(registry, tmp_path):
    """The known false warning: no ages and no total are in agreement (a blank is 0 for a spreadsheet)."""
    path = tmp_path / "leer.xlsx"
    path.write_bytes(build_workbook_bytes(Binding.for_registry(registry, None)))
    assert cached_xlsx(path)["Meldung"]["C22"] == "stimmt"
    ods = path.with_suffix(".ods")
    ods.write_bytes(build_workbook_bytes(Binding.for_registry(registry, None), fmt=TemplateFormat.ODS))
    assert cached_ods(ods)["Meldung"]["C22"] == "stimmt"


def test_a_formula_is_written_once_for_both_formats():
    allowance = call("ROUND", Binary("*", Name("pakt_persons_total"), Ref(2, 1, absolute=True)), Number(2))
    assert excel(allowance) == "=ROUND(pakt_persons_total*$B$3,2)"
    assert openformula(allowance) == "of:=ROUND(pakt_persons_total*[.$B$3];2)"
    verdict = call("IF", Binary("=", Ref(21, 1), Name("pakt_persons_total")), Text('"ja"'), Text("nein"))
    assert excel(verdict) == '=IF(B22=pakt_persons_total,"""ja""","nein")'
    assert openformula(call("SUM", Area(Ref(5, 1), Ref(34, 1)))) == "of:=SUM([.B6:.B35])"


@pytest.mark.libreoffice
def test_every_cached_value_is_what_libreoffice_computes(forms, tmp_path):
    recalculated = libreoffice.recalc_all(forms, tmp_path)
    checked = 0
    for path in forms:
        cells = recalculated[path.name]
        values = cached(path)
        assert values.keys() == cells.keys(), path.name  # every formula cell is a formula in both readings
        for sheet, formulas in cells.items():
            assert values[sheet].keys() == formulas.keys(), (path.name, sheet)
            for cell, result in formulas.items():
                assert same(values[sheet][cell], result), (path.name, sheet, cell, values[sheet][cell], result)
                checked += 1
    assert checked == 6 * len(forms)  # the allowance, age sum and check, two sums of costs, the FTE total
    names = {p.name for p in forms}
    assert {"Pakt_Meldung_Vorlage.xlsx", "Pakt_Meldung_Vorlage.ods", "08327002_Aldingen_2019-06-30.ods"} <= names
    errors = recalculated["personen_text.ods"]["Meldung"]
    assert any(r["error"] for r in errors.values())  # #VALUE!, cached as such
