"""The form tells the clerk what matters: the deadline, the rate in force on the Stichtag, and the allowance
the entered persons lead to, computed by the workbook itself (a native formula, no add-in)."""

from __future__ import annotations

import math
import random
import tomllib
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import libreoffice
import openpyxl
import pytest

from pakt.plugin import Binding, build_workbook_bytes, write_templates
from pakt.schemas import (
    BINDING_FIELDS,
    CENT,
    STAFF_RANGE,
    CheckContext,
    ConfigError,
    District,
    ImMode,
    Municipality,
    RulesError,
    RuleSet,
    bundled_rule_ids,
    check,
    field_by_path,
    format_eur,
    input_fields,
    load_registry,
    load_rules,
    municipal_figures,
    per_head_allowance,
    read_draft,
)
from pakt.schemas._rules import Rounding
from pakt.sync import open_workbook_file

DISTRICT = District(name="Landkreis Tuttlingen", key="08327")
ALDINGEN = Municipality(ags="08327002", name="Aldingen", im_mode=ImMode.SELBST)
PERSONS = field_by_path(("persons", "total"))
DEADLINE_LABEL, RATE_LABEL, ALLOWANCE_LABEL = (
    "Abgabefrist",
    "Pro-Kopf-Pauschale je Person",
    "Pro-Kopf-Pauschale der Gemeinde",
)

RATE_CHANGE_TOML = """
id = "test-satzwechsel"
name = "Pakt für Integration (Test mit Satzwechsel)"
valid_from = 2023-01-01
valid_until = 2024-12-31
rounding = "{rounding}"

[[rates]]
valid_from = 2023-01-01
valid_until = 2023-12-31
per_person_eur = "1225.00"

[[rates]]
valid_from = 2024-01-01
valid_until = 2024-12-31
per_person_eur = "{rate}"
"""
"""A period whose rate changes on 01.01.2024; 1.225,05 € x 3 is 3675.1499999999996 in binary floating point."""


def rules_file(folder: Path, rounding: str = "ROUND_DOWN", rate: str = "1225.05") -> Path:
    path = folder / f"regeln-{rounding.lower()}-{rate}.toml"
    path.write_text(RATE_CHANGE_TOML.format(rounding=rounding, rate=rate), encoding="utf-8")
    return path


def registry_file(folder: Path, rules: str, stichtag: date, deadline: date | None) -> Path:
    """A one-municipality registry whose round uses `rules` (a bundled id or a TOML path)."""
    lines = [
        "[district]",
        f'name = "{DISTRICT.name}"',
        f'key = "{DISTRICT.key}"',
        "[round]",
        f"stichtag = {stichtag.isoformat()}",
        *([f"deadline = {deadline.isoformat()}"] if deadline else []),
        f'rules = "{rules}"',
        "[[municipalities]]",
        f'ags = "{ALDINGEN.ags}"',
        f'name = "{ALDINGEN.name}"',
        f'im_mode = "{ALDINGEN.im_mode.value}"',
    ]
    path = folder / "pakt.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row_of(sheet, label: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == label)


def key_figures(path: Path) -> dict[str, openpyxl.cell.Cell]:
    """The value cells beside the key figures' labels on Meldung (found by label, as a clerk finds them)."""
    sheet = openpyxl.load_workbook(path)[PERSONS.sheet]
    return {label: sheet.cell(_row_of(sheet, label), 2) for label in (DEADLINE_LABEL, RATE_LABEL, ALLOWANCE_LABEL)}


def help_text(path: Path) -> str:
    sheet = openpyxl.load_workbook(path)["Hinweise"]
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def filled(persons: int) -> dict[tuple[str, ...], object]:
    """What a clerk types for a submission that validates: contact, persons and their ages."""
    return {
        ("header", "contact_person"): "Anna Maier",
        ("header", "email"): "integration@aldingen.example",
        ("header", "phone"): "07424 8820",
        ("persons", "total"): persons,
        ("persons", "by_age", "from_27_to_64"): persons,
    }


