"""`pakt round start`: everything is checked before anything is written; the staff's notes stay with
their round."""

from __future__ import annotations

import subprocess
from datetime import date

from districts import SAMPLE_STICHTAG
from master_reading import notes_in, sheet_rows, type_notes

from pakt.schemas import ReportingRound, load_registry, next_round_text
from pakt.sync import StateStore

TUTTLINGEN = "08327066"


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def _untouched(district, before: str) -> None:
    assert district.config.read_text(encoding="utf-8") == before
    assert not (district.root / "vorlagen").exists()
    assert not list(district.master.parent.glob("*_2018-06-30.xlsx"))


def test_a_round_that_cannot_start_changes_nothing(district):
    district.sync()
    before = district.config.read_text(encoding="utf-8")
    cases = [
        (["--stichtag", "30.06.2018"], "liegt nicht nach dem laufenden (30.06.2018)"),
        (["--stichtag", "30.06.2019", "--deadline", "01.06.2019"], "Abgabefrist 01.06.2019 liegt vor dem Stichtag"),
        (["--stichtag", "30.06.2020"], "gelten vom 01.01.2017 bis 31.12.2019, nicht am Stichtag 30.06.2020"),
        (["--stichtag", "30.06.2019", "--out", "sample_workbooks/neu"], "liegt in einem Quellordner"),
        (["--stichtag", "31.02.2019"], "„31.02.2019“ ist kein Datum"),
    ]
    for arguments, message in cases:
        refused = pakt(district, "round", "start", *arguments)
        assert refused.returncode == 2, (arguments, refused.stdout, refused.stderr)
        assert message in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
        _untouched(district, before)


def test_notes_belong_to_their_round_and_the_registry_keeps_its_comments(district):
    district.sync()
    type_notes(district.master, {TUTTLINGEN: ("Zahlen mit Kämmerei abgleichen", None)})
    district.sync()
    started = pakt(district, "round", "start", "--stichtag", "30.06.2019", "--deadline", "31.07.2019", "--keep-open")
    assert started.returncode == 0, started.stderr
    assert "Offen bleiben in der Runde zum Stichtag 30.06.2018 (abrechenbar mit --stichtag 30.06.2018):" in (
        started.stdout
    )
    text = district.config.read_text(encoding="utf-8")
    assert text.startswith("# Registry of the sample district") and "[[rounds]]" in text
    registry = load_registry(district.config)
    assert registry.round == ReportingRound(stichtag=date(2019, 6, 30), deadline=date(2019, 7, 31))
    assert registry.municipality(TUTTLINGEN).workbook == "sample_workbooks/08327066_Tuttlingen_2019-06-30.xlsx"
    new_round = district.sync()
    assert notes_in(district.master) == {}
    assert notes_in(district.master.with_name(f"{district.master.stem}_2018-06-30.xlsx"))[TUTTLINGEN][0] == (
        "Zahlen mit Kämmerei abgleichen"
    )
    with StateStore(new_round.state) as store:
        assert store.annotations(SAMPLE_STICHTAG)[TUTTLINGEN].note == "Zahlen mit Kämmerei abgleichen"
        assert store.annotations(date(2019, 6, 30)) == {}
    assert "Übersicht der neuen Runde geschrieben" in started.stdout  # round start writes it; nothing left to do
    assert not new_round.master_written
    history = [row[0] for row in sheet_rows(district.master, "Verlauf") if row and row[0]]
    assert any(str(line).startswith("• Neue Runde zum Stichtag 30.06.2019") for line in history)


def test_a_round_with_open_items_is_not_closed_without_a_word(district):
    district.sync()
    assert pakt(district, "approve", "Aldingen", "Balgheim").returncode == 0
    rejected = pakt(district, "approve", "Tuttlingen", "-d", "zurückgewiesen", "-r", "Altersgruppen fehlen")
    assert rejected.returncode == 0, rejected.stderr
    before = district.config.read_text(encoding="utf-8")
    refused = pakt(district, "round", "start", "--stichtag", "30.06.2019")
    assert refused.returncode == 2, refused.stdout
    message = refused.stderr
    assert "Die Runde zum Stichtag 30.06.2018 hat noch offene Posten:" in message
    assert "nicht entschieden (32): Bärenthal, Böttingen" in message and "und 24 weitere" in message
    assert "zurückgewiesen, Korrektur steht aus (1): Tuttlingen" in message
    assert "freigegeben, noch nicht angewiesen: 61.250,00 € für 2 Gemeinden" in message
    assert "mit --keep-open" in message and "--stichtag 30.06.2018 abrechenbar" in message
    _untouched(district, before)

    opened = pakt(district, "round", "start", "--stichtag", "30.06.2019", "--keep-open")
    assert opened.returncode == 0, opened.stderr
    assert "zurückgewiesen, Korrektur steht aus (1): Tuttlingen" in opened.stdout
    # What stayed open is still settleable: the old round's approval and its money.
    late = pakt(district, "approve", "Bärenthal", "--stichtag", "30.06.2018")
    assert late.returncode == 0, late.stderr
    assert "Freigegeben: Bärenthal (08327006)" in late.stdout


def test_notes_kept_before_rounds_existed_are_adopted_by_the_running_round(tmp_path):
    with StateStore(tmp_path / "state.sqlite") as store:
        store.db.execute("INSERT INTO annotations VALUES ('08327002', 'Rückruf', '', '2018-07-01T10:00:00')")
        assert store.annotations(SAMPLE_STICHTAG)["08327002"].note == "Rückruf"
        assert store.annotations(date(2019, 6, 30)) == {}


def test_the_registry_text_moves_the_ending_round_and_keeps_everything_else():
    text = (
        '# Landkreis\n[district]\nname = "LK"\nkey = "08327"\n\n[round]  # läuft\nstichtag = 2018-06-30\n'
        'deadline = 2018-07-31\nrules = "pfi-2017-2019"\n\n[[municipalities]]\nags = "08327002"\nname = "A"\n'
        'im_mode = "selbst"\nworkbook = "m/08327002_A.xlsx"\n'
    )
    new = next_round_text(
        text, ReportingRound(stichtag=date(2019, 6, 30)), {"08327002": "m/08327002_A_2019-06-30.xlsx"}
    )
    assert "# Landkreis" in new and "# läuft" in new and "deadline = 2018-07-31" in new.split("[[rounds]]")[1]
    assert "stichtag = 2019-06-30" in new.split("[[municipalities]]")[0]
    assert 'workbook = "m/08327002_A_2019-06-30.xlsx"' in new
