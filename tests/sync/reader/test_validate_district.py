"""`pakt validate` refuses a workbook bound to a municipality of another district, as `pakt sync` never counts
it: exit 2 and a German message that says whose it is and where it belongs."""

from __future__ import annotations

import json
import subprocess

import make_broken
import pytest

from pakt.schemas import Municipality

STUTTGART = Municipality(ags="08111000", name="Stuttgart", im_mode="selbst")
"""A municipality of another district (Stadtkreis Stuttgart, 08111) than the sample's Tuttlingen (08327)."""


@pytest.fixture
def foreign(district):
    path = district.root / "08111000_Stuttgart.xlsx"
    path.write_bytes(make_broken.submission(municipality=STUTTGART))
    return path


def test_validate_refuses_a_workbook_of_another_district_with_exit_2(district, foreign):
    done = subprocess.run(["pakt", "validate", "--json", str(foreign)], cwd=district.root, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)
    assert (finding["code"], finding["severity"], finding["ags"]) == ("AGS_UNBEKANNT", "Fehler", "08111000")
    assert "für die Gemeinde 08111000 (Stuttgart) ausgestellt" in finding["message"]
    assert "die nicht zu Landkreis Tuttlingen (08327) gehört" in finding["message"]
    assert "Bitte die Mappe beim zuständigen Landkreis einreichen" in finding["message"]
    text = subprocess.run(["pakt", "validate", str(foreign)], cwd=district.root, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert text.returncode == 2 and "1 nicht lesbar" in text.stdout


def test_sync_counts_it_for_no_municipality_and_reports_it(district, foreign):
    foreign.rename(district.folder / foreign.name)
    result = district.sync()
    assert result.figures.persons == 828 and len(result.view.rows) == 35
    assert any(p.code.value == "AGS_UNBEKANNT" and p.file.endswith("08111000_Stuttgart.xlsx") for p in result.problems)


def test_a_key_of_the_own_district_missing_from_the_registry_stays_a_finding_to_fix(district, write_submission):
    """08327999 is of the district, only not (yet) in the registry: a blocking finding, exit 1, as before."""
    path = write_submission(municipality=STUTTGART.model_copy(update={"ags": "08327999", "name": "Neustadt"}))
    done = subprocess.run(["pakt", "validate", "--json", str(path)], cwd=district.root, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert [f["code"] for f in json.loads(done.stdout)] == ["AGS_UNBEKANNT"]
