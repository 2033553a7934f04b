"""Validate workbook files: the library behind `pakt validate`.

Every file is read by the one reader, checked with the same rules the sync
service applies, and reported. A file that cannot be read at all becomes a
file-level finding, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pakt.schemas import (
    CheckContext,
    Checked,
    Code,
    Draft,
    Finding,
    Registry,
    SchemaMismatch,
    Severity,
    Submission,
    WorkbookUnreadable,
    check,
    median_caseload,
    read_draft,
    rules_for,
)

from ._isolation import IsolatedReaders
from ._open_file import open_workbook_file
from ._problems import file_problem, unreadable

EXIT_OK, EXIT_BLOCKING, EXIT_UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class FileResult:
    """What became of one file: a checked submission, or why it could not be read."""

    path: Path
    checked: Checked | None = None
    unreadable: Finding | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        if self.unreadable is not None:
            return (self.unreadable,)
        return self.checked.findings if self.checked else ()


@dataclass
class ValidationReport:
    """All files of one `pakt validate` run."""

    results: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.results for finding in result.findings]

    @property
    def exit_code(self) -> int:
        if any(r.unreadable for r in self.results):
            return EXIT_UNREADABLE
        if any(r.checked and r.checked.blocking for r in self.results):
            return EXIT_BLOCKING
        return EXIT_OK

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)


def _read(path: Path) -> Draft:
    draft = read_draft(open_workbook_file(path))
    draft.label = str(path)
    return draft


def read_previous(paths: Iterable[Path]) -> dict[str, Submission]:
    """Earlier submissions by AGS, for the jump warning; unreadable or invalid ones are skipped."""
    previous: dict[str, Submission] = {}
    for path in paths:
        try:
            draft = _read(path)
            checked = check(draft, CheckContext(rules=rules_for(draft, None)))
        except (WorkbookUnreadable, SchemaMismatch):
            continue
        if checked.submission is not None:
            previous[checked.submission.header.ags] = checked.submission
    return previous


@dataclass(frozen=True)
class _DraftReader:
    """Reads one file in a worker process (see _isolation.py): its draft, or why it cannot be read."""

    def __call__(self, path: Path) -> Draft | Finding:
        try:
            return _read(path)
        except (WorkbookUnreadable, SchemaMismatch) as exc:
            return unreadable(str(path), exc)


def _drafts(paths: Sequence[Path], report: ValidationReport) -> list[tuple[Path, Draft]]:
    """Every file read in a worker with a time and memory budget; what cannot be read goes into the report."""
    drafts: list[tuple[Path, Draft]] = []
    with IsolatedReaders(_DraftReader(), min(os.cpu_count() or 1, max(1, len(paths)))) as pool:
        for path, outcome in pool.map(paths):
            if isinstance(outcome, Draft):
                drafts.append((path, outcome))
            else:
                problem = outcome if isinstance(outcome, Finding) else file_problem(
                    Code.DATEI_UNLESBAR, outcome.message, str(path)
                )  # fmt: skip
                report.results.append(FileResult(path, unreadable=problem))
    drafts.sort(key=lambda pair: paths.index(pair[0]))
    return drafts


def _of_another_district(draft: Draft, registry: Registry, path: str) -> Finding | None:
    """A workbook bound to a municipality outside the registry's district is refused, as `pakt sync` never
    counts it for any municipality (its AGS is in no row of the registry): exit 2, not a finding to fix."""
    ags = draft.ags
    if not ags or ags.startswith(registry.district.key):
        return None
    where = draft.binding_cells.get("ags")
    name = draft.value("header", "name")
    named = f" ({name})" if isinstance(name, str) and name else ""
    return file_problem(
        Code.AGS_UNBEKANNT,
        f"Die Mappe ist für die Gemeinde {ags}{named} ausgestellt, die nicht zu {registry.district.name} "
        f"({registry.district.key}) gehört; hier wird sie nicht gezählt. Bitte die Mappe beim zuständigen "
        "Landkreis einreichen oder beim Landkreis die eigene Mappe anfordern.",
        path,
        sheet=where.sheet if where is not None else None,
        ags=ags,
        municipality=name if isinstance(name, str) else None,
    )


def validate_files(
    paths: Sequence[Path],
    registry: Registry | None = None,
    previous: dict[str, Submission] | None = None,
) -> ValidationReport:
    """Read and check every file; the district median caseload is taken over the files given.

    A file that cannot be read, or takes too long or too much memory, is reported; the others are checked.
    """
    report = ValidationReport()
    drafts = _drafts(paths, report)
    reference: Decimal | None = median_caseload(draft for _, draft in drafts)
    for path, draft in drafts:
        try:
            rules = rules_for(draft, registry)
        except SchemaMismatch as exc:
            report.results.append(FileResult(path, unreadable=unreadable(str(path), exc)))
            continue
        foreign = _of_another_district(draft, registry, str(path)) if registry is not None else None
        if foreign is not None:
            report.results.append(FileResult(path, unreadable=foreign))
            continue
        earlier = (previous or {}).get(draft.ags or "")
        context = CheckContext(rules=rules, registry=registry, previous=earlier, median_caseload=reference)
        report.results.append(FileResult(path, checked=check(draft, context)))
    report.results.sort(key=lambda r: paths.index(r.path))
    return report
