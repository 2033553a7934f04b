"""The generated sample state: Baden-Württemberg's 44 district masters (figures invented), the sample district
among them, each a real master with its binding; totals that add up; the same seed, the same figures."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from pakt.schemas import CENT, load_registry, parse_a1, parse_reference
from pakt.sync import OVERVIEW_COLUMNS, SHEET_OVERVIEW
from pakt.sync.reader._master_binding import HEADER_NAME, MASTER_BINDING_FIELDS, MASTER_KIND, ROWS_NAME, TOTALS_NAME

REPO = Path(__file__).resolve().parents[1]
HEADERS = {column.key: column.header for column in OVERVIEW_COLUMNS}


def _load_generator():
    """sample_state/generate.py by its path (sample_workbooks/generate.py already owns the name `generate`)."""
    spec = importlib.util.spec_from_file_location("sample_state_generate", REPO / "sample_state" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sample_state = _load_generator()


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return sample_state.generate(tmp_path_factory.mktemp("land"))


@dataclass(frozen=True)
class MasterRead:
    """A district master read back by its defined names: binding values, the Übersicht's rows and totals."""

    binding: dict[str, str]
    rows: list[dict]
    totals: dict


def _cells(values: list[list], reference: str) -> list[list]:
    _, first, last = parse_reference(reference)
    (top, left), (bottom, right) = parse_a1(first), parse_a1(last)
    return [row[left : right + 1] for row in values[top : bottom + 1]]


def read_master(path: Path) -> MasterRead:
    book = openpyxl.load_workbook(path, read_only=True)
    names = {name: defined.attr_text for name, defined in book.defined_names.items()}
    book.close()
    wanted = [field.name for field in MASTER_BINDING_FIELDS] + [HEADER_NAME, ROWS_NAME, TOTALS_NAME]
    assert set(wanted) <= set(names), f"{path.name}: binding names missing"
    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    sheets: dict[str, list[list]] = {}

    def values(reference: str) -> list[list]:
        sheet = parse_reference(reference)[0]
        if sheet not in sheets:
            sheets[sheet] = calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return _cells(sheets[sheet], reference)

    binding = {field.name: values(names[field.name])[0][0] for field in MASTER_BINDING_FIELDS}
    header = values(names[HEADER_NAME])[0]
    rows = [dict(zip(header, row, strict=True)) for row in values(names[ROWS_NAME])]
    totals = dict(zip(header, values(names[TOTALS_NAME])[0], strict=True))
    return MasterRead(binding, rows, totals)


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def overview_values(path: Path) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET_OVERVIEW).to_python()


@pytest.fixture(scope="module")
def read(state) -> dict[str, MasterRead]:
    """Every master of the state, read back once, by district key."""
    return {fact.key: read_master(state.root / fact.master) for fact in sample_state.DISTRICTS}


def masters(read) -> Iterator[tuple[object, MasterRead]]:
    for fact in sample_state.DISTRICTS:
        yield fact, read[fact.key]


def test_the_facts_44_districts_and_1101_municipalities():
    districts = sample_state.DISTRICTS
    assert len(districts) == 44
    kinds = [fact.type for fact in districts]
    assert kinds.count(sample_state.DistrictType.LANDKREIS) == 35
    assert kinds.count(sample_state.DistrictType.STADTKREIS) == 9
    assert sum(fact.municipalities for fact in districts) == 1_101 == sample_state.STATE_MUNICIPALITIES
    keys = [fact.key for fact in districts]
    assert len(set(keys)) == 44 and all(len(k) == 5 and k.startswith("08") and k.isdigit() for k in keys)
    assert {"08111", "08327"} <= set(keys)
    assert all(f.municipalities == 1 for f in districts if f.type is sample_state.DistrictType.STADTKREIS)
    tuttlingen = next(f for f in districts if f.key == "08327")
    assert tuttlingen.name == "Landkreis Tuttlingen" and tuttlingen.municipalities == 35


def test_the_state_registry_lists_every_district_and_says_the_figures_are_invented(state):
    text = state.registry.read_text(encoding="utf-8")
    assert "INVENTED" in text and "erfundene" in text
    data = tomllib.loads(text)
    assert data["district"] == {"name": "Baden-Württemberg", "key": "08"}
    assert data["round"] == {"stichtag": date(2018, 6, 30), "deadline": date(2018, 9, 30), "rules": "pfi-2017-2019"}
    assert data["master"] == {"path": "master/Pakt_Uebersicht_Baden-Wuerttemberg.xlsx"}
    assert data["sources"] == {"folders": ["landkreise"]}
    listed = data["districts"]
    assert [d["key"] for d in listed] == [f.key for f in sample_state.DISTRICTS]
    assert {
        "key": "08327",
        "name": "Landkreis Tuttlingen",
        "master": "landkreise/08327_Landkreis_Tuttlingen.xlsx",
    } in listed
    assert all((state.root / d["master"]).is_file() for d in listed)
    assert sorted(p.name for p in (state.root / "landkreise").iterdir()) == sorted(
        Path(d["master"]).name for d in listed
    )


