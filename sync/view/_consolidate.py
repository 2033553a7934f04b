"""Consolidation: from each municipality's current submission to the district view. Pure, no I/O.

Every registered municipality gets a row, reported or not. Figures are
recomputed from the inputs with the same functions the sheet uses; totals are
sums of the rows, to the cent. A broken newer version never replaces the last
valid one: the row keeps the valid figures and says that a newer one failed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pakt.schemas import (
    CheckContext,
    Code,
    DistributionError,
    DistrictTotals,
    Finding,
    Header,
    IntegrationManager,
    MunicipalFigures,
    Municipality,
    Registry,
    RuleSet,
    Severity,
    SignOff,
    Submission,
    counted,
    district_totals,
    district_warnings,
    format_date,
    median,
    municipal_figures,
    share_fte,
)

from ..store._records import Annotation, Decision, DistrictFigures, VersionRecord
from ..store._reminder_log import ReminderSent
from ._diff import change_summary
from ._row_status import Status

ABSENT = (Status.FEHLT, Status.UEBERFAELLIG)


@dataclass(frozen=True)
class Received:
    """A municipality's versions for the round: the newest one a present file holds, the newest valid one,
    the one the district approved (frozen), and the decision in force on the newest valid one."""

    newest: VersionRecord | None
    valid: VersionRecord | None
    unreadable: Finding | None = None
    approved: VersionRecord | None = None
    decision: Decision | None = None
    first_signed: datetime | None = None
    """When Pakt first saw a signed-off valid version of the round (only while it was watching before the
    deadline; else None and lateness goes by the date the clerk typed)."""


@dataclass(frozen=True, slots=True)
class ShownSubmission:
    """The submission a row shows, read as a Submission: who sent it, whom it names and its sign-off at hand,
    any other part (a column added to the Übersicht may read the persons' ages) parsed from the stored
    version each time it is asked for.

    Whole submissions, held through the master's build, were half the parent's memory in a run of 10,000
    files (about 9 KB of the 12 KB a row took); the figures computed from them stay in the row.
    """

    header: Header
    managers: tuple[IntegrationManager, ...]
    sign_off: SignOff
    version: VersionRecord

    @classmethod
    def of(cls, submission: Submission, version: VersionRecord) -> ShownSubmission:
        return cls(submission.header, submission.managers, submission.sign_off, version)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy, pickle and the like ask for these: not the submission's
            raise AttributeError(name)
        return getattr(self.version.submission(), name)


@dataclass(frozen=True)
class MunicipalityRow:
    municipality: Municipality
    status: Status
    figures: MunicipalFigures | None = None
    allocated_fte: Decimal | None = None
    used: VersionRecord | None = None
    submission: ShownSubmission | None = None
    newer_broken: VersionRecord | None = None
    remark: str = ""
    annotation: Annotation = field(default_factory=Annotation)
    review_version: VersionRecord | None = None
    """The version the Prüfung column decides on: the newest valid one of the round."""
    decision: Decision | None = None
    """The decision in force on `review_version`."""
    approval: Decision | None = None
    """The approval of the version in the totals (`used`), when the district approved it."""
    reminded: date | None = None
    """The day `pakt remind` last reminded the municipality in this round (None: not yet)."""
    reminded_for: str = ""
    """Why it was reminded then, as the mail said (fehlt, überfällig, fehlerhaft, zurückgewiesen)."""
    unreadable: Finding | None = None
    """The problem of its newest file when that cannot be taken over at all (broken, another format): what
    the reminder tells the clerk to do."""

    @property
    def submitted_on(self) -> date | None:
        """The date of the clerk's sign-off, only for a submission that was signed off."""
        if self.submission is None or not self.submission.sign_off.submitted:
            return None
        return self.submission.sign_off.date

    @property
    def absent(self) -> bool:
        """Nothing received at all (missing, or overdue and missing)."""
        return self.status in ABSENT and self.used is None and self.newer_broken is None

    @property
    def approved(self) -> bool:
        return self.approval is not None


@dataclass(frozen=True)
class StaffLine:
    """One integration manager in one municipality, with the cell it came from."""

    municipality: Municipality
    manager: IntegrationManager
    source: str
    sheet: str | None
    cell: str | None


@dataclass(frozen=True)
class ReportLine:
    """One finding for the Prüfbericht, with which version it belongs to."""

    municipality: str
    ags: str
    finding: Finding
    version: str


@dataclass(frozen=True)
class DistrictView:
    registry: Registry
    rules: RuleSet
    rows: tuple[MunicipalityRow, ...]
    totals: DistrictTotals
    staff: tuple[StaffLine, ...]
    report: tuple[ReportLine, ...]
    problems: tuple[Finding, ...] = field(default=())

    def count(self, *statuses: Status) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    @property
    def received(self) -> int:
        """Municipalities whose figures are in the totals."""
        return sum(1 for row in self.rows if row.figures is not None)

    @property
    def missing(self) -> int:
        """Municipalities from which nothing was received (before or after the deadline)."""
        return sum(1 for row in self.rows if row.absent)

    @property
    def invalid(self) -> int:
        """Municipalities whose newest version has blocking errors (with or without older valid figures)."""
        return self.count(Status.FEHLERHAFT)


@dataclass(frozen=True)
class Calendar:
    """The dates a row's status depends on: the round's deadline and the day of the run."""

    deadline: date | None = None
    today: date | None = None

    @property
    def overdue(self) -> bool:
        """Whether the deadline has passed (a missing or unsigned submission is then "überfällig")."""
        return self.deadline is not None and self.today is not None and self.today > self.deadline


def _status(submission: Submission, calendar: Calendar, first_signed: datetime | None) -> tuple[Status, str]:
    """The status of a valid submission, and a remark when the status needs one."""
    deadline = calendar.deadline
    if not submission.sign_off.submitted:
        if calendar.overdue:
            return Status.UEBERFAELLIG, f"Nicht eingereicht; die Abgabefrist ({format_date(deadline)}) ist verstrichen."
        return Status.EINGEGANGEN, ""
    signed = submission.sign_off.date
    if deadline and signed and signed > deadline:
        return Status.VERSPAETET, ""
    if deadline and first_signed and first_signed.date() > deadline:
        typed = f" (eingetragenes Datum der Freigabe: {format_date(signed)})" if signed else ""
        return Status.VERSPAETET, (
            f"Eingereicht am {format_date(first_signed.date())}, nach der Abgabefrist ({format_date(deadline)}){typed}."
        )
    return Status.EINGEREICHT, ""


def _errors(version: VersionRecord) -> int:
    return sum(1 for f in version.findings if f.blocking)


def _missing(municipality: Municipality, calendar: Calendar, annotation: Annotation) -> MunicipalityRow:
    if calendar.overdue:
        remark = f"Keine Meldung; die Abgabefrist ({format_date(calendar.deadline)}) ist verstrichen."
        return MunicipalityRow(municipality, Status.UEBERFAELLIG, remark=remark, annotation=annotation)
    return MunicipalityRow(municipality, Status.FEHLT, annotation=annotation)


def _frozen_remark(
    received: Received, frozen: Submission | None, newer: Submission | None, approval: Decision | None
) -> str:
    """What changed after the approval, beside the frozen figures."""
    valid, approved = received.valid, received.approved
    changed = change_summary(frozen, newer) if frozen is not None and newer is not None else ""
    when = f" am {format_date(approval.decided_at.date())}" if approval else ""
    return (
        f"Nach der Freigabe geändert: die Fassung vom {format_date(valid.seen_at.date())} ({changed or 'geändert'}) "
        f"ist noch nicht freigegeben; in den Summen steht die{when} freigegebene Fassung vom "
        f"{format_date(approved.seen_at.date())}."
    )


REJECTED = "zurückgewiesen"


def _rejected_remark(decision: Decision, frozen_in_totals: bool) -> str:
    reason = f": {decision.reason}" if decision.reason else ""
    kept = " In den freigegebenen Summen steht weiter die früher freigegebene Fassung." if frozen_in_totals else ""
    return (
        f"Zurückgewiesen am {format_date(decision.decided_at.date())} von {decision.decided_by}{reason}. Die "
        f"Gemeinde muss die Meldung korrigieren und neu einreichen.{kept}"
    )


def _unreadable_remark(received: Received, shown: VersionRecord | None) -> str:
    """What the row says of a newest file that cannot be taken over (broken, another format, of the municipality
    by its name only): the file, its problem with what to do, and which version the totals hold."""
    problem = received.unreadable
    where = (problem.file or "").replace("\\", "/")
    name = f" {where.rsplit('/', 1)[-1]}" if "/" in where else ""  # a Google sheet's key is no name to show
    message = problem.message.strip()
    if not message.endswith((".", "!", "?", ")")):
        message += "."
    state = (
        f"Gezeigt wird die gültige Fassung vom {format_date(shown.seen_at.date())}."
        if shown
        else "Eine gültige Fassung liegt nicht vor."
    )
    return f"Die neueste Datei{name} kann nicht übernommen werden: {message} {state}"


def _row(
    municipality: Municipality,
    received: Received | None,
    submissions: Mapping[int, Submission],
    rules: RuleSet,
    calendar: Calendar,
    annotation: Annotation,
    approvals: Mapping[int, Decision],
) -> MunicipalityRow:
    nothing = received is None or (received.newest is None and received.valid is None and received.approved is None)
    if nothing and (received is None or received.unreadable is None):
        return _missing(municipality, calendar, annotation)
    newest, valid, frozen = received.newest, received.valid, received.approved
    shown = frozen or valid
    submission = submissions.get(shown.id) if shown else None
    decision = received.decision
    review = Annotation(
        annotation.note, annotation.follow_up, *(decision.decision, decision.reason) if decision else ()
    )
    common = {
        "figures": municipal_figures(submission, rules) if submission else None,
        "used": shown,
        "submission": ShownSubmission.of(submission, shown) if submission and shown else None,
        "annotation": review,
        "review_version": valid,
        "decision": decision,
        "approval": approvals.get(shown.id) if shown else None,
    }
    broken = newest if newest is not None and not newest.valid else None
    if received.unreadable is not None:
        remark = _unreadable_remark(received, shown)
        return MunicipalityRow(municipality, Status.FEHLERHAFT, remark=remark, unreadable=received.unreadable, **common)
    if broken is not None:
        file_name = broken.path.rsplit("/", 1)[-1]
        if shown is None:
            remark = f"Meldung fehlerhaft ({_errors(broken)} Fehler in {file_name}), siehe Prüfbericht."
        else:
            remark = (
                f"Neuere Fassung fehlerhaft ({_errors(broken)} Fehler in {file_name}, gelesen "
                f"{format_date(broken.seen_at.date())}); gezeigt wird die gültige Fassung vom "
                f"{format_date(shown.seen_at.date())}."
            )
        return MunicipalityRow(municipality, Status.FEHLERHAFT, newer_broken=broken, remark=remark, **common)
    if decision is not None and decision.decision == REJECTED:
        remark = _rejected_remark(decision, frozen is not None and valid is not None and valid.id != frozen.id)
        return MunicipalityRow(municipality, Status.ZURUECKGEWIESEN, remark=remark, **common)
    if frozen is not None and valid is not None and valid.id != frozen.id:
        remark = _frozen_remark(received, submission, submissions.get(valid.id), common["approval"])
        return MunicipalityRow(municipality, Status.GEAENDERT, remark=remark, **common)
    status, remark = _status(submission, calendar, received.first_signed)
    return MunicipalityRow(municipality, status, remark=remark, **common)


def _allocate(rows: list[MunicipalityRow], total_fte: Decimal) -> dict[str, Decimal]:
    """Share the district's reported FTE out by persons (Hare–Niemeyer, 0.05 steps; 0.01 when not in 0.05s)."""
    persons = {row.municipality.ags: row.figures.persons for row in rows if row.figures is not None}
    if not persons:
        return {}
    try:
        return share_fte(persons, total_fte)
    except DistributionError:
        return share_fte(persons, total_fte, Decimal("0.01"))


def _staff(rows: Sequence[MunicipalityRow]) -> list[StaffLine]:
    lines = []
    for row in rows:
        if row.submission is None or row.used is None:
            continue
        places = row.used.locations.get("staff", [])
        for index, manager in enumerate(row.submission.managers):
            sheet, cell = places[index] if index < len(places) else (None, None)
            lines.append(StaffLine(row.municipality, manager, row.used.path, sheet, cell))
    return lines


def _report(rows: Sequence[MunicipalityRow], problems: Sequence[Finding]) -> list[ReportLine]:
    lines = []
    for row in rows:
        name, ags = row.municipality.name, row.municipality.ags
        if row.newer_broken is not None:
            lines += [ReportLine(name, ags, f, "neuere Fassung, nicht übernommen") for f in row.newer_broken.findings]
        if row.used is not None:
            lines += [ReportLine(name, ags, f, "übernommene Fassung") for f in row.used.findings]
        if row.status is Status.ZURUECKGEWIESEN and row.review_version is not None:
            lines.append(ReportLine(name, ags, _rejection_finding(row), "zurückgewiesene Fassung"))
    for problem in problems:
        lines.append(ReportLine(problem.municipality or "", problem.ags or "", problem, "Datei"))
    return lines


def _rejection_finding(row: MunicipalityRow) -> Finding:
    """The Prüfbericht's line for a rejected submission: the file it is about and the district's reason."""
    return Finding(
        code=Code.MELDUNG_ZURUECKGEWIESEN, severity=Severity.WARNING, message=row.remark,
        file=row.review_version.path, ags=row.municipality.ags, municipality=row.municipality.name,
    )  # fmt: skip


def _district_warnings(
    rows: Sequence[MunicipalityRow],
    submissions: Mapping[int, Submission],
    registry: Registry,
    rules: RuleSet,
    previous: Mapping[str, Submission],
) -> list[ReportLine]:
    """Warnings that need the whole district: caseload against the median, persons against the last round."""
    caseloads = [row.figures.caseload for row in rows if row.figures and row.figures.caseload is not None]
    reference = median(caseloads)
    lines = []
    for row in rows:
        if row.used is None or (submission := submissions.get(row.used.id)) is None:
            continue
        where = row.used.where("persons.total") or (None, None)
        context = CheckContext(
            rules=rules, registry=registry, previous=previous.get(row.municipality.ags), median_caseload=reference
        )
        for finding in district_warnings(submission, where, context):
            stamped = finding.model_copy(
                update={"ags": row.municipality.ags, "municipality": row.municipality.name, "file": row.used.path}
            )
            lines.append(ReportLine(row.municipality.name, row.municipality.ags, stamped, "übernommene Fassung"))
    return lines


def consolidate(
    registry: Registry,
    rules: RuleSet,
    received: Mapping[str, Received],
    submissions: Mapping[int, Submission],
    annotations: Mapping[str, Annotation],
    problems: Sequence[Finding] = (),
    previous: Mapping[str, Submission] | None = None,
    today: date | None = None,
    approvals: Mapping[int, Decision] | None = None,
    reminders: Mapping[str, ReminderSent] | None = None,
) -> DistrictView:
    """The district view: one row per registered municipality, totals equal to the sum of the rows.

    `previous` holds each municipality's submission of the round before, for the jump warning; `today` makes
    a missing or unsigned submission "überfällig" after the deadline; `approvals` are the approvals in force,
    by version id (the approved version of a municipality is in `received`); `reminders` the last reminder of
    each municipality in the round, by AGS (store/_reminder_log.py `last_reminders`).
    """
    calendar = Calendar(registry.round.deadline, today)
    approvals = approvals or {}
    rows = [
        _row(m, received.get(m.ags), submissions, rules, calendar, annotations.get(m.ags, Annotation()), approvals)
        for m in registry.municipalities
    ]
    totals = district_totals(row.figures for row in rows if row.figures is not None)
    shares = _allocate(rows, totals.im_fte)
    rows = [_with_share(row, shares.get(row.municipality.ags)) for row in rows]
    rows = [_with_reminder(row, (reminders or {}).get(row.municipality.ags)) for row in rows]
    report = _report(rows, problems) + _district_warnings(rows, submissions, registry, rules, previous or {})
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    report.sort(key=lambda line: (order[line.finding.severity], line.ags or "~", line.finding.file or ""))
    problems = sorted(problems, key=lambda p: (p.file or "", p.code.value, p.message))  # files are read in any order
    return DistrictView(registry, rules, tuple(rows), totals, tuple(_staff(rows)), tuple(report), tuple(problems))


def _with_share(row: MunicipalityRow, share: Decimal | None) -> MunicipalityRow:
    return replace(row, allocated_fte=share)


def _with_reminder(row: MunicipalityRow, sent: ReminderSent | None) -> MunicipalityRow:
    return replace(row, reminded=sent.sent_at.date(), reminded_for=sent.word) if sent is not None else row


@dataclass(frozen=True)
class ApprovedTotals:
    """What the district approved: the figures of the approved rows (the frozen versions' figures)."""

    municipalities: int
    persons: int
    allowance_eur: Decimal
    im_fte: Decimal
    material_costs_eur: Decimal
    funds_use_eur: Decimal


def approved_totals(view: DistrictView) -> ApprovedTotals:
    rows = [row.figures for row in view.rows if row.approved and row.figures is not None]
    return ApprovedTotals(
        len(rows),
        sum(f.persons for f in rows),
        sum((f.allowance_eur for f in rows), Decimal("0.00")),
        sum((f.im_fte for f in rows), Decimal("0.00")),
        sum((f.material_costs_eur for f in rows), Decimal("0.00")),
        sum((f.funds_use_eur for f in rows), Decimal("0.00")),
    )


def district_figures(view: DistrictView) -> DistrictFigures:
    """The district's key figures (the `pakt sync --json` figures; kept with each run)."""
    totals = view.totals
    approved = approved_totals(view)
    return DistrictFigures(
        municipalities=len(view.rows),
        received=view.received,
        missing=view.missing,
        invalid=view.invalid,
        persons=totals.persons,
        allowance_eur=totals.allowance_eur,
        im_heads=totals.im_heads,
        im_fte=totals.im_fte,
        self_managed=totals.self_managed,
        approved=approved.municipalities,
        approved_persons=approved.persons,
        approved_allowance_eur=approved.allowance_eur,
        rejected=view.count(Status.ZURUECKGEWIESEN),
    )


# --- what changed, and whether anything did ----------------------------------------------------


def snapshot_rows(view: DistrictView) -> dict[str, dict]:
    """What a row shows, as plain data: compared run to run to say what changed."""
    rows = {}
    for row in view.rows:
        figures = row.figures
        rows[row.municipality.ags] = {
            "name": row.municipality.name,
            "status": row.status.value,
            "persons": figures.persons if figures else None,
            "allowance_eur": str(figures.allowance_eur) if figures else None,
            "im_fte": str(figures.im_fte) if figures else None,
            "used": row.used.id if row.used else None,
            "broken": row.newer_broken.id if row.newer_broken else None,
            "absent": row.absent,
            "review": row.decision.decision if row.decision else "",
            "review_version": row.review_version.id if row.review_version else None,
            "approved": row.approved,
            "round": view.registry.round.stichtag.isoformat(),
        }
    return rows


VersionChanges = Callable[[int, int], str]
"""The field changes between two stored versions, by id, as one German line."""


def describe_changes(
    before: Mapping[str, dict], after: Mapping[str, dict], details: VersionChanges | None = None
) -> list[str]:
    """German sentences for the Verlauf: what differs between the last run's view and this one, field by
    field where a new version was taken (`details`)."""
    if not before:
        return ["Erster Abgleich: alle Gemeinden neu übernommen."]
    new_round = next(iter(after.values()), {}).get("round")
    if new_round and next(iter(before.values())).get("round") != new_round:
        received = sum(1 for row in after.values() if not row.get("absent"))
        day = date.fromisoformat(new_round)
        return [
            f"Neue Runde zum Stichtag {format_date(day)}: die Übersicht zeigt ihre Meldungen "
            f"({received} von {counted(len(after), 'Gemeinde', 'Gemeinden')} {'hat' if received == 1 else 'haben'} "
            "gemeldet)."
        ]
    changes = []
    for ags, now in after.items():
        then = before.get(ags)
        if then is None:
            changes.append(f"{now['name']}: neu im Verzeichnis.")
        else:
            changes += [f"{now['name']}: {text}" for text in _row_changes(then, now, details)]
    for ags in sorted(before.keys() - after.keys()):
        changes.append(f"{before[ags]['name']}: nicht mehr im Verzeichnis.")
    return changes


def _row_changes(then: dict, now: dict, details: VersionChanges | None) -> list[str]:
    def fields(old: int | None, new: int | None, text: str) -> str:
        line = details(old, new) if details and old and new else ""
        return f"{text} ({line})." if line else f"{text}."

    changes = []
    new_version = bool(then["used"] and now["used"] and then["used"] != now["used"])
    if then["status"] != now["status"]:
        changes.append(f"Status {then['status']} → {now['status']}.")
    persons = then["persons"] != now["persons"] and None not in (now["persons"], then["persons"])
    if persons and not (new_version and details):
        changes.append(f"Personen {then['persons']} → {now['persons']}.")
    if now["broken"] and now["broken"] != then.get("broken"):
        changes.append("neue fehlerhafte Fassung, nicht übernommen.")
    elif new_version:
        changes.append(fields(then["used"], now["used"], "neue gültige Fassung übernommen"))
    pending = now.get("review_version")
    if now.get("approved") and pending and pending != now["used"] and then.get("review_version") != pending:
        changes.append(fields(now["used"], pending, "nach der Freigabe geändert"))
    if now.get("review", "") != then.get("review", "") and pending == then.get("review_version"):
        changes.append(f"Prüfung „{then.get('review') or 'offen'}“ → „{now.get('review') or 'offen'}“.")
    return changes


def view_key(view: DistrictView, snapshot: Mapping[str, dict]) -> str:
    """Fingerprint of what the master shows from the sources: unchanged key, nothing to rewrite.

    Run times and the staff's annotations are left out: annotations are typed into
    the master itself, so a master that holds them needs no rewrite to show them.
    """
    material = {
        "rows": snapshot,
        "problems": sorted([p.code.value, p.file or "", p.message] for p in view.problems),
        "registry": view.registry.model_dump(mode="json"),
        "rules": view.rules.id,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
