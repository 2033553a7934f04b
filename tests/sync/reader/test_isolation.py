"""Reading in worker processes: a slow file is read to the end, a killed run takes its workers with it.

A run that has threads of its own (the Google stand-in, a timer, the add-in server) starts its workers from a
fork server; those workers must behave exactly as forked ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pakt.sync.reader._isolation import Failure, IsolatedReaders


@pytest.fixture(params=["fork", "forkserver"])
def context_kind(request):
    """Run the test as it comes (fork when no other thread runs) and with a thread of our own (forkserver)."""
    if request.param == "fork":
        yield request.param
        return
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    yield request.param
    stop.set()
    other.join()


def test_a_read_longer_than_a_second_is_read_to_the_end(context_kind):
    with IsolatedReaders(time.sleep, 2) as pool:
        if context_kind == "forkserver":
            assert pool._context.get_start_method() == "forkserver"
        outcomes = dict(pool.map([1.6, 0.1, 0.1]))
    assert not [o for o in outcomes.values() if isinstance(o, Failure)], outcomes


def test_a_read_over_the_time_limit_is_ended_and_the_rest_is_read(context_kind):
    with IsolatedReaders(time.sleep, 1, time_limit_s=0.5) as pool:
        outcomes = list(pool.map([3.0, 0.1]))
    assert isinstance(outcomes[0][1], Failure) and "länger als 0.5 Sekunden" in outcomes[0][1].message
    assert outcomes[1] == (0.1, None)


def _read_or_crash(item: float) -> float:
    if item < 0:
        os._exit(1)  # a reader that takes its process down, as a hostile file might
    time.sleep(item)
    return item


def test_a_crashed_worker_gives_back_the_file_it_held_next_and_that_file_is_read():
    """A worker holds the file it reads and the next one; when it dies, only the first is refused."""
    with IsolatedReaders(_read_or_crash, 1) as pool:
        outcomes = list(pool.map([-1.0, 0.01, -2.0, 0.02]))
    assert [item for item, _ in outcomes] == [-1.0, 0.01, -2.0, 0.02]
    failed = {item: outcome.message for item, outcome in outcomes if isinstance(outcome, Failure)}
    assert set(failed) == {-1.0, -2.0} and "abgestürzt" in failed[-1.0]
    assert dict(outcomes)[0.01] == 0.01 and dict(outcomes)[0.02] == 0.02


RUN_WITH_THREAD = """
import sys, threading, time
from pakt.sync.reader._isolation import IsolatedReaders
if __name__ == "__main__":
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
    with IsolatedReaders(time.sleep, 2) as pool:
        for _ in pool.map([60.0, 60.0]):
            pass
"""


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return False


def test_workers_of_a_run_with_threads_end_when_the_run_is_killed(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(RUN_WITH_THREAD)
    run = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 30
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.2)
        server = _children(run.pid)
        workers = [w for s in server for w in _children(s)]
    assert len(workers) == 2, "the run's workers were not started from a fork server"
    time.sleep(1.2)
    assert all(_alive(w) for w in workers), "a worker of a living run ended"
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "worker processes outlived the killed run"
