"""Scanning the folder source: every workbook under the registry's folders (a network share in real life).

Scanning only stats files; nothing is read until the state store says a file
changed. Lock files, temporary files and non-workbooks are skipped with a
German note.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from pakt.schemas import Registry, WorkbookFile, WorkbookRef, describe_os_error

from ._source import Listing, Note, SourceEntry

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
TEMP_SUFFIXES = frozenset({".tmp", ".temp", ".part", ".partial", ".crdownload", ".bak"})


def _skip_reason(name: str, suffix: str) -> str | None:
    if name.startswith("~$"):
        return "Sperrdatei von Excel (Mappe ist gerade geöffnet) übersprungen."
    if name.startswith(".~lock.") or name.endswith("#"):
        return "Sperrdatei von LibreOffice übersprungen."
    if name.startswith(".") or suffix in TEMP_SUFFIXES or name.endswith("~"):
        return "Temporäre Datei übersprungen."
    if suffix not in WORKBOOK_SUFFIXES:
        return f"Keine Excel-Arbeitsmappe ({suffix or 'ohne Endung'}) übersprungen."
    return None


def _excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, f"{p}/*") for p in patterns)


def _walk(folder: Path, exclude: tuple[str, ...], found: dict[str, SourceEntry], notes: list[Note]) -> None:
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listed:
                entries = list(listed)
        except OSError as error:
            notes.append(Note(current, f"Ordner nicht lesbar ({describe_os_error(error)}); seine Meldungen fehlen."))
            continue
        for entry in entries:
            if exclude and _excluded(os.path.relpath(entry.path, folder), exclude):
                continue
            _visit(entry, stack, found, notes)


def _visit(entry: os.DirEntry, stack: list[str], found: dict[str, SourceEntry], notes: list[Note]) -> None:
    """One directory entry: a folder to walk, a workbook to list, or something passed over with a note.

    A workbook that cannot even be looked at (no permission) is still listed, with an impossible stamp:
    reading it then fails with a German finding, and its municipality's last version stays.
    """
    try:
        if entry.is_dir(follow_symlinks=False):
            stack.append(entry.path)
            return
        if not entry.is_file():
            return
    except OSError:
        pass
    name = entry.name
    dot = name.rfind(".")
    reason = _skip_reason(name, name[dot:].lower() if dot > 0 else "")
    if reason:
        notes.append(Note(entry.path, reason))
        return
    try:
        info = entry.stat()
    except FileNotFoundError:
        return
    except OSError:
        found[entry.path] = SourceEntry(entry.path, -1, -1)
        return
    found[entry.path] = SourceEntry(entry.path, info.st_size, info.st_mtime_ns)


def scan(registry: Registry) -> Listing:
    """All workbooks under the registry's folders and at the paths it names, sorted by path."""
    found: dict[str, SourceEntry] = {}
    notes: list[Note] = []
    for folder in registry.sources.folders:
        path = registry.resolve(folder)
        if not path.is_dir():
            notes.append(
                Note(
                    str(path), "Ordner nicht gefunden oder nicht erreichbar; seine Meldungen fehlen in diesem Abgleich."
                )
            )
            continue
        _walk(path, registry.sources.exclude, found, notes)
    for municipality in registry.municipalities:
        path = registered_path(registry, municipality.workbook_ref)
        if path is not None and str(path) not in found and path.is_file():
            stat = path.stat()
            found[str(path)] = SourceEntry(str(path), stat.st_size, stat.st_mtime_ns)
    notes.sort(key=lambda note: note.path)
    return Listing([found[key] for key in sorted(found)], notes)


def registered_path(registry: Registry, ref: WorkbookRef | None) -> Path | None:
    """The workbook file a registry entry names, if it names one."""
    if isinstance(ref, WorkbookFile) and Path(ref.path).suffix.lower() in WORKBOOK_SUFFIXES:
        return registry.resolve(ref.path)
    return None
