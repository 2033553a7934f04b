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


if sys.platform != "emscripten":
    _skip_jsnull_probes()

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
