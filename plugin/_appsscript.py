"""The Google Apps Script project for a municipality's sheet: Pakt's file, the Prüfen sidebar, xlwings' client,
the manifest.

xlwings' Apps Script client must match the server's xlwings version exactly, so
it is not kept in this repository but copied from the installed xlwings
package (BSD-licensed, notice kept) whenever the project is exported.

The files are written as clasp keeps a project (`clasp push` takes them as they are): server code as
`.gs`, each HTML file as `.html` (its Apps Script name is the file name without the extension, which is
what `HtmlService.createHtmlOutputFromFile` is given), the manifest as `appsscript.json`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ._xlwings import XLWINGS_VERSION, xw

HERE = Path(__file__).parent / "appsscript"


def xlwings_client() -> Path:
    """xlwings' Apps Script client (runPython) from the installed package."""
    return Path(xw.__file__).parent / "js" / "xlwings.js"


def html_files() -> list[Path]:
    """The project's HTML files (the sidebar of Prüfen), in a stable order."""
    return sorted(HERE.glob("*.html"))


def export_appsscript(out_dir: Path) -> list[Path]:
    """Write Pakt.gs, xlwings.gs, the HTML files and appsscript.json: paste or `clasp push` them into the
    sheet's script."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pakt = (HERE / "Pakt.js").read_text(encoding="utf-8")
    if f'PAKT_XLWINGS_VERSION = "{XLWINGS_VERSION}"' not in pakt:
        raise RuntimeError(f"Pakt.js does not name xlwings {XLWINGS_VERSION}; update PAKT_XLWINGS_VERSION")
    pages = html_files()
    written = [
        out_dir / "Pakt.gs",
        out_dir / "xlwings.gs",
        *(out_dir / p.name for p in pages),
        out_dir / "appsscript.json",
    ]
    written[0].write_text(pakt, encoding="utf-8")
    shutil.copyfile(xlwings_client(), written[1])
    for page in pages:
        shutil.copyfile(page, out_dir / page.name)
    shutil.copyfile(HERE / "appsscript.json", written[-1])
    return written
