"""Aktualisieren's work on the sync side: keep what the staff typed into an open master, run, give back the Übersicht.

The add-in server hands over a way to read the open workbook's sheets; this
reads the staff's columns from its Übersicht into the store first (so nothing
they typed is lost), runs an ordinary sync, and returns the Übersicht grid the
add-in writes into the open workbook. The add-in never imports the sync
service: the package root passes this function to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pakt.schemas import Registry, SheetGrid, counted

from ._master_layout import SHEET_OVERVIEW
from ._overview import overview_grid, read_staff_columns
from ._run import SyncOptions, master_path, run_sync, state_path
from ._store import StateStore

SheetReader = Callable[[str], list[list[Any]]]


@dataclass(frozen=True)
class Refreshed:
    """The Übersicht to write into the open workbook, and what to tell the district staff."""

    sheet: SheetGrid
    message: str


def refresh_overview(registry: Registry, read_sheet: SheetReader, options: SyncOptions | None = None) -> Refreshed:
    """Save the staff's columns of the open master, sync, and return its new Übersicht."""
    typed = read_staff_columns(read_sheet(SHEET_OVERVIEW))
    if typed:
        with StateStore(state_path(registry, master_path(registry))) as store, store.transaction():
            store.save_annotations(typed, datetime.now())
    options = options or SyncOptions()
    options.need_view = True
    result = run_sync(registry, options)
    figures = result.figures
    message = (
        f"{figures.received} von {counted(figures.municipalities, 'Gemeinde', 'Gemeinden')} übernommen, "
        f"{figures.missing} {'fehlt' if figures.missing == 1 else 'fehlen'}, {figures.invalid} fehlerhaft."
    )
    return Refreshed(overview_grid(result.view, result.stamp, result.place), message)
