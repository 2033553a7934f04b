"""Values as spreadsheets store them become proper Python values, or a precise German complaint."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from pakt.schemas import Unreadable
from pakt.schemas._normalize import to_ags, to_bool, to_date, to_decimal, to_int, to_text


@pytest.mark.parametrize(
    "raw, expected",
    [(12, 12), (12.0, 12), ("12", 12), (" 12 ", 12), ("12\u00a0", 12), ("1.234", 1234), ("12,0", 12)],
)
def test_whole_numbers(raw, expected):
    assert to_int(raw) == expected


@pytest.mark.parametrize("raw", ["zwölf", 12.5, "12,5", True, "#DIV/0!"])
def test_not_whole_numbers(raw):
    with pytest.raises(Unreadable):
        to_int(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (0.1, Decimal("0.1")),
        (1234.56, Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("1234,56 €", Decimal("1234.56")),
        ("0,75", Decimal("0.75")),
        ("0.75", Decimal("0.75")),
        ("1,234.56", Decimal("1234.56")),
        ("-50", Decimal("-50")),
    ],
)
def test_decimals_with_german_and_english_separators(raw, expected):
    assert to_decimal(raw) == expected


def test_float_noise_of_formula_results_is_rounded_away():
    assert to_decimal(0.1 + 0.2) == Decimal("0.3")
    assert to_decimal(120 * 3.51) == Decimal("421.2")
    assert to_decimal(1225.1) == Decimal("1225.1")
    assert to_decimal(1 / 3) == Decimal("0.333333333")


@pytest.mark.parametrize(
    "raw, expected",
    [
        (43281, date(2018, 6, 30)),
        (43281.0, date(2018, 6, 30)),
        (datetime(2018, 6, 30, 0, 0), date(2018, 6, 30)),
        ("30.06.2018", date(2018, 6, 30)),
        ("30.6.18", date(2018, 6, 30)),
        ("2018-06-30", date(2018, 6, 30)),
        (" 30.06.2018 ", date(2018, 6, 30)),
    ],
)
def test_dates_from_serials_datetimes_and_text(raw, expected):
    assert to_date(raw) == expected


def test_impossible_date_names_the_value():
    with pytest.raises(Unreadable, match=r"„31.02.2018“ ist kein gültiges Datum"):
        to_date("31.02.2018")


def test_ags_number_that_lost_its_leading_zero_gets_it_back():
    assert to_ags(8327002.0) == "08327002"
    assert to_ags("08 327 002") == "08327002"
    assert to_ags("08327002") == "08327002"


def test_yes_no_and_text():
    assert to_bool("Ja") is True and to_bool("nein") is False and to_bool(True) is True
    with pytest.raises(Unreadable):
        to_bool("vielleicht")
    assert to_text("  Frau   Maier ") == "Frau Maier"
    assert to_text(7461.0) == "7461"
