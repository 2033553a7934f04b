"""Open Pakt's ODS form in LibreOffice through UNO and report what a clerk's LibreOffice makes of it.

    python3 tests/uno_ods_template.py inspect SRC OUT.json          names, drop-downs, protection, formats
    python3 tests/uno_ods_template.py fill SRC VALUES.json OUT.json  type values into named cells, recalculate

Runs under the system Python (Debian's python3-uno), like uno_tasks.py, whose
Office it uses; it imports nothing from Pakt.
"""

from __future__ import annotations

import json
import sys

import uno
from uno_tasks import Office, _recalculated

VALIDATION_TYPES = {
    "ANY": "any",
    "WHOLE": "whole",
    "DECIMAL": "decimal",
    "DATE": "date",
    "TIME": "time",
    "TEXT_LEN": "length",
    "LIST": "list",
    "CUSTOM": "custom",
}


def _enum(value) -> str:
    return getattr(value, "value", str(value))


def _cell_report(doc, cell) -> dict:
    validation = cell.Validation
    number_format = doc.NumberFormats.getByKey(cell.NumberFormat)
    return {
        "address": cell.AbsoluteName.replace("$", ""),
        "locked": cell.CellProtection.IsLocked,
        "number_format": number_format.FormatString,
        "validation": {
            "type": VALIDATION_TYPES.get(_enum(validation.Type), _enum(validation.Type)),
            "operator": _enum(validation.Operator),
            "formula1": validation.getFormula1(),
            "formula2": validation.getFormula2(),
            "input_title": validation.InputTitle,
            "input_message": validation.InputMessage,
            "show_input": validation.ShowInputMessage,
            "error_title": validation.ErrorTitle,
            "error_message": validation.ErrorMessage,
            "show_error": validation.ShowErrorMessage,
            "alert": _enum(validation.ErrorAlertStyle),
            "show_list": validation.ShowList,
            "ignore_blank": validation.IgnoreBlankCells,
        },
        "string": cell.getString(),
    }


def _sheet_report(doc, sheet) -> dict:
    page = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
    return {
        "visible": sheet.IsVisible,
        "protected": sheet.isProtected(),
        "landscape": page.IsLandscape,
        "pages_wide": page.ScaleToPagesX,
        "page_width_mm": round(page.Width / 100),
        "a1_locked": sheet.getCellByPosition(0, 0).CellProtection.IsLocked,
    }


def inspect(src, out):
    """Everything a clerk's LibreOffice shows of the form, by name and by cell."""
    with Office() as office:
        doc = office.open(src)
        names = {}
        for name in doc.NamedRanges.ElementNames:
            named = doc.NamedRanges.getByName(name)
            cells = named.getReferredCells()
            names[name] = {
                "content": named.getContent(),
                "sheet": cells.Spreadsheet.Name if cells is not None else None,
                "cell": _cell_report(doc, cells.getCellByPosition(0, 0)) if cells is not None else None,
            }
        databases, staff_rows = {}, {}
        for name in doc.DatabaseRanges.ElementNames:
            area = doc.DatabaseRanges.getByName(name).DataArea
            sheet = doc.Sheets.getByIndex(area.Sheet)
            block = sheet.getCellRangeByPosition(area.StartColumn, area.StartRow, area.EndColumn, area.EndRow)
            databases[name] = block.AbsoluteName.replace("$", "")
            for row in (area.StartRow, area.StartRow + 1, area.EndRow):  # the header, the first and the last row
                cells = range(area.StartColumn, area.EndColumn + 1)
                staff_rows[row + 1] = [_cell_report(doc, sheet.getCellByPosition(col, row)) for col in cells]
        sheets = {sheet.Name: _sheet_report(doc, sheet) for sheet in doc.Sheets}
        for sheet in doc.Sheets:  # a protection without a password: unprotect("") lifts it (not saved)
            sheet.unprotect("")
            sheets[sheet.Name]["unprotected_without_password"] = not sheet.isProtected()
        report = {
            "sheets": list(doc.Sheets.ElementNames),
            "sheet": sheets,
            "names": names,
            "databases": databases,
            "staff_rows": staff_rows,
            "active": doc.CurrentController.ActiveSheet.Name,
        }
        doc.close(True)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=1)


def fill(src, values_file, out):
    """Type values into named cells as a clerk does (numbers as numbers, text as text), recalculate, and
    report every formula cell; the document is also saved beside OUT as .ods (the clerk's filled form)."""
    with open(values_file, encoding="utf-8") as handle:
        values = json.load(handle)
    with Office() as office:
        doc = office.open(src)
        for name, value in values.items():
            cell = doc.NamedRanges.getByName(name).getReferredCells().getCellByPosition(0, 0)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        saved = out.rsplit(".", 1)[0] + ".ods"
        doc.storeToURL(uno.systemPathToFileUrl(saved), ())
        doc.close(True)
        report = _recalculated(office, saved)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=False, indent=1)


TASKS = {"inspect": inspect, "fill": fill}

if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    TASKS[task](*arguments)
