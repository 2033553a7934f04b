"""The district registry (pakt.toml): the sample loads; mistakes are refused with German messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pakt.schemas import ConfigError, ImMode, load_registry

MINIMAL = """
[district]
name = "Landkreis Tuttlingen"
key = "08327"

[round]
stichtag = 2018-06-30

[[municipalities]]
ags = "{ags}"
name = "Aldingen"
im_mode = "selbst"
"""


def test_sample_registry_has_the_35_municipalities(registry):
    assert registry.district.key == "08327"
    assert len(registry.municipalities) == 35
    assert all(len(m.ags) == 8 and m.ags.startswith("08327") for m in registry.municipalities)
    assert sum(1 for m in registry.municipalities if m.im_mode is ImMode.SELBST) == 17
    assert registry.municipality("08327002").name == "Aldingen"


def test_relative_paths_resolve_against_the_registry_file(registry, repo):
    assert registry.resolve("sample_workbooks") == repo / "sample_workbooks"


def test_ags_keeps_its_leading_zero(tmp_path: Path):
    path = tmp_path / "pakt.toml"
    path.write_text(MINIMAL.format(ags="08327002"), encoding="utf-8")
    assert load_registry(path).municipalities[0].ags == "08327002"


def test_ags_of_another_district_is_refused(tmp_path: Path):
    path = tmp_path / "pakt.toml"
    path.write_text(MINIMAL.format(ags="08326002"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gehört nicht zum Kreisschlüssel 08327"):
        load_registry(path)


def test_ags_that_is_not_eight_digits_is_refused(tmp_path: Path):
    path = tmp_path / "pakt.toml"
    path.write_text(MINIMAL.format(ags="8327002"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Konfigurationsdatei .* ist fehlerhaft"):
        load_registry(path)


def test_missing_and_broken_files_are_reported(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"nicht gefunden"):
        load_registry(tmp_path / "fehlt.toml")
    broken = tmp_path / "pakt.toml"
    broken.write_text("[district\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"kein gültiges TOML"):
        load_registry(broken)


def test_earlier_rounds_must_lie_before_the_running_one_and_appear_once(tmp_path: Path):
    base = (
        '[district]\nname = "LK"\nkey = "08327"\n[round]\nstichtag = 2019-06-30\n'
        '[[municipalities]]\nags = "08327002"\nname = "A"\nim_mode = "selbst"\n'
    )
    path = tmp_path / "pakt.toml"
    path.write_text(base + "[[rounds]]\nstichtag = 2018-06-30\n", encoding="utf-8")
    assert [r.stichtag.year for r in load_registry(path).all_rounds()] == [2018, 2019]
    path.write_text(base + "[[rounds]]\nstichtag = 2020-06-30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"30\.06\.2020 liegt nicht vor der laufenden"):
        load_registry(path)
    path.write_text(base + "[[rounds]]\nstichtag = 2018-06-30\n[[rounds]]\nstichtag = 2018-06-30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"30\.06\.2018 ist doppelt eingetragen"):
        load_registry(path)
