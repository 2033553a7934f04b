"""Reading each file in a worker process with a time and a memory budget: one file never stops a district.

The reader is safe by construction (every part size-capped), but a file the
district's share holds may still find a way to take too long or too much. So
every file is read in a worker process: a worker whose file takes longer than
FILE_TIME_LIMIT_S is ended, one that runs out of its memory budget fails on
its own, one that crashes takes only itself down; each time the file is
reported with the reason, a fresh worker takes over, and the run goes on.

Workers are forked from the running process when it runs no other threads
(the command line), and from a fork server otherwise (the add-in server,
where forking a threaded process is unsafe). A worker ends itself when the
process that started it is killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

FILE_TIME_LIMIT_S = 10.0
"""Longest a single file may take to be read and checked (a submission takes milliseconds)."""
FILE_MEMORY_BYTES = 512 * 1024 * 1024
"""Memory a worker may allocate beyond what it starts with."""
QUEUED_PER_WORKER = 2
"""Files a worker holds at once: the one it reads and the next. With one, a worker waited for the run to take
its answer and hand it the next file (a tenth of a file's reading time, twice over while the run stored a
batch); the limit runs for the file a worker reads, the next one is given back if the worker is ended."""

CRASHED = "Das Lesen der Datei ist abgestürzt (vermutlich zu viel Speicher); die Datei wurde nicht übernommen."
TOO_LONG = (
    "Das Lesen der Datei dauerte länger als {seconds:g} Sekunden und wurde abgebrochen; die Datei wurde nicht "
    "übernommen."
)

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Failure:
    """Why a file could not be read within its budget, in German."""

    message: str


def _data_segment_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_memory(budget: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = _data_segment_bytes() + budget
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))


def _run_alive(run: int) -> bool:
    try:
        os.kill(run, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: the run is gone
        return False
    return True


def _end_with_parent(run: int) -> None:
    """A worker whose run was killed (kill -9 gives no chance to clean up) ends itself.

    The worker's parent is the run itself (fork) or the fork server, which ends with the run (forkserver,
    chosen when the run has threads); so the parent changing, or the run's process being gone, both mean the
    run died. Comparing with the run's pid alone killed every forkserver worker after half a second.
    """
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent or not _run_alive(run):
            os._exit(1)


def _serve(connection: Connection, work: Callable[[Any], Any], budget: int, run: int) -> None:
    threading.Thread(target=_end_with_parent, args=(run,), daemon=True).start()
    _limit_memory(budget)
    while True:
        item = connection.recv()
        if item is None:
            return
        try:
            outcome: Any = work(item)
        except MemoryError:
            outcome = Failure("Die Datei braucht beim Lesen zu viel Speicher und wurde nicht übernommen.")
        except Exception as error:  # anything a hostile file provokes: reported for that file, never the run
            outcome = Failure(
                f"Unerwarteter Fehler beim Lesen ({type(error).__name__}); die Datei wurde nicht übernommen."
            )
        connection.send(outcome)


class _Worker:
    def __init__(self, context: Any, work: Callable[[Any], Any], budget: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work, budget, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.items: deque[Any] = deque()
        """What it was given and has not answered, in order: it reads the first."""
        self.deadline = 0.0

    def give(self, item: Any, time_limit_s: float) -> None:
        if not self.items:
            self.deadline = time.monotonic() + time_limit_s
        self.items.append(item)
        self.connection.send(item)

    def answered(self, time_limit_s: float) -> Any:
        """The item its answer was for; the next one's time starts now."""
        self.deadline = time.monotonic() + time_limit_s
        return self.items.popleft()

    def end(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _context() -> Any:
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pakt.sync"])
    return context


class IsolatedReaders(Generic[Item, Result]):
    """`with IsolatedReaders(work, processes) as pool: for item, outcome in pool.map(items)` - each outcome is
    work(item) or a Failure; results come as they are done."""

    def __init__(
        self, work: Callable[[Item], Result], processes: int, time_limit_s: float = FILE_TIME_LIMIT_S,
        memory_bytes: int = FILE_MEMORY_BYTES,
    ) -> None:  # fmt: skip
        self.work, self.processes = work, max(1, processes)
        self.time_limit_s, self.memory_bytes = time_limit_s, memory_bytes
        self._context = _context()
        self._workers: list[_Worker] = []

    def __enter__(self) -> IsolatedReaders[Item, Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self._workers:
            if not worker.items:
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
            worker.end()
        self._workers.clear()

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.work, self.memory_bytes)
        self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker, pending: deque[Any]) -> Any:
        """End a worker whose item failed; returns that item, gives the items it had not begun back to
        `pending` (first in line) and starts a fresh worker if there is work left."""
        item = worker.items.popleft()
        pending.extendleft(reversed(worker.items))
        worker.end()
        self._workers.remove(worker)
        if pending and len(self._workers) < self.processes:
            self._start()
        return item

    def _feed(self, pending: deque[Any]) -> None:
        for worker in self._workers:
            while pending and len(worker.items) < QUEUED_PER_WORKER:
                worker.give(pending.popleft(), self.time_limit_s)

    def map(self, items: Iterable[Item]) -> Iterator[tuple[Item, Result | Failure]]:
        pending = deque(items)
        for _ in range(min(self.processes, len(pending))):
            self._start()
        while True:
            self._feed(pending)
            busy = {worker.connection: worker for worker in self._workers if worker.items}
            if not busy:
                return
            timeout = max(0.0, min(w.deadline for w in busy.values()) - time.monotonic())
            for connection in wait(list(busy), timeout):
                worker = busy[connection]
                try:
                    outcome = connection.recv()
                except (EOFError, OSError):
                    yield self._replace(worker, pending), Failure(CRASHED)
                else:
                    yield worker.answered(self.time_limit_s), outcome
            now = time.monotonic()
            for worker in list(self._workers):
                if worker.items and worker.deadline <= now:
                    yield self._replace(worker, pending), Failure(TOO_LONG.format(seconds=self.time_limit_s))
