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
from pathlib import Path
from typing import Any

from pakt.schemas import MasterMedium, Registry, SheetGrid, counted, format_number

from ..files._paths import master_path
from ..master._layout import SHEET_OVERVIEW
from ..master._overview import overview_grid, read_staff_columns
from ._run import SyncOptions, run_sync

SheetReader = Callable[[str], list[list[Any]]]


@dataclass(frozen=True)
class Refreshed:
    """The Übersicht to write into the open workbook, what to tell the district staff, and the master's folder
    (the open workbook's links to source files are relative to it, as the master file's are)."""

    sheet: SheetGrid
    message: str
    link_base: Path | None = None


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
    failures = " ".join(failure.message for failure in result.failures)
    message = refresh_message(figures.received, figures.municipalities, figures.missing, figures.invalid)
    return Refreshed(
        sheet=overview_grid(result.view, result.stamp, result.place),
        message=f"{message} {failures}".strip(),
        link_base=master_path(registry, options.master).parent,
    )


def refresh_message(received: int, municipalities: int, missing: int, invalid: int) -> str:
    """What Aktualisieren tells the district staff: '34 von 35 Gemeinden übernommen, 1 fehlt, 0 fehlerhaft.'"""
    return (
        f"{format_number(received)} von {counted(municipalities, 'Gemeinde', 'Gemeinden')} übernommen, "
        f"{format_number(missing)} {'fehlt' if missing == 1 else 'fehlen'}, {format_number(invalid)} fehlerhaft."
    )
