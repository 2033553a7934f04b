"""`pakt validate` on the sample district and on every deliberately broken workbook."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pakt.cli import app

BROKEN = Path(__file__).parents[2] / "fixtures" / "broken"
EXPECTED = tomllib.loads((BROKEN / "expected.toml").read_text(encoding="utf-8"))
runner = CliRunner()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed console script, as district staff would call it."""
    return subprocess.run(["pakt", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_sample_district_validates_clean(repo, sample_paths):
    result = run("validate", *[str(p.relative_to(repo)) for p in sample_paths], cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "35 Dateien geprüft: 35 ohne Fehler, 0 mit Fehlern, 0 nicht lesbar; 0 Fehler, 0 Warnungen." in result.stdout
    assert "Traceback" not in result.stderr


def test_there_are_at_least_twelve_broken_workbooks():
    files = sorted(BROKEN.glob("*.xlsx"))
    assert len(files) >= 12
    assert {f.stem for f in files} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_workbook_gets_its_finding_and_exit_code(name, repo, monkeypatch):
    monkeypatch.chdir(repo)
    expected = EXPECTED[name]
    result = runner.invoke(app, ["validate", "--json", str(BROKEN / f"{name}.xlsx")])
    assert result.exit_code == expected["exit"], result.output
    findings = json.loads(result.output)
    matching = [f for f in findings if f["code"] == expected["code"]]
    assert matching, findings
    finding = matching[0]
    assert expected["message"] in finding["message"]
    assert finding["sheet"] == expected.get("sheet")
    assert finding["cell"] == expected.get("cell")
    assert set(finding) == {"file", "ags", "severity", "code", "sheet", "cell", "message"}
    assert finding["severity"] == ("Warnung" if expected["exit"] == 0 else "Fehler")


def test_text_report_names_municipality_cell_and_message(repo):
    result = run("validate", str(BROKEN / "summe_altersgruppen.xlsx"), cwd=repo)
    assert result.returncode == 1
    assert (
        "Aldingen (08327002)  Meldung!B14  Fehler: Die Altersgruppen ergeben zusammen 40 Personen, "
        "insgesamt sind 44 eingetragen." in result.stdout
    )


def test_unreadable_file_beats_blocking_errors_and_never_shows_a_traceback(repo):
    files = [str(BROKEN / n) for n in ("kennwort.xlsx", "pflichtfeld_personen.xlsx", "leer.xlsx")]
    result = run("validate", *files, cwd=repo)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "3 Dateien geprüft: 0 ohne Fehler, 1 mit Fehlern, 2 nicht lesbar" in result.stdout


def test_ags_is_a_string_with_its_leading_zero_in_json(repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = runner.invoke(app, ["validate", "--json", str(BROKEN / "betrag_negativ.xlsx")])
    (finding,) = json.loads(result.output)
    assert finding["ags"] == "08327002"


def test_without_registry_the_ags_check_is_skipped_with_a_note(tmp_path):
    result = run("validate", str(BROKEN / "ags_unbekannt.xlsx"), cwd=tmp_path)
    assert result.returncode == 0
    assert "keine pakt.toml gefunden" in result.stderr


def test_explicit_missing_config_is_a_clear_error(tmp_path):
    result = run("validate", "--config", "fehlt.toml", str(BROKEN / "leer.xlsx"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Die Konfigurationsdatei fehlt.toml wurde nicht gefunden." in result.stderr
    assert "Traceback" not in result.stderr


def test_previous_submission_enables_the_jump_warning(repo, write_submission, monkeypatch):
    monkeypatch.chdir(repo)
    earlier = write_submission(
        {
            ("persons", "total"): 20,
            ("persons", "by_age", "from_27_to_64"): 0,
            ("persons", "by_age", "from_6_to_17"): 1,
            ("persons", "by_age", "from_18_to_26"): 0,
            ("persons", "by_age", "under_3"): 4,
            ("persons", "by_age", "from_3_to_5"): 4,
            ("persons", "by_age", "from_65"): 11,
        }
    )
    current = write_submission()
    result = runner.invoke(app, ["validate", "--json", "--previous", str(earlier), str(current)])
    assert result.exit_code == 0, result.output
    assert [f["code"] for f in json.loads(result.output)] == ["SPRUNG_PERSONEN"]


def test_a_file_name_is_printed_as_it_is_named(tmp_path):
    """Rich would turn ":smile:" into an emoji and "[b]" into bold: staff must find the file by what they read."""
    named = tmp_path / "Meldung :smile: [b]Aldingen.xlsx"
    named.write_text("Gemeinde;Personen\n", encoding="utf-8")
    result = run("validate", named.name, cwd=tmp_path)
    assert result.returncode == 2
    assert "Meldung :smile: [b]Aldingen.xlsx" in result.stdout, result.stdout
