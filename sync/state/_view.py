"""The state view: one row per registered district, judged from its master's reading. Pure, no I/O.

Statuses of a district, one level above the municipalities' (see docs/landratsamt.md, the state roll-up):

    fehlt        no master at the registered place (nor in the state's folders), before the deadline
    überfällig   no master of the running round after the state's deadline (none at all, or only an
                 earlier round's)
    veraltet     the master is intact but shows an earlier Stichtag: the district has not yet synced the
                 running round; not counted
    fehlerhaft   the newest master failed a check (unreadable, another district, later Stichtag, other
                 rules, a bad cell, totals that are not the sum of the rows), or one of its municipalities
                 also stands in another district's master; the last valid reading of the round (if any)
                 stays in the totals, as a municipality's last valid submission does at district level
    aktuell      a valid master of the running round; its figures are in the totals

A reading is judged here, every run, against the registry (district key,
round, rules), so that a changed registry needs no file read again. Totals are
sums of the districts' rows, to the cent.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pakt.schemas import (
    Code,
    DistrictEntry,
    Finding,
    Registry,
    RuleSet,
    Severity,
    counted,
    format_date,
    format_eur,
    per_head_allowance,
)

from ..reader._master_binding import SHEET_MASTER_BINDING
from ._reading import MasterFigures, MasterReading, MasterRow


class DistrictStatus(enum.StrEnum):
    """Where a district's master stands, as the state's Übersicht shows it (see the module docstring)."""

    FEHLT = "fehlt"
    UEBERFAELLIG = "überfällig"
    FEHLERHAFT = "fehlerhaft"
    VERALTET = "veraltet"
    AKTUELL = "aktuell"


MISSING = (DistrictStatus.FEHLT, DistrictStatus.UEBERFAELLIG, DistrictStatus.VERALTET)
TAKEN_OVER = "übernommene Übersicht"
NOT_TAKEN_OVER = "neueste Übersicht, nicht übernommen"


@dataclass(frozen=True)
class MasterFile:
    """A master file present now and what reading it gave: a reading, or the problem why there is none."""

    path: str
    reading_id: int | None = None
    reading: MasterReading | None = None
    problem: Finding | None = None


@dataclass(frozen=True)
class KnownReading:
    """A reading the store keeps (of any file ever read), with the file it was first read from."""

    id: int
    path: str
    reading: MasterReading


class Verdict(enum.Enum):
    TAKEN = "taken"
    EARLIER = "earlier"
    REFUSED = "refused"


@dataclass(frozen=True)
class Judged:
    verdict: Verdict
    findings: tuple[Finding, ...]


def _stamp(findings: Sequence[Finding], path: str, entry: DistrictEntry | None) -> tuple[Finding, ...]:
    """Findings naming the file and the district (the Prüfbericht and the terminal show both)."""
    update: dict[str, Any] = {"file": path}
    if entry is not None:
        update |= {"ags": entry.key, "municipality": entry.name}
    return tuple(f.model_copy(update=update) for f in findings)


def _error(
    code: Code, message: str, severity: Severity = Severity.ERROR, sheet: str | None = None, cell: str | None = None
) -> Finding:
    return Finding(code=code, severity=severity, message=message, sheet=sheet, cell=cell)


def _district_findings(reading: MasterReading, entry: DistrictEntry) -> list[Finding]:
    if reading.district != entry.key:
        message = (
            f"Die Übersicht gehört zum Kreisschlüssel {reading.district} ({reading.district_name}), eingetragen ist "
            f"{entry.key} ({entry.name}). Bitte die Übersicht des richtigen Landkreises ablegen oder pakt.toml berichtigen."
        )
        return [_error(Code.KREIS_ABWEICHEND, message, sheet=SHEET_MASTER_BINDING)]
    if reading.district_name != entry.name:
        message = f"Die Übersicht nennt den Landkreis „{reading.district_name}“, pakt.toml „{entry.name}“."
        return [_error(Code.NAME_ABWEICHEND, message, Severity.WARNING, sheet=SHEET_MASTER_BINDING)]
    return []


def _rules_findings(reading: MasterReading, rules: RuleSet) -> list[Finding]:
    if reading.rules == rules.id:
        return []
    message = f"Die Übersicht wurde nach den Regeln „{reading.rules}“ berechnet, das Land rechnet nach „{rules.id}“."
    return [_error(Code.REGELN_ABWEICHEND, message, sheet=SHEET_MASTER_BINDING)]


def _stichtag_findings(reading: MasterReading, stichtag: date) -> list[Finding]:
    """Another round's master: an earlier one is a warning (the district has not synced yet), a later one an error."""
    if reading.stichtag is None or reading.stichtag == stichtag:
        return []
    earlier = reading.stichtag < stichtag
    then = (
        "sie zählt, sobald der Landkreis die laufende Runde abgeglichen hat."
        if earlier
        else "bitte die aufbewahrte Übersicht der laufenden Runde ablegen."
    )
    message = (
        f"Die Übersicht zeigt den Stichtag {format_date(reading.stichtag)}, das Land sammelt den Stichtag "
        f"{format_date(stichtag)}; {then}"
    )
    severity = Severity.WARNING if earlier else Severity.ERROR
    return [_error(Code.STICHTAG_ABWEICHEND, message, severity, sheet=SHEET_MASTER_BINDING)]


