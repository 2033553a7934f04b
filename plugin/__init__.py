"""The spreadsheet side of Pakt: what clerks and district staff see in Excel and Google Sheets.

    write_templates(...)     the submission workbooks (template generator, XlsxWriter)
    pakt.plugin.udfs         the PAKT formulas (xlwings server functions, or classic desktop UDFs)
    pakt.plugin.scripts      the buttons: Prüfen, Einreichen (clerks), Aktualisieren (district staff)
    pakt.plugin.server       the add-in server (FastAPI): manifest, task pane, formula and script calls
    export_appsscript(...)   the Apps Script files for Google Sheets
    TokenStore               the access keys the server checks

Aktualisieren needs the sync service, which this package never imports: the
package root passes it in as a `Refresh` function (see pakt._server).
"""

from ._appsscript import export_appsscript
from ._origins import PublicUrlRefused, check_public_url
from ._refresh import Refresh, Refreshed, SheetReader
from ._template import (
    PREFILLED_FIELDS,
    Binding,
    build_workbook_bytes,
    normalise_zip,
    workbook_filename,
    write_templates,
    write_workbook,
)
from ._tokens import Principal, Role, TokenStore

__all__ = [
    "PREFILLED_FIELDS",
    "Binding",
    "Principal",
    "PublicUrlRefused",
    "Refresh",
    "Refreshed",
    "Role",
    "SheetReader",
    "TokenStore",
    "build_workbook_bytes",
    "check_public_url",
    "export_appsscript",
    "normalise_zip",
    "workbook_filename",
    "write_templates",
    "write_workbook",
]
