"""The German reminder itself: one email.message.EmailMessage per case, the same for an .eml file and for SMTP.

Plain text only: it reads the same in every mail program a town hall uses, and a clerk can forward it. The
text names the municipality, the Stichtag, exactly what is missing or wrong (sheet, cell, message), the
deadline and whether it has passed, and whom to ask; it ends with the district's name.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from pakt.schemas import GoogleSpreadsheet, Registry, WorkbookFile, counted, format_date

from ._reminders import Reason, ReminderCase

PROGRAMME = "Pakt für Integration"
WIDTH = 76
"""Plain-text mail keeps its lines short, so that every program shows them as written."""


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=" " * len(indent),
        break_long_words=False,
        break_on_hyphens=False,
    )


def subject(case: ReminderCase, registry: Registry) -> str:
    """'Erinnerung Pakt für Integration: Meldung überfällig – Aldingen, Stichtag 30.06.2018 – Landkreis Tuttlingen'."""
    return (
        f"Erinnerung {PROGRAMME}: Meldung {case.word} – {case.municipality.name}, "
        f"Stichtag {format_date(case.stichtag)} – {registry.district.name}"
    )


def _greeting(case: ReminderCase) -> str:
    name = case.recipient.name if case.recipient else None
    return f"Guten Tag {name}," if name else "Sehr geehrte Damen und Herren,"


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _workbook_hint(case: ReminderCase) -> str | None:
    """Where the clerk's workbook is, as far as the registry says (a Google sheet by its address)."""
    ref = case.municipality.workbook_ref
    if isinstance(ref, GoogleSpreadsheet):
        return f"Ihre Meldemappe in Google Tabellen: {ref.url}"
    if isinstance(ref, WorkbookFile):
        return f"Ihre Meldemappe heißt {_file_name(ref.path)}."
    return None


def _situation(case: ReminderCase) -> list[str]:
    """The opening paragraph and the list of what is missing or wrong."""
    who = f"der Gemeinde {case.municipality.name} (Gemeindeschlüssel {case.municipality.ags})"
    stichtag = format_date(case.stichtag)
    read = (
        f" (Datei {_file_name(case.file)}, gelesen am {format_date(case.read_on)})"
        if case.file and case.read_on
        else ""
    )
    if case.reason is Reason.MISSING:  # the whole workbook is what is missing: a list of one would say it twice
        opening = (
            f"die Meldung {who} zum {PROGRAMME}, Stichtag {stichtag}, liegt uns noch nicht vor: Bei uns ist keine "
            "Meldemappe eingegangen."
        )
        return [_wrap(opening)]
    elif case.reason is Reason.UNSIGNED:
        opening = (
            f"die Meldemappe {who} zum {PROGRAMME}, Stichtag {stichtag}, ist bei uns eingegangen{read}, "
            "aber noch nicht eingereicht. Es fehlt:"
        )
    elif case.reason is Reason.REJECTED:
        opening = (
            f"die Meldung {who} zum {PROGRAMME}, Stichtag {stichtag}{read}, haben wir bei der Prüfung zurückgewiesen:"
        )
    else:
        errors = counted(len(case.gaps), "Fehler", "Fehler")
        opening = (
            f"in der Meldung {who} zum {PROGRAMME}, Stichtag {stichtag}{read}, haben wir {errors} gefunden, "
            "die vor der Übernahme korrigiert werden müssen:"
        )
    paragraphs = [_wrap(opening), "\n".join(_wrap(gap.line(), "- ") for gap in case.gaps)]
    if case.reason is Reason.INVALID:
        paragraphs.append(
            _wrap(f"Bis zur Korrektur verwenden wir Ihre gültige Fassung vom {format_date(case.valid_since)}.")
            if case.valid_since
            else _wrap("Solange die Fehler bestehen, können wir Ihre Meldung nicht übernehmen.")
        )
    return paragraphs


def _deadline(case: ReminderCase, today: date) -> str:
    if case.deadline is None:
        return "Bitte reichen Sie die Meldung bald ein."
    deadline = format_date(case.deadline)
    if case.overdue:
        return f"Die Frist zur Einreichung ist am {deadline} abgelaufen. Bitte holen Sie die Einreichung umgehend nach."
    days = (case.deadline - today).days
    if days == 0:
        return f"Die Frist zur Einreichung endet heute, am {deadline}."
    return f"Die Frist zur Einreichung endet am {deadline} (in {counted(days, 'Tag', 'Tagen')})."


def _what_to_do(case: ReminderCase) -> str:
    if case.reason is Reason.INVALID:
        return (
            "Bitte korrigieren Sie die genannten Zellen, prüfen Sie die Mappe mit „Prüfen“ und reichen Sie sie "
            "mit „Einreichen“ erneut ein."
        )
    if case.reason is Reason.UNSIGNED:
        return "Bitte prüfen Sie die Mappe mit „Prüfen“ und reichen Sie sie mit „Einreichen“ ein."
    if case.reason is Reason.REJECTED:
        return "Bitte berichtigen Sie die Meldung entsprechend und reichen Sie sie mit „Einreichen“ erneut ein."
    return (
        "Bitte füllen Sie die Meldemappe vollständig aus, prüfen Sie sie mit „Prüfen“ und reichen Sie sie mit "
        "„Einreichen“ ein."
    )


def body(case: ReminderCase, registry: Registry, today: date) -> str:
    """The reminder's text: greeting, what is missing or wrong, the deadline, what to do, whom to ask."""
    reply_to = registry.mail.reply_to
    ask = (
        f"Bei Fragen antworten Sie bitte auf diese Nachricht oder schreiben Sie an {reply_to}."
        if reply_to
        else "Bei Fragen antworten Sie bitte auf diese Nachricht."
    )
    paragraphs = [_greeting(case), *_situation(case)]
    hint = _workbook_hint(case) if case.reason is Reason.MISSING else None  # otherwise the text names its file
    if hint:
        paragraphs.append(_wrap(hint))
    paragraphs += [_wrap(_deadline(case, today)), _wrap(_what_to_do(case)), _wrap(ask)]
    closing = ["Mit freundlichen Grüßen", registry.district.name, *([reply_to] if reply_to else [])]
    paragraphs.append("\n".join(closing))
    return "\n\n".join(paragraphs) + "\n"


def compose_reminder(case: ReminderCase, registry: Registry, today: date, now: datetime) -> EmailMessage:
    """The reminder as a mail: From the district, To the contact person, Reply-To the team; needs a recipient."""
    if case.recipient is None:
        raise ValueError(f"{case.who} has no address")  # callers report such cases instead of composing them
    settings = registry.mail
    message = EmailMessage()
    if settings.sender:
        message["From"] = formataddr((registry.district.name, settings.sender))
    message["To"] = formataddr((case.recipient.name or "", case.recipient.email))
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
    message["Subject"] = subject(case, registry)
    message["Date"] = format_datetime(now.astimezone())
    domain = settings.sender.rsplit("@", 1)[-1] if settings.sender else "pakt.invalid"  # never a DNS lookup
    message["Message-ID"] = make_msgid("pakt-erinnerung", domain=domain)
    message.set_content(body(case, registry, today))
    message["Content-Language"] = "de"  # after set_content, which replaces every Content- header
    return message
