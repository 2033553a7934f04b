"""Submissions and stored versions built in Python, for tests that consolidate without a state store."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from pakt.schemas import CheckContext, Registry, Submission, check, read_draft, rules_for
from pakt.sync import open_workbook_file
from pakt.sync.store._store import VersionRecord


def checked_submissions(registry: Registry, paths: Iterable[Path]) -> dict[str, Submission]:
    """Each workbook read and checked as a sync would, by its AGS."""
    found = {}
    for path in paths:
        draft = read_draft(open_workbook_file(path))
        found[draft.ags] = check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry)).submission
    return found


def stored_version(
    number: int, ags: str, valid: bool = True, stichtag: date = date(2018, 6, 30), findings: tuple = (),
    seen_at: datetime = datetime(2018, 7, 1, 9, 0),
) -> VersionRecord:  # fmt: skip
    """Version `number` of a municipality's submission as the store keeps it (no JSON: callers pass the model)."""
    return VersionRecord(
        id=number,
        ags=ags,
        stichtag=stichtag,
        sha256=f"{number:064x}",
        path=f"/share/{ags}.xlsx",
        seen_at=seen_at,
        run_id=1,
        valid=valid,
        findings=findings,
        locations={"fields": {}},
        submission_json=None,
    )