def _recomputed(reading: MasterReading, stichtag: date, rules: RuleSet) -> list[Finding]:
    """Never trust the sheet: each allowance is recomputed from the persons with the state's rules."""
    found = []
    for row in reading.rows:
        if row.persons is None or row.allowance_eur is None:
            continue
        expected = per_head_allowance(row.persons, stichtag, rules)
        if row.allowance_eur != expected:
            found.append(
                _error(
                    Code.WERT_UNGUELTIG,
                    f"{row.name}: die Pro-Kopf-Pauschale {format_eur(row.allowance_eur)} "
                    f"passt nicht zu {counted(row.persons, 'Person', 'Personen')} ({format_eur(expected)}).",
                    sheet=reading.sheet,
                    cell=reading.cell("allowance_eur", row.row),
                )
            )
    return found


def judge(reading: MasterReading, path: str, entry: DistrictEntry, stichtag: date, rules: RuleSet) -> Judged:
    """Whether a reading may be taken over for `entry` in the running round, and every finding about it."""
    findings = [*reading.findings, *_district_findings(reading, entry), *_rules_findings(reading, rules)]
    findings += _stichtag_findings(reading, stichtag)
    if reading.stichtag == stichtag and reading.rules == rules.id:
        findings += _recomputed(reading, stichtag, rules)
    stamped = _stamp(findings, path, entry)
    if any(f.blocking for f in findings) or reading.stichtag is None:
        return Judged(Verdict.REFUSED, stamped)
    return Judged(Verdict.EARLIER if reading.stichtag < stichtag else Verdict.TAKEN, stamped)


# -- the view ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One finding for the state's Prüfbericht."""

    district_key: str
    district_name: str
    finding: Finding
    version: str


@dataclass(frozen=True)
class DistrictRow:
    """One district as the state's Übersicht shows it."""

    entry: DistrictEntry
    status: DistrictStatus
    shown: MasterReading | None = None
    """The reading in the totals (the current master's, or the last valid one of the round)."""
    shown_path: str | None = None
    current_path: str | None = None
    """The master file looked at this run (the registered one, or one found in the state's folders)."""
    remark: str = ""

    @property
    def figures(self) -> MasterFigures | None:
        return self.shown.sums if self.shown is not None else None

    @property
    def municipalities(self) -> int | None:
        return len(self.shown.rows) if self.shown is not None else None

    @property
    def reported_text(self) -> str:
        """'34 von 35' (municipalities the district received something from, of those it lists)."""
        return f"{self.shown.reported} von {len(self.shown.rows)}" if self.shown is not None else ""


