"""Findings about a file (or a Google sheet) as a whole: no sheet and cell, just what went wrong with it."""

from __future__ import annotations

from pakt.schemas import Code, Finding, PaktError, SchemaMismatch, Severity


def file_problem(
    code: Code,
    message: str,
    path: str | None,
    severity: Severity = Severity.ERROR,
    sheet: str | None = None,
    ags: str | None = None,
    municipality: str | None = None,
) -> Finding:
    """A finding that names the file, and the municipality when known."""
    return Finding(
        code=code, severity=severity, message=message, sheet=sheet, file=path, ags=ags, municipality=municipality
    )


def unreadable(path: str, exc: PaktError) -> Finding:
    """The finding for a file that could not be read at all: not a Pakt workbook, or no workbook."""
    code = Code.VORLAGE_UNBEKANNT if isinstance(exc, SchemaMismatch) else Code.DATEI_UNLESBAR
    return file_problem(code, exc.message, path, sheet=exc.sheet)
