"""A clerk fills the generated form in LibreOffice and saves it twice, as .ods and as .xlsx. Run by a Python that
has `uno` (Debian's python3-uno), like uno_tasks.py, whose Office it uses:

    python3 tests/uno_ods.py fill-save JOBS.json

JOBS.json is a list of {"source", "ods", "xlsx", "cells", "staff"}: `cells` maps a defined name to an entry,
`staff` is a list of rows of entries for the staff table (below its header, through the named range pakt_staff).
An entry is {"number": 44}, {"text": "…"}, {"date": "2018-06-30"}, {"formula": "=…"} or
{"link": "mailto:…", "shown": "…"} (a hyperlink field in the cell's text); "format" ("currency", "percent", "time",
"datetime", "boolean") gives the cell that kind of number format first. Every cell is found by its name,
never by position; the sheets are unprotected to fill and protected again as the form had them.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date

import uno
from uno_tasks import Office, _prop

ODS_FILTER = "calc8"
XLSX_FILTER = "Calc MS Excel 2007 XML"
_EPOCH = date(1899, 12, 30)


FORMATS = {"currency": 8, "percent": 128, "time": 4, "datetime": 6, "boolean": 1024}
"""com.sun.star.util.NumberFormat: an entry's "format" gives its cell the locale's standard format of that kind."""


def _put(doc, cell, entry):
    """One entry into one cell, as a clerk would type or paste it."""
    if "format" in entry:
        formats = doc.getNumberFormats()
        cell.NumberFormat = formats.getStandardFormat(
            FORMATS[entry["format"]], uno.createUnoStruct("com.sun.star.lang.Locale")
        )
    if "number" in entry:
        cell.setValue(entry["number"])
    elif "text" in entry:
        cell.setString(entry["text"])
    elif "date" in entry:  # the form's date cells carry a date format: a serial there is a date
        cell.setValue((date.fromisoformat(entry["date"]) - _EPOCH).days)
    elif "formula" in entry:
        cell.setFormula(entry["formula"])
    elif "link" in entry:
        cell.setString("")
        field = doc.createInstance("com.sun.star.text.TextField.URL")
        field.URL, field.Representation = entry["link"], entry["shown"]
        text = cell.getText()
        text.insertTextContent(text.createTextCursor(), field, False)
    else:
        raise SystemExit(f"unknown entry {entry!r}")


def _fill(doc, job):
    protected = [sheet for sheet in doc.Sheets if sheet.isProtected()]
    for sheet in protected:
        sheet.unprotect("")
    names = doc.NamedRanges
    for name, entry in job.get("cells", {}).items():
        _put(doc, names.getByName(name).getReferredCells().getCellByPosition(0, 0), entry)
    staff = names.getByName("pakt_staff").getReferredCells()
    for row, entries in enumerate(job.get("staff", [])):
        for col, entry in enumerate(entries):
            if entry is not None:
                _put(doc, staff.getCellByPosition(col, row + 1), entry)
    doc.calculateAll()
    for sheet in protected:
        sheet.protect("")


def fill_save(jobs_file):
    with open(jobs_file, encoding="utf-8") as handle:
        jobs = json.load(handle)
    with Office() as office:
        for job in jobs:
            doc = office.open(job["source"])
            _fill(doc, job)
            for target, name in ((job.get("ods"), ODS_FILTER), (job.get("xlsx"), XLSX_FILTER)):
                if target:
                    url = uno.systemPathToFileUrl(os.path.abspath(target))
                    doc.storeToURL(url, (_prop("FilterName", name),))
            doc.close(True)


TASKS = {"fill-save": fill_save}

if __name__ == "__main__":
    task, *arguments = sys.argv[1:]
    TASKS[task](*arguments)
