"""Formula calls off the event loop, with a size cap and a time limit: one caller cannot stall the others.

A call's cells are counted before anything is computed; more than
MAX_CELLS_PER_CALL is refused (a district has about a thousand rows; the cap
is far above any real formula). Calls up to INLINE_CELLS cells, almost all of
them, run in a thread of the server. Larger calls run in a worker process of
their own, so their work never competes for the server's interpreter lock,
and a call that takes longer than TIME_LIMIT_S ends with its worker (a fresh
one takes over) and a German answer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Any

from pakt.schemas import PaktError, Registry

from . import udfs
from ._context import FormulaContext, configure, use
from ._xlwings import custom_functions_call

MAX_CELLS_PER_CALL = 50_000
INLINE_CELLS = 2_000
TIME_LIMIT_S = 10.0


class CallRefused(PaktError):
    """A formula call Pakt will not compute; `status` is the HTTP status of the German answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def count_cells(args: list[Any]) -> int:
    """How many cells a call's arguments hold (each argument is a matrix: rows of cells)."""
    return sum(
        len(row) if isinstance(row, list) else 1 for arg in args for row in (arg if isinstance(arg, list) else [arg])
    )


def check_size(cells: int) -> None:
    if cells > MAX_CELLS_PER_CALL:
        raise CallRefused(
            f"Zu viele Zellen in einem Formelaufruf ({cells:,} statt höchstens {MAX_CELLS_PER_CALL:,}). "
            "Bitte die Formel auf kleinere Bereiche verteilen.".replace(",", "."),
            413,
        )


_loops = threading.local()


def _compute(data: dict) -> Any:
    """One call, on this thread's own event loop (xlwings' call is a coroutine that never waits on I/O;
    a loop per thread, kept, costs microseconds where a new loop per call costs a millisecond)."""
    loop = getattr(_loops, "loop", None)
    if loop is None:
        loop = _loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(custom_functions_call(data, udfs))


def _compute_for(context: FormulaContext, data: dict) -> Any:
    with use(context):
        return _compute(data)


def _start_worker(registry: Registry | None) -> None:
    configure(registry)


class FormulaRunner:
    """Runs formula calls for one server: small ones in threads, large ones in a worker process."""

    def __init__(self, context: FormulaContext, time_limit_s: float = TIME_LIMIT_S) -> None:
        self.context = context
        self.time_limit_s = time_limit_s
        self._pool: Any = None
        self._lock = threading.Lock()

    async def call(self, data: dict) -> Any:
        cells = count_cells(data["args"])
        check_size(cells)
        if cells <= INLINE_CELLS:
            return await asyncio.to_thread(_compute_for, self.context, data)
        return await asyncio.to_thread(self._in_worker, data)

    def _worker_pool(self) -> Any:
        with self._lock:
            if self._pool is None:
                spawn = multiprocessing.get_context("spawn")
                self._pool = spawn.Pool(1, initializer=_start_worker, initargs=(self.context.registry,))
            return self._pool

    def _in_worker(self, data: dict) -> Any:
        pool = self._worker_pool()
        pending = pool.apply_async(_compute, (data,))
        try:
            return pending.get(self.time_limit_s)
        except multiprocessing.TimeoutError:
            self._end(pool)
            raise CallRefused(
                f"Die Berechnung dauert zu lange (mehr als {self.time_limit_s:g} Sekunden) und wurde abgebrochen. "
                "Bitte die Formel auf kleinere Bereiche verteilen.",
                503,
            ) from None

    def _end(self, pool: Any) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.terminate()

    def close(self) -> None:
        """End the worker process (the server is shutting down)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
