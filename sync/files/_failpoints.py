"""Named points in a run where the fault-injection tests kill the process, to show that each is safe to die at.

    PAKT_KILL_AT="stored:2"   SIGKILL this process the second time it passes the point "stored"
    PAKT_FULL_AT="stored:1"   raise "no space left on device" there instead (a disk that fills up)

Outside those tests the variable is never set, and a point costs one comparison.
The points: listed (sources listed), read (an entry read, not yet stored),
stored (a batch committed), consolidated (view built), master-temp (the new
master written to its temporary file, not yet renamed), master-written,
google-written, finished (the run recorded).
"""

from __future__ import annotations

import errno
import os
import signal

VARIABLE = "PAKT_KILL_AT"
FULL_VARIABLE = "PAKT_FULL_AT"


def _armed(variable: str) -> tuple[str, int]:
    target, _, count = os.environ.get(variable, "").partition(":")
    return target, int(count or 1) if target else 0


_target, _remaining = _armed(VARIABLE)
_full_target, _full_remaining = _armed(FULL_VARIABLE)


def failpoint(name: str) -> None:
    """Die here, as `kill -9` would make the process die, or find the disk full here, when a test asked."""
    global _remaining, _full_remaining
    if _target and name == _target:
        _remaining -= 1
        if _remaining <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
    if _full_target and name == _full_target:
        _full_remaining -= 1
        if _full_remaining <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
