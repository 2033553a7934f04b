"""Reading one workbook file of a folder source: settled, retried while it is being copied, checked.

Runs in worker processes for large districts, so the reading functions are
plain functions of their arguments and return picklable results. A file that
is being written while it is read is retried once; a file that vanishes or
keeps changing is reported and read again by the next run.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from pakt.schemas import (
    Code,
    PaktError,
    Registry,
    SchemaMismatch,
    WorkbookUnreadable,
    describe_os_error,
    read_draft,
)

from ..files._regular_files import read_regular
from ..reader._isolation import Failure
from ..reader._master_binding import MASTER_BINDING_FIELDS
from ..reader._open_file import open_workbook
from ..reader._problems import file_problem, unreadable
from ..reader._workbook_file import MAX_FILE_BYTES
from ._folder_scan import WORKBOOK_SUFFIXES
from ._foreign_files import foreign_intake, suffix_of
from ._intake import intake_from_draft
from ._source import Intake, SourceEntry

SETTLE_S = 2.0
"""A file changed less than this long ago that cannot be parsed is probably still being written."""


class SourceBusy(PaktError):
    """A file kept changing while it was read."""


def read_settled(path: Path, retry_delay_s: float = 1.0) -> bytes:
    """The file's bytes, read only when its size and time did not change during the read; one retry.

    Only a regular file is read, and never more than MAX_FILE_BYTES (a larger file is refused whole).
    """
    for attempt in range(2):
        data, before = read_regular(path, MAX_FILE_BYTES)
        if len(data) > MAX_FILE_BYTES:
            return data
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


DISTRICT_MASTER = (
    "Diese Arbeitsmappe ist eine Übersicht von Pakt (eines Landkreises oder Landes), keine Pakt-Meldung einer "
    "Gemeinde. Die Übersicht eines Landkreises liest der Abgleich des Landes (pakt.toml mit [[districts]]); bitte "
    "aus dem Ordner der Meldungen nehmen."
)


def _parse(entry: SourceEntry, data: bytes, registry: Registry) -> Intake:
    view = open_workbook(entry.path.name, data)  # xlsx or OpenDocument, as the content says
    if MASTER_BINDING_FIELDS[0].name in view.defined_names():  # a master where submissions belong
        raise SchemaMismatch(DISTRICT_MASTER, file=view.label)
    draft = read_draft(view)
    draft.label = entry.key
    return intake_from_draft(entry, fingerprint(data), draft, registry)


def _changed_within(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False


def _busy(entry: SourceEntry, message: str) -> Intake:
    """An entry not read this time: nothing is stored for it, its last valid version stays."""
    return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, message, entry.key), busy=True)


READ_ATTEMPTS = 3
"""Tries at a file that cannot be parsed but changed within SETTLE_S (a copy over a slow share)."""


def take_in(entry: SourceEntry, registry: Registry, retry_delay_s: float = 1.0) -> Intake:
    """Read and check one file; never raises for a bad file, a busy or vanished file becomes `busy`."""
    for attempt in range(READ_ATTEMPTS):
        try:
            data = read_settled(entry.path, retry_delay_s)
            stat = entry.path.stat()
        except SourceBusy as exc:
            return _busy(entry, exc.message)
        except FileNotFoundError:
            return _busy(entry, "Die Datei ist während des Abgleichs verschwunden.")
        except WorkbookUnreadable as exc:  # not a regular file: a pipe, a device
            return Intake(entry, problem=unreadable(entry.key, exc))
        except OSError as error:
            return _busy(
                entry,
                f"Die Datei kann nicht gelesen werden: {describe_os_error(error)}. Bitte die Berechtigungen prüfen; "
                "gezeigt wird die zuletzt gelesene Fassung, der nächste Abgleich versucht es erneut.",
            )
        current = SourceEntry(entry.key, stat.st_size, stat.st_mtime_ns)
        if suffix_of(entry.path.name) not in WORKBOOK_SUFFIXES:  # .xls, .pdf, …: said on its row (_foreign_files.py)
            return foreign_intake(current, data, registry)
        try:
            return _parse(current, data, registry)
        except WorkbookUnreadable as exc:
            if attempt < READ_ATTEMPTS - 1 and _changed_within(entry.path, SETTLE_S):
                time.sleep(retry_delay_s)
                continue
            return Intake(current, fingerprint(data), problem=unreadable(entry.key, exc))
        except SchemaMismatch as exc:
            return Intake(current, fingerprint(data), problem=unreadable(entry.key, exc))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Reader:
    """What a worker does with one entry (picklable: it travels to the worker once)."""

    registry: Registry
    retry_delay_s: float

    def __call__(self, entry: SourceEntry) -> Intake:
        return take_in(entry, self.registry, self.retry_delay_s)


def failed(entry: SourceEntry, failure: Failure) -> Intake:
    """A file whose reading overran its budget or crashed: refused with the reason, not read again until it
    changes (as any file that cannot be read)."""
    return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, failure.message, entry.key))
