"""Pakt's shortcuts through xlwings' Office.js cell conversion give what xlwings itself gives, for any cell."""

from __future__ import annotations

import importlib.util
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import xlwings.pro._xlofficejs as officejs
from hypothesis import given
from hypothesis import strategies as st

import pakt.plugin._xlwings  # noqa: F401  (installs the shortcuts)


def _xlwings_own_engine():
    """A fresh copy of xlwings' Office.js engine module, untouched by Pakt."""
    spec = importlib.util.spec_from_file_location("xlwings.pro._xlofficejs_unpatched", officejs.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Engine


OWN = _xlwings_own_engine()
cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["#N/A", "#DIV/0!", "#WERT!", "#", "", "# 3", "Fehler: x"]),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=False, places=2, max_value=10**9, min_value=-(10**9)),
    st.floats(allow_nan=True).map(np.float64),
    st.integers(min_value=-(2**62), max_value=2**62).map(np.int64),
    st.sampled_from([pd.NaT, pd.Timestamp("2024-06-30"), np.datetime64("2024-06-30")]),
    st.sampled_from([{"type": "Error", "basicValue": "#N/A"}, {"type": "Double", "basicValue": 1.5}]),
)


def _same(a, b) -> bool:
    if a is b:
        return True  # NaT is not equal to itself
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    both_nan = isinstance(a, float) and isinstance(b, float) and a != a and b != b
    return type(a) is type(b) and (both_nan or a == b)


@given(cells, st.sampled_from(["1.2", "1.4"]))
def test_a_result_cell_is_sent_as_xlwings_sends_it(value, runtime):
    if isinstance(value, dict):
        return  # not a result a formula returns
    options = {"runtime": runtime, "date_format": "TT.MM.JJJJ"}
    assert _same(officejs.Engine.prepare_xl_data_element(value, options), OWN.prepare_xl_data_element(value, options))


@given(
    st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=4),
    st.sampled_from([None, "", 0]),
    st.sampled_from([None, Decimal, float]),
    st.booleans(),
)
def test_an_argument_range_is_read_as_xlwings_reads_it(grid, empty_as, number_builder, err_to_str):
    ours = officejs.Engine.clean_value_data(grid, None, empty_as, number_builder, err_to_str)
    own = OWN.clean_value_data(grid, None, empty_as, number_builder, err_to_str)
    assert _same(ours, own)


@pytest.mark.parametrize("value", [816, 816.0, "Aldingen", ""])
def test_plain_cells_pass_without_xlwings_probes(value, monkeypatch):
    """The point of the shortcut: a plain number or text never reaches pandas' per-cell probe."""
    monkeypatch.setattr(officejs.pd, "isna", lambda _v: pytest.fail("pandas asked about a plain cell"))
    assert officejs.Engine.prepare_xl_data_element(value, {"runtime": "1.4", "date_format": ""}) == value
    assert officejs.Engine.clean_value_data([[value]], None, None, None, False) == [[value if value != "" else None]]
