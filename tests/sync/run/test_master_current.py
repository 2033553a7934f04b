"""One rule for the master: after every command it shows what the store holds.

A master that Pakt decides not to rewrite must be the master a rebuild from the
store would write; the check here is exactly that: the sheets of the master as
it stands against the sheets of a master rebuilt from scratch beside it (the
stamp line and the Verlauf, which name the run, left out).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from master_reading import sheet_rows

from pakt.sync import SyncOptions, decide, master_path, run_sync, state_path

ALDINGEN, BALGHEIM = "08327002", "08327004"
COMPARED = ("Übersicht", "Integrationsmanager", "Prüfbericht", "Auszahlung", "Zeitreihe")


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def _without_stamp(rows: list[list]) -> list[list]:
    return [[cell for cell in row if not (isinstance(cell, str) and "(Abgleich Nr." in cell)] for row in rows]


def master_sheets(master: Path) -> dict[str, list[list]]:
    return {name: _without_stamp(sheet_rows(master, name)) for name in COMPARED}


def rebuilt_from_store(district, tmp_path: Path) -> dict[str, list[list]]:
    """The master a full rebuild writes from the same files and a copy of the same store."""
    rebuilt = tmp_path / "rebuilt" / "master.xlsx"
    rebuilt.parent.mkdir(parents=True, exist_ok=True)
    registry = district.registry()
    shutil.copy(state_path(registry, district.master), state_path(registry, rebuilt))
    run_sync(registry, SyncOptions(master=rebuilt, full=True, retry_delay_s=0.2))
    return master_sheets(rebuilt)


def assert_master_current(district, tmp_path: Path) -> None:
    assert master_sheets(district.master) == rebuilt_from_store(district, tmp_path)


def test_paid_lines_show_as_angewiesen_after_payments_and_a_later_sync(district, tmp_path):
    assert pakt(district, "sync").returncode == 0
    assert pakt(district, "approve", ALDINGEN, BALGHEIM).returncode == 0
    paid = pakt(district, "payments", "--out", str(tmp_path / "k.csv"))
    assert paid.returncode == 0, paid.stderr

    rows = sheet_rows(district.master, "Auszahlung")
    header = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    status = rows[header].index("Status")
    lines = [row for row in rows[header + 1 :] if row and row[0] in (ALDINGEN, BALGHEIM)]
    assert lines and all(str(row[status]).startswith("angewiesen am") for row in lines)
    assert_master_current(district, tmp_path)

    again = pakt(district, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["master_written"] is False  # already current: nothing to rewrite
    assert_master_current(district, tmp_path)


def test_a_decision_taken_outside_the_master_rewrites_it(district, tmp_path):
    district.sync()
    registry = district.registry()
    decide(registry, state_path(registry, master_path(registry)), [ALDINGEN], "geprüft", "", "Test", datetime.now())
    result = district.sync()
    assert result.master_written
    assert_master_current(district, tmp_path)
