"""District approval: a decision typed into the master or given with `pakt approve` freezes a version; a
later edit of the workbook shows beside the frozen figures until the district approves it too."""

from __future__ import annotations

import subprocess

import make_broken
import openpyxl
from master_reading import overview, table

from pakt.sync import StateStore, Status

ALDINGEN = "08327002"


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def type_decision(master, ags: str, decision: str, reason: str = "", who: str = "Petra Schmid") -> None:
    """District staff pick a decision in the Prüfung column and save the master in their office program."""
    book = openpyxl.load_workbook(master)
    sheet = book["Übersicht"]
    header = [cell.value for cell in sheet[5]]
    for row in sheet.iter_rows(min_row=6):
        if row[0].value == ags:
            row[header.index("Prüfung")].value = decision
            row[header.index("Grund")].value = reason or None
    book.properties.lastModifiedBy = who
    book.save(master)


def edit_persons(district, persons: int) -> None:
    """The clerk changes the persons (and the age groups with them) and saves the workbook again."""
    district.workbook("Aldingen").write_bytes(
        make_broken.submission({("persons", "total"): persons, ("persons", "by_age", "from_27_to_64"): persons - 29})
    )


def row_of(result, ags: str = ALDINGEN):
    return next(row for row in result.view.rows if row.municipality.ags == ags)


def test_a_decision_typed_into_the_master_freezes_the_version_until_the_next_approval(district):
    first = district.sync()
    assert row_of(first).figures.persons == 44 and not row_of(first).approved
    type_decision(district.master, ALDINGEN, "Freigegeben ")
    approved = district.sync()
    row = row_of(approved)
    assert row.approved and row.decision.decided_by == "Petra Schmid" and row.decision.decision == "freigegeben"
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Prüfung"] == "freigegeben" and "von Petra Schmid" in rows[ALDINGEN]["Entscheidung"]
    assert any("Aldingen: Prüfung „offen“ → „freigegeben“" in line for line in approved.changes)

    edit_persons(district, 50)
    changed = district.sync()
    row = row_of(changed)
    assert row.status is Status.GEAENDERT and row.figures.persons == 44
    assert changed.view.totals.persons == first.view.totals.persons
    assert "44 → 50" in row.remark and "noch nicht freigegeben" in row.remark
    rows, totals = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "nach Freigabe geändert" and rows[ALDINGEN]["Personen"] == 44
    assert rows[ALDINGEN]["Prüfung"] == "" and totals["Personen"] == first.view.totals.persons

    type_decision(district.master, ALDINGEN, "freigegeben", who="Jörg Brandt")
    again = district.sync()
    row = row_of(again)
    assert row.status is Status.EINGEREICHT and row.figures.persons == 50 and row.decision.decided_by == "Jörg Brandt"
    assert again.view.totals.persons == first.view.totals.persons + 6
    with StateStore(again.state) as store:
        decisions = store.decision_history(ALDINGEN)
    assert [(d.decision, d.decided_by) for d in decisions] == [
        ("freigegeben", "Petra Schmid"),
        ("freigegeben", "Jörg Brandt"),
    ]


def test_a_rejection_needs_a_reason_and_an_unknown_word_is_not_a_decision(district):
    district.sync()
    type_decision(district.master, ALDINGEN, "passt schon")
    district.sync()
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Prüfung"] == ""  # shown again as undecided: nothing was recorded
    report, _ = table(district.master, "Prüfbericht", "Schwere")
    assert any("„passt schon“ in der Spalte Prüfung ist keine Entscheidung" in line["Meldung"] for line in report)
    refused = pakt(district, "approve", ALDINGEN, "--decision", "zurückgewiesen")
    assert refused.returncode == 2 and "--reason" in refused.stderr and "Traceback" not in refused.stderr
    rejected = pakt(district, "approve", ALDINGEN, "-d", "zurückgewiesen", "-r", "Altersgruppen prüfen", "--by", "Amt")
    assert rejected.returncode == 0, rejected.stderr
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Prüfung"] == "zurückgewiesen" and rows[ALDINGEN]["Grund"] == "Altersgruppen prüfen"
    unknown = pakt(district, "approve", "08399999")
    assert unknown.returncode == 2 and "08399999 steht nicht im Gemeindeverzeichnis" in unknown.stderr
    status = pakt(district, "status").stdout
    assert "Zurückgewiesen, Korrektur steht aus (1): Aldingen." in status and "Noch nicht freigegeben (34)" in status


