"""Where a municipality's submission stands: light, so that a run that changes nothing needs no consolidation."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """Where a municipality's submission stands, as the Übersicht shows it."""

    FEHLT = "fehlt"
    UEBERFAELLIG = "überfällig"
    """Missing, or received but not signed off, after the deadline."""
    FEHLERHAFT = "fehlerhaft"
    EINGEGANGEN = "eingegangen"
    EINGEREICHT = "eingereicht"
    VERSPAETET = "verspätet"
    """Signed off, but first seen (or dated) after the deadline."""
    ZURUECKGEWIESEN = "zurückgewiesen"
    """The district rejected the newest valid version: the municipality owes a correction. Its figures show
    in its row and in the reported totals, never in the approved ones."""
    GEAENDERT = "nach Freigabe geändert"
    """The district approved a version; the workbook has changed since. The approved figures stay in the totals."""
