"""Where a municipality's submission stands: light, so that a run that changes nothing needs no consolidation."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """Where a municipality's submission stands, as the Übersicht shows it."""

    FEHLT = "fehlt"
    FEHLERHAFT = "fehlerhaft"
    EINGEGANGEN = "eingegangen"
    EINGEREICHT = "eingereicht"
    VERSPAETET = "verspätet"
