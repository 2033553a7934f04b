"""Who gets a reminder, and why: the cases of `pakt remind`, read from the district view. Pure, no I/O.

A municipality is reminded when its submission is

    missing   no workbook of this round has arrived (after the deadline: overdue)
    unsigned  a valid workbook arrived but is not signed off (Einreichen), after the deadline: overdue
    invalid   its newest workbook has blocking errors, or cannot be read

Everybody else (received before the deadline, submitted, late but submitted, approved) is left alone: a
reminder to someone who has done their part costs the district goodwill.

The address comes from the registry (`contact`, `email` of the municipality) first, because the district
keeps it on purpose; else from the newest submission of the round, even an invalid one (the store keeps the
contact person and address its header names, `sources/_intake.py` DRAFT_HEADER); else from the submission shown
in the master; else from the newest stored submission of any round that names one (the clerk who answered last
time). A case without any address gets no mail and is reported.

The text must fit the clerk's face (`Face`): the Prüfen and Einreichen buttons exist only where the Pakt add-in
runs. A Google sheet (registry `workbook = "gsheet:…"` or its address) has no such button unless its Apps Script
is bound, which Pakt cannot tell; a LibreOffice clerk has none at all. Anyone else may or may not have the
add-in, and the text says so conditionally.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from pakt.schemas import (
    SHEET_REPORT,
    Finding,
    GoogleSpreadsheet,
    Municipality,
    Severity,
    SignOff,
    WorkbookFile,
    format_date,
)

from ..sources._intake import DRAFT_HEADER
from ..store._records import VersionRecord
from ..view._consolidate import DistrictView, MunicipalityRow
from ..view._row_status import Status


class Reason(enum.StrEnum):
    """What is wrong with a municipality's submission, as far as a reminder is concerned."""

    MISSING = "fehlt"
    UNSIGNED = "nicht eingereicht"
    INVALID = "fehlerhaft"
    REJECTED = "zurückgewiesen"
    """The district rejected the version under review (with its reason): the municipality must correct it."""


class Face(enum.Enum):
    """What the clerk works in, as far as a reminder must know: whether Prüfen and Einreichen exist there."""

    GOOGLE = "Google Tabellen"
    """A Google sheet: no Pakt menu unless its Apps Script is bound (which Pakt cannot tell)."""
    LIBREOFFICE = "LibreOffice"
    """LibreOffice Calc: Prüfen only with Pakt's extension (which Pakt cannot tell); the district checks the file
    on receipt anyway."""
    UNKNOWN = "unbekannt"
    """Excel with or without the add-in, or anything else: the text names the buttons conditionally."""


LIBREOFFICE_APPLICATION = "LibreOffice"
"""How a file LibreOffice saved names its application (docProps/app.xml, `Application`: 'LibreOffice/7.4…')."""


def clerk_face(municipality: Municipality, application: str | None = None) -> Face:
    """The clerk's face from the registry (a Google sheet; an ODS form) and, when known, the application that
    saved the file (the reader does not keep docProps/app.xml yet: then None)."""
    if isinstance(municipality.workbook_ref, GoogleSpreadsheet):
        return Face.GOOGLE
    ref = municipality.workbook_ref
    if municipality.format == "ods" or (isinstance(ref, WorkbookFile) and ref.path.lower().endswith(".ods")):
        return Face.LIBREOFFICE  # the district gave it LibreOffice's own form
    if application is not None and application.strip().startswith(LIBREOFFICE_APPLICATION):
        return Face.LIBREOFFICE
    return Face.UNKNOWN


