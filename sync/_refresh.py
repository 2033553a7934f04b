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
from typing import Any

from pakt.schemas import MasterMedium, Registry, SheetGrid, counted

from ._master_layout import SHEET_OVERVIEW
from ._overview import overview_grid, read_staff_columns
from ._run import SyncOptions, run_sync

SheetReader = Callable[[str], list[list[Any]]]


@dataclass(frozen=True)
class Refreshed:
    """The Übersicht to write into the open workbook, and what to tell the district staff."""

    sheet: SheetGrid
    message: str


REFRESH_WAIT_S = 60.0
"""How long Aktualisieren waits for a sync that is running already (the staff are waiting too)."""


def refresh_overview(
    registry: Registry, read_sheet: SheetReader, medium: MasterMedium = MasterMedium.XLSX,
    options: SyncOptions | None = None,
) -> Refreshed:  # fmt: skip
    """Take the staff's notes from the open master (Excel or Google), sync, and return its new Übersicht.

    A sync that could not write the master file or the Google master still gives the open workbook its
    Übersicht; the message says what failed.
    """
    typed = read_staff_columns(read_sheet(SHEET_OVERVIEW)) or {}
    options = options or SyncOptions(lock_wait_s=REFRESH_WAIT_S)
    options.need_view = True
    options.open_master = (medium, typed)
    result = run_sync(registry, options)
    figures = result.figures
    message = (
        f"{figures.received} von {counted(figures.municipalities, 'Gemeinde', 'Gemeinden')} übernommen, "
        f"{figures.missing} {'fehlt' if figures.missing == 1 else 'fehlen'}, {figures.invalid} fehlerhaft."
    )
    failures = " ".join(failure.message for failure in result.failures)
    return Refreshed(overview_grid(result.view, result.stamp, result.place), f"{message} {failures}".strip())
