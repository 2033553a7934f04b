"""The staff's notes (Bemerkung, Wiedervorlage) live in two masters and in the open workbook of Aktualisieren.
Only what the staff changed in one of them is taken; an older copy that was merely saved again never brings
older notes back, and a master that shows older notes is rewritten."""

from __future__ import annotations

import os
import time

from districts import SAMPLE_STICHTAG
from master_reading import notes_in, sheet_rows, type_notes

from pakt.schemas import MasterMedium
from pakt.sync import StateStore, SyncOptions, master_path, refresh_overview, state_path

TUTTLINGEN = "08327066"


def _open_workbook_with(district, note: str):
    """The master as Excel shows it after the staff typed `note` (what Aktualisieren reads from the open workbook)."""
    rows = sheet_rows(district.master, "Übersicht")
    header = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    column = rows[header].index("Bemerkung")
    for row in rows[header + 1 :]:
        if row[0] == TUTTLINGEN:
            row[column] = note
    return lambda name: rows if name == "Übersicht" else []


def _stored_note(district) -> str:
    registry = district.registry()
    with StateStore(state_path(registry, master_path(registry))) as store:
        return store.annotations(SAMPLE_STICHTAG)[TUTTLINGEN].note


def test_an_older_master_saved_again_never_brings_older_notes_back(district):
    district.sync()
    type_notes(district.master, {TUTTLINGEN: ("Zahlen mit Kämmerei abgleichen", None)})
    district.sync()
    lock = district.master.with_name("~$" + district.master.name)
    lock.write_bytes(bytes([4]) + b"Anna" + bytes(157))  # the master is open in Excel: the file cannot be replaced
    refreshed = refresh_overview(
        district.registry(), _open_workbook_with(district, "Kämmerei hat bestätigt"), MasterMedium.XLSX,
        SyncOptions(retry_delay_s=0.2),
    )  # fmt: skip
    assert "Kämmerei hat bestätigt" in [c.value for row in refreshed.sheet.rows for c in row]
    assert _stored_note(district) == "Kämmerei hat bestätigt"
    assert notes_in(district.master)[TUTTLINGEN][0] == "Zahlen mit Kämmerei abgleichen", "the file still shows it"
    lock.unlink()
    later = time.time() + 5
    os.utime(district.master, (later, later))  # Excel saved the old file again, unchanged
    result = district.sync()
    assert _stored_note(district) == "Kämmerei hat bestätigt"
    assert result.master_written and notes_in(district.master)[TUTTLINGEN][0] == "Kämmerei hat bestätigt"


def test_a_note_changed_in_the_master_file_is_taken(district):
    district.sync()
    type_notes(district.master, {TUTTLINGEN: ("Erste Notiz", None)})
    district.sync()
    type_notes(district.master, {TUTTLINGEN: ("Zweite Notiz", None)})
    district.sync()
    assert _stored_note(district) == "Zweite Notiz" and notes_in(district.master)[TUTTLINGEN][0] == "Zweite Notiz"