@dataclass(frozen=True, kw_only=True)
class Gap:
    """One thing that is missing or wrong: where (sheet and cell, when known) and what, in German."""

    sheet: str | None
    cell: str | None
    message: str

    def line(self) -> str:
        """'Blatt Meldung, Zelle C7: Anzahl Personen fehlt.'"""
        if self.sheet and self.cell:
            return f"Blatt {self.sheet}, Zelle {self.cell}: {self.message}"
        if self.sheet:
            return f"Blatt {self.sheet}: {self.message}"
        return self.message

    @classmethod
    def of(cls, finding: Finding) -> Gap:
        return cls(sheet=finding.sheet, cell=finding.cell, message=finding.message)


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """Whom a reminder goes to, and where the address was found (said in the report, so staff can correct it)."""

    name: str | None
    email: str
    found_in: str


@dataclass(frozen=True, kw_only=True)
class ReminderCase:
    """One municipality to remind: why, what exactly, by when, and to whom (None: no address known)."""

    municipality: Municipality
    reason: Reason
    overdue: bool
    """The deadline has passed (the reminder says so)."""
    gaps: tuple[Gap, ...]
    stichtag: date
    deadline: date | None
    recipient: Recipient | None
    file: str | None = None
    """The workbook the gaps were found in (invalid or unsigned), as the source names it."""
    read_on: date | None = None
    """When that workbook was read."""
    valid_since: date | None = None
    """An invalid newer workbook: the day the valid version still shown was read (None: none is shown)."""
    unusable_addresses: tuple[str, ...] = ()
    """Addresses passed over because no mail can go to them (German, with where each was found)."""
    face: Face = Face.UNKNOWN
    """What the clerk works in: the text names Prüfen and Einreichen only where they exist."""
    hints: tuple[Gap, ...] = ()
    """A rejected version's warnings: what else the district's check found, for the correction."""
    decided_on: date | None = None
    """A rejection: the day the district decided."""
    about: str = ""
    """What besides the reason makes two reminders the same (a rejection: the decision it is about)."""
    sign_off_cells: tuple[tuple[str, str | None], ...] = ()
    """The sign-off inputs (German title, cell where known), for a clerk who signs off by hand."""

    @property
    def word(self) -> str:
        """The word the mail and the report use: fehlt, überfällig, fehlerhaft or zurückgewiesen."""
        if self.reason is Reason.INVALID:
            return Status.FEHLERHAFT.value
        if self.reason is Reason.REJECTED:
            return Reason.REJECTED.value
        return (Status.UEBERFAELLIG if self.overdue else Status.FEHLT).value

    @property
    def who(self) -> str:
        return f"{self.municipality.name} ({self.municipality.ags})"


@dataclass(frozen=True, kw_only=True)
class NamedContact:
    """The contact person and address a stored version names: a valid one's submission header, an invalid one's
    header as far as it could be read."""

    name: str | None
    email: str
    stichtag: date | None
    seen_on: date
    valid: bool

    def found_in(self) -> str:
        """'Meldung zum Stichtag 30.06.2017, gelesen am 12.07.2017' (German, for the report)."""
        what = "Meldung" if self.valid else "fehlerhafte Meldung"
        round_ = f" zum Stichtag {format_date(self.stichtag)}" if self.stichtag else ""
        return f"{what}{round_}, gelesen am {format_date(self.seen_on)}"


def named_contact(version: VersionRecord) -> NamedContact | None:
    """Whom a stored version names, or None when it names no address (or, stored by an older Pakt, an invalid
    version kept none)."""
    if version.valid:
        submission = version.submission()
        if submission is None:
            return None
        name, email, stichtag = submission.header.contact_person, submission.header.email, submission.header.stichtag
    else:
        kept = version.locations.get(DRAFT_HEADER) or {}
        name, email, stichtag = kept.get("contact_person"), kept.get("email"), version.stichtag
    if not email:
        return None
    return NamedContact(name=name, email=email, stichtag=stichtag, seen_on=version.seen_at.date(), valid=version.valid)


EarlierSubmission = Callable[[str], NamedContact | None]
"""The newest stored version of any round for an AGS that names an address, valid or not (from the state store)."""


