"""The server's answer carried out in the Calc document, as Excel's task pane carries it out in a workbook.

The answer is xlwings' list of actions (setValues, setRangeColor, addSheet, …)
and Pakt's own paktSetNote / paktClearNote; each addresses a sheet by position
and a range by zero-based row and column. A note becomes a Calc comment
(Kommentar); as in Excel only each cell's last wish counts, applied at the end.

The form protects every sheet without a password. Calc's API silently ignores a
colour or comment on a protected sheet, so the protection of each sheet the
answer touches is lifted and put back afterwards (Calc keeps the protection's
options, e.g. that rows may be inserted in the staff table). A sheet protected
with a password is left alone and said, in the task pane's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from com.sun.star.lang import IllegalArgumentException
from com.sun.star.table import CellAddress
from com.sun.star.util import MalformedNumberFormatException

ALL_CONTENT = 1023  # com.sun.star.sheet.CellFlags: every flag (values, texts, formulas, formats, comments, …)
CONTENTS = 1 | 2 | 4 | 16  # VALUE | DATETIME | STRING | FORMULA
NO_COLOUR = -1  # CellBackColor -1: no fill


class UnknownAction(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.message = f"Unbekannte Aktion vom Pakt-Server: {name}. Bitte die Erweiterung beim Landratsamt erneuern."


@dataclass
class Run:
    document: Any
    said: list[str] = field(default_factory=list)
    locked: dict[int, str] = field(default_factory=dict)
    notes: dict[tuple[int, int, int], str | None] = field(default_factory=dict)

    def sheet(self, position: int):
        return self.document.Sheets.getByIndex(position)


def _range(run: Run, action: dict[str, Any]):
    column, row = action["start_column"], action["start_row"]
    return run.sheet(action["sheet_position"]).getCellRangeByPosition(
        column, row, column + action["column_count"] - 1, row + action["row_count"] - 1
    )


def _cells(action: dict[str, Any]):
    for r in range(action["row_count"]):
        for c in range(action["column_count"]):
            yield action["start_row"] + r, action["start_column"] + c


def _value(value: Any) -> Any:
    """A value as Calc's setDataArray takes it. A leading apostrophe marks text for Excel (the server adds it
    where a text would read as a formula); Calc writes text as text, so it is dropped, as Excel drops it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value)
    return text[1:] if text.startswith("'") else text


def _set_values(run: Run, action: dict[str, Any]) -> None:
    rows = action["values"] or [[None]]
    width = max(len(row) for row in rows)
    data = tuple(tuple(_value(v) for v in [*row, *[None] * (width - len(row))]) for row in rows)
    column, row = action["start_column"], action["start_row"]
    target = run.sheet(action["sheet_position"]).getCellRangeByPosition(
        column, row, column + width - 1, row + len(data) - 1
    )
    target.setDataArray(data)


def _set_colour(run: Run, action: dict[str, Any]) -> None:
    colour = action["args"][0]
    _range(run, action).CellBackColor = int(str(colour).lstrip("#"), 16) if colour else NO_COLOUR


def _set_number_format(run: Run, action: dict[str, Any]) -> None:
    import uno

    formats = run.document.getNumberFormats()
    locale = uno.createUnoStruct("com.sun.star.lang.Locale", "en", "US", "")  # Excel's format codes are en-US
    code = str(action["args"][0])
    key = formats.queryKey(code, locale, False)
    if key < 0:
        try:
            key = formats.addNew(code, locale)
        except MalformedNumberFormatException:  # a format Calc cannot read: the cell keeps its own
            return
    _range(run, action).NumberFormat = key


def _add_sheet(run: Run, action: dict[str, Any]) -> None:
    position, name = int(action["args"][0]), str(action["args"][1])
    sheets = run.document.Sheets
    sheets.insertNewByName(name, min(position, sheets.getCount()))


def _activate_sheet(run: Run, action: dict[str, Any]) -> None:
    controller = run.document.getCurrentController()
    if controller is not None:
        controller.setActiveSheet(run.sheet(int(action["args"][0])))


def _set_note(run: Run, action: dict[str, Any]) -> None:
    """A note belongs to the range's first cell (as in Excel)."""
    row, column = next(_cells(action))
    run.notes[(action["sheet_position"], row, column)] = str(action["args"][0])


def _clear_note(run: Run, action: dict[str, Any]) -> None:
    for row, column in _cells(action):
        run.notes[(action["sheet_position"], row, column)] = None


HANDLERS = {
    "setValues": _set_values,
    "setRangeColor": _set_colour,
    "setNumberFormat": _set_number_format,
    "rangeClearContents": lambda run, a: _range(run, a).clearContents(CONTENTS),
    "rangeClear": lambda run, a: _range(run, a).clearContents(ALL_CONTENT),
    "sheetClear": lambda run, a: run.sheet(a["sheet_position"]).clearContents(ALL_CONTENT),
    "addSheet": _add_sheet,
    "activateSheet": _activate_sheet,
    "alert": lambda run, a: run.said.append(str(a["args"][0])),
    "paktSetNote": _set_note,
    "paktClearNote": _clear_note,
}
UNPROTECTED = {"addSheet", "activateSheet", "alert"}
"""Actions that touch no cells of an existing sheet."""
MARKING = {"setRangeColor", "setNumberFormat", "paktSetNote", "paktClearNote", "rangeClear", "sheetClear"}
"""What is left undone on a sheet protected with a password (the task pane's list)."""


def _apply_notes(run: Run) -> None:
    by_sheet: dict[int, dict[tuple[int, int], str | None]] = {}
    for (position, row, column), text in run.notes.items():
        if position not in run.locked:
            by_sheet.setdefault(position, {})[(row, column)] = text
    for position, wanted in by_sheet.items():
        sheet = run.sheet(position)
        comments = sheet.getAnnotations()
        for index in reversed(range(comments.getCount())):
            where = comments.getByIndex(index).getPosition()
            if (where.Row, where.Column) in wanted:
                comments.removeByIndex(index)
        for (row, column), text in wanted.items():
            if text:
                comments.insertNew(CellAddress(position, column, row), text)


def _lift_protection(run: Run, actions: list[dict[str, Any]]) -> list[int]:
    count = run.document.Sheets.getCount()
    positions = sorted(
        {
            a["sheet_position"]
            for a in actions
            if a.get("func") not in UNPROTECTED
            and isinstance(a.get("sheet_position"), int)
            and a["sheet_position"] < count
        }
    )
    lifted = []
    for position in positions:
        sheet = run.sheet(position)
        if not sheet.isProtected():
            continue
        try:
            sheet.unprotect("")
            lifted.append(position)
        except IllegalArgumentException:  # protected with a password
            run.locked[position] = sheet.Name
    return lifted


def apply_actions(document, actions: list[dict[str, Any]]) -> list[str]:
    """Carry out the answer; returns what the server and this function have to tell the clerk."""
    run = Run(document)
    lifted = [run.sheet(p) for p in _lift_protection(run, actions)]
    try:
        for action in actions:
            name = action.get("func")
            handler = HANDLERS.get(name)
            if handler is None:
                raise UnknownAction(str(name))
            if name in MARKING and action.get("sheet_position") in run.locked:
                continue
            handler(run, action)
        _apply_notes(run)
    finally:
        for sheet in lifted:
            sheet.protect("")
    for name in run.locked.values():
        run.said.append(
            f"Das Blatt „{name}“ ist mit Kennwort geschützt: dort ist nichts markiert, "
            "alle Hinweise stehen im Blatt „Prüfbericht“."
        )
    return run.said
