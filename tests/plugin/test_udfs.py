"""The formulas' reading of a head count: whatever a cell holds, the same answer as the general number reader."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pakt.plugin.udfs as udfs
from pakt.schemas._normalize import Unreadable, to_int


def _general(value) -> int | None:
    """What the general reader makes of a count (None: refused), with the formula's limits."""
    try:
        number = to_int(value)
    except Unreadable:
        return None
    return number if 0 <= number <= udfs.MAX_PERSONS else None


def _formula(value) -> int | None:
    try:
        return udfs._count(value, "Personen")
    except udfs.FormulaError:
        return None


@given(
    st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=0, max_value=10**9).map(float),
        st.booleans(),
    )
)
def test_a_count_is_read_as_the_general_reader_reads_it(value):
    assert _formula(value) == _general(value)


@pytest.mark.parametrize("value", [816.0, 0, 12.5, -1.0, 1e30, True, "44", Decimal("44.0")])
def test_typical_cells(value):
    assert _formula(value) == _general(value)


def test_a_gap_between_rates_is_said_in_each_counted_cell_and_blanks_stay_blank():
    from datetime import date

    from pakt.plugin._context import FormulaContext, use
    from pakt.schemas import Rate, RuleSet

    rules = RuleSet(
        id="mit-luecke",
        name="Zeitraum mit Lücke",
        valid_from=date(2024, 1, 1),
        valid_until=date(2024, 12, 31),
        rates=(
            Rate(valid_from=date(2024, 1, 1), valid_until=date(2024, 5, 31), per_person_eur=Decimal("100.00")),
            Rate(valid_from=date(2024, 7, 1), valid_until=date(2024, 12, 31), per_person_eur=Decimal("110.00")),
        ),
    )
    with use(FormulaContext(rules=(rules,))):
        in_gap = udfs.pauschale([[3], [None], ["x"]], date(2024, 6, 15))
        after = udfs.pauschale([[3], [None]], date(2024, 7, 1))
    gap = "Fehler: Für den 15.06.2024 gilt keine Pro-Kopf-Pauschale"
    assert in_gap[0][0].startswith(gap) and in_gap[1] == [""]
    assert "ganze Zahl" in in_gap[2][0]  # an unreadable count is named first, as for any day
    assert after == [[330.0], [""]]