# -- the Hinweise sheet and the key figures ---------------------------------------------------------


@pytest.mark.parametrize(
    ("stichtag", "in_force", "not_in_force"),
    [(date(2022, 6, 30), "1.387,25 €", "1.312,50 €"), (date(2020, 6, 30), "1.312,50 €", "1.387,25 €")],
)
def test_hinweise_and_meldung_show_the_rate_in_force_on_the_stichtag(tmp_path, stichtag, in_force, not_in_force):
    rules = load_rules("beispiel-2020-2022")
    assert len(rules.rates) == 2  # the bundled example changes its rate on 01.07.2021
    path = tmp_path / "meldung.xlsx"
    path.write_bytes(build_workbook_bytes(Binding(DISTRICT, rules, stichtag, ALDINGEN, date(2022, 7, 31))))
    text = help_text(path)
    assert f"Pro-Kopf-Pauschale am Stichtag {stichtag:%d.%m.%Y}: {in_force} je Person" in text
    assert f"Pro-Kopf-Pauschale am Stichtag {stichtag:%d.%m.%Y}: {not_in_force}" not in text
    assert "Der Satz ändert sich im Förderzeitraum" in text and "Maßgeblich ist der Satz am Stichtag" in text
    assert "Abgabefrist 31.07.2022" in text
    rate = key_figures(path)[RATE_LABEL]
    assert Decimal(str(rate.value)) == rules.rate_on(stichtag)
    assert "€" in rate.number_format


def test_meldung_shows_deadline_rate_and_allowance_formula_at_the_top(tmp_path):
    registry = registry_file(tmp_path, str(rules_file(tmp_path)), date(2024, 6, 30), date(2024, 7, 31))
    written = write_templates(load_registry(registry), tmp_path / "vorlagen")
    for path in written:
        figures = key_figures(path)
        sheet = figures[DEADLINE_LABEL].parent
        assert all(cell.row < _row_of(sheet, PERSONS.label) for cell in figures.values())
        deadline = figures[DEADLINE_LABEL]
        assert deadline.value.date() == date(2024, 7, 31) and "DD.MM.YYYY" in deadline.number_format
        assert figures[RATE_LABEL].value == 1225.05  # the rate from 01.01.2024, not the period's first
        allowance = figures[ALLOWANCE_LABEL]
        assert allowance.value.startswith(f"=ROUND({PERSONS.name}*") and allowance.value.endswith(",2)")
        assert "€" in allowance.number_format
        assert all(cell.protection.locked for cell in figures.values())
        assert sheet.protection.sheet


def test_a_round_without_deadline_says_so(tmp_path):
    registry = registry_file(tmp_path, "pfi-2017-2019", date(2018, 6, 30), None)
    path = write_templates(load_registry(registry), tmp_path / "vorlagen")[1]
    assert key_figures(path)[DEADLINE_LABEL].value == "nicht festgelegt"
    assert "Abgabefrist" not in help_text(path)


def test_key_figures_are_shown_never_read(tmp_path):
    """No defined name points at them: the reader, the binding and Google's named ranges see only inputs."""
    path = tmp_path / "meldung.xlsx"
    path.write_bytes(build_workbook_bytes(Binding(DISTRICT, load_rules("pfi-2017-2019"), date(2018, 6, 30), ALDINGEN)))
    names = set(open_workbook_file(path).defined_names())
    assert names == {f.name for f in input_fields()} | {b.name for b in BINDING_FIELDS} | {STAFF_RANGE}
    draft = read_draft(open_workbook_file(path))
    assert {f.code.value for f in draft.findings} == {"PFLICHTFELD"}  # a blank form, nothing else


