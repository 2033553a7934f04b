"""The PAKT formulas as classic desktop UDFs, for the xlwings Excel add-in on a Windows PC with Python.

For district staff who keep their own calculation workbooks (.xlsm), not for
clerks: in the xlwings ribbon, UDF Modules = `pakt.plugin.desktop`, then Import
Functions (the guides under docs/). Importing this
module first is what makes the formulas classic COM UDFs; everywhere else
(`pakt serve`, uvicorn workers, tests) they are the add-in server's functions,
whatever the platform.
"""

import os

os.environ.setdefault("PAKT_DESKTOP_UDFS", "1")

from .udfs import ags_pruefen, fallzahl, im_anteil, im_verteilung, pauschale, satz

__all__ = ["ags_pruefen", "fallzahl", "im_anteil", "im_verteilung", "pauschale", "satz"]