@dataclass(frozen=True, kw_only=True)
class StateFigures:
    """The state's key figures (the `pakt sync --json` object of a state)."""

    districts: int
    municipalities: int
    municipalities_reported: int
    received: int
    """Districts whose figures are in the totals."""
    missing: int
    """Districts without a master of the running round (fehlt, überfällig, veraltet)."""
    invalid: int
    persons: int
    allowance_eur: Decimal
    """Reported: rejected submissions included (they were reported), as in each district's totals row."""
    im_fte: Decimal
    approved_municipalities: int = 0
    """Municipalities whose figures their district approved, over the districts whose master says so."""
    approved_allowance_eur: Decimal = Decimal("0.00")
    approval_unknown: int = 0
    """Districts in the totals whose master does not say what it approved (written by an older Pakt)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "districts": self.districts,
            "municipalities": self.municipalities,
            "municipalities_reported": self.municipalities_reported,
            "received": self.received,
            "missing": self.missing,
            "invalid": self.invalid,
            "persons": self.persons,
            "allowance_eur": f"{self.allowance_eur:.2f}",
            "im_fte": float(self.im_fte),
            "approved_municipalities": self.approved_municipalities,
            "approved_allowance_eur": f"{self.approved_allowance_eur:.2f}",
            "approval_unknown": self.approval_unknown,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateFigures:
        return cls(
            **{k: data[k] for k in ("districts", "municipalities", "municipalities_reported", "received")},
            missing=data["missing"],
            invalid=data["invalid"],
            persons=data["persons"],
            allowance_eur=Decimal(data["allowance_eur"]),
            im_fte=Decimal(str(data["im_fte"])),
            approved_municipalities=data.get("approved_municipalities", 0),  # a run stored before approvals
            approved_allowance_eur=Decimal(data.get("approved_allowance_eur", "0.00")),
            approval_unknown=data.get("approval_unknown", 0),
        )


@dataclass(frozen=True)
class StateView:
    registry: Registry
    rules: RuleSet
    rows: tuple[DistrictRow, ...]
    report: tuple[ReportLine, ...]
    totals: MasterFigures = field(default_factory=MasterFigures)

    def count(self, *statuses: DistrictStatus) -> int:
        return sum(1 for row in self.rows if row.status in statuses)

    def municipality_rows(self) -> list[tuple[DistrictRow, MasterRow]]:
        """Every municipality of every district in the totals, district by district."""
        return [(row, line) for row in self.rows if row.shown is not None for line in row.shown.rows]

    def figures(self) -> StateFigures:
        shown = [row.shown for row in self.rows if row.shown is not None]
        approvals = [reading.approval for reading in shown if reading.approval is not None]
        return StateFigures(
            districts=len(self.rows),
            municipalities=sum(len(r.rows) for r in shown),
            municipalities_reported=sum(r.reported for r in shown),
            received=len(shown),
            missing=sum(1 for row in self.rows if row.status in MISSING and row.shown is None),
            invalid=self.count(DistrictStatus.FEHLERHAFT),
            persons=self.totals.persons,
            allowance_eur=self.totals.allowance_eur,
            im_fte=self.totals.im_fte,
            approved_municipalities=sum(a.municipalities for a in approvals),
            approved_allowance_eur=sum((a.allowance_eur for a in approvals), Decimal("0.00")),
            approval_unknown=len(shown) - len(approvals),
        )

    def missing_names(self) -> tuple[str, ...]:
        return tuple(row.entry.name for row in self.rows if row.status in MISSING and row.shown is None)

    def key(self) -> str:
        """Fingerprint of everything the state master shows but its run stamp: equal keys, equal masters."""
        rows = [
            [
                row.entry.model_dump(),
                row.status.value,
                row.remark,
                row.shown_path,
                row.current_path,
                row.shown.to_json() if row.shown is not None else None,
            ]
            for row in self.rows
        ]
        report = [[line.district_key, line.finding.model_dump(mode="json"), line.version] for line in self.report]
        material = json.dumps([rows, report, self.registry.model_dump(mode="json"), self.rules.id], sort_keys=True)
        return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class Calendar:
    deadline: date | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.today > self.deadline


def _moved(entry: DistrictEntry, found: str) -> Finding:
    message = (
        f"Die eingetragene Übersicht {entry.master} fehlt; gelesen wurde {PurePath(found).name}. "
        "Bitte pakt.toml berichtigen."
    )
    return _error(Code.MAPPE_VERSCHOBEN, message, Severity.WARNING)


@dataclass
class _Builder:
    """Builds the rows one district at a time; collects the Prüfbericht."""

    registry: Registry
    rules: RuleSet
    files: Mapping[str, MasterFile]
    history: Mapping[str, Sequence[KnownReading]]
    calendar: Calendar
    report: list[ReportLine] = field(default_factory=list)

    @property
    def stichtag(self) -> date:
        return self.registry.round.stichtag

    def registered(self, entry: DistrictEntry) -> str:
        return str(self.registry.resolve(entry.master))

    def current(self, entry: DistrictEntry) -> MasterFile | None:
        """The registered master; when that is absent, the best master of this district in the state's folders."""
        registered = self.files.get(self.registered(entry))
        if registered is not None:
            return registered
        found = [f for f in self.files.values() if f.reading is not None and f.reading.district == entry.key]
        found.sort(key=lambda f: (f.reading.finished or datetime.min, f.path), reverse=True)  # newest Stand first
        rank = {Verdict.TAKEN: 0, Verdict.EARLIER: 1, Verdict.REFUSED: 2}
        found.sort(key=lambda f: rank[judge(f.reading, f.path, entry, self.stichtag, self.rules).verdict])
        return found[0] if found else None

    def last_valid(self, entry: DistrictEntry, besides: int | None) -> KnownReading | None:
        """The newest valid reading of the running round for this district (by its Stand, then by arrival)."""
        valid = [
            known
            for known in self.history.get(entry.key, ())
            if known.id != besides
            and judge(known.reading, known.path, entry, self.stichtag, self.rules).verdict is Verdict.TAKEN
        ]
        return max(valid, key=lambda k: (k.reading.finished or datetime.min, k.id), default=None)

    def add(self, entry: DistrictEntry, findings: Sequence[Finding], version: str) -> None:
        self.report += [ReportLine(entry.key, entry.name, f, version) for f in findings]

    def row(self, entry: DistrictEntry) -> DistrictRow:
        current = self.current(entry)
        if current is None:
            return self._absent(entry)
        if current.path != self.registered(entry):
            self.add(entry, _stamp([_moved(entry, current.path)], current.path, entry), "Datei")
        if current.reading is None:
            problem = current.problem or _error(Code.DATEI_UNLESBAR, "Die Übersicht ist nicht lesbar.")
            return self._refused(entry, current, _stamp([problem], current.path, entry), None)
        judged = judge(current.reading, current.path, entry, self.stichtag, self.rules)
        if judged.verdict is Verdict.TAKEN:
            self.add(entry, judged.findings, TAKEN_OVER)
            return DistrictRow(entry, DistrictStatus.AKTUELL, current.reading, current.path, current.path)
        return self._refused(entry, current, judged.findings, judged.verdict)

    def _absent(self, entry: DistrictEntry) -> DistrictRow:
        if self.calendar.overdue:
            remark = f"Keine Übersicht; die Abgabefrist ({format_date(self.calendar.deadline)}) ist verstrichen."
            return DistrictRow(entry, DistrictStatus.UEBERFAELLIG, remark=remark)
        return DistrictRow(entry, DistrictStatus.FEHLT, remark=f"Erwartet unter {entry.master}.")

    def _refused(
        self, entry: DistrictEntry, current: MasterFile, findings: Sequence[Finding], verdict: Verdict | None
    ) -> DistrictRow:
        fallback = self.last_valid(entry, current.reading_id)
        if verdict is Verdict.EARLIER and fallback is None:
            self.add(entry, findings, NOT_TAKEN_OVER)
            old = format_date(current.reading.stichtag)
            if self.calendar.overdue:
                remark = (
                    f"Die Übersicht zeigt noch den Stichtag {old}; die Abgabefrist "
                    f"({format_date(self.calendar.deadline)}) ist verstrichen."
                )
                return DistrictRow(entry, DistrictStatus.UEBERFAELLIG, current_path=current.path, remark=remark)
            remark = f"Die Übersicht zeigt noch den Stichtag {old}; die laufende Runde ist noch nicht abgeglichen."
            return DistrictRow(entry, DistrictStatus.VERALTET, current_path=current.path, remark=remark)
        self.add(entry, findings, NOT_TAKEN_OVER)
        name = PurePath(current.path).name
        errors = sum(1 for f in findings if f.blocking)
        what = f"Die Übersicht {name} ist fehlerhaft ({errors} Fehler, siehe Prüfbericht)"
        if verdict is Verdict.EARLIER:
            what = f"Die Übersicht {name} zeigt den Stichtag {format_date(current.reading.stichtag)}"
        if fallback is None:
            return DistrictRow(
                entry,
                DistrictStatus.FEHLERHAFT,
                current_path=current.path,
                remark=f"{what}; keine gültige Übersicht dieser Runde.",
            )
        stand = fallback.reading.finished
        when = f" vom {stand:%d.%m.%Y %H:%M}" if stand else ""
        self.add(entry, _stamp(fallback.reading.findings, fallback.path, entry), TAKEN_OVER)
        return DistrictRow(
            entry,
            DistrictStatus.FEHLERHAFT,
            fallback.reading,
            fallback.path,
            current.path,
            f"{what}; gezeigt wird die gültige Übersicht{when}.",
        )