def test_cached_allowance_is_what_python_computes_for_the_persons_written(tmp_path):
    """Excel shows cached values until it recalculates, and our readers of other runtimes see them."""
    rules = load_rules("pfi-2017-2019")
    stichtag = date(2018, 6, 30)
    blank, with_persons = tmp_path / "leer.xlsx", tmp_path / "voll.xlsx"
    blank.write_bytes(build_workbook_bytes(Binding(DISTRICT, rules, stichtag, ALDINGEN)))
    with_persons.write_bytes(build_workbook_bytes(Binding(DISTRICT, rules, stichtag, ALDINGEN), filled(44)))

    def cached(path: Path) -> float:
        sheet = openpyxl.load_workbook(path, data_only=True)[PERSONS.sheet]
        return sheet.cell(_row_of(sheet, ALLOWANCE_LABEL), 2).value

    assert cached(blank) == 0
    assert Decimal(str(cached(with_persons))) == per_head_allowance(44, stichtag, rules) == Decimal("53900.00")


def test_a_stichtag_without_a_rate_writes_no_form(tmp_path):
    registry = registry_file(tmp_path, "pfi-2017-2019", date(2020, 6, 30), None)
    with pytest.raises(RulesError, match=r"Für den 30\.06\.2020 gilt keine Pro-Kopf-Pauschale"):
        write_templates(load_registry(registry), tmp_path / "vorlagen")
    assert not (tmp_path / "vorlagen").exists()


# -- why one ROUND matches every rounding mode ------------------------------------------------------


def test_rules_refuse_a_rate_with_more_than_two_decimals(tmp_path):
    with pytest.raises(ConfigError, match="unvollständig oder fehlerhaft"):
        load_rules(str(rules_file(tmp_path, rate="1225.055")))


def _cent_rates_and_counts() -> list[tuple[Decimal, int]]:
    draw = random.Random(14)
    bundled = [r.per_person_eur for ref in ("pfi-2017-2019", "beispiel-2020-2022") for r in load_rules(ref).rates]
    rates = bundled + [Decimal(draw.randint(1, 9_999_999)) / 100 for _ in range(300)]
    counts = [0, 1, 3, 7, 1_000_000] + [draw.randint(0, 1_000_000) for _ in range(30)]
    return [(rate, count) for rate in rates for count in counts]


def test_persons_times_a_cent_rate_is_whole_cents_so_every_rounding_mode_agrees():
    """The exact product never needs rounding, and the spreadsheet's binary product is far less than half a
    cent from it: rounding to the nearest cent (ROUND) gives Python's figure whatever the rules' mode."""
    modes = typing.get_args(Rounding)  # the rules' names are the decimal module's rounding constants
    for rate, count in _cent_rates_and_counts():
        exact = rate * count
        assert {exact.quantize(CENT, rounding=mode) for mode in modes} == {exact}
        binary = Decimal(float(rate) * count)
        assert abs(binary - exact) < Decimal("0.0001"), (rate, count)
        assert Decimal(str(round(float(rate) * count, 2))) == exact


def test_rounding_down_in_binary_floating_point_would_lose_a_cent(tmp_path):
    """Why the form never uses ROUNDDOWN, even for rules that round down."""
    rules = load_rules(str(rules_file(tmp_path, rounding="ROUND_DOWN")))
    python = per_head_allowance(3, date(2024, 6, 30), rules)
    assert python == Decimal("3675.15")
    assert math.floor(1225.05 * 3 * 100) / 100 == 3675.14  # what rounding down the binary product gives


# -- LibreOffice recalculates the formula to Python's figure -------------------------------------------


def _cases(folder: Path) -> list[tuple[str, RuleSet, date]]:
    """Rules of all three rounding modes, two of them with a rate that changes before the Stichtag."""
    return [
        ("down", load_rules(str(rules_file(folder, "ROUND_DOWN"))), date(2024, 6, 30)),
        ("even", load_rules("beispiel-2020-2022"), date(2022, 6, 30)),
        ("up", load_rules(str(rules_file(folder, "ROUND_HALF_UP", "1226.33"))), date(2024, 6, 30)),
        ("pfi", load_rules("pfi-2017-2019"), date(2018, 6, 30)),
    ]


