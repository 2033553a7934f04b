"""Google's per-minute quotas, counted once for every process that uses the same credentials.

Google counts requests per user (the service account) and minute, however many
processes send them: a nightly `pakt sync`, a `pakt serve` whose Aktualisieren
runs a sync, a second district on the same account. Each keeping its own count
would let them overrun the quota together. The count lives in a small SQLite
file (beside the key file, else beside the state store): one row per request,
and a request waits until the last minute holds fewer than the limit.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pakt.schemas import StoreUnavailable, describe_os_error

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (account TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS requests_by_kind ON requests (account, kind, at);
"""


class SharedQuota:
    """The request log of one set of credentials, shared by every process that opens the same file."""

    def __init__(self, path: Path, account: str, window_s: float = 60.0,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> None:  # fmt: skip
        self.path, self.account, self.window_s, self.clock, self.sleep = path, account, window_s, clock, sleep
        self._lock = threading.Lock()
        self.waited_s = 0.0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            cause = describe_os_error(error) if isinstance(error, OSError) else str(error)
            raise StoreUnavailable(
                f"Die Zähldatei der Google-Kontingente {path} kann nicht geöffnet werden: {cause}. "
                "Bitte Rechte und Datenträger prüfen oder [google] quota_store in pakt.toml setzen."
            ) from error

    @property
    def margin_s(self) -> float:
        """Slack against clock skew and the time between our count and the request's arrival at Google: 1.2 s
        of a minute, never under half a second (a busy machine can hold a counted request back that long; with
        0.1 s, requests counted apart arrived bunched and two of 37 were refused in a loaded test run)."""
        return max(self.window_s * 0.02, 0.5)

    def try_take(self, kind: str, limit: int) -> float:
        """Count one request of `kind` if the last window has room (0.0), else how long to wait."""
        now = self.clock()
        horizon = now - self.window_s - self.margin_s
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("DELETE FROM requests WHERE account = ? AND kind = ? AND at < ?",
                                 (self.account, kind, horizon))  # fmt: skip
                count, oldest = self._db.execute(
                    "SELECT COUNT(*), MIN(at) FROM requests WHERE account = ? AND kind = ?", (self.account, kind)
                ).fetchone()
                if count < limit:
                    self._db.execute("INSERT INTO requests VALUES (?, ?, ?)", (self.account, kind, now))
                    wait = 0.0
                else:
                    wait = max(oldest + self.window_s + self.margin_s - now, 0.01)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return wait

    def limiter(self, kind: str, limit: int) -> SharedLimiter:
        return SharedLimiter(self, kind, limit)

    def close(self) -> None:
        self._db.close()


class SharedLimiter:
    """At most `limit` requests of one kind in any window, across processes; callers wait for a free slot."""

    def __init__(self, quota: SharedQuota, kind: str, limit: int) -> None:
        self.quota, self.kind, self.limit = quota, kind, limit

    @property
    def waited_s(self) -> float:
        return self.quota.waited_s

    def acquire(self) -> None:
        while (wait := self.quota.try_take(self.kind, self.limit)) > 0:
            self.quota.waited_s += wait
            self.quota.sleep(wait)
