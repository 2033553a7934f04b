"""One sync of a district at a time: a lock file beside the state store, held for the whole run.

The lock is the operating system's (flock): a run killed with kill -9 releases
it with its process, so a lock is never left behind. A second run waits for
the first (the add-in's Aktualisieren while a scheduled sync runs), up to a
limit, and then says in German who holds it since when.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from datetime import datetime
from pathlib import Path

from pakt.schemas import RunInProgress, StoreUnavailable, describe_os_error

POLL_S = 0.1


class RunLock:
    """`with RunLock(path, wait_s):` runs the block while no other process holds the lock."""

    def __init__(self, path: Path, wait_s: float) -> None:
        self.path = path
        self.wait_s = wait_s
        self.fd: int | None = None

    def __enter__(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise StoreUnavailable(
                f"Die Sperrdatei {self.path} kann nicht angelegt werden: {describe_os_error(error)}. "
                "Bitte Schreibrechte im Ordner des Zustandsspeichers prüfen."
            ) from error
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    os.close(fd)
                    raise RunInProgress(
                        f"Ein anderer Abgleich dieses Landkreises läuft gerade ({holder or 'unbekannt'}). "
                        "Bitte warten, bis er fertig ist, und dann erneut starten."
                    ) from None
                time.sleep(POLL_S)
        with contextlib.suppress(OSError):  # who holds it is a courtesy for the message; a full disk is not fatal
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"Prozess {os.getpid()}, seit {datetime.now():%d.%m.%Y %H:%M:%S}".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
