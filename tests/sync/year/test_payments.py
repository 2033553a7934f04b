"""Money out: the allowance split into the rules' tranches to the cent, the payment list for the finance
office, and corrections after a tranche was paid as Nachzahlung or Rückforderung in the next one."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import libreoffice
import make_broken
import openpyxl
import pytest
from master_reading import sheet_rows
from openpyxl.utils.cell import coordinate_to_tuple

from pakt.schemas import load_registry
from pakt.sync.view._payments import split

ALDINGEN = "08327002"
SAMPLE_ALLOWANCE = Decimal("1014300.00")

TWO_TRANCHES = """
# The programme's rules with the 2018 allowance paid in spring and autumn (the workbooks stay bound to its id).
id = "pfi-2017-2019"
name = "Pakt für Integration (zwei Raten, Test)"
valid_from = 2017-01-01
valid_until = 2019-12-31
rounding = "ROUND_HALF_UP"

[[rates]]
valid_from = 2017-01-01
valid_until = 2019-12-31
per_person_eur = "1225.00"

[[payments]]
name = "Frühjahr 2018"
stichtag = 2018-06-30
paid_on = 2018-04-16
share = "0.5"

[[payments]]
name = "Herbst 2018"
stichtag = 2018-06-30
paid_on = 2018-10-15
share = "0.5"
"""


def pakt(district, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300)


def approve_all(district) -> None:
    done = pakt(district, "approve", *(m.ags for m in district.registry().municipalities), "--by", "Kämmerei")
    assert done.returncode == 0, done.stderr


def payment_lines(master) -> tuple[dict[str, Decimal], list[dict]]:
    """The Auszahlung sheet: the tranche totals, and the lines (by header)."""
    rows = sheet_rows(master, "Auszahlung")
    summary = next(i for i, row in enumerate(rows) if row[:3] == ["Auszahlung", "fällig am", "Summe"])
    totals = {}
    for row in rows[summary + 1 :]:
        if row[0] == "Summe aller Auszahlungen":
            totals["gesamt"] = Decimal(str(row[2])).quantize(Decimal("0.01"))
            break
        totals[row[0]] = Decimal(str(row[2])).quantize(Decimal("0.01"))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    lines = [dict(zip(rows[header], row, strict=False)) for row in rows[header + 1 :] if row and row[0]]
    return totals, lines


def test_a_split_adds_up_and_the_last_tranche_takes_the_left_over_cent():
    assert split(Decimal("100.00"), [Decimal("0.3333"), Decimal("0.3333"), Decimal("0.3334")]) == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34"),
    ]  # fmt: skip
    assert split(Decimal("3675.05"), [Decimal("0.5"), Decimal("0.5")]) == [Decimal("1837.52"), Decimal("1837.53")]
    assert split(Decimal("0.01"), [Decimal("0.5"), Decimal("0.5")]) == [Decimal("0.00"), Decimal("0.01")]
    assert split(Decimal("53900.00"), [Decimal("1")]) == [Decimal("53900.00")]


@pytest.mark.libreoffice
def test_the_sample_tranche_adds_up_to_the_allowance_in_the_master_in_libreoffice_and_in_the_csv(district, tmp_path):
    result = district.sync()
    totals, lines = payment_lines(result.master)
    assert totals == {"Auszahlung 2018": SAMPLE_ALLOWANCE, "gesamt": SAMPLE_ALLOWANCE}
    assert {line["Status"] for line in lines} == {"nicht freigegeben"}
    recalculated = libreoffice.recalc(result.master, tmp_path)["Auszahlung"]
    cached = sheet_rows(result.master, "Auszahlung")
    formulas = {address: cell for address, cell in recalculated.items() if cell["formula"]}
    assert len(formulas) == 2 * 4  # the tranche and the total row: Summe, angewiesen, offen, zurückgehalten
    for address, cell in formulas.items():
        row, column = coordinate_to_tuple(address)
        assert round(cell["value"], 2) == round(cached[row - 1][column - 1], 2), address  # LibreOffice agrees
    header = next(row for row in cached if row[:3] == ["Auszahlung", "fällig am", "Summe"])
    tranche = cached[cached.index(header) + 1]
    assert header[3:6] == ["angewiesen", "offen", "zurückgehalten"] and tranche[3:6] == [0, 0, float(SAMPLE_ALLOWANCE)]
    assert all(cell["error"] == 0 for cell in recalculated.values())

    refused = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert refused.returncode == 2 and "warten auf die Freigabe" in refused.stderr
    approve_all(district)
    written = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert written.returncode == 0, written.stderr
    listing = district.root / "kasse" / "liste.csv"
    assert listing.read_bytes().startswith("\ufeffAGS;Gemeinde;Betrag;Fällig am".encode())
    converted = libreoffice.convert(
        listing, "xlsx", tmp_path, infilter="CSV:59,34,76,1,1/2/2/2/3/1/4/1/5/2/6/2/7/2,1031"
    )
    sheet = openpyxl.load_workbook(converted).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "AGS", "Gemeinde", "Betrag", "Fällig am", "Art", "Auszahlung", "Verwendungszweck", "Kreditor", "IBAN"
    )  # fmt: skip
    aldingen = next(row for row in rows if row[0] == ALDINGEN)
    assert aldingen[1:3] == ("Aldingen", 53900) and aldingen[3].date() == date(2018, 10, 15)
    assert "AGS 08327002" in aldingen[6] and aldingen[6].isascii()
    assert sum(Decimal(str(row[2])) for row in rows[1:]) == SAMPLE_ALLOWANCE
    issued = listing.read_bytes()
    again = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert again.returncode == 0 and "bereits ausgestellt" in again.stdout, again.stderr
    assert listing.read_bytes() == issued
    (district.root / "kasse" / "fremd.csv").write_text("nicht von Pakt", encoding="utf-8")
    foreign = pakt(district, "payments", "--out", "kasse/fremd.csv")
    assert foreign.returncode == 2 and "nie überschrieben" in foreign.stderr


def _use_two_tranches(district) -> None:
    (district.root / "raten.toml").write_text(TWO_TRANCHES, encoding="utf-8")
    text = district.config.read_text(encoding="utf-8").replace('rules = "pfi-2017-2019"', 'rules = "raten.toml"')
    district.config.write_text(text, encoding="utf-8")
    assert load_registry(district.config).round.rules == "raten.toml"


def _aldingen_persons(district, persons: int) -> None:
    """Aldingen's clerk corrects the persons (the age groups with them) and saves the workbook again."""
    key = ("persons", "by_age", "from_27_to_64")
    base = make_broken._aldingen()[1]
    values = {("persons", "total"): persons, key: base[key] + persons - base[("persons", "total")]}
    district.workbook("Aldingen").write_bytes(make_broken.submission(values))


