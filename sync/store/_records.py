"""The state store's records, typed: what it keeps of versions, sources, runs and the staff's notes.

VersionRecord     one stored version of a municipality's submission
SourceRecord      what the store knows of one source entry
Annotation        what district staff typed into the master for one municipality
Decision          the district's decision on one version (geprüft, freigegeben, zurückgewiesen), who and when
RunRecord         one row of the runs table, with
└── RunSummary    what a finished run found (JSON in the store; `pakt sync --json` comes from it)
    ├── RunCounts        what the run read and wrote
    └── DistrictFigures  the district's key figures
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pakt.schemas import Finding

if TYPE_CHECKING:  # the submission model is built only when a stored version is opened
    from pakt.schemas import Submission


@dataclass(frozen=True)
class SourceRecord:
    """What the store knows of one source entry: its last stamp, content and the version it holds."""

    path: str
    size: int
    mtime_ns: int
    sha256: str | None
    version_id: int | None
    problem: Finding | None
    present: bool
    first_seen_run: int


@dataclass(frozen=True)
class VersionRecord:
    """One stored version of a municipality's submission."""

    id: int
    ags: str
    stichtag: date | None
    sha256: str
    path: str
    seen_at: datetime
    run_id: int
    valid: bool
    findings: tuple[Finding, ...]
    locations: dict
    submission_json: str | None

    def submission(self) -> Submission | None:
        from pakt.schemas import Submission

        return Submission.model_validate_json(self.submission_json) if self.submission_json else None

    def where(self, field: str) -> tuple[str, str] | None:
        """Sheet and cell of an input in the workbook this version was read from."""
        found = self.locations.get("fields", {}).get(field)
        return (found[0], found[1]) if found else None


@dataclass(frozen=True)
class PaidLine:
    """One line of a payment list that went to the finance office (kept in the state store, never changed)."""

    ags: str
    tranche: str
    kind: str
    amount: Decimal
    recorded_on: date


@dataclass(frozen=True)
class Annotation:
    """What district staff typed into the master for one municipality.

    Its fields are the keys of the Übersicht's staff-owned columns (see master/_overview.py).
    """

    note: str = ""
    follow_up: str = ""
    review: str = ""
    """The decision on the version the row shows ("geprüft", "freigegeben", "zurückgewiesen"); kept as a
    Decision on that version, not as a note, so that a new version starts undecided."""
    reason: str = ""
    """Why (mainly for "zurückgewiesen"); kept with the decision."""

    @property
    def empty(self) -> bool:
        return not (self.note or self.follow_up or self.review or self.reason)

    def notes(self) -> Annotation:
        """Only the notes (Bemerkung, Wiedervorlage): what the store keeps per round and municipality."""
        return Annotation(self.note, self.follow_up)

    def decision(self) -> tuple[str, str]:
        return (self.review, self.reason)


REVIEW_CHOICES = ("geprüft", "freigegeben", "zurückgewiesen")
"""What district staff may decide on a version (the drop-down of the Übersicht's Prüfung column)."""
APPROVED = "freigegeben"


def review_choice(typed: str) -> str | None:
    """A typed decision as Pakt keeps it ("Freigegeben " -> "freigegeben", "" -> "" for none); None when it
    is none of the choices (then nothing is recorded and the master shows the decision in force again)."""
    text = typed.strip().casefold()
    if not text:
        return ""
    return next((choice for choice in REVIEW_CHOICES if choice == text), None)


@dataclass(frozen=True)
class Decision:
    """The district's decision on one stored version. The newest decision on a version counts; an empty
    decision withdraws an earlier one. Nothing is ever deleted: every decision stays in the store."""

    id: int
    ags: str
    version_id: int
    decision: str
    reason: str
    decided_by: str
    decided_at: datetime

    @property
    def approved(self) -> bool:
        return self.decision == APPROVED

    def describe(self) -> str:
        """'freigegeben am 26.11.2026 von M. Keller' (German, for the Übersicht and the terminal)."""
        if not self.decision:
            return f"Entscheidung zurückgenommen am {self.decided_at:%d.%m.%Y} von {self.decided_by}"
        return f"{self.decision} am {self.decided_at:%d.%m.%Y} von {self.decided_by}"


