"""The folder source: every workbook under the folders the registry names (a network share in real life).

Scanning only stats files; nothing is read until the state store says a file
changed. Lock files, temporary files and non-workbooks are skipped with a
German note; a file that is being written while we read it is retried once.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from schemas import PaktError, Registry

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})
TEMP_SUFFIXES = frozenset({".tmp", ".temp", ".part", ".partial", ".crdownload", ".bak"})


class SourceBusy(PaktError):
    """A file kept changing while it was read."""


@dataclass(frozen=True)
class SourceFile:
    """A workbook file found by the scan, with the stat values that decide whether it changed.

    `key` is the path as text (the state store's key); scanning 10,000 files builds no Path objects.
    """

    key: str
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.key)


@dataclass(frozen=True)
class Note:
    """Something the scan passed over on purpose, said in German."""

    path: str
    message: str


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


def _walk(folder: Path, exclude: tuple[str, ...], found: dict[str, SourceFile], notes: list[Note]) -> None:
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if exclude and _excluded(os.path.relpath(entry.path, folder), exclude):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                if not entry.is_file():
                    continue
                name = entry.name
                dot = name.rfind(".")
                reason = _skip_reason(name, name[dot:].lower() if dot > 0 else "")
                if reason:
                    notes.append(Note(entry.path, reason))
                    continue
                stat = entry.stat()
                found[entry.path] = SourceFile(entry.path, stat.st_size, stat.st_mtime_ns)


def scan(registry: Registry) -> tuple[list[SourceFile], list[Note]]:
    """All workbooks under the registry's folders and at the paths it names, sorted by path."""
    found: dict[str, SourceFile] = {}
    notes: list[Note] = []
    for folder in registry.sources.folders:
        path = registry.resolve(folder)
        if not path.is_dir():
            notes.append(Note(str(path), "Ordner nicht gefunden oder nicht erreichbar; seine Meldungen fehlen in diesem Abgleich."))
            continue
        _walk(path, registry.sources.exclude, found, notes)
    for municipality in registry.municipalities:
        if municipality.workbook and Path(municipality.workbook).suffix.lower() in WORKBOOK_SUFFIXES:
            path = registry.resolve(municipality.workbook)
            if str(path) not in found and path.is_file():
                stat = path.stat()
                found[str(path)] = SourceFile(str(path), stat.st_size, stat.st_mtime_ns)
    notes.sort(key=lambda note: note.path)
    return [found[key] for key in sorted(found)], notes


def read_settled(path: Path, retry_delay_s: float = 1.0) -> bytes:
    """The file's bytes, read only when its size and time did not change during the read; one retry."""
    for attempt in range(2):
        before = path.stat()
        data = path.read_bytes()
        after = path.stat()
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data
        if attempt == 0:
            time.sleep(retry_delay_s)
    raise SourceBusy(
        "Die Datei wird gerade geschrieben und wurde nicht gelesen; der nächste Abgleich versucht es erneut.",
        file=path.name,
    )


def fingerprint(data: bytes) -> str:
    """Content fingerprint of a source (SHA-256)."""
    return hashlib.sha256(data).hexdigest()
