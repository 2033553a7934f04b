"""Configuration errors read in German, with the file and the key as it is written there."""

from __future__ import annotations

from pathlib import Path

import pytest

from pakt.schemas import ConfigError, load_registry, load_rules

BROKEN = """
[district]
name = "Landkreis Tuttlingen"
key = "08327"
[round]
stichtag = "heute"
[master]
stale_lock_hours = "lange"
[[municipalities]]
ags = "08327002"
name = "Aldingen"
im_mode = "gemeinsam"
wokbook = "a.xlsx"
"""


def test_every_registry_error_is_german_and_names_its_key(tmp_path: Path):
    path = tmp_path / "pakt.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_registry(path)
    message = str(caught.value)
    assert message.startswith(f"Die Konfigurationsdatei {path} ist fehlerhaft: ")
    assert "round.stichtag: ist kein Datum" in message
    assert "master.stale_lock_hours: muss eine Zahl sein" in message
    assert "municipalities[0].im_mode: ist keiner der erlaubten Werte (erlaubt: 'selbst' oder 'landkreis')" in message
    assert "municipalities[0].wokbook: ist hier nicht vorgesehen" in message
    for english in ("Input should", "Field required", "Extra inputs", "valid"):
        assert english not in message


def test_a_rules_file_error_is_german_too(tmp_path: Path):
    path = tmp_path / "regeln.toml"
    path.write_text('id = "x"\nname = "X"\nvalid_from = 2020-01-01\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(str(path))
    assert "valid_until: fehlt" in str(caught.value) and "rates: fehlt" in str(caught.value)