@dataclass(frozen=True, kw_only=True)
class DistrictFigures:
    """The district's key figures after a run."""

    municipalities: int
    received: int
    """Municipalities whose figures are in the totals."""
    missing: int
    invalid: int
    """Municipalities whose newest version has blocking errors."""
    persons: int
    allowance_eur: Decimal
    im_heads: int
    im_fte: Decimal
    self_managed: int
    approved: int = 0
    """Municipalities whose figures the district approved (the "davon freigegeben" row)."""
    approved_persons: int = 0
    approved_allowance_eur: Decimal = Decimal("0.00")
    rejected: int = 0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: money as a string with two decimals (never a float), FTE as a number."""
        return {
            "municipalities": self.municipalities,
            "received": self.received,
            "missing": self.missing,
            "invalid": self.invalid,
            "persons": self.persons,
            "allowance_eur": f"{self.allowance_eur:.2f}",
            "im_heads": self.im_heads,
            "im_fte": float(self.im_fte),
            "self_managed": self.self_managed,
            "approved": self.approved,
            "approved_persons": self.approved_persons,
            "approved_allowance_eur": f"{self.approved_allowance_eur:.2f}",
            "rejected": self.rejected,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DistrictFigures:
        return cls(
            municipalities=data["municipalities"],
            received=data["received"],
            missing=data["missing"],
            invalid=data["invalid"],
            persons=data["persons"],
            allowance_eur=Decimal(data["allowance_eur"]),
            im_heads=data["im_heads"],
            im_fte=Decimal(str(data["im_fte"])).quantize(Decimal("0.01")),
            self_managed=data["self_managed"],
            approved=data.get("approved", 0),  # a run stored before approvals were counted
            approved_persons=data.get("approved_persons", 0),
            approved_allowance_eur=Decimal(data.get("approved_allowance_eur", "0.00")),
            rejected=data.get("rejected", 0),
        )


@dataclass(frozen=True, kw_only=True)
class RunCounts:
    """What one run read and wrote."""

    read: int
    unchanged: int
    new_versions: int
    master_note: str
    """How the master fared, in German ("neu geschrieben", "unverändert", or why it went beside)."""


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    """Everything a finished run leaves in the store: a later quiet run reports it again without reading."""

    counts: RunCounts
    figures: DistrictFigures
    missing_names: tuple[str, ...] = ()
    problems: tuple[Finding, ...] = ()
    inputs: str = ""
    """Fingerprint of the registry and rules the run used: when they change, the view is rebuilt."""

    def to_json(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "read": counts.read,
            "unchanged": counts.unchanged,
            "new_versions": counts.new_versions,
            "master_note": counts.master_note,
            "district": self.figures.to_json(),
            "missing_names": list(self.missing_names),
            "problems": [p.model_dump(mode="json") for p in self.problems],
            "inputs": self.inputs,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary | None:
        """The stored summary; None for a run that stored none (it was killed, or predates summaries)."""
        if "district" not in data:
            return None
        counts = RunCounts(
            read=data.get("read", 0),
            unchanged=data.get("unchanged", 0),
            new_versions=data.get("new_versions", 0),
            master_note=data.get("master_note", ""),
        )
        return cls(
            counts=counts,
            figures=DistrictFigures.from_json(data["district"]),
            missing_names=tuple(data.get("missing_names", ())),
            problems=tuple(Finding.model_validate(p) for p in data.get("problems", ())),
            inputs=data.get("inputs", ""),
        )


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """One sync run as the store keeps it; `summary` is None while it runs, or when it was killed."""

    id: int
    started_at: datetime
    finished_at: datetime | None = None
    summary: RunSummary | None = None
    changes: tuple[str, ...] = field(default=())
    view_key: str | None = None
    master_path: str | None = None
    master_size: int | None = None
    master_mtime_ns: int | None = None
    masters_key: str | None = None
    """The view the masters show after this run ("" when a master could not be written: the next run writes)."""
