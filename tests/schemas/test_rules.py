"""Allowance rules are data: bundled files load, a made-up later period loads, bad files are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pakt.schemas import ConfigError, bundled_rule_ids, load_rules, load_rules_file


def test_the_article_period_is_bundled(rules):
    assert rules.name == "Pakt für Integration"
    assert (rules.valid_from, rules.valid_until) == (date(2017, 1, 1), date(2019, 12, 31))
    assert rules.rate_on(date(2018, 6, 30)) == Decimal("1225.00")
    assert [p.paid_on for p in rules.payments] == [date(2017, 12, 15), date(2018, 10, 15)]


def test_a_second_made_up_period_loads_without_code_changes():
    assert "beispiel-2020-2022" in bundled_rule_ids()
    later = load_rules("beispiel-2020-2022")
    assert later.rounding == "ROUND_HALF_EVEN"
    assert later.rate_on(date(2020, 1, 1)) == Decimal("1312.50")
    assert later.rate_on(date(2022, 12, 31)) == Decimal("1387.25")
    assert not later.covers(date(2019, 12, 31))


def test_rules_from_a_file_next_to_the_registry(tmp_path: Path):
    own = tmp_path / "eigene-regeln.toml"
    own.write_text(
        'id = "eigene-2023"\nname = "Eigene Regeln"\nvalid_from = 2023-01-01\nvalid_until = 2023-12-31\n'
        '[[rates]]\nvalid_from = 2023-01-01\nvalid_until = 2023-12-31\nper_person_eur = "999.99"\n',
        encoding="utf-8",
    )
    assert load_rules("eigene-regeln.toml", tmp_path).rate_on(date(2023, 5, 1)) == Decimal("999.99")


def test_overlapping_rates_are_refused_in_german(tmp_path: Path):
    bad = tmp_path / "kaputt.toml"
    bad.write_text(
        'id = "kaputt"\nname = "Kaputt"\nvalid_from = 2023-01-01\nvalid_until = 2023-12-31\n'
        '[[rates]]\nvalid_from = 2023-01-01\nvalid_until = 2023-08-31\nper_person_eur = "1.00"\n'
        '[[rates]]\nvalid_from = 2023-06-01\nvalid_until = 2023-12-31\nper_person_eur = "2.00"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"Die Regeldatei .* ist unvollständig oder fehlerhaft"):
        load_rules_file(bad)


def test_unknown_rules_name_the_bundled_ones():
    with pytest.raises(ConfigError, match=r"pfi-2017-2019"):
        load_rules("gibt-es-nicht")
