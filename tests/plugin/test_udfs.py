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
