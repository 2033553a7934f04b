"""The folder source: workbook files on a share, listed by stat, read once each in worker processes.

Listing needs only the file system; the reading side (the reader, the checks,
the worker pool) is imported when a file has changed, so a run that finds
nothing new starts without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from pakt.schemas import Municipality, Registry

from ._folder_scan import registered_path, scan
from ._source import Intake, Listing, Place, SourceEntry, Tick


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
        """Each file in a worker process with a time and memory budget (see reader/_isolation.py)."""
        from ..reader._isolation import IsolatedReaders
        from ._folder_reading import Reader, failed

        readers = min(self.workers, max(1, len(entries)))
        with IsolatedReaders(Reader(self.registry, self.retry_delay_s), readers) as pool:
            for entry, outcome in pool.map(entries):
                tick()
                yield outcome if isinstance(outcome, Intake) else failed(entry, outcome)

    def place(self, key: str) -> Place:
        return Place(os.path.basename(key), path=key)

    def registered_key(self, municipality: Municipality) -> str | None:
        path = registered_path(self.registry, municipality.workbook_ref)
        return str(path) if path is not None else None
