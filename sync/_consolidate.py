"""Consolidation: from each municipality's current submission to the district view. Pure, no I/O.

Every registered municipality gets a row, reported or not. Figures are
recomputed from the inputs with the same functions the sheet uses; totals are
sums of the rows, to the cent. A broken newer version never replaces the last
valid one: the row keeps the valid figures and says that a newer one failed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pakt.schemas import (
    CheckContext,
    DistributionError,
    DistrictTotals,
    Finding,
    IntegrationManager,
    MunicipalFigures,
    Municipality,
    Registry,
    RuleSet,
    Severity,
    Submission,
    district_totals,
    district_warnings,
    format_date,
    median,
    municipal_figures,
    share_fte,
)

from ._records import Annotation, DistrictFigures, VersionRecord
from ._row_status import Status


@dataclass(frozen=True)
class Received:
    """A municipality's versions for the round: the newest one a present file holds, and the valid one shown."""

    newest: VersionRecord | None
    valid: VersionRecord | None
    unreadable: Finding | None = None


@dataclass(frozen=True)
class MunicipalityRow:
    municipality: Municipality
    status: Status
    figures: MunicipalFigures | None = None
    allocated_fte: Decimal | None = None
    used: VersionRecord | None = None
    submission: Submission | None = None
    newer_broken: VersionRecord | None = None
    remark: str = ""
    annotation: Annotation = field(default_factory=Annotation)

    @property
    def submitted_on(self) -> date | None:
        return self.submission.sign_off.date if self.submission else None


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
        return self.count(Status.FEHLT)

    @property
    def invalid(self) -> int:
        """Municipalities whose newest version has blocking errors (with or without older valid figures)."""
        return self.count(Status.FEHLERHAFT)


def _status(submission: Submission, deadline: date | None) -> Status:
    if not submission.sign_off.submitted:
        return Status.EINGEGANGEN
    signed = submission.sign_off.date
    if deadline and signed and signed > deadline:
        return Status.VERSPAETET
    return Status.EINGEREICHT


def _errors(version: VersionRecord) -> int:
    return sum(1 for f in version.findings if f.blocking)


def _row(
    municipality: Municipality,
    received: Received | None,
    submissions: Mapping[int, Submission],
    rules: RuleSet,
    deadline: date | None,
    annotation: Annotation,
) -> MunicipalityRow:
    if received is None or (received.newest is None and received.valid is None):
        return MunicipalityRow(municipality, Status.FEHLT, annotation=annotation)
    newest, valid = received.newest, received.valid
    broken = newest if newest is not None and not newest.valid else None
    submission = submissions.get(valid.id) if valid else None
    figures = municipal_figures(submission, rules) if submission else None
    if received.unreadable is not None:
        shown = (
            f"gezeigt wird die gültige Fassung vom {format_date(valid.seen_at.date())}"
            if valid
            else "keine gültige Fassung"
        )
        remark = f"Die neueste Datei ist nicht lesbar ({received.unreadable.message}); {shown}."
        return MunicipalityRow(
            municipality,
            Status.FEHLERHAFT,
            figures,
            used=valid,
            submission=submission,
            remark=remark,
            annotation=annotation,
        )
    if broken is None:
        return MunicipalityRow(
            municipality,
            _status(submission, deadline),
            figures,
            used=valid,
            submission=submission,
            annotation=annotation,
        )
    file_name = broken.path.rsplit("/", 1)[-1]
    if valid is None:
        remark = f"Meldung fehlerhaft ({_errors(broken)} Fehler in {file_name}), siehe Prüfbericht."
    else:
        remark = (
            f"Neuere Fassung fehlerhaft ({_errors(broken)} Fehler in {file_name}, gelesen {format_date(broken.seen_at.date())}); "
            f"gezeigt wird die gültige Fassung vom {format_date(valid.seen_at.date())}."
        )
    return MunicipalityRow(
        municipality,
        Status.FEHLERHAFT,
        figures,
        used=valid,
        submission=submission,
        newer_broken=broken,
        remark=remark,
        annotation=annotation,
    )


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
    for problem in problems:
        lines.append(ReportLine(problem.municipality or "", problem.ags or "", problem, "Datei"))
    return lines


def _district_warnings(
    rows: Sequence[MunicipalityRow], registry: Registry, rules: RuleSet, previous: Mapping[str, Submission]
) -> list[ReportLine]:
    """Warnings that need the whole district: caseload against the median, persons against the last round."""
    caseloads = [row.figures.caseload for row in rows if row.figures and row.figures.caseload is not None]
    reference = median(caseloads)
    lines = []
    for row in rows:
        if row.submission is None or row.used is None:
            continue
        where = row.used.where("persons.total") or (None, None)
        context = CheckContext(
            rules=rules, registry=registry, previous=previous.get(row.municipality.ags), median_caseload=reference
        )
        for finding in district_warnings(row.submission, where, context):
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
) -> DistrictView:
    """The district view: one row per registered municipality, totals equal to the sum of the rows.

    `previous` holds each municipality's submission of the round before, for the jump warning.
    """
    deadline = registry.round.deadline
    rows = [
        _row(m, received.get(m.ags), submissions, rules, deadline, annotations.get(m.ags, Annotation()))
        for m in registry.municipalities
    ]
    totals = district_totals(row.figures for row in rows if row.figures is not None)
    shares = _allocate(rows, totals.im_fte)
    rows = [_with_share(row, shares.get(row.municipality.ags)) for row in rows]
    report = _report(rows, problems) + _district_warnings(rows, registry, rules, previous or {})
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}
    report.sort(key=lambda line: (order[line.finding.severity], line.ags or "~", line.finding.file or ""))
    problems = sorted(problems, key=lambda p: (p.file or "", p.code.value, p.message))  # files are read in any order
    return DistrictView(registry, rules, tuple(rows), totals, tuple(_staff(rows)), tuple(report), tuple(problems))


def _with_share(row: MunicipalityRow, share: Decimal | None) -> MunicipalityRow:
    return MunicipalityRow(
        row.municipality,
        row.status,
        row.figures,
        share,
        row.used,
        row.submission,
        row.newer_broken,
        row.remark,
        row.annotation,
    )


def district_figures(view: DistrictView) -> DistrictFigures:
    """The district's key figures (the `pakt sync --json` figures; kept with each run)."""
    totals = view.totals
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
        }
    return rows


def describe_changes(before: Mapping[str, dict], after: Mapping[str, dict]) -> list[str]:
    """German sentences for the Verlauf: what differs between the last run's view and this one."""
    if not before:
        return ["Erster Abgleich: alle Gemeinden neu übernommen."]
    changes = []
    for ags, now in after.items():
        then = before.get(ags)
        name = now["name"]
        if then is None:
            changes.append(f"{name}: neu im Verzeichnis.")
            continue
        if then["status"] != now["status"]:
            changes.append(f"{name}: Status {then['status']} → {now['status']}.")
        if then["persons"] != now["persons"] and now["persons"] is not None and then["persons"] is not None:
            changes.append(f"{name}: Personen {then['persons']} → {now['persons']}.")
        if now["broken"] and now["broken"] != then.get("broken"):
            changes.append(f"{name}: neue fehlerhafte Fassung, nicht übernommen.")
        elif then["used"] != now["used"] and now["used"] and then["status"] == now["status"]:
            changes.append(f"{name}: neue gültige Fassung übernommen.")
    for ags in before.keys() - after.keys():
        changes.append(f"{before[ags]['name']}: nicht mehr im Verzeichnis.")
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
