"""A whole year of the sample district: round 1 synced and approved, round 2 opened, submitted, late,
missing, approved and changed afterwards, with the clock of each step set as the district would live it."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import libreoffice
import pytest
from master_reading import overview, sheet_rows

from pakt.plugin import Binding, build_workbook_bytes
from pakt.schemas import Municipality, Registry, load_rules, to_a1
from pakt.sync import StateStore, Status, decide

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sample_workbooks"))
import generate as sample

pytestmark = pytest.mark.libreoffice

STICHTAG_2 = date(2019, 6, 30)
DEADLINE_2 = date(2019, 7, 31)


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def at(year: int, month: int, day: int):
    return lambda: datetime(year, month, day, 10, 0)


def round_two_persons(index: int) -> int:
    return sample.MUNICIPALITIES[index][2] + 1


def submit(registry: Registry, municipality: Municipality, persons: int, signed: date) -> None:
    """A clerk fills the round-2 form and saves it where the registry expects it."""
    index = [m.ags for m in registry.municipalities].index(municipality.ags)
    managers = [dict(row) for row in sample.manager_rows()[municipality.name]]
    fte = sum((row["fte"] for row in managers), Decimal("0"))
    values = sample.submission_values(index, municipality, persons, fte)
    values[("sign_off", "date")] = signed
    binding = Binding(registry.district, load_rules(registry.round.rules), STICHTAG_2, municipality, DEADLINE_2)
    registry.resolve(municipality.workbook).write_bytes(build_workbook_bytes(binding, values, managers))


def test_a_district_year(district, tmp_path):
    # Round 1: everything read before the deadline, then approved from the terminal.
    first = district.sync(now=at(2018, 7, 20))
    reported = [row.municipality.ags for row in first.view.rows if row.used is not None]
    approved = pakt(district, "approve", *reported, "--by", "M. Keller")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.count("Freigegeben:") == len(reported) == 35

    # Round 1 cannot close with its money unpaid; the finance office gets the list, then round 2 opens.
    refused = pakt(district, "round", "start", "--stichtag", "30.06.2019", "--deadline", "31.07.2019")
    assert refused.returncode == 2, refused.stdout
    # 35 approved, but a municipality with no persons is owed nothing, so 34 lines are open.
    assert "freigegeben, noch nicht angewiesen: 1.014.300,00 € für 34 Gemeinden" in refused.stderr
    assert district.registry().round.stichtag == date(2018, 6, 30)
    paid = pakt(district, "payments", "--out", str(tmp_path / "kasse_2018.csv"))
    assert paid.returncode == 0, paid.stderr

    # Round 2 opens: forms beside, round 1's master kept, the registry carries both rounds.
    opened = pakt(district, "round", "start", "--stichtag", "30.06.2019", "--deadline", "31.07.2019")
    assert opened.returncode == 0, opened.stderr
    kept = district.master.with_name(f"{district.master.stem}_2018-06-30.xlsx")
    assert kept.exists() and overview(kept)[1]["Pro-Kopf-Pauschale"] == 1014300.0
    forms = sorted((district.root / "vorlagen" / "2019-06-30").glob("*.xlsx"))
    assert len(forms) == 36 and all(form.stem.endswith("_2019-06-30") for form in forms)
    registry = district.registry()
    assert registry.round.stichtag == STICHTAG_2 and [r.stichtag for r in registry.rounds] == [date(2018, 6, 30)]
    municipalities = list(registry.municipalities)
    on_time, late, never = municipalities[:30], municipalities[30:32], municipalities[32:]

    # 30 submit before the deadline; the district approves Aldingen's, which is then edited.
    for municipality in on_time:
        submit(registry, municipality, round_two_persons(municipalities.index(municipality)), date(2019, 7, 20))
    district.sync(now=at(2019, 7, 25))
    aldingen = on_time[0]
    state = district.sync(now=at(2019, 7, 25)).state
    decide(registry, state, [aldingen.ags], "freigegeben", "", "M. Keller", datetime(2019, 7, 26, 9, 0))
    frozen_persons = round_two_persons(0)
    submit(registry, aldingen, frozen_persons + 5, date(2019, 7, 28))
    # Two arrive after the deadline, though their clerks typed a date before it; three never arrive.
    for municipality in late:
        submit(registry, municipality, round_two_persons(municipalities.index(municipality)), date(2019, 7, 30))
    final = district.sync(now=at(2019, 8, 5))

    status = {row.municipality.name: row.status for row in final.view.rows}
    assert status[aldingen.name] is Status.GEAENDERT
    assert all(status[m.name] is Status.EINGEREICHT for m in on_time[1:])
    assert all(status[m.name] is Status.VERSPAETET for m in late)
    assert all(status[m.name] is Status.UEBERFAELLIG for m in never)
    aldingen_row = next(row for row in final.view.rows if row.municipality.ags == aldingen.ags)
    assert aldingen_row.figures.persons == frozen_persons
    assert f"{frozen_persons} → {frozen_persons + 5}" in aldingen_row.remark
    expected = sum(round_two_persons(municipalities.index(m)) for m in on_time + late)
    assert final.view.totals.persons == expected
    assert any(
        "Aldingen: nach der Freigabe geändert" in line and f"{frozen_persons + 5}" in line for line in final.changes
    )
    other_rounds = [p for p in final.problems if p.code.value == "STICHTAG_ABWEICHEND"]
    assert len(other_rounds) == 1 and "35 Meldungen zum Stichtag 30.06.2018" in other_rounds[0].message

    # The master: statuses, frozen totals, both rounds in the Zeitreihe, and LibreOffice agrees.
    rows, totals = overview(final.master)
    assert rows[aldingen.ags]["Status"] == "nach Freigabe geändert" and rows[aldingen.ags]["Prüfung"] == ""
    assert "freigegeben am 26.07.2019 von M. Keller" in rows[aldingen.ags]["Entscheidung"]
    assert {rows[m.ags]["Status"] for m in never} == {"überfällig"}
    assert totals["Personen"] == expected and totals["Status"] == "32 von 35 gemeldet"
    series = sheet_rows(final.master, "Zeitreihe")
    header_row = next(i for i, row in enumerate(series) if row and row[0] == "AGS")
    header = series[header_row]
    series_totals = series[header_row + 1 + len(municipalities)]
    assert series_totals[header.index("Personen 30.06.2018")] == first.view.totals.persons
    assert series_totals[header.index("Personen 30.06.2019")] == expected
    recalculated = libreoffice.recalc(final.master, tmp_path)
    overview_header = sheet_rows(final.master, "Übersicht")[4]
    totals_row = 5 + len(municipalities)
    persons_total = recalculated["Übersicht"][to_a1(totals_row, overview_header.index("Personen"))]
    assert persons_total["value"] == expected
    assert recalculated["Übersicht"][to_a1(totals_row, overview_header.index("Status"))]["text"] == "32 von 35 gemeldet"
    assert (
        recalculated["Zeitreihe"][to_a1(header_row + 1 + len(municipalities), 2)]["value"] == first.view.totals.persons
    )
    assert all(cell["error"] == 0 for sheet in recalculated.values() for cell in sheet.values())

    # The terminal: history with the approval, the field-by-field diff, and who is where.
    history = pakt(district, "history", aldingen.ags)
    assert history.returncode == 0, history.stderr
    assert "Stichtag 30.06.2019" in history.stdout and "freigegeben am 26.07.2019 von M. Keller" in history.stdout
    with StateStore(final.state) as store:
        versions = [v for v in store.versions_of(aldingen.ags) if v.stichtag == STICHTAG_2]
    diff = pakt(district, "history", aldingen.ags, "--diff", str(versions[0].id), str(versions[-1].id))
    assert f"Personen in Anschlussunterbringung: {frozen_persons} → {frozen_persons + 5}" in diff.stdout
    assert "Datum der Freigabe: 20.07.2019 → 28.07.2019" in diff.stdout
    report = pakt(district, "status").stdout
    assert "32 von 35 Gemeinden haben gemeldet." in report
    assert f"Überfällig (Abgabefrist 31.07.2019) (3): {', '.join(sorted(m.name for m in never))}." in report
    assert "Nach Freigabe geändert (1): Aldingen." in report