def test_approve_decides_each_municipality_on_its_own(district):
    district.workbook("Balgheim").unlink()
    district.sync()
    partly = pakt(district, "approve", ALDINGEN, "08327004")
    assert partly.returncode == 1, partly.stderr
    assert "Nicht entschieden: Balgheim (08327004): keine gültige Meldung zum Stichtag 30.06.2018" in partly.stderr
    assert "Freigegeben: Aldingen (08327002)" in partly.stdout
    with StateStore(district.sync().state) as store:
        assert [d.decision for d in store.decision_history(ALDINGEN)] == ["freigegeben"]
        assert store.decision_history("08327004") == []
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Prüfung"] == "freigegeben"


def test_approve_reads_first_a_correction_the_clerk_just_saved(district):
    """The clerk fixes a broken file and telephones; the district approves at once, before any sync ran."""
    district.workbook("Aldingen").write_bytes(make_broken.submission({("persons", "total"): "viele"}))
    district.sync()
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Status"] == "fehlerhaft"
    edit_persons(district, 47)  # corrected, no sync since
    approved = pakt(district, "approve", "Aldingen", "--by", "Amt")
    assert approved.returncode == 0, approved.stderr
    assert "Freigegeben: Aldingen (08327002)" in approved.stdout and "neu eingelesen" in approved.stdout
    rows, _ = overview(district.master)
    assert rows[ALDINGEN]["Prüfung"] == "freigegeben" and rows[ALDINGEN]["Personen"] == 47


def test_approve_takes_names_and_all_shown_undecided_submissions(district):
    first = district.sync()
    by_name = pakt(district, "approve", "emmingen-liptingen", "Balgheim", "-d", "geprüft")
    assert by_name.returncode == 0, by_name.stderr
    assert "Geprüft: Emmingen-Liptingen (08327024)" in by_name.stdout and "Balgheim (08327004)" in by_name.stdout
    typo = pakt(district, "approve", "Aldngen")
    assert typo.returncode == 2 and "Meinten Sie Aldingen (08327002)?" in typo.stderr

    edit_persons(district, 47)  # arrives with the next read: not shown to the staff yet
    every = pakt(district, "approve", "--all", "--by", "Amt")
    assert every.returncode == 1, every.stderr
    assert "Aldingen (08327002): neue Fassung seit der letzten Übersicht" in every.stderr
    reported = sum(1 for row in first.view.rows if row.used is not None)
    assert every.stdout.count("Freigegeben:") == reported - 1
    rows, _ = overview(district.master)
    assert rows["08327004"]["Prüfung"] == "freigegeben" and rows[ALDINGEN]["Prüfung"] == ""
    again = pakt(district, "approve", "--all", "--by", "Amt")
    assert again.returncode == 0 and again.stdout.count("Freigegeben:") == 1  # Aldingen, now shown


def test_history_lists_versions_and_diff_names_fields_in_german(district):
    district.sync()
    edit_persons(district, 47)
    district.sync()
    listing = pakt(district, "history", ALDINGEN)
    assert listing.returncode == 0, listing.stderr
    lines = [line for line in listing.stdout.splitlines() if line.startswith("Fassung ")]
    assert len(lines) == 2 and lines[-1].endswith("in der Übersicht") and "eingereicht" in lines[0]
    numbers = [line.split()[1] for line in lines]
    diff = pakt(district, "history", ALDINGEN, "--diff", *numbers)
    assert diff.stdout.splitlines() == [
        "Personen in Anschlussunterbringung: 44 → 47",
        "davon nach Alter › 27 bis 64 Jahre: 15 → 18",
    ]
    foreign = pakt(district, "history", "08327004", "--diff", *numbers)
    assert foreign.returncode == 2 and "gehört nicht zu Balgheim" in foreign.stderr
