"""The Google Apps Script project for a municipality's sheet: Pakt's file, xlwings' client, the manifest.

xlwings' Apps Script client must match the server's xlwings version exactly, so
it is not kept in this repository but copied from the installed xlwings
package (BSD-licensed, notice kept) whenever the project is exported.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ._xlwings import XLWINGS_VERSION, xw

HERE = Path(__file__).parent / "appsscript"


def xlwings_client() -> Path:
    """xlwings' Apps Script client (runPython) from the installed package."""
    return Path(xw.__file__).parent / "js" / "xlwings.js"


def export_appsscript(out_dir: Path) -> list[Path]:
    """Write Pakt.gs, xlwings.gs and appsscript.json: paste or `clasp push` them into the sheet's script."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pakt = (HERE / "Pakt.js").read_text(encoding="utf-8")
    if f'PAKT_XLWINGS_VERSION = "{XLWINGS_VERSION}"' not in pakt:
        raise RuntimeError(f"Pakt.js does not name xlwings {XLWINGS_VERSION}; update PAKT_XLWINGS_VERSION")
    written = [out_dir / "Pakt.gs", out_dir / "xlwings.gs", out_dir / "appsscript.json"]
    written[0].write_text(pakt, encoding="utf-8")
    shutil.copyfile(xlwings_client(), written[1])
    shutil.copyfile(HERE / "appsscript.json", written[2])
    return written
