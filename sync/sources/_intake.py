"""Taking in one source entry: the draft read from a workbook, checked and serialised into an `Intake`.

Both sources end here: the draft read from a workbook (by name, whatever the
runtime) is checked and serialised once. District-wide warnings (median
caseload, jump against the previous round) are added later by the caller, who
sees the whole district.
"""

from __future__ import annotations

import json
from datetime import date

from pakt.schemas import CheckContext, Code, Draft, Registry, Severity, check, rules_for

from ..reader._problems import file_problem
from ._source import Intake, SourceEntry


def _locations(draft: Draft) -> dict:
    """Where each input sits in this workbook, for links from the master back to the source cell."""
    fields = {".".join(path): [e.sheet, e.cell] for path, e in draft.fields.items() if e.cell}
    staff = [[row["pseudonym"].sheet, row["pseudonym"].cell] for row in draft.managers if "pseudonym" in row]
    return {"fields": fields, "staff": staff}


DRAFT_HEADER = "header"
"""The locations' key under which an invalid version keeps the contact person and address its header names (a
valid one has them in its submission): a reminder still knows whom to write. Older stores lack it."""


def _named_contact(draft: Draft) -> dict[str, str]:
    """Contact person and e-mail address as the header of a draft names them, as far as they can be read."""
    named = {}
    for name in ("contact_person", "email"):
        entry = draft.fields.get(("header", name))
        value = entry.value if entry is not None and entry.readable else None
        text = value if isinstance(value, str) else entry.raw if entry is not None else None
        if isinstance(text, str) and text.strip():
            named[name] = text.strip()
    return named


BLANK_TEMPLATE = "Leere Vorlage ohne Gemeindeschlüssel; nicht übernommen."


def intake_from_draft(entry: SourceEntry, sha256: str, draft: Draft, registry: Registry) -> Intake:
    """Check a draft with the district's registry and rules; a blank template becomes a note."""
    if not draft.ags:
        return Intake(
            entry, sha256, problem=file_problem(Code.DATEI_UEBERSPRUNGEN, BLANK_TEMPLATE, entry.key, Severity.NOTE)
        )
    stichtag = draft.value("header", "stichtag")
    checked = check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry))
    findings = json.dumps([f.model_dump(mode="json") for f in checked.findings], ensure_ascii=False)
    submission = checked.submission.model_dump_json() if checked.submission is not None else None
    return Intake(
        source=entry,
        sha256=sha256,
        ags=checked.ags,
        stichtag=stichtag if isinstance(stichtag, date) else None,
        valid=submission is not None,
        submission_json=submission,
        findings_json=findings,
        locations_json=json.dumps(
            _locations(draft) if submission is not None else {**_locations(draft), DRAFT_HEADER: _named_contact(draft)},
            ensure_ascii=False,
        ),
    )