def _conflicts(rows: list[DistrictRow]) -> tuple[list[DistrictRow], list[ReportLine]]:
    """A municipality in the masters of two districts: reported in both, both named; both turn fehlerhaft
    (Pakt cannot know which district is wrong) and keep their figures."""
    where: dict[str, list[tuple[DistrictRow, MasterRow]]] = {}
    for row in rows:
        for line in row.shown.rows if row.shown is not None else ():
            where.setdefault(line.ags, []).append((row, line))
    lines, remarks = [], {}
    for ags, found in where.items():
        if len({row.entry.key for row, _ in found}) < 2:
            continue
        names = " und ".join(row.entry.name for row, _ in found)
        for row, line in found:
            message = (
                f"{line.name} ({ags}) steht in den Übersichten von {names}. Bitte mit den Landkreisen klären, "
                "wohin die Gemeinde gehört; bis dahin zählt sie doppelt."
            )
            finding = _error(Code.MELDUNG_DOPPELT, message, sheet=row.shown.sheet, cell=row.shown.cell("ags", line.row))
            lines.append(
                ReportLine(row.entry.key, row.entry.name, _stamp([finding], row.shown_path, row.entry)[0], TAKEN_OVER)
            )
            remarks.setdefault(row.entry.key, []).append(f"{line.name} ({ags}) steht auch bei {names}.")
    changed = [
        replace(row, status=DistrictStatus.FEHLERHAFT, remark=" ".join([row.remark, *remarks[row.entry.key]]).strip())
        if row.entry.key in remarks
        else row
        for row in rows
    ]
    return changed, lines


