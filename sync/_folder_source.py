"""The folder source: workbook files on a share, read once each, settled, in worker processes when many.

Runs in worker processes for large districts, so the reading functions are
plain functions of their arguments and return picklable results. A file that
is being written while it is read is retried once; a file that vanishes or
keeps changing is reported and read again by the next run.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pakt.schemas import (
    Code,
    Municipality,
    PaktError,
    Registry,
    SchemaMismatch,
    WorkbookUnreadable,
    describe_os_error,
    read_draft,
)

from ._folder_scan import registered_path, scan
from ._intake import Intake, intake_from_draft
from ._problems import file_problem, unreadable
from ._source import Listing, Place, SourceEntry, Tick
from ._workbook_file import XlsxFileView

SETTLE_S = 2.0
"""A file changed less than this long ago that cannot be parsed is probably still being written."""

PARALLEL_FROM = 64
"""Below this many changed files, reading in worker processes costs more than it saves."""


class SourceBusy(PaktError):
    """A file kept changing while it was read."""


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
    """Content fingerprint of a file (SHA-256)."""
    return hashlib.sha256(data).hexdigest()


def _parse(entry: SourceEntry, data: bytes, registry: Registry) -> Intake:
    draft = read_draft(XlsxFileView(entry.path.name, data))
    draft.label = entry.key
    return intake_from_draft(entry, fingerprint(data), draft, registry)


def _changed_within(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def take_in(entry: SourceEntry, registry: Registry, retry_delay_s: float = 1.0) -> Intake:
    """Read and check one file; never raises for a bad file, a busy or vanished file becomes `busy`."""
    for attempt in range(2):
        try:
            data = read_settled(entry.path, retry_delay_s)
            stat = entry.path.stat()
            current = SourceEntry(entry.key, stat.st_size, stat.st_mtime_ns)
            return _parse(current, data, registry)
        except SourceBusy as exc:
            return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, exc.message, entry.key), busy=True)
        except FileNotFoundError:
            gone = "Die Datei ist während des Abgleichs verschwunden."
            return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, gone, entry.key), busy=True)
        except OSError as error:
            message = (
                f"Die Datei kann nicht gelesen werden: {describe_os_error(error)}. Bitte die Berechtigungen prüfen; "
                "gezeigt wird die zuletzt gelesene Fassung, der nächste Abgleich versucht es erneut."
            )
            return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, message, entry.key), busy=True)
        except WorkbookUnreadable as exc:
            recently_written = _changed_within(entry.path, SETTLE_S)
            if attempt == 0 and recently_written:
                time.sleep(retry_delay_s)
                continue
            return Intake(current, fingerprint(data), problem=unreadable(entry.key, exc))
        except SchemaMismatch as exc:
            return Intake(current, fingerprint(data), problem=unreadable(entry.key, exc))
    raise AssertionError("unreachable")


_worker_registry: Registry | None = None
_worker_delay: float = 1.0


def _exit_with_parent(parent: int) -> None:
    """A worker whose sync was killed (kill -9 gives no chance to clean up) ends itself."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _init_worker(registry: Registry, retry_delay_s: float, parent: int) -> None:
    global _worker_registry, _worker_delay
    _worker_registry, _worker_delay = registry, retry_delay_s
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _take_in_worker(entry: SourceEntry) -> Intake:
    assert _worker_registry is not None
    return take_in(entry, _worker_registry, _worker_delay)


def take_in_all(
    entries: Sequence[SourceEntry], registry: Registry, retry_delay_s: float, workers: int, tick: Tick | None = None
) -> Iterator[Intake]:
    """Take in every file, in worker processes when there are many; yields intakes in order."""
    if workers <= 1 or len(entries) < PARALLEL_FROM:
        for entry in entries:
            intake = take_in(entry, registry, retry_delay_s)
            if tick:
                tick()
            yield intake
        return
    chunk = max(8, len(entries) // (workers * 16))
    with ProcessPoolExecutor(
        workers, initializer=_init_worker, initargs=(registry, retry_delay_s, os.getpid())
    ) as pool:
        for intake in pool.map(_take_in_worker, entries, chunksize=chunk):
            if tick:
                tick()
            yield intake


class FolderSource:
    """Workbook files under the registry's folders and at the paths it names. Keys are absolute paths."""

    def __init__(self, registry: Registry, retry_delay_s: float = 1.0, workers: int | None = None) -> None:
        self.registry = registry
        self.retry_delay_s = retry_delay_s
        self.workers = workers or os.cpu_count() or 1

    def owns(self, key: str) -> bool:
        return os.path.isabs(key)

    def listing(self) -> Listing:
        return scan(self.registry)

    def read(self, entries: Sequence[SourceEntry], tick: Tick) -> Iterator[Intake]:
        return take_in_all(entries, self.registry, self.retry_delay_s, self.workers, tick)

    def place(self, key: str) -> Place:
        return Place(os.path.basename(key), path=key)

    def registered_key(self, municipality: Municipality) -> str | None:
        path = registered_path(self.registry, municipality.workbook_ref)
        return str(path) if path is not None else None
