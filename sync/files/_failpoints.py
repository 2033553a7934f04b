"""Named points in a run where the fault-injection tests kill the process, to show that each is safe to die at.

    PAKT_KILL_AT="stored:2"   SIGKILL this process the second time it passes the point "stored"

Outside those tests the variable is never set, and a point costs one comparison.
The points: listed (sources listed), read (an entry read, not yet stored),
stored (a batch committed), consolidated (view built), master-temp (the new
master written to its temporary file, not yet renamed), master-written,
google-written, finished (the run recorded).
"""

from __future__ import annotations

import os
import signal

VARIABLE = "PAKT_KILL_AT"
_target, _, _count = os.environ.get(VARIABLE, "").partition(":")
_remaining = int(_count or 1) if _target else 0


def failpoint(name: str) -> None:
    """Die here, as `kill -9` would make the process die, when a test asked for it."""
    global _remaining
    if not _target or name != _target:
        return
    _remaining -= 1
    if _remaining <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
