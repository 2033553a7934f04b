"""The buttons: Prüfen and Einreichen for clerks, Aktualisieren for district staff.

Each is an xlwings script over the open workbook (an `xlwings.Book` built from
what Excel or Google Sheets sent). Prüfen uses the very reader and validation
of the sync service; the server checks the caller's token before a script runs.
"""

from __future__ import annotations

from datetime import date

from pakt.schemas import (
    CheckContext,
    Checked,
    MasterMedium,
    PaktError,
    check,
    counted,
    format_date,
    read_draft,
    rules_for,
)

from ._book_view import BookView
from ._context import GOOGLE_CLIENT, current
from ._grid_writer import APPS_SCRIPT, OFFICE_JS, write_grid
from ._marks import as_text, clear_marks, mark_findings, write_report
from ._xlwings import Book, script


def check_book(book: Book) -> Checked:
    """Read and validate the open workbook with the district's registry, as the sync service would."""
    draft = read_draft(BookView(book))
    registry = current().registry
    return check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry))


def check_headline(errors: int, warnings: int) -> str:
    """The first line of Prüfen's report: what the clerk has to do, counted in German."""
    if not errors and not warnings:
        return "Keine Beanstandungen – die Meldung kann eingereicht werden."
    if errors:
        return f"{errors} Fehler und {counted(warnings, 'Warnung', 'Warnungen')} – bitte die markierten Zellen korrigieren."
    return f"{counted(warnings, 'Warnung', 'Warnungen')} – bitte prüfen; einreichen ist möglich."


def _headline(checked: Checked) -> str:
    errors = sum(1 for f in checked.findings if f.blocking)
    return check_headline(errors, len(checked.findings) - errors)


def review(book: Book) -> Checked:
    """Prüfen's work: validate, mark the cells, write the Prüfbericht."""
    checked = check_book(book)
    clear_marks(book, BookView(book))
    mark_findings(book, checked.findings)
    write_report(book, checked.findings, _headline(checked))
    return checked


@script(name="Prüfen")
def pruefen(book: Book) -> None:
    """Meldung prüfen: Hinweise an die Zellen schreiben und den Prüfbericht füllen."""
    review(book)


def _set(book: Book, name: str, value: object) -> None:
    book.names[name].refers_to_range.value = as_text(value)


@script(name="Einreichen")
def einreichen(book: Book) -> None:
    """Meldung einreichen: nur ohne Fehler; setzt Freigabe (Name, Datum, eingereicht)."""
    checked = review(book)
    if checked.blocking or checked.submission is None:
        errors = sum(1 for f in checked.findings if f.blocking)
        book.app.alert(
            f"Einreichen nicht möglich: {errors} Fehler. Bitte zuerst die rot markierten Zellen korrigieren (siehe Prüfbericht).",
            "Pakt – Einreichen",
        )
        return
    submission = checked.submission
    today = date.today()
    signer = submission.sign_off.name or submission.header.contact_person
    _set(book, "pakt_sign_off_name", signer)
    _set(book, "pakt_sign_off_date", today)
    _set(book, "pakt_sign_off_submitted", "ja")
    book.app.alert(
        f"Meldung von {submission.header.name} zum {format_date(submission.header.stichtag)} "
        f"eingereicht am {format_date(today)} (freigegeben von {signer}).",
        "Pakt – Einreichen",
    )


def _sheet_values(book: Book, name: str) -> list[list]:
    """A sheet's values from A1 (blank rows and columns above and left of the used range included)."""
    if name not in [s.name for s in book.sheets]:
        return []
    used = book.sheets[name].used_range
    values = used.options(ndim=2).value
    top, left = used.row - 1, used.column - 1
    width = left + max((len(r) for r in values), default=0)
    return [[None] * width for _ in range(top)] + [[None] * left + list(r) for r in values]


@script(name="Aktualisieren")
def aktualisieren(book: Book) -> None:
    """Übersicht aktualisieren: alle Meldungen einlesen und in diese Mappe schreiben; Bemerkungen bleiben."""
    context = current()
    if context.refresh is None or context.registry is None:
        raise PaktError("Aktualisieren ist auf diesem Server nicht eingerichtet (kein Landkreis konfiguriert).")
    google = context.client == GOOGLE_CLIENT
    medium = MasterMedium.GOOGLE if google else MasterMedium.XLSX
    refreshed = context.refresh(context.registry, lambda name: _sheet_values(book, name), medium)
    write_grid(book, refreshed.sheet, refreshed.link_base, APPS_SCRIPT if google else OFFICE_JS)
    book.app.alert(refreshed.message, "Pakt – Aktualisieren")
