"""The one place Pakt imports xlwings: licence setting and the choice of decorators.

xlwings' server and file-reader parts are dual-licensed; PolyForm Noncommercial
1.0.0 permits use by a government institution, so Pakt sets
XLWINGS_LICENSE_KEY=noncommercial unless the district configured its own key
(see README, Licences). It must be set before xlwings is first imported, or the
remote Book engine is missing.

Decorators: the Office.js/Apps Script versions from `xlwings.server`, on every
platform, unless `pakt.plugin.desktop` was imported first on Windows (the xlwings
Excel add-in's UDF module, with a local Python): then the classic COM UDF
decorators. The server never depends on an environment variable being set
before Python started (on Windows xlwings' own `xw.func` would be the COM one).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

if sys.platform != "emscripten":
    # xlwings 0.37.8 asks `from pyodide.ffi import JsNull` for every cell it converts
    # (utils.is_jsnull). Outside Pyodide that import fails, slowly: a full sys.path
    # search each time, ~0.1 ms a cell, 100 ms for a 1,000-row range. A None entry
    # in sys.modules makes the same import fail at once, the documented way; for the
    # submodule too, or each failing import still walks the import machinery (~8 µs a cell).
    sys.modules.setdefault("pyodide", None)
    sys.modules.setdefault("pyodide.ffi", None)

import xlwings as xw


def _no_jsnull(value: object) -> bool:
    """Outside Pyodide no value is its JsNull: the answer xlwings' `is_jsnull` gives there (its docstring),
    without a failing import per cell. That probe, even failing at once, was more than a third of a 1,000-row
    call in the app (5.3 against 3.3 ms in-process)."""
    return False


def _skip_jsnull_probes() -> None:
    """Bind `_no_jsnull` where xlwings 0.37 looks `is_jsnull` up for every cell; a version that moved it keeps
    its own probe (slower, not wrong)."""
    import xlwings.conversion.standard as standard
    import xlwings.pro._xlofficejs as officejs
    import xlwings.utils as utils

    for module, name in ((utils, "is_jsnull"), (standard, "is_jsnull"), (officejs, "_is_jsnull")):
        if callable(getattr(module, name, None)):
            setattr(module, name, _no_jsnull)


def _plain_cell(value: object) -> bool:
    """An int, a float that is a number, or a text that is no error code: Office.js takes these as they are.

    Exact types only: a bool, numpy's float64 (a float subclass) and anything else still take xlwings' path."""
    kind = type(value)
    return kind is int or (kind is float and value == value) or (kind is str and not value.startswith("#"))


def _pass_plain_cells() -> None:
    """Let plain numbers and texts through xlwings 0.37's Office.js cell conversion without its per-cell probes.

    For every cell of an argument and of a result it asks pandas and numpy what the value is (`pd.isna`, numpy
    type checks): with pandas installed, more than a third of a 1,000-row call in the app. For a plain int, float or text each of its
    branches hands the value back unchanged (or, for an argument float, through the number builder); that is
    what these wrappers do without asking. Every other value, and every call with options that change a plain
    cell, still goes through xlwings. A version without these members keeps its own conversion."""
    import xlwings.pro._xlofficejs as officejs

    engine = getattr(officejs, "Engine", None)
    prepare = getattr(engine, "prepare_xl_data_element", None)
    clean = getattr(engine, "clean_value_data", None)
    if not (callable(prepare) and callable(clean)):
        return

    def prepare_xl_data_element(value: object, options: dict) -> object:
        return value if _plain_cell(value) else prepare(value, options)

    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        if number_builder is not None:
            return clean(data, datetime_builder, empty_as, number_builder, err_to_str)
        element = officejs._clean_value_data_element
        return [
            [
                cell
                if type(cell) is int or type(cell) is float
                else element(cell, datetime_builder, empty_as, number_builder, err_to_str)
                for cell in row
            ]
            for row in data
        ]

    engine.prepare_xl_data_element = staticmethod(prepare_xl_data_element)
    engine.clean_value_data = staticmethod(clean_value_data)


if sys.platform != "emscripten":
    _skip_jsnull_probes()
_pass_plain_cells()

CLASSIC_DESKTOP = (
    sys.platform.startswith("win")
    and os.environ.get("PAKT_DESKTOP_UDFS") == "1"
    and os.environ.get("XLWINGS_ON_SERVER") != "true"
)

if CLASSIC_DESKTOP:  # pragma: no cover - Windows with Excel and the xlwings add-in only
    arg, func, ret, script = xw.arg, xw.func, xw.ret, xw.script
else:
    from xlwings.server import arg, func, ret, script  # noqa: F401

from xlwings.server import (  # noqa: E402,F401
    custom_functions_call,
    custom_functions_meta,
    custom_scripts_call,
    custom_scripts_meta,
)

Book = xw.Book
XLWINGS_VERSION = xw.__version__
