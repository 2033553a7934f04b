"""A clerk fills the generated form in LibreOffice and saves it as .ods and as .xlsx: the district gets the same
submission either way, the same figures in its master, and the same findings at the same cells.

The form is filled through UNO by its defined names (tests/uno_ods.py), in one LibreOffice, and each filled
document is stored twice from memory, so the two files hold what one clerk typed once.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import libreoffice
import pytest
from districts import District, copy_district
from master_reading import overview

from pakt.plugin import Binding, build_workbook_bytes
from pakt.schemas import (
    CheckContext,
    Code,
    Draft,
    check,
    load_registry,
    load_rules,
    municipal_figures,
    read_draft,
    rules_for,
)
from pakt.sync import OdsFileView, XlsxFileView, open_workbook_file, validate_files

pytestmark = pytest.mark.libreoffice

UNO_ODS = Path(__file__).resolve().parents[2] / "uno_ods.py"

VALID = {
    "cells": {
        "pakt_header_contact_person": {"text": "Anna  Maier\nZimmer 3"},
        "pakt_header_email": {"link": "mailto:integration@aldingen.example", "shown": "integration@aldingen.example"},
        "pakt_header_phone": {"text": "07461 9100"},
        "pakt_persons_total": {"number": 44},
        "pakt_persons_by_age_under_3": {"number": 4},
        "pakt_persons_by_age_from_3_to_5": {"number": 4},
        "pakt_persons_by_age_from_6_to_17": {"number": 11},
        "pakt_persons_by_age_from_18_to_26": {"number": 9},
        "pakt_persons_by_age_from_27_to_64": {"number": 15},
        "pakt_persons_by_age_from_65": {"number": 1},
        "pakt_management_mode": {"text": "selbst"},
        "pakt_material_costs_office_eur": {"number": 1110},
        "pakt_material_costs_travel_eur": {"number": 1029.6},
        "pakt_material_costs_other_eur": {"number": 0.99},
        "pakt_funds_use_child_care_eur": {"number": 16170},
        "pakt_funds_use_social_care_eur": {"number": 13475.5},
        "pakt_sign_off_name": {"text": "Anna Maier"},
        "pakt_sign_off_date": {"date": "2018-07-03"},
        "pakt_sign_off_submitted": {"text": "ja"},
    },
    "staff": [
        [{"text": "IM-07"}, {"number": 0.6}, {"date": "2018-01-01"}, {"text": "freier Träger"}],
        [{"text": "IM-08"}, {"number": 0.25}, {"date": "2017-09-15"}, {"text": "Gemeinde"}],
    ],
}
BROKEN = {
    "cells": {
        **VALID["cells"],
        "pakt_persons_by_age_under_3": {"number": -3},
        "pakt_persons_by_age_from_3_to_5": {"text": "viele"},
        "pakt_material_costs_travel_eur": {"number": 0.05, "format": "percent"},
        "pakt_sign_off_date": {"number": 0.5208333333333334, "format": "time"},
    },
    "staff": [[{"text": "IM-07"}, {"number": 1.5}, {"date": "2018-01-01"}, {"text": "irgendwer"}]],
}


@dataclass(frozen=True)
class Saved:
    ods: Path
    xlsx: Path


@pytest.fixture(scope="module")
def saved(repo: Path, tmp_path_factory) -> dict[str, Saved]:
    """Aldingen's generated form, filled once as VALID and once as BROKEN, each saved as .ods and as .xlsx."""
    work = tmp_path_factory.mktemp("ods_roundtrip")
    registry = load_registry(repo / "pakt.toml")
    aldingen = registry.municipalities[0]
    binding = Binding(
        registry.district, load_rules(registry.round.rules), registry.round.stichtag, aldingen, registry.round.deadline
    )
    form = work / "08327002_Aldingen_Vorlage.xlsx"
    form.write_bytes(build_workbook_bytes(binding))
    files = {kind: Saved(work / f"{kind}.ods", work / f"{kind}.xlsx") for kind in ("valid", "broken")}
    jobs = [
        {"source": str(form), "ods": str(files[kind].ods), "xlsx": str(files[kind].xlsx), **spec}
        for kind, spec in (("valid", VALID), ("broken", BROKEN))
    ]
    (work / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    command = [libreoffice.uno_python(), str(UNO_ODS), "fill-save", str(work / "jobs.json")]
    subprocess.run(command, check=True, timeout=240)
    return files


def _drafts(pair: Saved) -> tuple[Draft, Draft]:
    ods, xlsx = open_workbook_file(pair.ods), open_workbook_file(pair.xlsx)
    assert isinstance(ods, OdsFileView) and isinstance(xlsx, XlsxFileView)
    return read_draft(ods), read_draft(xlsx)


def _as_read(draft: Draft) -> tuple:
    """Everything a draft holds but its label: binding, every field and manager (value, raw, sheet, cell)."""
    return draft.binding, draft.fields, draft.managers, draft.findings


def test_the_filled_form_reads_the_same_from_ods_and_xlsx(saved, registry):
    ods, xlsx = _drafts(saved["valid"])
    assert _as_read(ods) == _as_read(xlsx)
    assert ods.value("header", "contact_person") == xlsx.value("header", "contact_person")
    assert ods.entry("header", "contact_person").raw == "Anna  Maier\nZimmer 3", "two paragraphs, two spaces"
    assert ods.value("header", "email") == "integration@aldingen.example", "the hyperlink's text"
    assert [m["pseudonym"].value for m in ods.managers] == ["IM-07", "IM-08"]

    checked = [check(d, CheckContext(rules=rules_for(d, registry), registry=registry)) for d in (ods, xlsx)]
    assert not any(c.blocking for c in checked), checked[0].findings
    assert checked[0].submission == checked[1].submission
    rules = load_rules(registry.round.rules)
    figures = [municipal_figures(c.submission, rules) for c in checked]
    assert figures[0] == figures[1]
    assert figures[0].persons == 44 and figures[0].allowance_eur == Decimal("53900.00")
    assert figures[0].im_fte == Decimal("0.85") and figures[0].material_costs_eur == Decimal("2140.59")


def _district_with(repo: Path, root: Path, submission: Path) -> District:
    """The sample district with Aldingen's file replaced by `submission` (its suffix kept)."""
    district = copy_district(repo, root)
    old = district.workbook("Aldingen")
    old.unlink()
    (old.parent / f"{old.stem}{submission.suffix}").write_bytes(submission.read_bytes())
    return district


def _aldingen_row(result):
    return next(r for r in result.view.rows if r.municipality.ags == "08327002")


def test_ods_and_xlsx_synced_give_the_same_master(saved, repo, tmp_path):
    results = {}
    for suffix in ("ods", "xlsx"):
        district = _district_with(repo, tmp_path / suffix, getattr(saved["valid"], suffix))
        results[suffix] = district.sync()
    ods, xlsx = results["ods"], results["xlsx"]
    assert ods.figures == xlsx.figures
    rows = _aldingen_row(ods), _aldingen_row(xlsx)
    assert rows[0].status == rows[1].status and rows[0].status.value == "eingereicht", rows[0].status
    assert rows[0].figures == rows[1].figures and rows[0].figures.allowance_eur == Decimal("53900.00")
    (ods_rows, ods_totals), (xlsx_rows, xlsx_totals) = overview(ods.master), overview(xlsx.master)
    assert ods_rows["08327002"].pop("Quelle") == "08327002_Aldingen.ods"
    assert xlsx_rows["08327002"].pop("Quelle") == "08327002_Aldingen.xlsx"
    assert ods_rows == xlsx_rows and ods_totals == xlsx_totals
    assert ods_rows["08327002"]["Pro-Kopf-Pauschale"] == 53900 and ods_totals["Status"] == "35 von 35 gemeldet"


def _located(findings) -> list[tuple]:
    return [(f.code, f.severity, f.message, f.sheet, f.cell) for f in findings]


def test_an_ods_with_errors_gives_the_same_findings_at_the_same_cells(saved, registry):
    ods, xlsx = _drafts(saved["broken"])
    assert _as_read(ods) == _as_read(xlsx)
    report = validate_files([saved["broken"].ods, saved["broken"].xlsx], registry)
    by_file = {r.path.suffix: _located(r.findings) for r in report.results}
    assert by_file[".ods"] == by_file[".xlsx"]
    assert report.exit_code == 1
    found = {(code, sheet, cell) for code, _, _, sheet, cell in by_file[".ods"]}
    assert (Code.TYP, "Meldung", ods.entry("persons", "by_age", "from_3_to_5").cell) in found
    negative = ods.entry("persons", "by_age", "under_3")
    assert any(sheet == "Meldung" and cell == negative.cell for _, sheet, cell in found), by_file[".ods"]
    assert any(sheet == "Integrationsmanager" and cell == "D6" for _, sheet, cell in found), "the employer"


def test_a_broken_ods_in_the_folder_marks_its_row_as_the_xlsx_does(saved, repo, tmp_path):
    results = {}
    for suffix in ("ods", "xlsx"):
        district = _district_with(repo, tmp_path / suffix, getattr(saved["broken"], suffix))
        results[suffix] = district.sync()
    rows = {suffix: _aldingen_row(result) for suffix, result in results.items()}
    assert rows["ods"].status == rows["xlsx"].status and rows["ods"].status.value == "fehlerhaft"
    assert results["ods"].figures == results["xlsx"].figures