def deadline_passed(deadline: date | None, today: date) -> bool:
    """Overdue from the day after the deadline: the deadline day itself still counts as in time."""
    return deadline is not None and today > deadline


def _sign_off_gaps(row: MunicipalityRow) -> tuple[Gap, ...]:
    """The sign-off inputs still empty, each with its cell: what `Einreichen` fills in."""
    sign_off = row.submission.sign_off if row.submission else None
    if sign_off is None:
        return ()
    gaps = []
    for name, field in SignOff.model_fields.items():
        value = getattr(sign_off, name)
        if value not in (None, False):
            continue
        where = row.used.where(f"sign_off.{name}") if row.used else None
        what = "ist nicht auf „ja“ gesetzt" if value is False else "ist leer"
        gaps.append(
            Gap(sheet=where[0] if where else None, cell=where[1] if where else None, message=f"„{field.title}“ {what}.")
        )
    return tuple(gaps)


def _invalid_gaps(row: MunicipalityRow) -> tuple[Gap, ...]:
    if row.newer_broken is not None:
        blocking = tuple(Gap.of(f) for f in row.newer_broken.findings if f.blocking)
        if blocking:
            return blocking
    if row.unreadable is not None:  # a file that cannot be taken over (another format, broken): its advice
        where = (row.unreadable.file or "").replace("\\", "/")
        named = f"Datei {where.rsplit('/', 1)[-1]}: " if "/" in where else ""
        return (Gap(sheet=None, cell=None, message=named + row.unreadable.message),)
    return (Gap(sheet=None, cell=None, message=row.remark or "Die Meldung ist fehlerhaft."),)


def _reason(row: MunicipalityRow, overdue: bool) -> Reason | None:
    if row.status is Status.FEHLERHAFT:
        return Reason.INVALID
    if row.decision is not None and row.decision.decision == "zurückgewiesen":
        return Reason.REJECTED
    if row.status is Status.FEHLT:
        return Reason.MISSING
    if row.status is Status.UEBERFAELLIG:
        return Reason.MISSING if row.submission is None else Reason.UNSIGNED
    if row.status is Status.EINGEGANGEN and overdue:  # the same rule as überfällig, should the view say eingegangen
        return Reason.UNSIGNED
    return None


_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def mail_address(text: str) -> str | None:
    """The address as a mail server takes it (an umlaut domain in its ASCII spelling), or None when it is not
    one plain address (a comma, brackets, spaces: text from a workbook never becomes a second recipient)."""
    local, _, domain = text.strip().rpartition("@")
    if not _LOCAL_PART.fullmatch(local) or not domain:
        return None
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", label) for label in labels):
        return None
    return f"{local}@{ascii_domain}"


def _person(name: str | None) -> str | None:
    """A contact's name on one line (a line break in a header would end it)."""
    return " ".join(name.split()) or None if name else None


def _addresses(row: MunicipalityRow, earlier: EarlierSubmission | None) -> Iterator[tuple[str | None, str, str]]:
    """Candidate (name, address, where found), best first; the earlier rounds are looked up only when reached."""
    municipality = row.municipality
    if municipality.email:
        yield municipality.contact, municipality.email, "Gemeindeverzeichnis"
    newest = named_contact(row.newer_broken) if row.newer_broken is not None else None
    if newest is not None:  # the clerk's newest file, even if it cannot be taken over
        yield newest.name, newest.email, f"fehlerhafte Meldung vom {format_date(newest.seen_on)}"
    if row.submission is not None:
        seen = row.used.seen_at.date() if row.used else None
        header = row.submission.header
        yield header.contact_person, header.email, f"Meldung vom {format_date(seen)}" if seen else "aktuelle Meldung"
    found = earlier(municipality.ags) if earlier else None
    if found is not None:
        yield found.name, found.email, found.found_in()


