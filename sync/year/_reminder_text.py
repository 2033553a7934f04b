"""The German reminder itself: one email.message.EmailMessage per case, the same for an .eml file and for SMTP.

Plain text only: it reads the same in every mail program a town hall uses, and a clerk can forward it. The
text names the municipality, the Stichtag, exactly what is missing or wrong (sheet, cell, message), the
deadline and whether it has passed, and whom to ask; it ends with the district's name.

What it asks for fits the case and the clerk's face: a rejected submission is to be corrected (the district's
reason quoted, the check's warnings beside it), not "submitted at once"; the Prüfen and Einreichen buttons are
named plainly only where they exist, conditionally where Pakt cannot tell, and never for Google Tabellen or
LibreOffice, whose clerks hear how the district checks their file instead.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from pakt.schemas import GoogleSpreadsheet, Registry, WorkbookFile, counted, format_date

from ._reminders import Face, Reason, ReminderCase

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
        when = f" am {format_date(case.decided_on)}" if case.decided_on else ""
        opening = (
            f"vielen Dank für die Meldung {who} zum {PROGRAMME}, Stichtag {stichtag}{read}. Wir haben sie bei "
            f"der Prüfung{when} zurückgewiesen und bitten Sie, sie zu berichtigen:"
        )
    else:
        errors = counted(len(case.gaps), "Fehler", "Fehler")
        one = len(case.gaps) == 1
        must = f"{'der' if one else 'die'} vor der Übernahme korrigiert werden {'muss' if one else 'müssen'}"
        opening = (
            f"in der Meldung {who} zum {PROGRAMME}, Stichtag {stichtag}{read}, haben wir {errors} gefunden, {must}:"
        )
    paragraphs = [_wrap(opening), "\n".join(_wrap(gap.line(), "- ") for gap in case.gaps)]
    if case.reason is Reason.INVALID:
        paragraphs.append(
            _wrap(f"Bis zur Korrektur verwenden wir Ihre gültige Fassung vom {format_date(case.valid_since)}.")
            if case.valid_since
            else _wrap("Solange die Fehler bestehen, können wir Ihre Meldung nicht übernehmen.")
        )
    if case.hints:
        paragraphs.append(_wrap("Unsere Prüfung hat außerdem diese Hinweise ergeben; bitte sehen Sie sie dabei an:"))
        paragraphs.append("\n".join(_wrap(hint.line(), "- ") for hint in case.hints))
    return paragraphs


def _deadline(case: ReminderCase, today: date) -> str:
    if case.reason is Reason.REJECTED:  # it did arrive: what is due is the correction
        return _correction_due(case, today)
    if case.deadline is None:
        return "Bitte reichen Sie die Meldung bald ein."
    deadline = format_date(case.deadline)
    if case.overdue:
        return f"Die Frist zur Einreichung ist am {deadline} abgelaufen. Bitte holen Sie die Einreichung umgehend nach."
    days = (case.deadline - today).days
    if days == 0:
        return f"Die Frist zur Einreichung endet heute, am {deadline}."
    return f"Die Frist zur Einreichung endet am {deadline} (in {counted(days, 'Tag', 'Tagen')})."


def _correction_due(case: ReminderCase, today: date) -> str:
    """When the corrected version is due: the round's deadline while it runs; after it, as soon as it is done
    (the figures can be approved and paid only then)."""
    why = "damit wir Ihre Meldung freigeben und die Pauschale anweisen können"
    if case.deadline is None or case.overdue:
        return f"Bitte reichen Sie die berichtigte Fassung ein, sobald die Korrektur erledigt ist, {why}."
    days = (case.deadline - today).days
    left = "heute" if days == 0 else f"in {counted(days, 'Tag', 'Tagen')}"
    return f"Bitte reichen Sie die berichtigte Fassung bis zum {format_date(case.deadline)} ({left}) ein, {why}."


def _cell(title: str, cell: str | None) -> str:
    return f"„{title}“ (Zelle {cell})" if cell else f"„{title}“"


def _joined(clauses: list[str]) -> str:
    """'a', 'a und b', 'a, b und c'."""
    return ", ".join(clauses[:-1]) + f" und {clauses[-1]}" if len(clauses) > 1 else clauses[0]


def _sign_off_by_hand(case: ReminderCase) -> list[str]:
    """What a clerk without the add-in writes into the sign-off cells herself: 'tragen Sie … ein', …"""
    if case.reason is Reason.UNSIGNED:  # the gaps above name exactly those cells
        return ["tragen Sie die oben genannten Angaben zur Freigabe selbst ein"]
    named = [_cell(title, cell) for title, cell in case.sign_off_cells]  # SignOff's order: name, date, submitted
    if len(named) != 3:
        return ["tragen Sie auf dem Blatt Meldung die Angaben zur Freigabe ein"]
    name, day, submitted = named
    if case.reason is Reason.REJECTED:
        return [f"tragen Sie bei {day} das Datum der berichtigten Fassung ein"]
    return [f"tragen Sie auf dem Blatt Meldung {name} und {day} ein", f"setzen {submitted} auf „ja“"]


def _check_and_submit(case: ReminderCase) -> str:
    """How the clerk checks and submits, in the face she works in."""
    again = case.reason in (Reason.INVALID, Reason.REJECTED)
    submit = "Zum erneuten Einreichen" if again else "Zum Einreichen"
    by_hand = _sign_off_by_hand(case)
    as_told = _joined(by_hand)  # 'tragen Sie … ein und setzen … auf „ja“'
    if case.face is Face.GOOGLE:
        return (
            "Google Tabellen speichert jede Änderung selbst. Wir lesen Ihre Tabelle beim nächsten Abgleich, prüfen "
            f"sie und schreiben Ihnen, falls unser Prüfbericht dann noch etwas findet. {submit} {as_told}."
        )
    if case.face is Face.LIBREOFFICE:
        return (
            "Speichern Sie die Mappe dann am gewohnten Ort wieder als .ods oder .xlsx (nicht als .xls). Ist die "
            "Pakt-Erweiterung für LibreOffice eingerichtet, prüfen Sie die Mappe mit „Pakt › Prüfen“; sonst prüfen "
            f"wir Ihre Datei, sobald sie bei uns eingeht, und schreiben Ihnen, falls noch etwas fehlt. {submit} "
            f"{as_told}."
        )
    erneut = " erneut" if again else ""
    otherwise = _joined([*by_hand, "speichern die Mappe am gewohnten Ort"])
    return (
        "Falls Ihre Mappe die Pakt-Schaltflächen zeigt (Excel mit dem Pakt-Add-in), prüfen Sie sie mit „Prüfen“ "
        f"und reichen Sie sie mit „Einreichen“{erneut} ein. Sonst {otherwise}; wir prüfen sie beim nächsten "
        "Abgleich."
    )


def _what_to_do(case: ReminderCase) -> str:
    if case.reason is Reason.INVALID:
        cells = any(gap.cell for gap in case.gaps)  # a file that cannot be read names none: its advice is above
        first = "Bitte korrigieren Sie die genannten Zellen." if cells else "Bitte gehen Sie wie oben beschrieben vor."
    elif case.reason is Reason.UNSIGNED:
        first = "Es fehlt nur noch die Freigabe."
    elif case.reason is Reason.REJECTED:
        first = "Bitte ändern Sie die Angaben, die der Grund nennt, in Ihrer Meldemappe."
    else:
        first = "Bitte füllen Sie die Meldemappe vollständig aus."
    return f"{first} {_check_and_submit(case)}"


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
