"""Scanning the folder source: every workbook under the registry's folders (a network share in real life).

Scanning only stats files; nothing is read until the state store says a file
changed. Lock files and temporary files are skipped with a German note. A file
of another format (.xls, .pdf, …) is listed when its name ties it to a
municipality or its kind may hold the form's AGS (see `_foreign_files.py`):
no submission is passed over in silence. Any other file of another format is
a note, as before.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from pathlib import Path

from pakt.schemas import Registry, WorkbookFile, WorkbookRef, describe_os_error

from ..files._regular_files import not_regular
from ._file_owner import FileOwners
from ._foreign_files import nobodys_note, worth_reading
from ._source import Listing, Note, SourceEntry

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods"})
TEMP_SUFFIXES = frozenset({".tmp", ".temp", ".part", ".partial", ".crdownload", ".bak"})


def _skip_reason(name: str, suffix: str) -> str | None:
    """Why a lock or temporary file is passed over; None for any other file."""
    if name.startswith("~$"):
        return "Sperrdatei von Excel (Mappe ist gerade geöffnet) übersprungen."
    if name.startswith(".~lock.") or name.endswith("#"):
        return "Sperrdatei von LibreOffice übersprungen."
    if name.startswith(".") or suffix in TEMP_SUFFIXES or name.endswith("~"):
        return "Temporäre Datei übersprungen."
    return None


def _excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(relative, f"{p}/*") for p in patterns)


class _Walk:
    """One folder of the share, walked: regular files only, each listed once; a symbolic link is followed
    once and only when it stays inside the folder, so a loop of links or a link to /dev ends nothing."""

    def __init__(
        self, root: Path, exclude: tuple[str, ...], found: dict[str, SourceEntry], notes: list[Note], owners: _Owners
    ) -> None:
        self.root, self.exclude, self.found, self.notes, self.owners = root, exclude, found, notes, owners
        self.real_root = os.path.realpath(root)
        self.seen_folders: set[tuple[int, int]] = set()
        self.seen_files: dict[tuple[int, int], str] = {}

    def run(self) -> None:
        info = os.stat(self.root)
        self.seen_folders.add((info.st_dev, info.st_ino))
        stack = [str(self.root)]
        while stack:
            current = stack.pop()
            try:
                with os.scandir(current) as listed:
                    entries = sorted(listed, key=lambda e: e.name)
            except OSError as error:
                self.note(current, f"Ordner nicht lesbar ({describe_os_error(error)}); seine Meldungen fehlen.")
                continue
            for entry in entries:
                if not (self.exclude and _excluded(os.path.relpath(entry.path, self.root), self.exclude)):
                    self.visit(entry, stack)

    def note(self, path: str, message: str) -> None:
        self.notes.append(Note(path, message))

    def _inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real == self.real_root or real.startswith(self.real_root + os.sep)

    def visit(self, entry: os.DirEntry, stack: list[str]) -> None:
        """A folder to walk, a workbook to list, or something passed over with a note. A workbook that cannot
        even be looked at (no permission) is listed with an impossible stamp: reading it then fails with a
        German finding, and its municipality's last version stays."""
        try:
            link = entry.is_symlink()
            if link and not self._inside(entry.path):
                self.note(entry.path, "Verknüpfung zeigt aus dem Ordner der Meldungen hinaus; übersprungen.")
                return
            info = entry.stat(follow_symlinks=link)
        except FileNotFoundError:
            self.note(entry.path, "Verknüpfung ins Leere; übersprungen.")
            return
        except OSError:
            suffix = _suffix(entry.name)
            if _skip_reason(entry.name, suffix) is None and suffix in WORKBOOK_SUFFIXES:
                self.found[entry.path] = SourceEntry(entry.path, -1, -1)
            return
        identity = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode):
            if identity in self.seen_folders:
                self.note(entry.path, "Ordner schon durchsucht (Verknüpfungen im Kreis); übersprungen.")
            else:
                self.seen_folders.add(identity)
                stack.append(entry.path)
            return
        suffix = _suffix(entry.name)
        reason = _skip_reason(entry.name, suffix)
        if reason is None and suffix not in WORKBOOK_SUFFIXES and not self.owners.worth_reading(entry, suffix):
            reason = nobodys_note(suffix)
        kind = not_regular(info.st_mode)
        if reason is None and kind is not None:
            reason = f"Das ist {kind}, keine Datei; übersprungen."
        if reason is None and identity in self.seen_files:
            reason = (
                f"Dieselbe Datei ist schon als {os.path.basename(self.seen_files[identity])} erfasst; übersprungen."
            )
        if reason:
            self.note(entry.path, reason)
            return
        self.seen_files[identity] = entry.path
        self.found[entry.path] = SourceEntry(entry.path, info.st_size, info.st_mtime_ns)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


class _Owners:
    """The registry's index of whose a file is, built only when a scan meets a file of another format."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._owners: FileOwners | None = None

    def worth_reading(self, entry: os.DirEntry, suffix: str) -> bool:
        if self._owners is None:
            self._owners = FileOwners(self.registry)
        return worth_reading(suffix, self._owners, entry.path)


def scan(registry: Registry) -> Listing:
    """All workbooks under the registry's folders and at the paths it names, sorted by path."""
    found: dict[str, SourceEntry] = {}
    notes: list[Note] = []
    owners = _Owners(registry)
    for folder in registry.sources.folders:
        path = registry.resolve(folder)
        if not path.is_dir():
            notes.append(
                Note(
                    str(path), "Ordner nicht gefunden oder nicht erreichbar; seine Meldungen fehlen in diesem Abgleich."
                )
            )
            continue
        _Walk(path, registry.sources.exclude, found, notes, owners).run()
    for municipality in registry.municipalities:
        path = _registered_file(registry, municipality.workbook_ref)
        if path is None or str(path) in found:
            continue
        try:
            info = path.stat()
        except OSError:
            continue
        if not_regular(info.st_mode) is None:
            found[str(path)] = SourceEntry(str(path), info.st_size, info.st_mtime_ns)
    notes.sort(key=lambda note: note.path)
    return Listing([found[key] for key in sorted(found)], notes)


def registered_path(registry: Registry, ref: WorkbookRef | None) -> Path | None:
    """The workbook file a registry entry names, if it names one."""
    if isinstance(ref, WorkbookFile) and Path(ref.path).suffix.lower() in WORKBOOK_SUFFIXES:
        return registry.resolve(ref.path)
    return None


def _registered_file(registry: Registry, ref: WorkbookRef | None) -> Path | None:
    """The file a registry entry names, of any format: one of another format is read to say so on its row."""
    if isinstance(ref, WorkbookFile):
        path = registry.resolve(ref.path)
        return path if _skip_reason(path.name, _suffix(path.name)) is None else None
    return None
