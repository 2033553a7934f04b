"""A run may die anywhere: `pakt sync` is killed (SIGKILL) at every phase boundary of a run over 300 workbooks,
and the next plain `pakt sync` reports exactly the figures of a clean run and the master shows them.

The points come from sync/files/_failpoints.py (PAKT_KILL_AT), so each kill lands where it is meant to; a few
more kills at random moments cover what lies between them.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from master_reading import overview
from sync_benchmark import STICHTAG, _municipalities, _values, prepare

from pakt.plugin import Binding, workbook_filename, write_workbook
from pakt.schemas import District, load_rules

pytestmark = pytest.mark.slow

COUNT = 300
CHANGED = range(1, 251)
"""The municipalities whose workbooks change before the run that is killed."""
POINTS = [
    "listed",
    "read:1",
    "stored:1",  # the first 200 changed workbooks stored, 50 not yet read
    "read:220",  # 200 stored, 20 more read but not stored
    "stored:2",
    "consolidated",
    "master-temp",
    "master-written",
    "finished",
]
RANDOM_KILLS = 5


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return prepare(tmp_path_factory.mktemp("generated"), COUNT)


def _copy(generated: Path, root: Path) -> Path:
    shutil.copytree(generated / "meldungen", root / "meldungen")
    shutil.copy(generated / "pakt.toml", root / "pakt.toml")
    return root


def _pakt(root: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PAKT_KILL_AT"}
    if kill_at:
        env["PAKT_KILL_AT"] = kill_at
    return subprocess.run(["pakt", "sync", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)


def _change(root: Path) -> None:
    """New contents for some municipalities: other persons, other staff (a different seed, the same binding)."""
    binding_for = {m.ags: m for m in _municipalities(COUNT)}
    district = District(name="Baden-Württemberg (Benchmark)", key="08")
    rules = load_rules("pfi-2017-2019")
    for number in CHANGED:
        municipality = binding_for[f"08{number:06d}"]
        values, managers = _values(number + 50_000)
        binding = Binding(district, rules, STICHTAG, municipality)
        write_workbook(root / "meldungen" / workbook_filename(municipality), binding, values, managers)


def _figures(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    return {k: figures[k] for k in ("received", "missing", "invalid", "persons", "allowance_eur", "im_heads", "im_fte")}


@pytest.fixture(scope="module")
def expected(generated, tmp_path_factory) -> dict:
    """The figures of a clean run over the changed district."""
    root = _copy(generated, tmp_path_factory.mktemp("reference"))
    _change(root)
    return _figures(_pakt(root, "--json"))


def _master_totals(root: Path) -> dict:
    _, totals = overview(root / "master" / "Uebersicht.xlsx")
    return {"persons": totals["Personen"], "allowance_eur": Decimal(str(totals["Pro-Kopf-Pauschale"]))}


def _killed_then_repaired(generated: Path, root: Path, expected: dict, kill) -> None:
    _copy(generated, root)
    assert _pakt(root).returncode == 0
    _change(root)
    kill(root)
    after = _pakt(root, "--json")
    assert _figures(after) == expected
    assert _master_totals(root) == {"persons": expected["persons"], "allowance_eur": Decimal(expected["allowance_eur"])}
    assert not list((root / "master").glob(".*.tmp")), "no temporary master left behind"
    again = json.loads(_pakt(root, "--json").stdout)
    assert (again["read"], again["master_written"]) == (0, False), "the run after the repair is quiet again"


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_a_phase_boundary_is_repaired_by_the_next(point, generated, expected, tmp_path):
    def kill(root: Path) -> None:
        done = _pakt(root, kill_at=point)
        assert done.returncode == -signal.SIGKILL, f"the run was not killed at {point}: {done.stderr}"

    _killed_then_repaired(generated, tmp_path / "landkreis", expected, kill)


@pytest.mark.parametrize("seed", range(RANDOM_KILLS))
def test_a_run_killed_at_a_random_moment_is_repaired_by_the_next(seed, generated, expected, tmp_path):
    def kill(root: Path) -> None:
        process = subprocess.Popen(["pakt", "sync"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(random.Random(seed).uniform(0.3, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)

    _killed_then_repaired(generated, tmp_path / "landkreis", expected, kill)