GOLDEN = tomllib.loads((Path(__file__).parents[1] / "golden" / "formulas.toml").read_text(encoding="utf-8"))["case"]
SAMPLE_STICHTAG = date(2018, 6, 30)
"""The golden table's default Stichtag (the sample registry's round)."""


def _golden_forms() -> list[tuple[str, RuleSet, date, int, Decimal]]:
    """PAUSCHALE's golden cases a form can show: one whole count of persons on a Stichtag a bundled period
    covers, with the cell PAKT.PAUSCHALE gives for it."""
    periods = [load_rules(ref) for ref in bundled_rule_ids()]
    found = []
    for case in GOLDEN:
        if case["func"] != "pauschale" or not isinstance(case["args"][0], int) or case["args"][0] < 0:
            continue
        day = date.fromisoformat(case["args"][1]["date"]) if len(case["args"]) > 1 else SAMPLE_STICHTAG
        rules = next((r for r in periods if r.covers(day)), None)
        if rules is not None:
            found.append((case["name"], rules, day, case["args"][0], Decimal(str(case["expected"][0][0]))))
    return found


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_allowance_to_pythons_figure_to_the_cent(tmp_path):
    """The form's native formula (the fallback wherever the add-in is missing, and the only formula the form
    has: see _key_figures) gives Python's figure, and PAKT.PAUSCHALE's answer in the golden table."""
    counts = [None, 0, 1, 3, 13, 226, 999_999]
    expected: dict[str, Decimal] = {}
    paths: list[Path] = []
    golden = _golden_forms()
    assert len(golden) >= 6
    for number, (name, rules, stichtag, count, cell) in enumerate(golden):
        assert per_head_allowance(count, stichtag, rules) == cell, name  # Python and the golden table agree
        path = tmp_path / f"golden-{number}.xlsx"
        path.write_bytes(build_workbook_bytes(Binding(DISTRICT, rules, stichtag, ALDINGEN), filled(count)))
        paths.append(path)
        expected[path.name] = cell
    for key, rules, stichtag in _cases(tmp_path):
        binding = Binding(DISTRICT, rules, stichtag, ALDINGEN, date(2024, 7, 31))
        assert rules.rate_on(stichtag) != rules.rates[0].per_person_eur or key == "pfi"
        for count in counts:
            path = tmp_path / f"{key}-{count}.xlsx"
            path.write_bytes(build_workbook_bytes(binding, filled(count) if count is not None else None))
            paths.append(path)
            if count is None:
                expected[path.name] = Decimal("0.00")
                continue
            draft = read_draft(open_workbook_file(path))
            result = check(draft, CheckContext(rules=rules))
            assert result.submission is not None, [f.line() for f in result.findings]
            expected[path.name] = municipal_figures(result.submission, rules).allowance_eur
    recalculated = libreoffice.recalc_all(paths, tmp_path)
    assert expected["down-3.xlsx"] == Decimal("3675.15") and expected["even-999999.xlsx"] == Decimal("1387248612.75")
    for name, allowance in expected.items():
        cells = recalculated[name][PERSONS.sheet]
        formula = next(c for c in cells.values() if "ROUND(" in c["formula"] and PERSONS.name in c["formula"])
        assert formula["error"] == 0, name
        assert Decimal(str(formula["value"])).quantize(CENT) == allowance, name
        assert abs(Decimal(str(formula["value"])) - allowance) < Decimal("0.000001"), name
        assert formula["text"] == format_eur(allowance), name  # shown in German, to the cent
    for name, sheets in recalculated.items():  # no #NAME? or any other error, and nothing needs the add-in
        cells = [cell for sheet in sheets.values() for cell in sheet.values()]
        assert all(cell["error"] == 0 for cell in cells), name
        assert not [cell["formula"] for cell in cells if "PAUSCHALE" in cell["formula"].upper()], name
