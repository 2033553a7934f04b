"""Pakt's exceptions: one small tree, each carrying the German message for people.

    PaktError                  anything Pakt refuses to do, with a German message
    ├── ConfigError            pakt.toml or a rules file is missing or invalid
    ├── RulesError             no allowance rule is in force for a date
    ├── DistributionError      positions cannot be shared out (not in 0.05 steps, nobody to share with)
    ├── WorkbookUnreadable     a file is not a workbook we can open (empty, CSV, corrupt, old .xls)
    │   └── WorkbookEncrypted  the workbook is password-protected
    └── SchemaMismatch         a workbook that is not a Pakt submission of this schema version

Problems *inside* a readable submission are not exceptions but findings
(see `pakt.schemas.Finding`): validation collects all of them so a clerk sees
every problem at once.
"""

from __future__ import annotations


class PaktError(Exception):
    """Base class; `message` is German and meant for clerks and district staff."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    def location(self) -> str:
        """Where the problem sits, as people read it: file, sheet!cell."""
        parts = [p for p in (self.file,) if p]
        if self.sheet:
            parts.append(f"{self.sheet}!{self.cell}" if self.cell else self.sheet)
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ConfigError(PaktError):
    """The registry (pakt.toml) or a rules file cannot be used."""


class RulesError(PaktError):
    """No allowance rule covers the requested date."""


class DistributionError(PaktError):
    """Positions cannot be distributed as asked."""


class WorkbookUnreadable(PaktError):
    """The file cannot be opened as an xlsx workbook at all."""


class WorkbookEncrypted(WorkbookUnreadable):
    """The workbook is protected by a password to open."""


class SchemaMismatch(PaktError):
    """The workbook opens but is not a Pakt submission we can read."""