def test_44_masters_with_binding_and_1101_unique_municipalities(state, read):
    assert len(state.masters) == 44
    seen: list[str] = []
    for fact, master in masters(read):
        binding = master.binding
        assert binding["pakt_master_kind"] == MASTER_KIND
        assert binding["pakt_master_district"] == fact.key
        assert binding["pakt_master_district_name"] == fact.name
        assert binding["pakt_master_stichtag"] == "2018-06-30"
        assert binding["pakt_master_rules"] == "pfi-2017-2019"
        ags = [row[HEADERS["ags"]] for row in master.rows]
        assert len(ags) == fact.municipalities
        assert all(isinstance(a, str) and len(a) == 8 and a.isdigit() and a.startswith(fact.key) for a in ags)
        seen += ags
    assert len(seen) == 1_101 and len(set(seen)) == 1_101


def test_every_totals_row_is_the_sum_of_its_rows_and_matches_expected(state, read):
    expected = state.expected
    for fact, master in masters(read):
        persons = [int(row[HEADERS["persons"]]) for row in master.rows if row[HEADERS["persons"]] != ""]
        allowances = [money(row[HEADERS["allowance_eur"]]) for row in master.rows if row[HEADERS["persons"]] != ""]
        totals = master.totals
        assert int(totals[HEADERS["persons"]]) == sum(persons)
        assert money(totals[HEADERS["allowance_eur"]]) == sum(allowances, Decimal("0.00"))
        district = expected.district(fact.key)
        assert district.persons == int(totals[HEADERS["persons"]])
        assert district.allowance_eur == money(totals[HEADERS["allowance_eur"]])
        assert district.received == len(persons) and district.municipalities == fact.municipalities
        assert all(money(a) == p * Decimal("1225.00") for a, p in zip(allowances, persons, strict=True))
    assert expected.municipalities == 1_101
    assert expected.persons == sum(d.persons for d in expected.districts)
    assert expected.allowance_eur == sum((d.allowance_eur for d in expected.districts), Decimal("0.00"))
    assert expected.received == sum(d.received for d in expected.districts)
    assert sample_state.read_expected(state.root) == expected


def test_the_sample_district_is_synced_for_real(state, read, repo):
    assert (state.root / "landkreise" / "08327_Landkreis_Tuttlingen.xlsx").is_file()
    master = read["08327"]
    assert int(master.totals[HEADERS["persons"]]) == 828
    assert money(master.totals[HEADERS["allowance_eur"]]) == Decimal("1014300.00")
    sample = load_registry(repo / "pakt.toml")
    shown = {row[HEADERS["ags"]]: row[HEADERS["name"]] for row in master.rows}
    assert shown == {m.ags: m.name for m in sample.municipalities}
    assert {row[HEADERS["status"]] for row in master.rows} == {"eingereicht"}
    district = state.expected.district("08327")
    assert (district.persons, district.allowance_eur, district.received) == (828, Decimal("1014300.00"), 35)


def test_every_invented_landkreis_has_something_to_show(state):
    for fact in sample_state.DISTRICTS:
        district = state.expected.district(fact.key)
        if fact.type is sample_state.DistrictType.LANDKREIS and fact.key != "08327":
            assert district.missing >= 1 and district.invalid >= 1, fact.name
            assert district.received < district.municipalities
    cities = [state.expected.district(f.key) for f in sample_state.DISTRICTS if f.municipalities == 1]
    assert any(city.received == 0 for city in cities), "a Stadtkreis that reported nothing"
    assert all(city.persons >= 300 for city in cities if city.received)


def test_the_same_seed_writes_the_same_figures(state, tmp_path):
    again = sample_state.generate(tmp_path / "again")
    assert again.expected == state.expected
    for fact in sample_state.DISTRICTS:
        assert overview_values(again.root / fact.master) == overview_values(state.root / fact.master), fact.name


def test_another_seed_invents_other_figures_but_keeps_the_sample_district(state, tmp_path):
    other = sample_state.generate(tmp_path / "other", seed=7).expected
    assert other.seed == 7 and other.municipalities == 1_101
    assert other.persons != state.expected.persons
    assert other.district("08327") == state.expected.district("08327")
