"""What changed between two versions of a submission, field by field, in the words of the form.

Labels are the German titles of the submission model (the same the form shows),
so a new field appears here without a change. Integration managers are matched
by their pseudonym, not by their row: a manager moved up a row is no change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from pakt.schemas import Submission, format_date, format_eur, format_number

SUMMARY_CHANGES = 3
"""Changes a one-line summary names before it says how many more there are."""


@dataclass(frozen=True)
class FieldChange:
    """One field of the form whose value differs between two versions."""

    label: str
    before: str
    after: str

    def line(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "leer"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, Decimal):
        return format_eur(value) if name.endswith("_eur") else format_number(value, 2)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int):
        return format_number(value)
    return str(value)


SELF_EXPLAINING = frozenset({"header", "persons", "management", "sign_off"})
"""Sections whose fields read alone ("Ansprechperson"); the others name their section ("Sachkosten › Büro")."""


def _fields(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(name, German label, value) of every plain field, nested sections flattened."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        title = info.title or name
        if isinstance(value, BaseModel):
            yield from _fields(value, "" if name in SELF_EXPLAINING else f"{title} › ")
        elif not isinstance(value, tuple):
            yield name, prefix + title, value


def _manager_changes(old: Submission, new: Submission) -> list[FieldChange]:
    before = {m.pseudonym: m for m in old.managers}
    after = {m.pseudonym: m for m in new.managers}
    changes = []
    for pseudonym in sorted(before.keys() | after.keys()):
        label = f"Integrationsmanager {pseudonym}"
        if pseudonym not in after:
            changes.append(FieldChange(label, f"{_shown('fte', before[pseudonym].fte)} VZÄ", "nicht mehr gemeldet"))
        elif pseudonym not in before:
            changes.append(FieldChange(label, "nicht gemeldet", f"{_shown('fte', after[pseudonym].fte)} VZÄ"))
        else:
            old_fields = {name: (title, value) for name, title, value in _fields(before[pseudonym])}
            for name, title, value in _fields(after[pseudonym]):
                if old_fields[name][1] != value:
                    changes.append(
                        FieldChange(f"{label} › {title}", _shown(name, old_fields[name][1]), _shown(name, value))
                    )
    return changes


def submission_changes(old: Submission, new: Submission) -> list[FieldChange]:
    """Every field that differs, in the order of the form, then the integration managers."""
    before = {label: (name, value) for name, label, value in _fields(old)}
    changes = [
        FieldChange(label, _shown(name, before[label][1]) if label in before else "leer", _shown(name, value))
        for name, label, value in _fields(new)
        if label not in before or before[label][1] != value
    ]
    return changes + _manager_changes(old, new)


def change_summary(old: Submission, new: Submission, limit: int = SUMMARY_CHANGES) -> str:
    """'Personen in Anschlussunterbringung: 120 → 125; …' and how many more, for a remark or the Verlauf."""
    changes = submission_changes(old, new)
    named = "; ".join(change.line() for change in changes[:limit])
    more = len(changes) - limit
    return f"{named} und {more} weitere Änderung{'en' if more > 1 else ''}" if more > 0 else named
