"""The ODS benchmark runs end to end on three forms (a smoke test: it reports, it does not judge)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PHASES = {"ods floor", "xlsx floor", "ods calamine", "ods cold", "xlsx cold", "ods warm", "xlsx warm", "python"}


@pytest.mark.slow
@pytest.mark.libreoffice
def test_benchmark_prints_every_line_for_three_forms_in_both_formats(repo, tmp_path):
    done = subprocess.run(
        [sys.executable, str(repo / "bench" / "ods_benchmark.py"), "--sizes", "3", "--repeats", "1",
         "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split("|")[0].strip() == "files"
    rows = {line.split("|")[1].strip(): line.split("|") for line in lines if line.strip().startswith("3 |")}
    assert set(rows) == PHASES
    assert all(float(row[2]) > 0 for row in rows.values())
    assert all(float(rows[name][3]) > 0 for name in ("ods floor", "ods calamine", "ods cold", "xlsx cold"))
    assert "x the ods floor" in rows["ods cold"][5] and "x xlsx cold" in rows["ods cold"][5]
    assert "resolves no names" in rows["ods calamine"][5]
    assert "faster than ods cold" in rows["ods warm"][5]
    forms = sorted(p.stem for p in (tmp_path / "n3-ods" / "meldungen").glob("*.ods"))
    assert forms == sorted(p.stem for p in (tmp_path / "n3" / "meldungen").glob("*.xlsx")) and len(forms) == 3
