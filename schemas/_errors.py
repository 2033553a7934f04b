"""Pakt's exceptions: one small tree, each carrying the German message for people and, for the
command line, its exit code.

    PaktError                  anything Pakt refuses to do, with a German message            exit 2
    ├── ConfigError            pakt.toml or a rules file is missing or invalid                    2
    ├── RulesError             no allowance rule is in force for a date                           2
    ├── DistributionError      positions cannot be shared out (not in 0.05 steps, nobody to share with)
    ├── WorkbookUnreadable     a file is not a workbook we can open (empty, CSV, corrupt, old .xls) 2
    │   └── WorkbookEncrypted  the workbook is password-protected                                 2
    ├── SchemaMismatch         a workbook that is not a Pakt submission of this schema version    2
    └── EnvironmentFailure     the machine or a service failed, not the input                     7
        ├── MasterNotWritten   the master could not be written; the previous one is unchanged     3
        ├── StoreUnavailable   the state store or key store cannot be opened or written           4
        ├── GoogleUnavailable  Google unreachable, credentials missing or refused                 5
        └── RunInProgress      another sync of the same district is running                       6

Problems *inside* a readable submission are not exceptions but findings
(see `pakt.schemas.Finding`): validation collects all of them so a clerk sees
every problem at once.
"""

from __future__ import annotations


class PaktError(Exception):
    """Base class; `message` is German and meant for clerks and district staff."""

    exit_code = 2
    """What `pakt` exits with when this error ends a command (docs/betrieb.md, Exit-Codes)."""

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


class EnvironmentFailure(PaktError):
    """The machine or a service failed (disk, permissions, network), not the input: say what and what to do."""

    exit_code = 7


class MasterNotWritten(EnvironmentFailure):
    """The master could not be written; the previous master is unchanged and the next run writes it."""

    exit_code = 3


class StoreUnavailable(EnvironmentFailure):
    """The state store (or the key store) cannot be opened or written: damaged, read-only, locked, missing."""

    exit_code = 4


class GoogleUnavailable(EnvironmentFailure):
    """Google could not be used for the run: unreachable, credentials missing, refused or without rights."""

    exit_code = 5


class RunInProgress(EnvironmentFailure):
    """Another sync of the same district holds the run lock."""

    exit_code = 6