def _file_problems(files: Mapping[str, MasterFile], used: set[str], registry: Registry) -> list[ReportLine]:
    """Files of the state's folders that are no district master of a registered district."""
    keys = {entry.key for entry in registry.districts}
    lines = []
    for path, file in sorted(files.items()):
        if path in used:
            continue
        if file.reading is None and file.problem is not None and file.problem.code is Code.VORLAGE_UNBEKANNT:
            note = _error(Code.DATEI_UEBERSPRUNGEN, f"{file.problem.message} Übergangen.", Severity.NOTE)
            lines.append(ReportLine("", "", note.model_copy(update={"file": path}), "Datei"))
        elif file.reading is None and file.problem is not None:
            lines.append(ReportLine("", "", file.problem.model_copy(update={"file": path}), "Datei"))
        elif file.reading is not None and file.reading.district not in keys:
            note = _error(
                Code.DATEI_UEBERSPRUNGEN,
                f"Übersicht des Landkreises {file.reading.district} "
                f"({file.reading.district_name}), der nicht in pakt.toml steht; übergangen.",
                Severity.NOTE,
            )
            lines.append(ReportLine("", "", note.model_copy(update={"file": path}), "Datei"))
    return lines


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def build_state_view(
    registry: Registry,
    rules: RuleSet,
    files: Mapping[str, MasterFile],
    history: Mapping[str, Sequence[KnownReading]],
    today: date,
    notes: Sequence[Finding] = (),
) -> StateView:
    """The state view: one row per registered district, totals equal to the sum of the districts' rows.

    `files` are the master files present now (registered and in the state's folders), by path; `history`
    every reading the store keeps, by the district key its binding names; `notes` what the listing passed over.
    """
    builder = _Builder(registry, rules, files, history, Calendar(registry.round.deadline, today))
    rows = [builder.row(entry) for entry in registry.districts]
    rows, conflicts = _conflicts(rows)
    used = {path for row in rows for path in (row.current_path, row.shown_path) if path}
    report = builder.report + conflicts + _file_problems(files, used, registry)
    report += [ReportLine("", "", note, "Datei") for note in notes]
    report.sort(
        key=lambda line: (
            SEVERITY_ORDER[line.finding.severity],
            line.district_key or "~",
            line.finding.file or "",
            line.finding.cell or "",
        )
    )
    totals = sum((row.figures for row in rows if row.figures is not None), MasterFigures())
    return StateView(registry, rules, tuple(rows), tuple(report), totals)
