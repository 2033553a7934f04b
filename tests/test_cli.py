"""The `pakt` command speaks German to the people who run it, usage errors included, and exits 2 on them."""

from __future__ import annotations

import subprocess

import pytest
from typer.testing import CliRunner

from pakt.cli import app

ENGLISH = ("Usage:", "No such option", "Missing argument", "Invalid value", "Try '", "Show this message", "Error")


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "german"),
    [
        (["sync", "--ful"], "Unbekannte Option „--ful“. Meinten Sie --full?"),
        (["validate"], "Es fehlt das Argument MAPPE."),
        (["token", "revoke", "drei"], "Ungültiger Wert für NUMMER: erwartet wird eine ganze Zahl."),
        (["snyc"], "Unbekannter Befehl „snyc“. Meinten Sie sync?"),
        (["sync", "--master"], "Die Option „--master“ braucht einen Wert."),
        (["status", "extra"], "Unerwartete zusätzliche Angabe: extra."),
    ],
)
def test_usage_errors_are_german_with_exit_code_2(args, german):
    code, output = run(*args)
    assert code == 2
    assert german in " ".join(output.split()).replace("│", "").replace("  ", " ")
    assert not [word for word in ENGLISH if word in output]


def test_help_is_german():
    code, output = run("sync", "--help")
    assert code == 0
    assert "Aufruf: pakt sync [OPTIONEN]" in output and "Optionen" in output and "Diese Hilfe zeigen" in output
    assert not [word for word in ENGLISH if word in output]


def test_the_installed_command_says_it_in_german_on_stderr(tmp_path):
    done = subprocess.run(["pakt", "sync", "--bogus"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "Unbekannte Option „--bogus“" in done.stderr and "Traceback" not in done.stderr


def test_a_missing_configuration_is_a_german_error_not_a_traceback(tmp_path):
    done = subprocess.run(["pakt", "sync"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Keine Konfigurationsdatei gefunden" in done.stderr and "Traceback" not in done.stderr
