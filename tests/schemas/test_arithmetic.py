"""Allowance, distribution and caseload arithmetic: hand-worked cases and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakt.schemas import (
    DistributionError,
    RulesError,
    caseload,
    largest_remainder,
    load_rules,
    per_head_allowance,
    share_fte,
)


def test_allowance_is_persons_times_rate_to_the_cent(rules):
    assert per_head_allowance(816, date(2018, 6, 30), rules) == Decimal("999600.00")
    assert per_head_allowance(1, date(2017, 1, 1), rules) == Decimal("1225.00")
    assert per_head_allowance(0, date(2019, 12, 31), rules) == Decimal("0.00")


def test_allowance_outside_the_period_says_so_in_german(rules):
    with pytest.raises(RulesError, match=r"Für den 31.12.2016 gilt keine Pro-Kopf-Pauschale"):
        per_head_allowance(10, date(2016, 12, 31), rules)


def test_allowance_follows_the_rate_in_force_on_the_day():
    later = load_rules("beispiel-2020-2022")
    assert per_head_allowance(3, date(2021, 6, 30), later) == Decimal("3937.50")
    assert per_head_allowance(3, date(2021, 7, 1), later) == Decimal("4161.75")


def test_negative_persons_are_refused(rules):
    with pytest.raises(ValueError):
        per_head_allowance(-1, date(2018, 6, 30), rules)


def test_largest_remainder_textbook_case():
    # quotas 7.2, 1.9, 0.9: floors 7+1+0 = 8, the two seats left go to the two largest remainders
    assert largest_remainder({"A": 720, "B": 190, "C": 90}, 10) == {"A": 7, "B": 2, "C": 1}


def test_tied_remainders_go_to_the_larger_weight_first():
    # quotas 0.5 and 1.5: equal remainders, the larger municipality wins the seat
    assert largest_remainder({"klein": 1, "gross": 3}, 2) == {"klein": 0, "gross": 2}


def test_fully_tied_remainders_follow_the_given_order():
    assert largest_remainder({"a": 1, "b": 1, "c": 1}, 2) == {"a": 1, "b": 1, "c": 0}


@settings(max_examples=300)
@given(st.lists(st.integers(0, 5_000), max_size=40), st.integers(0, 400))
def test_counts_are_shared_exactly_as_the_fractions_share_them(persons, seats):
    """Whole-number weights (persons) take an integer way; the same weights as Decimals take the exact
    fractions. Both must give every municipality the same seats, ties included."""
    counts = {f"g{i}": count for i, count in enumerate(persons)}
    as_decimals = {key: Decimal(count) for key, count in counts.items()}
    try:
        expected = largest_remainder(as_decimals, seats)
    except DistributionError:
        with pytest.raises(DistributionError):
            largest_remainder(counts, seats)
        return
    assert largest_remainder(counts, seats) == expected
    assert sum(expected.values()) == seats


def test_share_fte_in_steps_of_five_hundredths():
    shares = share_fte({"Aldingen": 44, "Denkingen": 15, "Frittlingen": 14}, Decimal("1.00"))
    # quotas in steps: 12.05, 4.11, 3.84 -> 12 + 4 + 3 = 19, the last step goes to Frittlingen (.84)
    assert shares == {"Aldingen": Decimal("0.60"), "Denkingen": Decimal("0.20"), "Frittlingen": Decimal("0.20")}


def test_one_municipality_gets_everything():
    assert share_fte({"Tuttlingen": 226}, Decimal("11.00")) == {"Tuttlingen": Decimal("11.00")}


def test_municipality_without_persons_gets_nothing():
    shares = share_fte({"Irndorf": 0, "Talheim": 8, "Gunningen": 4}, Decimal("0.60"))
    assert shares == {"Irndorf": Decimal("0.00"), "Talheim": Decimal("0.40"), "Gunningen": Decimal("0.20")}


def test_nobody_with_persons_shares_equally():
    shares = share_fte({"a": 0, "b": 0}, Decimal("0.10"))
    assert shares == {"a": Decimal("0.05"), "b": Decimal("0.05")}


def test_positions_not_in_steps_are_refused_in_german():
    with pytest.raises(DistributionError, match=r"nicht in Schritten von 0,05 VZÄ"):
        share_fte({"a": 1}, Decimal("1.02"))


def test_positions_without_anyone_to_share_with_are_refused():
    with pytest.raises(DistributionError):
        share_fte({}, Decimal("1.00"))


def test_caseload_is_persons_per_position():
    assert caseload(828, Decimal("11.00")) == Decimal("75.3")
    assert caseload(5, Decimal("0.05")) == Decimal("100.0")
    assert caseload(12, Decimal("0")) is None


persons_maps = st.dictionaries(
    keys=st.text(alphabet="abcdefghij", min_size=1, max_size=4),
    values=st.integers(min_value=0, max_value=5000),
    min_size=1,
    max_size=40,
)
fte_totals = st.integers(min_value=0, max_value=2000).map(lambda steps: Decimal(steps) * Decimal("0.05"))


@settings(max_examples=300, deadline=None)
@given(persons=persons_maps, total=fte_totals)
def test_shares_always_add_up_to_the_district_total(persons, total):
    shares = share_fte(persons, total)
    assert sum(shares.values()) == total
    assert set(shares) == set(persons)
    assert all(share >= 0 and (share / Decimal("0.05")) % 1 == 0 for share in shares.values())


@settings(max_examples=300, deadline=None)
@given(persons=persons_maps, total=fte_totals)
def test_shares_stay_within_one_step_of_the_exact_quota(persons, total):
    shares = share_fte(persons, total)
    everyone = sum(persons.values())
    for key, share in shares.items():
        exact = total * persons[key] / everyone if everyone else total / len(persons)
        assert abs(share - exact) < Decimal("0.05")


@settings(max_examples=300, deadline=None)
@given(persons=persons_maps, total=fte_totals)
def test_more_persons_never_means_fewer_positions(persons, total):
    shares = share_fte(persons, total)
    for a in persons:
        for b in persons:
            if persons[a] > persons[b]:
                assert shares[a] >= shares[b]
