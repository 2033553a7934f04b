"""The port through which the add-in's Aktualisieren reaches the sync service.

The add-in does not import the sync service (imports point down: plugin and
sync both stand on schemas, never on each other). The package root passes a
`Refresh` function when it composes the server; the add-in calls it with the
registry, a way to read the open workbook's sheets and which master that
workbook is, and writes the grid it gets back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pakt.schemas import MasterMedium, Registry, SheetGrid

SheetReader = Callable[[str], list[list[Any]]]
"""The values of a sheet of the open workbook, from A1, by sheet name ([] when there is no such sheet)."""


class Refreshed(Protocol):
    """What a refresh gives back: the sheet to write, a German sentence for the district staff, and where
    file links start from."""

    @property
    def sheet(self) -> SheetGrid: ...

    @property
    def message(self) -> str: ...

    @property
    def link_base(self) -> Path | None:
        """The folder the master file is kept in: links to source files are relative to it, as in the file."""
        ...


Refresh = Callable[[Registry, SheetReader, MasterMedium], Refreshed]
"""refresh(registry, read_sheet, medium): `medium` says which master the open workbook is (an Excel
workbook: the xlsx master; a Google Sheet: the Google master), so the staff's notes in it are read right."""