def _recipient(row: MunicipalityRow, earlier: EarlierSubmission | None) -> tuple[Recipient | None, tuple[str, ...]]:
    """The registry's address (with its contact person) first, then the shown submission's, then an earlier
    one's; and the addresses passed over because they are not usable, for the report."""
    unusable: list[str] = []
    tried: set[str] = set()
    for name, text, found_in in _addresses(row, earlier):
        if text in tried:  # the earlier round's newest valid submission may be the one shown
            continue
        tried.add(text)
        address = mail_address(text)
        if address is None:
            unusable.append(f"„{text}“ ({found_in})")
            continue
        return Recipient(name=_person(name), email=address, found_in=found_in), tuple(unusable)
    return None, tuple(unusable)


def _sign_off_cells(row: MunicipalityRow) -> tuple[tuple[str, str | None], ...]:
    """The sign-off inputs' titles, each with its cell in the clerk's workbook where a stored version says."""
    versions = [v for v in (row.newer_broken, row.review_version, row.used) if v is not None]
    cells = []
    for name, field in SignOff.model_fields.items():
        where = next((found for v in versions if (found := v.where(f"sign_off.{name}"))), None)
        cells.append((field.title or name, where[1] if where and where[0] == SHEET_REPORT else None))
    return tuple(cells)


def _warnings(version: VersionRecord | None) -> tuple[Gap, ...]:
    return tuple(Gap.of(f) for f in version.findings if f.severity is Severity.WARNING) if version else ()


def reminder_case(
    row: MunicipalityRow, view: DistrictView, today: date, earlier: EarlierSubmission | None = None
) -> ReminderCase | None:
    """The reminder a row calls for, or None when the municipality has done what it can so far."""
    deadline = view.registry.round.deadline
    overdue = deadline_passed(deadline, today) or row.status is Status.UEBERFAELLIG  # the view's word stands
    reason = _reason(row, overdue)
    if reason is None:
        return None
    recipient, unusable = _recipient(row, earlier)
    hints: tuple[Gap, ...] = ()
    decided_on, about = None, ""
    if reason is Reason.MISSING:
        gaps: tuple[Gap, ...] = (Gap(sheet=None, cell=None, message="Die Meldemappe ist nicht eingegangen."),)
        version = None
    elif reason is Reason.UNSIGNED:
        gaps = _sign_off_gaps(row) or (Gap(sheet=None, cell=None, message="Die Meldung ist nicht eingereicht."),)
        version = row.used
    elif reason is Reason.REJECTED:
        decision = row.decision
        why = " ".join(decision.reason.split())
        gaps = (Gap(sheet=None, cell=None, message=f"Grund: „{why}“" if why else "Ein Grund wurde nicht vermerkt."),)
        version = row.review_version
        hints = _warnings(version)
        decided_on, about = decision.decided_at.date(), f"Entscheidung {decision.id}"
    else:
        gaps = _invalid_gaps(row)
        version = row.newer_broken  # None for a file that cannot be read at all: its gap says so
    return ReminderCase(
        municipality=row.municipality,
        reason=reason,
        overdue=overdue,
        gaps=gaps,
        stichtag=view.registry.round.stichtag,
        deadline=deadline,
        recipient=recipient,
        unusable_addresses=unusable,
        file=version.path if version else None,
        read_on=version.seen_at.date() if version else None,
        valid_since=row.used.seen_at.date() if reason is Reason.INVALID and row.used else None,
        face=clerk_face(row.municipality),
        hints=hints,
        decided_on=decided_on,
        about=about,
        sign_off_cells=_sign_off_cells(row),
    )


def reminder_cases(
    view: DistrictView, today: date, earlier: EarlierSubmission | None = None, ags: str | None = None
) -> list[ReminderCase]:
    """Every reminder the district view calls for, in registry order (or only the one for `ags`)."""
    cases = []
    for row in view.rows:
        if ags is not None and row.municipality.ags != ags:
            continue
        case = reminder_case(row, view, today, earlier)
        if case is not None:
            cases.append(case)
    return cases
