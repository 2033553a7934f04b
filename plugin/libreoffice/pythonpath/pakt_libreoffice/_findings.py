"""What Prüfen found, counted from the Prüfbericht sheet the server's answer wrote, as one German line.

The names below are the server's (pakt.plugin._marks and pakt.schemas.Severity);
LibreOffice's Python cannot import Pakt, so they are spelt here once more and a
test holds them to the server's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

REPORT_SHEET = "Prüfbericht"
SEVERITY_HEADER = "Schwere"
ERROR = "Fehler"
WARNING = "Warnung"


def _warnings(number: int) -> str:
    if number == 0:
        return "keine Warnungen"
    return f"{number} {'Warnung' if number == 1 else 'Warnungen'}"


def count_line(errors: int, warnings: int) -> str:
    """The line the clerk reads after Prüfen: how many errors and warnings, and whether Einreichen is possible.
    Word for word the first line of Google's Prüfen sidebar (plugin/appsscript/Pruefen.html)."""
    if errors:
        return f"{errors} Fehler, {_warnings(warnings)} — Einreichen ist erst ohne Fehler möglich"
    if warnings:
        return f"Keine Fehler, {_warnings(warnings)} — bitte prüfen, Einreichen ist möglich"
    return "Keine Fehler, keine Warnungen – die Meldung kann eingereicht werden."


def counts(report_rows: Sequence[Sequence[Any]]) -> tuple[int, int]:
    """(errors, warnings) in the Prüfbericht's rows: the rows below its header row, by their first column."""
    severities = [str(row[0]) if row else "" for row in report_rows]
    if SEVERITY_HEADER not in severities:
        return 0, 0
    below = severities[severities.index(SEVERITY_HEADER) + 1 :]
    return below.count(ERROR), below.count(WARNING)
