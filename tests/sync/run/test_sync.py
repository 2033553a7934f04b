"""`pakt sync` on a copy of the sample district: the article's figures, incremental runs, nothing lost."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import make_broken
import openpyxl
import pytest
from master_reading import notes_in, overview, sheet_rows, table, type_notes

from pakt.schemas import Municipality
from pakt.sync import StateStore, Status


def run_cli(district, *args):
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def test_sample_district_gives_the_article_figures(district):
    result = district.sync()
    summary = result.to_json()
    assert summary["municipalities"] == 35 and summary["received"] == 35
    assert summary["missing"] == 0 and summary["invalid"] == 0
    assert summary["im_heads"] == 14 and summary["im_fte"] == 11.0
    assert summary["self_managed"] in (17, 18)
    allowance = Decimal(summary["allowance_eur"])
    assert Decimal("950000") <= allowance <= Decimal("1050000")
    assert allowance == summary["persons"] * Decimal("1225.00")
    assert summary["read"] == 35 and summary["unchanged"] == 0


def test_master_has_one_row_per_municipality_and_totals_that_add_up(district):
    result = district.sync()
    rows, totals = overview(result.master)
    assert len(rows) == 35 and set(rows) == {m.ags for m in district.registry().municipalities}
    assert all(row["Status"] == "eingereicht" for row in rows.values())
    assert totals["Personen"] == sum(row["Personen"] for row in rows.values()) == result.view.totals.persons
    cents = sum(Decimal(str(row["Pro-Kopf-Pauschale"])) for row in rows.values())
    assert cents == result.view.totals.allowance_eur == Decimal(str(totals["Pro-Kopf-Pauschale"]))
    assert totals["IM (Personen)"] == 14 and totals["IM (VZÄ)"] == 11.0
    assert totals["VZÄ-Anteil nach Personen"] == pytest.approx(11.0)
    staff, _ = table(result.master, "Integrationsmanager", "AGS")
    assert len({line["Kürzel"] for line in staff}) == 14


def test_cli_json_summary(district):
    done = run_cli(district, "sync", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    expected_keys = {
        "municipalities",
        "received",
        "missing",
        "invalid",
        "persons",
        "allowance_eur",
        "im_heads",
        "im_fte",
        "self_managed",
        "read",
        "unchanged",
        "master",
    }
    assert expected_keys <= set(summary)
    assert summary["allowance_eur"] == "1014300.00" and summary["im_heads"] == 14 and summary["im_fte"] == 11.0


def test_cli_prints_a_german_summary(district):
    done = run_cli(district, "sync")
    assert done.returncode == 0
    assert "Pro-Kopf-Pauschale" in done.stderr and "1.014.300,00 €" in done.stderr
    assert "14 auf 11,00 VZÄ" in done.stderr
    assert "Übersicht geschrieben:" in done.stdout


def test_second_sync_reads_nothing_and_keeps_the_master(district):
    first = district.sync()
    before = first.master.read_bytes()
    second = district.sync()
    assert (second.read, second.unchanged) == (0, 35)
    assert not second.master_written
    assert second.master.read_bytes() == before
    full = district.sync(full=True)
    assert (full.read, full.unchanged) == (35, 0) and full.master_written
    assert sheet_rows(full.master, "Übersicht")[4:] == sheet_rows(first.master, "Übersicht")[4:]
    assert sheet_rows(full.master, "Integrationsmanager") == sheet_rows(first.master, "Integrationsmanager")
    assert sheet_rows(full.master, "Prüfbericht") == sheet_rows(first.master, "Prüfbericht")


def test_staff_annotations_survive_every_refresh(district):
    district.sync()
    typed = {
        "08327002": ("Rückruf wegen Fahrtkosten", datetime(2018, 8, 15)),
        "08327066": ("=SUMME(A1:A3) ist kein Befehl", "nach Urlaub"),
    }
    type_notes(district.master, typed)
    expected = {
        "08327002": ("Rückruf wegen Fahrtkosten", date(2018, 8, 15)),
        "08327066": ("=SUMME(A1:A3) ist kein Befehl", "nach Urlaub"),
    }

    quiet = district.sync()
    assert quiet.read == 0
    assert notes_in(district.master) == expected

    trossingen = district.workbook("Trossingen")
    trossingen.write_bytes(
        make_broken.submission(
            {("header", "contact_person"): "Neue Ansprechperson"}, municipality=_municipality(district, "Trossingen")
        )
    )
    changed = district.sync()
    assert changed.read == 1 and changed.master_written
    assert notes_in(district.master) == expected

    district.sync(full=True)
    assert notes_in(district.master) == expected
    book = openpyxl.load_workbook(district.master)
    note_column = [cell.value for cell in book["Übersicht"][5]].index("Bemerkung")
    note_cell = next(row[note_column] for row in book["Übersicht"].iter_rows(min_row=6) if row[0].value == "08327066")
    assert note_cell.data_type == "s"

    district.master.unlink()
    district.sync()
    assert notes_in(district.master) == expected


def _municipality(district, name) -> Municipality:
    return next(m for m in district.registry().municipalities if m.name == name)


def test_broken_new_version_never_replaces_the_valid_one(district):
    first = district.sync()
    aldingen = district.workbook("Aldingen")
    aldingen.write_bytes(make_broken.submission({("persons", "total"): "viele"}))
    second = district.sync()
    assert second.read == 1
    row = next(r for r in second.view.rows if r.municipality.name == "Aldingen")
    assert row.status is Status.FEHLERHAFT and row.figures.persons == 44
    assert "Neuere Fassung fehlerhaft" in row.remark
    assert second.view.totals == first.view.totals
    summary = second.to_json()
    assert summary["invalid"] == 1 and summary["received"] == 35
    rows, _ = overview(second.master)
    assert rows["08327002"]["Status"] == "fehlerhaft" and rows["08327002"]["Personen"] == 44
    report, _ = table(second.master, "Prüfbericht", "Schwere")
    flagged = [line for line in report if line["AGS"] == "08327002"]
    assert flagged and flagged[0]["Zelle"] == "B14" and flagged[0]["Fassung"] == "neuere Fassung, nicht übernommen"
    with StateStore(second.state) as store:
        versions = store.db.execute("SELECT valid FROM versions WHERE ags='08327002' ORDER BY id").fetchall()
    assert versions == [(1,), (0,)]


def test_deleted_workbook_shows_as_missing_and_its_history_stays(district):
    district.sync()
    district.workbook("Balgheim").unlink()
    result = district.sync()
    row = next(r for r in result.view.rows if r.municipality.name == "Balgheim")
    assert row.status is Status.UEBERFAELLIG and row.absent and row.figures is None
    assert result.to_json()["missing"] == 1 and result.view.totals.persons == 828 - 6
    with StateStore(result.state) as store:
        assert store.db.execute("SELECT COUNT(*) FROM versions WHERE ags='08327004'").fetchone() == (1,)
    status = run_cli(district, "status")
    assert "34 von 35 Gemeinden haben gemeldet." in status.stdout
    assert "Überfällig (Abgabefrist 31.07.2018) (1): Balgheim." in status.stdout


def test_duplicates_unknown_keys_and_stray_files_are_reported_not_consolidated(district, repo):
    district.sync()
    shutil.copy(district.workbook("Aldingen"), district.folder / "Kopie von Aldingen.xlsx")
    (district.folder / "~$08327004_Balgheim.xlsx").write_bytes(b"lock")
    (district.folder / "notizen.txt").write_text("Anruf Aldingen", encoding="utf-8")
    shutil.copy(repo / "tests" / "fixtures" / "broken" / "ags_unbekannt.xlsx", district.folder / "neustadt.xlsx")
    shutil.copy(repo / "tests" / "fixtures" / "broken" / "csv_umbenannt.xlsx", district.folder / "liste.xlsx")
    result = district.sync()
    codes = {(p.code.value, p.file.rsplit("/", 1)[-1]) for p in result.problems}
    assert ("MELDUNG_DOPPELT", "Kopie von Aldingen.xlsx") in codes
    assert ("AGS_UNBEKANNT", "neustadt.xlsx") in codes
    assert ("DATEI_UNLESBAR", "liste.xlsx") in codes
    assert ("DATEI_UEBERSPRUNGEN", "~$08327004_Balgheim.xlsx") in codes
    assert ("DATEI_UEBERSPRUNGEN", "notizen.txt") in codes
    assert len(result.view.rows) == 35 and result.view.totals.persons == 828
    report, _ = table(result.master, "Prüfbericht", "Schwere")
    assert any(line["Code"] == "MELDUNG_DOPPELT" and line["Datei"] == "Kopie von Aldingen.xlsx" for line in report)


def test_master_open_in_excel_gets_a_new_file_beside_it(district):
    first = district.sync()
    before = first.master.read_bytes()
    lock = first.master.with_name("~$" + first.master.name)
    lock.write_bytes(bytes([10]) + b"Anna Maier" + bytes(151))  # Excel's owner file: name length, name
    result = district.sync(full=True)
    assert result.master != first.master and result.master.parent == first.master.parent
    assert result.master.name.endswith("(neue Fassung).xlsx")
    assert "geöffnet" in result.master_note and "Anna Maier" in result.master_note
    assert first.master.read_bytes() == before
    again = district.sync(full=True)
    assert again.master == result.master, "one file beside the master, replaced; not a new copy per run"
    assert len([p for p in first.master.parent.glob("*.xlsx") if not p.name.startswith("~$")]) == 2
    lock.unlink()
    done = district.sync()
    assert done.master == first.master and done.master_written


def test_a_lock_file_left_behind_is_named_and_does_not_block_the_master(district):
    first = district.sync()
    lock = first.master.with_name("~$" + first.master.name)
    lock.write_bytes(bytes([10]) + b"Anna Maier" + bytes(151))
    two_days_ago = time.time() - 48 * 3600
    os.utime(lock, (two_days_ago, two_days_ago))
    result = district.sync(full=True)
    assert result.master == first.master and result.master_written
    assert "zurückgelassen" in result.master_note and "Anna Maier" in result.master_note


def test_clerk_text_in_the_master_stays_text(district):
    tricky = [
        {"pseudonym": "=1+1", "fte": 0.5, "start_date": date(2018, 1, 1), "employer": "Gemeinde"},
        {"pseudonym": "@SUMME(A1)", "fte": 0.1, "start_date": date(2018, 1, 1), "employer": "Gemeinde"},
    ]
    district.workbook("Aldingen").write_bytes(make_broken.submission(managers=lambda rows: tricky))
    result = district.sync()
    book = openpyxl.load_workbook(result.master)
    cells = [row[2] for row in book["Integrationsmanager"].iter_rows(min_row=6) if row[0].value == "08327002"]
    assert [c.value for c in cells] == ["=1+1", "@SUMME(A1)"]
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.slow
def test_file_being_written_is_retried_and_never_half_read(district):
    import threading

    trossingen = district.workbook("Trossingen")
    complete = make_broken.submission(
        {("header", "contact_person"): "Zweite Fassung"}, municipality=_municipality(district, "Trossingen")
    )
    district.sync()
    trossingen.write_bytes(complete[: len(complete) // 3])
    finisher = threading.Timer(0.3, lambda: trossingen.write_bytes(complete))
    finisher.start()
    result = district.sync(retry_delay_s=1.0)
    finisher.join()
    row = next(r for r in result.view.rows if r.municipality.name == "Trossingen")
    assert row.status is Status.EINGEREICHT and row.submission.header.contact_person == "Zweite Fassung"
    assert not [p for p in result.problems if "Trossingen" in (p.file or "")]

    trossingen.write_bytes(complete[: len(complete) // 3])
    stuck = district.sync(retry_delay_s=0.2)
    problem = next(p for p in stuck.problems if p.file.endswith(trossingen.name))
    assert problem.code.value == "DATEI_UNLESBAR"
    row = next(r for r in stuck.view.rows if r.municipality.name == "Trossingen")
    assert row.submission.header.contact_person == "Zweite Fassung"  # the last good version stays


@pytest.mark.slow
def test_kill_9_in_mid_run_leaves_the_master_intact_and_the_next_run_completes(district):
    first = district.sync()
    before = first.master.read_bytes()
    extra = district.folder / "archiv"
    extra.mkdir()
    for copy in range(12):
        for source in sorted(district.folder.glob("0832*.xlsx")):
            shutil.copy(source, extra / f"{copy:02d}_{source.name}")
    district.workbook("Tuttlingen").write_bytes(
        make_broken.submission(
            {("header", "contact_person"): "Nach dem Abbruch"}, municipality=_municipality(district, "Tuttlingen")
        )
    )
    process = subprocess.Popen(
        ["pakt", "sync", "--full"], cwd=district.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    state = first.state
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with sqlite3.connect(state) as db:
            running = db.execute(
                "SELECT COUNT(*) FROM sources WHERE last_seen_run = (SELECT MAX(id) FROM runs) AND path LIKE '%archiv%'"
            ).fetchone()[0]
        if running:
            break
        time.sleep(0.01)
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    process.kill()
    process.wait()
    assert process.returncode == -9
    assert workers, "the run read in worker processes"
    assert _all_gone(workers, within_s=5), "worker processes outlived the killed sync"
    assert first.master.read_bytes() == before
    with sqlite3.connect(state) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL").fetchone() == (1,)
    status = run_cli(district, "status")
    assert "wurde abgebrochen" in status.stdout
    result = district.sync()
    row = next(r for r in result.view.rows if r.municipality.name == "Tuttlingen")
    assert row.submission.header.contact_person == "Nach dem Abbruch"
    assert result.master_written and not list(first.master.parent.glob(".*.tmp"))


def _all_gone(pids: list[str], within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _state(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.mark.slow
def test_a_jump_against_the_last_round_is_warned_for_every_municipality_at_once(district):
    from pakt.plugin import Binding, build_workbook_bytes
    from pakt.schemas import load_rules

    district.sync()
    config = district.config
    config.write_text(
        config.read_text(encoding="utf-8").replace("stichtag = 2018-06-30", "stichtag = 2019-06-30")
        .replace("deadline = 2018-07-31", "deadline = 2019-07-31"),
        encoding="utf-8",
    )  # fmt: skip
    own, base, rows = make_broken._aldingen()
    before = base[("persons", "total")]
    sample = make_broken.sample
    binding = Binding(sample.DISTRICT, load_rules(sample.RULES_ID), date(2019, 6, 30), own)
    tripled = {key: n * 3 for key, n in base.items() if key[:2] == ("persons", "by_age")}
    values = {**base, **tripled, ("persons", "total"): before * 3, ("sign_off", "date"): date(2019, 7, 1)}
    district.workbook("Aldingen").write_bytes(build_workbook_bytes(binding, values, rows))
    result = district.sync()
    jumps = [line.finding for line in result.view.report if line.finding.code.value == "SPRUNG_PERSONEN"]
    assert [f.ags for f in jumps] == ["08327002"]  # the others did not change; the 2018 round is the reference
    assert f"({before} zum 30.06.2018)" in jumps[0].message
