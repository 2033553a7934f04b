"""The payments ledger: a list is recorded before its files, so a command that dies or finds the disk full at
any step leaves no list or exactly one, and the rerun writes that same list; the files the finance office
reads (CSV, xlsx with the AGS as text, SEPA pain.001) carry Kreditor and IBAN from the registry."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import openpyxl
import pytest
from schwifty import IBAN

from pakt.sync import StateStore, master_path, state_path
from pakt.sync.store._ledger import issued_lists

ALDINGEN = "08327002"
STEPS = ("consolidated", "payments-issued", "payments-file-written:1", "payments-file-written:2", "payments-written")
"""Where `pakt payments` is killed: in its first sync, after the list is recorded, after its CSV, after its
xlsx, before the sync that shows it."""


def pakt(district, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pakt", *args], cwd=district.root, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


def _with_accounts(district, sepa: bool = False, broken_iban: str | None = None) -> dict[str, str]:
    """Give every municipality a Kreditor and an IBAN in pakt.toml (and the district its own account)."""
    text = district.config.read_text(encoding="utf-8")
    accounts = {}
    for number, municipality in enumerate(district.registry().municipalities, start=1):
        iban = IBAN.generate("DE", bank_code="37040044", account_code=f"{5320130000 + number}").compact
        if broken_iban and municipality.ags == ALDINGEN:
            iban = broken_iban
        accounts[municipality.ags] = iban
        line = f'workbook = "{municipality.workbook}"\n'
        text = text.replace(line, f'{line}kreditor = "70{number:03d}"\niban = "{iban}"\n', 1)
    if sepa:
        district_account = IBAN.generate("DE", bank_code="64350070", account_code="1234567").compact
        text += (
            f'\n[payments]\nsepa = true\ndebtor_name = "Landratsamt Tuttlingen"\ndebtor_iban = "{district_account}"\n'
            'debtor_bic = "SOLADES1TUT"\n'
        )
    district.config.write_text(text, encoding="utf-8")
    return accounts


def _issued(district) -> list:
    registry = district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        return issued_lists(store)


def _approve_some(district) -> None:
    assert pakt(district, "sync").returncode == 0
    done = pakt(district, "approve", ALDINGEN, "Balgheim", "Tuttlingen")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("full", [False, True], ids=["killed", "disk-full"])
@pytest.mark.parametrize("step", STEPS)
def test_a_list_is_issued_once_whatever_step_fails(district, step, full):
    _approve_some(district)
    variable = "PAKT_FULL_AT" if full else "PAKT_KILL_AT"
    failed = pakt(district, "payments", "--out", "kasse/liste.csv", **{variable: step})
    assert failed.returncode != 0 and "Traceback" not in failed.stderr, failed.stderr
    issued = _issued(district)
    assert len(issued) <= 1
    csv = district.root / "kasse" / "liste.csv"
    written_before = csv.read_bytes() if csv.exists() else None

    rerun = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert rerun.returncode == 0, rerun.stderr
    issued = _issued(district)
    assert len(issued) == 1 and issued[0].completed_at is not None
    assert {line.ags for line in issued[0].lines} == {ALDINGEN, "08327004", "08327066"}
    if written_before is not None:
        assert csv.read_bytes() == written_before  # the same list, not a second one
    lines = [line for line in csv.read_text(encoding="utf-8-sig").splitlines()[1:] if line]
    assert len(lines) == 3 and (district.root / "kasse" / "liste.xlsx").exists()

    again = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert again.returncode == 0 and "bereits ausgestellt" in again.stdout
    registry = district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        paid = store.paid_lines(registry.round.stichtag)
    assert sorted(line.ags for line in paid) == [ALDINGEN, "08327004", "08327066"]  # each paid once


def test_a_resumed_list_keeps_its_name_and_issues_nothing_new(district):
    _approve_some(district)
    pakt(district, "payments", "--out", "kasse/erste.csv", PAKT_KILL_AT="payments-issued")
    other = pakt(district, "payments", "--out", "kasse/zweite.csv")
    assert other.returncode == 0, other.stderr
    assert "war schon vermerkt" in other.stdout and "erste.csv" in other.stdout
    assert (district.root / "kasse" / "erste.csv").exists() and not (district.root / "kasse" / "zweite.csv").exists()
    assert len(_issued(district)) == 1


def test_the_list_carries_kreditor_and_iban_and_the_xlsx_keeps_the_leading_zero(district):
    accounts = _with_accounts(district)
    _approve_some(district)
    done = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert done.returncode == 0, done.stderr
    text = (district.root / "kasse" / "liste.csv").read_text(encoding="utf-8-sig")
    header, aldingen = text.splitlines()[:2]
    assert header.endswith(";Kreditor;IBAN") and aldingen.startswith("08327002;Aldingen;53900,00;")
    assert aldingen.endswith(f";70001;{accounts[ALDINGEN]}")
    sheet = openpyxl.load_workbook(district.root / "kasse" / "liste.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == ALDINGEN and isinstance(rows[1][0], str)  # text: the zero stays
    assert rows[1][7] == "70001" and rows[1][8] == accounts[ALDINGEN] and rows[1][2] == 53900
    assert sheet.cell(row=2, column=1).number_format == "@"
    assert rows[-1][1] == "Summe"


def test_a_wrong_iban_is_a_german_configuration_error_naming_the_municipality(district):
    _with_accounts(district, broken_iban="DE89370400440532013001")
    refused = pakt(district, "payments", "--dry-run")
    assert refused.returncode == 2
    assert "Die IBAN von Aldingen (08327002) „DE89370400440532013001“ ist falsch" in refused.stderr
    assert "Prüfziffer" in refused.stderr and "Traceback" not in refused.stderr


def test_the_sepa_file_carries_the_transfers_of_the_recorded_lines(district):
    accounts = _with_accounts(district, sepa=True)
    _approve_some(district)
    done = pakt(district, "payments", "--out", "kasse/liste.csv")
    assert done.returncode == 0, done.stderr
    data = (district.root / "kasse" / "liste.xml").read_bytes()
    namespace = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    root = ET.fromstring(data)
    transfers = root.findall(".//p:CdtTrfTxInf", namespace)
    amounts = [Decimal(node.find(".//p:InstdAmt", namespace).text) for node in transfers]
    assert len(transfers) == 3 and all(amount > 0 for amount in amounts)
    assert Decimal(root.find(".//p:GrpHdr/p:CtrlSum", namespace).text) == sum(amounts) == Decimal("338100.00")
    ibans = {node.find(".//p:CdtrAcct//p:IBAN", namespace).text for node in transfers}
    assert ibans == {accounts[ALDINGEN], accounts["08327004"], accounts["08327066"]}
    registry = district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        issued = issued_lists(store)[0]
    from pakt.sync.year._payment_files import list_sepa

    assert list_sepa(issued, registry.payments) == data  # a rerun would write the same bytes


def test_withheld_names_are_listed_once(district):
    _approve_some(district)
    done = pakt(district, "payments", "--dry-run")
    assert done.returncode == 0, done.stderr
    withheld = done.stderr.split("(", 1)[1]
    assert done.stderr.count("Bärenthal") == 1 and "Nicht in der Liste, weil nicht freigegeben (31)" in done.stderr
    assert "und 21 weitere" in withheld


def test_an_earlier_rounds_open_lines_stay_payable_and_show_in_the_master(district):
    _approve_some(district)
    opened = pakt(district, "round", "start", "--stichtag", "30.06.2019", "--keep-open")
    assert opened.returncode == 0, opened.stderr
    from master_reading import sheet_rows

    rows = sheet_rows(district.master, "Auszahlung")
    start = next(i for i, row in enumerate(rows) if row and str(row[0]).startswith("Offen aus früheren Runden"))
    earlier = [row for row in rows[start + 2 :] if row and row[0]]
    assert len(earlier) == 34 and {row[6] for row in earlier} == {"offen", "nicht freigegeben"}
    late = pakt(district, "payments", "--stichtag", "30.06.2018", "--out", "kasse/2018.csv")
    assert late.returncode == 0, late.stderr
    paid = (district.root / "kasse" / "2018.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    assert sorted(line.split(";")[0] for line in paid) == [ALDINGEN, "08327004", "08327066"]
    rows = sheet_rows(district.master, "Auszahlung")
    start = next(i for i, row in enumerate(rows) if row and str(row[0]).startswith("Offen aus früheren Runden"))
    assert len([row for row in rows[start + 2 :] if row and row[0]]) == 31  # the three paid are no longer open
