"""The port through which the add-in's Aktualisieren reaches the sync service.

The add-in does not import the sync service (imports point down: plugin and
sync both stand on schemas, never on each other). The package root passes a
`Refresh` function when it composes the server; the add-in calls it with the
registry and a way to read the open workbook's sheets, and writes the grid it
gets back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pakt.schemas import Registry, SheetGrid

SheetReader = Callable[[str], list[list[Any]]]
"""The values of a sheet of the open workbook, from A1, by sheet name ([] when there is no such sheet)."""


class Refreshed(Protocol):
    """What a refresh gives back: the sheet to write and a German sentence for the district staff."""

    @property
    def sheet(self) -> SheetGrid: ...

    @property
    def message(self) -> str: ...


Refresh = Callable[[Registry, SheetReader], Refreshed]
