"""Formula calls off the event loop, with a size cap and a time limit: one caller cannot stall the others.

A call's cells are counted before anything is computed; more than
MAX_CELLS_PER_CALL is refused (a district has about a thousand rows; the cap
is far above any real formula). Calls up to INLINE_CELLS cells, almost all of
them, run in a thread of the server. Larger calls run in a worker process of
their own, so their work never competes for the server's interpreter lock,
and a call that takes longer than TIME_LIMIT_S ends with its worker (a fresh
one takes over) and a German answer. A call of a few cells (ON_LOOP_CELLS)
runs on the event loop: it is done before a thread would have started it. A
call whose body is larger than LARGE_CALL_BYTES goes to the worker as it came,
to be read, checked (_call_checks) and answered there.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Any

from pakt.schemas import Registry

from . import udfs
from ._call_checks import (
    CALL,
    COMPUTE_ERRORS,
    MAX_CELLS_PER_CALL,
    CallRefused,
    answer_json,
    cannot_compute,
    check_size,
    checked_call,
    count_cells,
    parsed_json,
)
from ._context import FormulaContext, configure, use
from ._xlwings import custom_functions_call

__all__ = ["MAX_CELLS_PER_CALL", "CallRefused", "FormulaRunner", "check_size", "count_cells"]

LARGE_CALL_BYTES = 64 * 1024
"""A call body this large (about 10,000 cells) goes to the worker process as it came: the worker reads the
JSON, checks the call and writes the answer's JSON. Done on the event loop, that took 20 ms for 40,000
cells, and every small call waited for it."""
ON_LOOP_CELLS = 16
"""Calls this small (a formula in one cell: almost every call Excel sends) are computed on the event loop
itself: they take a tenth of a millisecond, less than handing them to a thread and back."""
INLINE_CELLS = 2_000
TIME_LIMIT_S = 10.0


_loops = threading.local()


def _compute(data: dict) -> Any:
    """One call, on this thread's own event loop (xlwings' call is a coroutine that never waits on I/O;
    a loop per thread, kept, costs microseconds where a new loop per call costs a millisecond)."""
    loop = getattr(_loops, "loop", None)
    if loop is None:
        loop = _loops.loop = asyncio.new_event_loop()
    return loop.run_until_complete(custom_functions_call(data, udfs))


async def _compute_on_loop(context: FormulaContext, data: dict) -> Any:
    with use(context):
        return await custom_functions_call(data, udfs)


def _compute_for(context: FormulaContext, data: dict) -> Any:
    with use(context):
        return _compute(data)


def _answer(raw: bytes, known_functions: frozenset[str]) -> bytes:
    """A large call's body as it came, checked and computed: the answer's JSON as the server sends it."""
    data, _ = checked_call(parsed_json(raw, CALL), known_functions)
    try:
        result = _compute(data)
    except COMPUTE_ERRORS as exc:
        raise cannot_compute(data["func_name"].upper()) from exc
    return answer_json(result)


def _serve_calls(connection: Any, registry: Registry | None, known_functions: frozenset[str]) -> None:
    """The worker's loop: one call at a time until the server closes the pipe."""
    configure(registry)
    while True:
        try:
            data = connection.recv()
        except EOFError:
            return
        try:
            answer: tuple[str, Any] = (
                "ok",
                _answer(data, known_functions) if isinstance(data, bytes) else _compute(data),
            )
        except Exception as error:  # handed to the caller as the same exception as inline
            answer = ("error", error)
        try:
            connection.send(answer)
        except Exception:  # an exception that does not pickle: its type and text still reach the caller
            connection.send(("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


class _CallWorker:
    """One spawned process and its pipe. A plain Process rather than multiprocessing.Pool: a Pool whose
    worker was terminated mid-call could hang its own terminate(), and with it every later large call."""

    def __init__(self, registry: Registry | None, known_functions: frozenset[str]) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve_calls, args=(child, registry, known_functions), daemon=True)
        self.process.start()
        child.close()

    def call(self, data: dict | bytes, time_limit_s: float) -> Any:
        """The call's result; TimeoutError when it takes longer than the limit (the worker is then unusable)."""
        self.connection.send(data)
        if not self.connection.poll(time_limit_s):
            raise TimeoutError
        kind, value = self.connection.recv()
        if kind == "error":
            raise value
        return value

    def end(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class FormulaRunner:
    """Runs formula calls for one server: small ones in threads, large ones in a worker process."""

    def __init__(
        self, context: FormulaContext, time_limit_s: float = TIME_LIMIT_S, known_functions: frozenset[str] = frozenset()
    ) -> None:
        self.context = context
        self.time_limit_s = time_limit_s
        self.known_functions = known_functions
        """The formulas a large call's body may name (the worker checks it)."""
        self._worker: _CallWorker | None = None
        self._lock = threading.Lock()

    async def call(self, data: dict, cells: int | None = None) -> Any:
        """The call's result; `cells` when the caller has counted them already. CallRefused with the German
        answer when it is refused, or when the formula cannot compute with these (checked) arguments."""
        cells = count_cells(data["args"]) if cells is None else cells
        check_size(cells)
        try:
            if cells <= ON_LOOP_CELLS:
                return await _compute_on_loop(self.context, data)
            if cells <= INLINE_CELLS:
                return await asyncio.to_thread(_compute_for, self.context, data)
            return await asyncio.to_thread(self._in_worker, data)
        except COMPUTE_ERRORS as exc:
            raise cannot_compute(data["func_name"].upper()) from exc

    async def answer(self, raw: bytes) -> bytes:
        """A large call's answer (JSON) from its body as it came: read, checked and computed in the worker,
        so that the event loop stays free for the small calls (CallRefused with the German answer)."""
        return await asyncio.to_thread(self._in_worker, raw)

    def _in_worker(self, data: dict | bytes) -> Any:
        """Large calls take turns at the one worker (the lock); a call over the limit ends it."""
        with self._lock:
            if self._worker is None:
                self._worker = _CallWorker(self.context.registry, self.known_functions)
            try:
                return self._worker.call(data, self.time_limit_s)
            except TimeoutError:
                reason = (
                    f"Die Berechnung dauert zu lange (mehr als {self.time_limit_s:g} Sekunden) und wurde abgebrochen."
                )
            except (EOFError, OSError):
                reason = "Die Berechnung wurde unerwartet beendet (vermutlich zu wenig Speicher)."
            self._worker.end()
            self._worker = None
        raise CallRefused(f"{reason} Bitte die Formel auf kleinere Bereiche verteilen.", 503)

    def close(self) -> None:
        """End the worker process (the server is shutting down)."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.end()
