"""Prüfen and Einreichen from the menu or the toolbar to what the clerk is told.

Each command checks the access first (address, key), sends the document, carries
out the answer as one undo step ("Rückgängig: Pakt – Prüfen" takes all marks off
at once) and ends with an `Outcome`: the German text of the message box and how
it went. The handler shows it; a test reads it from the dispatch's result, so a
headless LibreOffice never waits for a box nobody can close.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from com.sun.star.uno import Exception as UnoException

from ._actions import UnknownAction, apply_actions
from ._findings import REPORT_SHEET, count_line, counts
from ._server import CallFailed, call_script
from ._settings import KEY_MISSING, read_access, server_problem
from ._workbook import payload, sheet_values

OK, FINDINGS, FAILED = "ok", "findings", "failed"
TITLES = {"pruefen": "Pakt – Prüfen", "einreichen": "Pakt – Einreichen"}
WHERE_TO_LOOK = (
    "Die markierten Zellen sagen im Kommentar, was zu tun ist; alle Meldungen stehen im Blatt „Prüfbericht“."
)


@dataclass(frozen=True)
class Outcome:
    """What the message box says, and whether the command ran (`ok`), found errors (`findings`) or failed."""

    text: str
    state: str


def _book_name(document) -> str:
    url = document.getURL()
    return unquote(url.rsplit("/", 1)[-1]) if url else document.getTitle()


def _report_counts(document) -> tuple[int, int]:
    sheets = document.Sheets
    if not sheets.hasByName(REPORT_SHEET):
        return 0, 0
    return counts(sheet_values(sheets.getByName(REPORT_SHEET)))


def _carry_out(document, script: str, actions: list) -> list[str]:
    undo = document.getUndoManager()
    undo.enterUndoContext(TITLES[script])
    document.lockControllers()
    try:
        return apply_actions(document, actions)
    finally:
        document.unlockControllers()
        undo.leaveUndoContext()


def run_script(ctx, document, script: str) -> Outcome:
    """Run `script` (pruefen, einreichen) on the open document through the district's Pakt server."""
    if not document.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return Outcome("Pakt prüft Meldemappen in LibreOffice Calc; dieses Dokument ist keine Tabelle.", FAILED)
    access = read_access(ctx)
    problem = server_problem(access.url) or (None if access.key else KEY_MISSING)
    if problem:
        return Outcome(problem, FAILED)
    try:
        body = payload(document, _book_name(document))
    except UnoException as unreadable:
        return Outcome(f"Die Mappe ließ sich nicht lesen: {unreadable.Message}", FAILED)
    try:
        actions = call_script(access.url, access.key, script, body)
    except CallFailed as failed:
        return Outcome(failed.message, FAILED)
    try:
        said = _carry_out(document, script, actions)
    except (UnknownAction, UnoException) as broken:
        why = broken.message if isinstance(broken, UnknownAction) else broken.Message
        return Outcome(
            f"Die Antwort des Pakt-Servers ließ sich nicht vollständig in die Mappe schreiben: {why}", FAILED
        )
    errors, warnings = _report_counts(document)
    lines = said if script == "einreichen" and said else [count_line(errors, warnings), *said]
    if errors or warnings:
        lines.append(WHERE_TO_LOOK)
    return Outcome("\n".join(lines), FINDINGS if errors else OK)
