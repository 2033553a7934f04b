"""Drive's files.export of a spreadsheet as xlsx, made from the stand-in's model.

What Google's export keeps and what matters to Pakt: every sheet with its
values (numbers, text, booleans; a formula with its last result), a date as a
number with a date format, and each named range as a defined name. No tables,
no data validation. (No Google-made xlsx with named ranges was found in another
project's test files to hold this to; docs/development.md says so.)
"""

from __future__ import annotations

import io
from datetime import datetime

import xlsxwriter

from .model import EPOCH, Formula, Spreadsheet, column_letters


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def export_xlsx(book: Spreadsheet) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    for sheet in book.sheets:
        target = workbook.add_worksheet(sheet.title)
        for r, row in enumerate(sheet.values):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, Formula):
                    target.write_formula(r, c, str(value), None, 0)
                elif isinstance(value, bool):
                    target.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    target.write_number(r, c, value)
                elif isinstance(value, datetime):
                    target.write_number(r, c, (value - EPOCH).total_seconds() / 86400, date_format)
                else:
                    target.write_string(r, c, str(value))
    titles = {s.sheet_id: s.title for s in book.sheets}
    for named in book.named_ranges:
        first = f"${column_letters(named.c1)}${named.r1 + 1}"
        last = f"${column_letters(named.c2 - 1)}${named.r2}"
        area = first if (named.r2 - named.r1, named.c2 - named.c1) == (1, 1) else f"{first}:{last}"
        workbook.define_name(named.name, f"={_quote(titles[named.sheet_id])}!{area}")
    workbook.close()
    return buffer.getvalue()
