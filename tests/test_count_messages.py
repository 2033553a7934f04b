"""Every count a person reads is German in the singular and in the plural: „1 Meldung“, „2 Meldungen“, „1 fehlt“."""

from __future__ import annotations

from districts import copy_district
from typer.testing import CliRunner

from pakt.cli import app
from pakt.plugin.scripts import check_headline
from pakt.sync.run._refresh import refresh_message


def _said(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    return " ".join(result.output.split())


def test_aktualisieren_and_pruefen_count_in_german():
    assert refresh_message(1, 1, 1, 1) == "1 von 1 Gemeinde übernommen, 1 fehlt, 1 fehlerhaft."
    assert refresh_message(2, 2, 2, 2) == "2 von 2 Gemeinden übernommen, 2 fehlen, 2 fehlerhaft."
    assert refresh_message(1100, 1101, 1, 0) == "1.100 von 1.101 Gemeinden übernommen, 1 fehlt, 0 fehlerhaft."
    assert check_headline(1, 1).startswith("1 Fehler und 1 Warnung –")
    assert check_headline(2, 2).startswith("2 Fehler und 2 Warnungen –")
    assert check_headline(0, 1).startswith("1 Warnung –") and check_headline(0, 2).startswith("2 Warnungen –")


def test_the_command_counts_in_german(tmp_path, repo):
    district = copy_district(repo, tmp_path / "landkreis")
    config = str(district.config)
    aldingen, balgheim = district.workbook("Aldingen"), district.workbook("Balgheim")
    assert "1 Datei geprüft" in _said("validate", str(aldingen), "--config", config)
    assert "2 Dateien geprüft" in _said("validate", str(aldingen), str(balgheim), "--config", config)
    aldingen.unlink()
    assert "Es fehlt 1 Meldung: Aldingen." in _said("sync", "--config", config)
    balgheim.unlink()
    assert "Es fehlen 2 Meldungen: Aldingen, Balgheim." in _said("sync", "--config", config)
    assert "4 Dateien geschrieben" in _said("appsscript", "--out", str(tmp_path / "appsscript"))
