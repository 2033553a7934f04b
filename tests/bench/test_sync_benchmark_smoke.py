"""The sync benchmark runs end to end at the smallest size (a smoke test: it reports, it does not judge)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PHASES = {"floor", "cold", "warm", "status", "help", "python", "pandas", "openpyxl"}


@pytest.mark.slow
def test_benchmark_prints_every_phase_for_35_workbooks(repo, tmp_path):
    done = subprocess.run(
        [sys.executable, str(repo / "bench" / "sync_benchmark.py"), "--sizes", "35", "--repeats", "1",
         "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split("|")[0].strip() == "files"
    phases = {line.split("|")[1].strip(): line for line in lines if line.strip().startswith("35 |")}
    assert set(phases) == PHASES
    assert "x the floor" in phases["cold"] and "faster than pandas" in phases["cold"]
    assert "faster than cold" in phases["warm"]
    assert all(float(line.split("|")[2]) > 0 for line in phases.values())
    assert len(list((tmp_path / "n35" / "meldungen").glob("*.xlsx"))) == 35


STATE_PHASES = {"floor", "cold", "warm", "pandas", "generate"}


@pytest.mark.slow
def test_benchmark_prints_the_state_roll_up_of_44_district_masters(repo, tmp_path):
    done = subprocess.run(
        [sys.executable, str(repo / "bench" / "sync_benchmark.py"), "--state", "--repeats", "1", "--work",
         str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("state roll-up: 44 district masters") for line in lines)
    phases = {line.split("|")[1].strip(): line for line in lines if line.strip().startswith("44 |")}
    assert set(phases) == STATE_PHASES
    assert "x the floor" in phases["cold"] and "faster than pandas" in phases["cold"]
    assert "faster than cold" in phases["warm"]
    assert all(float(line.split("|")[2]) > 0 for line in phases.values())
    assert len(list((tmp_path / "state" / "landkreise").glob("*.xlsx"))) == 44


@pytest.mark.slow
def test_memo_benchmark_prints_what_each_memo_saves(repo, tmp_path):
    done = subprocess.run(
        [sys.executable, str(repo / "bench" / "memo_benchmark.py"), "--count", "35", "--rounds", "1", "--work",
         str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=repo / "bench",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line.split("|") for line in done.stdout.splitlines()[2:]]
    memos = {row[1].strip() for row in rows}
    assert {"inflated parts", "parts read before", "text measures", "(all memos on)"} <= memos
    assert all(float(row[2]) > 0 for row in rows)
