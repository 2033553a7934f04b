"""One rule for the master: after every command it shows what the store holds.

A master that Pakt decides not to rewrite must be the master a rebuild from the
store would write; the check here is exactly that: the sheets of the master as
it stands against the sheets of a master rebuilt from scratch beside it (the
stamp line and the Verlauf, which name the run, left out).
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime

import make_broken
from master_reading import assert_master_current, overview, sheet_rows

from pakt.sync import decide, master_path, state_path

ALDINGEN, BALGHEIM = "08327002", "08327004"


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


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
    assert_master_current(district.registry())

    again = pakt(district, "sync", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["master_written"] is False  # already current: nothing to rewrite
    assert_master_current(district.registry())


def test_a_decision_taken_outside_the_master_rewrites_it(district, tmp_path):
    district.sync()
    registry = district.registry()
    decide(registry, state_path(registry, master_path(registry)), [ALDINGEN], "geprüft", "", "Test", datetime.now())
    result = district.sync()
    assert result.master_written
    assert_master_current(district.registry())


def test_a_figure_not_given_shows_an_empty_cell_not_its_link(district):
    """An unsigned submission has no sign-off date: its cell stays empty (Excel showed the bare link target)."""
    district.workbook("Aldingen").write_bytes(make_broken.submission({("sign_off", "submitted"): False}))
    district.sync()
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "überfällig" and rows[ALDINGEN]["Freigegeben am"] in ("", None)
    assert isinstance(rows[BALGHEIM]["Freigegeben am"], (date, datetime))
