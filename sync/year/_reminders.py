"""Who gets a reminder, and why: the cases of `pakt remind`, read from the district view. Pure, no I/O.

A municipality is reminded when its submission is

    missing   no workbook of this round has arrived (after the deadline: overdue)
    unsigned  a valid workbook arrived but is not signed off (Einreichen), after the deadline: overdue
    invalid   its newest workbook has blocking errors, or cannot be read

Everybody else (received before the deadline, submitted, late but submitted, approved) is left alone: a
reminder to someone who has done their part costs the district goodwill.

The address comes from the registry (`contact`, `email` of the municipality) first, because the district
keeps it on purpose; else from the submission shown in the master; else from the newest valid submission of
any earlier round (the clerk who answered last time). A case without any address gets no mail and is reported.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from pakt.schemas import Finding, Municipality, SignOff, Submission, format_date

from ..view._consolidate import DistrictView, MunicipalityRow
from ..view._row_status import Status


class Reason(enum.StrEnum):
    """What is wrong with a municipality's submission, as far as a reminder is concerned."""

    MISSING = "fehlt"
    UNSIGNED = "nicht eingereicht"
    INVALID = "fehlerhaft"
    REJECTED = "zurückgewiesen"
    """The district rejected the version under review (with its reason): the municipality must correct it."""


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


EarlierSubmission = Callable[[str], tuple[Submission, date] | None]
"""The newest valid submission of any round for an AGS, with the day it was read (from the state store)."""


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
    if row.submission is not None:
        seen = row.used.seen_at.date() if row.used else None
        header = row.submission.header
        yield header.contact_person, header.email, f"Meldung vom {format_date(seen)}" if seen else "aktuelle Meldung"
    found = earlier(municipality.ags) if earlier else None
    if found is not None:
        submission, seen = found
        stichtag = format_date(submission.header.stichtag)
        yield (
            submission.header.contact_person,
            submission.header.email,
            f"Meldung zum Stichtag {stichtag}, gelesen am {format_date(seen)}",
        )


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
    if reason is Reason.MISSING:
        gaps: tuple[Gap, ...] = (Gap(sheet=None, cell=None, message="Die Meldemappe ist nicht eingegangen."),)
        version = None
    elif reason is Reason.UNSIGNED:
        gaps = _sign_off_gaps(row) or (Gap(sheet=None, cell=None, message="Die Meldung ist nicht eingereicht."),)
        version = row.used
    elif reason is Reason.REJECTED:
        why = row.decision.reason or "ohne Angabe eines Grundes"
        gaps = (Gap(sheet=None, cell=None, message=f"Grund: {why}"),)
        version = row.review_version
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
