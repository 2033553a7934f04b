"""The spreadsheet side of Pakt: what clerks and district staff see in Excel and Google Sheets.

    write_templates(...)     the submission workbooks (template generator, XlsxWriter)
    pakt.plugin.udfs         the PAKT formulas (xlwings server functions, or classic desktop UDFs)
    pakt.plugin.scripts      the buttons: Prüfen, Einreichen (clerks), Aktualisieren (district staff)
    pakt.plugin.server       the add-in server (FastAPI): manifest, task pane, formula and script calls
    export_appsscript(...)   the Apps Script files for Google Sheets
    build_extension(...)     the LibreOffice extension (.oxt): Prüfen and Einreichen in Calc
    TokenStore               the access keys the server checks

Aktualisieren needs the sync service, which this package never imports: the
package root passes it in as a `Refresh` function (see pakt._server).
"""

from pakt.schemas._lazy import lazy_exports

_EXPORTS = {
    "._appsscript": ["export_appsscript"],
    "._oxt": ["build_extension"],
    "._origins": ["PublicUrlRefused", "check_public_url"],
    "._refresh": ["Refresh", "Refreshed", "SheetReader"],
    "._template": [
        "PREFILLED_FIELDS",
        "Binding",
        "build_workbook_bytes",
        "normalise_zip",
        "workbook_filename",
        "write_templates",
        "write_workbook",
    ],
    "._tokens": ["Principal", "Role", "TokenStore"],
}
"""Where each public name lives; imported on first use (see pakt.schemas._lazy)."""

__all__ = [name for names in _EXPORTS.values() for name in names]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
