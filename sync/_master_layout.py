"""The district master's fixed parts, spelled once: sheet names, status colours, the run stamp."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pakt.schemas import GERMAN_LOCALE_TAG, WARNING_FILL

from ._row_status import Status

SHEET_OVERVIEW = "Übersicht"
SHEET_STAFF = "Integrationsmanager"
SHEET_REPORT = "Prüfbericht"
SHEET_HISTORY = "Verlauf"
SHEET_SERIES = "Zeitreihe"
SHEET_PAYMENTS = "Auszahlung"
SHEET_CHARTS = "Auswertung"

AGS_HEADER = "AGS"
"""The first column of the Übersicht: how a row is found again (the staff's notes are keyed by it)."""

CASELOAD_FORMAT = GERMAN_LOCALE_TAG + "0.0"

STATUS_FILL = {
    Status.FEHLT: "#F4B6B6",
    Status.UEBERFAELLIG: "#E06666",
    Status.FEHLERHAFT: "#F8CBAD",
    Status.EINGEGANGEN: WARNING_FILL,
    Status.EINGEREICHT: "#C6EFCE",
    Status.VERSPAETET: "#D9D2E9",
    Status.GEAENDERT: "#BDD7EE",
}


@dataclass(frozen=True)
class RunStamp:
    """The run a master belongs to."""

    run_id: int
    started_at: datetime
    finished_at: datetime