def test_a_correction_after_the_first_tranche_is_paid_in_the_next_one_and_the_first_stays(district):
    _use_two_tranches(district)
    district.sync()
    approve_all(district)
    first = pakt(district, "payments", "--out", "kasse/fruehjahr.csv")
    assert first.returncode == 0, first.stderr
    assert "„Frühjahr 2018“" in first.stdout and "507.150,00 €" in first.stdout  # half of 1,014,300.00
    before, _ = payment_lines(district.master)

    _aldingen_persons(district, 50)  # 44 -> 50 persons: 7,350.00 EUR more
    corrected = district.sync()
    approve_all(district)
    totals, lines = payment_lines(district.master)
    spring = [line for line in lines if line["Auszahlung"] == "Frühjahr 2018"]
    assert totals["Frühjahr 2018"] == before["Frühjahr 2018"] == Decimal("507150.00")
    assert all(line["Status"].startswith("angewiesen am") for line in spring)
    aldingen = {
        line["Art"]: Decimal(str(line["Betrag"]))
        for line in lines
        if line["AGS"] == ALDINGEN and line["Auszahlung"] == "Herbst 2018"
    }
    assert aldingen == {
        "Rate": Decimal("30625.00"),
        "Nachzahlung": Decimal("3675.00"),
    }  # 61,250 = 26,950 + 3,675 + 30,625
    assert corrected.view.totals.allowance_eur == SAMPLE_ALLOWANCE  # frozen until the district approved the correction
    assert totals["gesamt"] == SAMPLE_ALLOWANCE + Decimal("7350.00")

    second = pakt(district, "payments", "--out", "kasse/herbst.csv")
    assert second.returncode == 0, second.stderr
    autumn = (district.root / "kasse" / "herbst.csv").read_text(encoding="utf-8-sig")
    assert "08327002;Aldingen;3675,00;15.10.2018;Nachzahlung;Herbst 2018;" in autumn
    spring_list = (district.root / "kasse" / "fruehjahr.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sum(1 for line in spring_list if line.startswith("08327002;")) == 1

    _aldingen_persons(district, 40)  # after both tranches: 40 persons, 49,000.00 EUR; 61,250.00 were paid
    district.sync()
    approve_all(district)
    totals, lines = payment_lines(district.master)
    supplement = [line for line in lines if line["Auszahlung"] == "Nachtrag"]
    assert [(line["AGS"], line["Art"], line["Betrag"]) for line in supplement] == [(ALDINGEN, "Rückforderung", -12250)]
    assert totals["Frühjahr 2018"] == Decimal("507150.00") and totals["gesamt"] == SAMPLE_ALLOWANCE - Decimal("4900.00")
    undated = pakt(district, "payments", "--out", "kasse/nachtrag.csv")
    assert undated.returncode == 2 and "Der Nachtrag braucht ein Fälligkeitsdatum" in undated.stderr
    clawback = pakt(district, "payments", "--out", "kasse/nachtrag.csv", "--faellig", "15.01.2019")
    assert clawback.returncode == 0, clawback.stderr
    assert "08327002;Aldingen;-12250,00;15.01.2019;Rückforderung;Nachtrag;" in (
        district.root / "kasse" / "nachtrag.csv"
    ).read_text(encoding="utf-8-sig")
