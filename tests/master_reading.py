"""Reading the written master back in tests, by its headers (as staff see it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import python_calamine

from pakt.schemas import Registry
from pakt.sync import SyncOptions, master_path, run_sync, state_path

COMPARED = ("Übersicht", "Integrationsmanager", "Prüfbericht", "Auszahlung", "Zeitreihe")
"""The sheets that show the district (the Verlauf shows the runs)."""


def sheet_rows(master: Path, sheet: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_path(str(master))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def table(master: Path, sheet: str, first_header: str) -> tuple[list[dict], list]:
    """The rows under the header row that starts with `first_header`, as dicts; and the row after them."""
    rows = sheet_rows(master, sheet)
    start = next(i for i, row in enumerate(rows) if row and row[0] == first_header)
    header = rows[start]
    records, rest = [], []
    for row in rows[start + 1 :]:
        if row[0] in ("", None):
            rest = row
            break
        records.append(dict(zip(header, row, strict=False)))
    return records, rest


def overview(master: Path) -> tuple[dict[str, dict], dict]:
    """Übersicht rows by AGS, and the totals row (by header)."""
    rows = sheet_rows(master, "Übersicht")
    start = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    header = rows[start]
    by_ags, totals = {}, {}
    for row in rows[start + 1 :]:
        if row[0] in ("", None):
            totals = dict(zip(header, row, strict=False))
            break
        by_ags[row[0]] = dict(zip(header, row, strict=False))
    return by_ags, totals


def type_notes(master, notes: dict[str, tuple[str, object]]):
    """District staff type into the master's Bemerkung and Wiedervorlage columns and save."""
    book = openpyxl.load_workbook(master)
    sheet = book["Übersicht"]
    header = [c.value for c in sheet[5]]
    for row in sheet.iter_rows(min_row=6):
        ags = row[0].value
        if ags in notes:
            for column, value in zip(("Bemerkung", "Wiedervorlage"), notes[ags], strict=False):
                cell = row[header.index(column)]
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # typed as text (Excel: a leading apostrophe), not as a formula
    book.save(master)


def notes_in(master) -> dict[str, tuple]:
    rows, _ = overview(master)
    return {
        ags: (r["Bemerkung"], r["Wiedervorlage"]) for ags, r in rows.items() if r["Bemerkung"] or r["Wiedervorlage"]
    }


def _without_stamp(rows: list[list]) -> list[list]:
    return [[cell for cell in row if not (isinstance(cell, str) and "(Abgleich Nr." in cell)] for row in rows]


def _formulas(master: Path) -> dict[str, dict[tuple[int, int], str]]:
    book = openpyxl.load_workbook(master, read_only=True)
    found = {}
    for name in COMPARED:
        cells = {}
        for r, row in enumerate(book[name].iter_rows()):
            for c, cell in enumerate(row):
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cells[(r, c)] = cell.value
        found[name] = cells
    book.close()
    return found


def master_sheets(master: Path) -> dict[str, list[list]]:
    """The district's sheets of a master: each cell's value, a formula cell as its formula and its cached
    value (None when the program that saved it last kept none, as openpyxl does when a test types a note);
    the run's stamp left out."""
    formulas = _formulas(master)
    sheets = {}
    for name in COMPARED:
        rows = sheet_rows(master, name)
        for (r, c), formula in formulas[name].items():
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = (formula, rows[r][c] if rows[r][c] != "" else None)
        sheets[name] = _without_stamp(rows)
    return sheets


def _same(shown: object, rebuilt: object) -> bool:
    """A cell shows the same: a formula the same formula, and the same value where the master kept one."""
    if isinstance(shown, tuple) and isinstance(rebuilt, tuple):
        return shown[0] == rebuilt[0] and (shown[1] is None or shown[1] == rebuilt[1])
    return shown == rebuilt


def _same_rows(shown: list, rebuilt: list) -> bool:
    return len(shown) == len(rebuilt) and all(_same(a, b) for a, b in zip(shown, rebuilt, strict=True))


def rebuilt_from_store(registry: Registry) -> dict[str, list[list]]:
    """The sheets a full rebuild writes from the same files and a copy of the same store (into a folder beside
    the master's, so that its links to the workbooks read the same)."""
    master = master_path(registry)
    rebuilt = master.parent.with_name(master.parent.name + "-neu") / master.name
    if rebuilt.parent.exists():
        shutil.rmtree(rebuilt.parent)
    rebuilt.parent.mkdir(parents=True)
    shutil.copy(state_path(registry, master_path(registry)), state_path(registry, rebuilt))
    run_sync(registry, SyncOptions(master=rebuilt, full=True, retry_delay_s=0.2))
    return master_sheets(rebuilt)


def assert_master_current(registry: Registry) -> None:
    """The master shows what the store holds: it equals a master rebuilt from the store."""
    shown, rebuilt = master_sheets(master_path(registry)), rebuilt_from_store(registry)
    for name in COMPARED:
        pairs = list(zip(shown[name], rebuilt[name], strict=False))
        differing = [(i, a, b) for i, (a, b) in enumerate(pairs) if not _same_rows(a, b)]
        same = len(shown[name]) == len(rebuilt[name]) and not differing
        assert same, f"Blatt {name} zeigt nicht, was der Zustandsspeicher hält: {differing[:3]}"
