"""Taking in one source file: read it once, settled, and turn it into a checked submission or a problem.

Runs in worker processes for large districts, so everything here is a plain
function of its arguments and returns picklable results. District-wide
warnings (median caseload, jump against the previous round) are added later
by the caller, who sees the whole district.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from schemas import (
    CheckContext,
    Checked,
    Code,
    Draft,
    Finding,
    Registry,
    SchemaMismatch,
    Severity,
    WorkbookUnreadable,
    check,
    read_draft,
    rules_for,
)

from ._problems import file_problem, unreadable
from ._sources import SourceBusy, SourceFile, fingerprint, read_settled
from ._workbook_file import XlsxFileView

SETTLE_S = 2.0
"""A file changed less than this long ago that cannot be parsed is probably still being written."""

PARALLEL_FROM = 64
"""Below this many changed files, reading in worker processes costs more than it saves."""


@dataclass(frozen=True)
class Intake:
    """What reading one source produced, ready to store: a checked submission as JSON, or a problem.

    Plain strings travel back from worker processes far cheaper than models.
    """

    source: SourceFile
    sha256: str | None = None
    ags: str | None = None
    stichtag: date | None = None
    valid: bool = False
    submission_json: str | None = None
    findings_json: str = "[]"
    locations_json: str = "{}"
    problem: Finding | None = None
    busy: bool = False


def _stored(source: SourceFile, sha256: str, checked: Checked, stichtag: date | None, locations: dict) -> Intake:
    findings = json.dumps([f.model_dump(mode="json") for f in checked.findings], ensure_ascii=False)
    submission = checked.submission.model_dump_json() if checked.submission is not None else None
    return Intake(
        source, sha256, checked.ags, stichtag, submission is not None, submission, findings,
        json.dumps(locations, ensure_ascii=False),
    )


def _locations(draft: Draft) -> dict:
    """Where each input sits in this workbook, for hyperlinks from the master back to the source cell."""
    fields = {".".join(path): [e.sheet, e.cell] for path, e in draft.fields.items() if e.cell}
    staff = [[row["pseudonym"].sheet, row["pseudonym"].cell] for row in draft.managers if "pseudonym" in row]
    return {"fields": fields, "staff": staff}


def _parse(source: SourceFile, data: bytes, registry: Registry) -> Intake:
    draft = read_draft(XlsxFileView(source.path.name, data))
    draft.label = str(source.path)
    stichtag = draft.value("header", "stichtag")
    if not draft.ags:
        return Intake(
            source, fingerprint(data),
            problem=file_problem(Code.DATEI_UEBERSPRUNGEN, "Leere Vorlage ohne Gemeindeschlüssel; nicht übernommen.",
                                 source.key, Severity.NOTE),
        )
    checked = check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry))
    return _stored(source, fingerprint(data), checked, stichtag if isinstance(stichtag, date) else None, _locations(draft))


def take_in(source: SourceFile, registry: Registry, retry_delay_s: float = 1.0) -> Intake:
    """Read and check one source; never raises for a bad file, a busy file becomes `busy`."""
    for attempt in range(2):
        try:
            data = read_settled(source.path, retry_delay_s)
            stat = source.path.stat()
            current = SourceFile(source.key, stat.st_size, stat.st_mtime_ns)
            return _parse(current, data, registry)
        except SourceBusy as exc:
            return Intake(source, problem=file_problem(Code.DATEI_UNLESBAR, exc.message, source.key), busy=True)
        except FileNotFoundError:
            gone = "Die Datei ist während des Abgleichs verschwunden."
            return Intake(source, problem=file_problem(Code.DATEI_UNLESBAR, gone, source.key), busy=True)
        except WorkbookUnreadable as exc:
            recently_written = time.time() - source.path.stat().st_mtime < SETTLE_S
            if attempt == 0 and recently_written:
                time.sleep(retry_delay_s)
                continue
            return Intake(current, fingerprint(data), problem=unreadable(source.key, exc))
        except SchemaMismatch as exc:
            return Intake(current, fingerprint(data), problem=unreadable(source.key, exc))
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


def _take_in_worker(source: SourceFile) -> Intake:
    assert _worker_registry is not None
    return take_in(source, _worker_registry, _worker_delay)


def take_in_all(sources: list[SourceFile], registry: Registry, retry_delay_s: float, workers: int, on_done=None):
    """Take in every source, in worker processes when there are many; yields Intakes in order."""
    if workers <= 1 or len(sources) < PARALLEL_FROM:
        for source in sources:
            intake = take_in(source, registry, retry_delay_s)
            if on_done:
                on_done()
            yield intake
        return
    chunk = max(8, len(sources) // (workers * 16))
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(registry, retry_delay_s, os.getpid())) as pool:
        for intake in pool.map(_take_in_worker, sources, chunksize=chunk):
            if on_done:
                on_done()
            yield intake
