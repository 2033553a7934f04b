"""Findings written back into the open workbook: colour and note at the cell, and a Prüfbericht sheet.

Everything goes through the xlwings Book API, so the same code marks an Excel
workbook (Office.js) and a Google Sheet. Notes travel as Pakt's own actions
(`paktSetNote`, `paktClearNote`), which the task pane and the Apps Script files
carry out; xlwings' own note support is Office.js-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pakt.schemas import ERROR_FILL, INPUT_FILL, STAFF_TABLE, WARNING_FILL, Finding, Severity, input_fields

from ._book_view import BookView
from ._xlwings import Book

REPORT_SHEET = "Prüfbericht"
FORMULA_STARTS = ("=", "+", "-", "@")


def as_text(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _note(rng, text: str | None) -> None:
    """Queue a note on a cell (None clears it), as an action the clients carry out."""
    impl = rng.impl
    if text is None:
        impl.append_json_action(func="paktClearNote", args=[])
    else:
        impl.append_json_action(func="paktSetNote", args=[text])


def _input_ranges(book: Book, view: BookView) -> list:
    ranges = []
    for spec_field in input_fields():
        target = view.range_of(spec_field.name)
        if target is not None:
            ranges.append(target)
    staff = view.table_range(STAFF_TABLE)
    if staff is not None and staff.shape[0] > 1:
        ranges.append(staff[1:, :])
    return ranges


def clear_marks(book: Book, view: BookView) -> None:
    """Undo the marks of the last Prüfen: input colour back, notes off."""
    for rng in _input_ranges(book, view):
        rng.color = INPUT_FILL
        _note(rng, None)


def mark_findings(book: Book, findings: Sequence[Finding]) -> int:
    """Colour and annotate each finding's cell; returns how many cells were marked."""
    marked: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.sheet and finding.cell and finding.sheet in [s.name for s in book.sheets]:
            marked.setdefault((finding.sheet, finding.cell), []).append(finding)
    for (sheet, cell), found in marked.items():
        rng = book.sheets[sheet][cell]
        rng.color = ERROR_FILL if any(f.blocking for f in found) else WARNING_FILL
        _note(rng, "\n".join(f"{f.severity.value}: {f.message}" for f in found))
    return len(marked)


def write_report(book: Book, findings: Sequence[Finding], headline: str) -> None:
    """Fill the Prüfbericht sheet (created at the end if missing, cleared if present)."""
    names = [s.name for s in book.sheets]
    if REPORT_SHEET in names:
        sheet = book.sheets[REPORT_SHEET]
        sheet.clear()
    else:
        sheet = book.sheets.add(REPORT_SHEET, after=book.sheets[len(names) - 1])
    rows: list[list[Any]] = [[headline, "", "", "", ""], ["Schwere", "Blatt", "Zelle", "Code", "Meldung"]]
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    for f in sorted(findings, key=lambda f: (order[f.severity], f.sheet or "", f.cell or "")):
        rows.append([f.severity.value, f.sheet or "", f.cell or "", f.code.value, as_text(f.message)])
    sheet["A1"].value = rows
