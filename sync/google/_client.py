"""Talking to Google politely: per-minute limits shared across processes, backoff with jitter, request counts.

gspread lets its HTTP client class be swapped; `PaktHTTPClient` is that swap:
it keeps every kind of request under its per-minute quota (counted in a file
every process on the same credentials shares), retries 429, 5xx, Google's HTML
error pages, Drive's rate-limit 403s, timeouts and token-endpoint failures with
exponential backoff and jitter (honouring Retry-After), and counts every request
by kind. Sessions come from google-auth (a service-account key or
application-default credentials), with read-only scopes for the municipalities'
sheets and write access only for the master.
"""

from __future__ import annotations

import collections
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gspread
import requests
from google.auth import exceptions as auth
from gspread.exceptions import APIError

from pakt.schemas import GoogleSettings, PaktError, Registry

from ._errors import retryable
from ._quota import SharedQuota
from ._setup import SessionFactory, Traffic, account_key, service_account_email

SOURCE_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
"""Sources: read the sheets (Sheets, where an export lacks the names) and list, describe and export them (Drive;
an export is content, so drive.metadata.readonly would not do)."""
MASTER_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)


class SourceUnavailable(PaktError):
    """A Google spreadsheet could not be read; `kind` says why (forbidden, not_found, unreachable)."""

    def __init__(self, message: str, kind: str, **where: Any) -> None:
        super().__init__(message, **where)
        self.kind = kind


class RateLimiter:
    """At most `limit` calls in any `window_s` seconds; callers wait for a free slot."""

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit, self.window_s, self.clock, self.sleep = limit, window_s, clock, sleep
        self._calls: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    @property
    def margin_s(self) -> float:
        """Slack against clock skew and network latency between our count and Google's."""
        return max(self.window_s * 0.02, 0.1)

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self.clock()
                while self._calls and now - self._calls[0] >= self.window_s + self.margin_s:
                    self._calls.popleft()
                if len(self._calls) < self.limit:
                    self._calls.append(now)
                    return
                wait = self.window_s + self.margin_s - (now - self._calls[0])
            self.waited_s += wait
            self.sleep(wait)


def request_kind(method: str, url: str) -> str:
    if "/drive/" in url:
        return "drive"
    return "sheets_read" if method.upper() == "GET" else "sheets_write"


class PaktHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with Pakt's limiter, backoff and request counts (configure with `tune`)."""

    settings: GoogleSettings = GoogleSettings()
    traffic: Traffic
    limiters: dict[str, RateLimiter]
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    run_deadline: float = float("inf")
    """time.monotonic() after which no request of this run is retried any more."""

    def tune(self, settings: GoogleSettings, traffic: Traffic, limiters: dict[str, RateLimiter],
             run_deadline: float = float("inf")) -> None:  # fmt: skip
        self.settings, self.traffic, self.limiters, self.run_deadline = settings, traffic, limiters, run_deadline
        self.set_timeout(settings.timeout_s)

    def _delay(self, attempt: int, response: requests.Response | None) -> float:
        """Google's Retry-After (capped: 86400 would sleep a day), else exponential backoff with jitter."""
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), self.settings.max_retry_after_s)
        base = self.settings.backoff_s * (2**attempt)
        return min(base * (0.5 + random.random()), self.settings.max_retry_after_s)

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        kind = request_kind(method, endpoint)
        deadline = min(time.monotonic() + self.settings.request_deadline_s, self.run_deadline)
        for attempt in range(self.settings.max_retries + 1):
            limiter = self.limiters.get(kind)
            if limiter is not None:
                limiter.acquire()
            self.traffic.count(kind)
            try:
                return super().request(method, endpoint, *args, **kwargs)
            except (APIError, requests.ConnectionError, requests.Timeout, auth.GoogleAuthError) as exc:
                delay = self._retry_delay(exc, attempt)
                if delay is None or time.monotonic() + delay > deadline:
                    raise
            self.traffic.count("retries")
            self.sleep(delay)
        raise AssertionError("unreachable")

    def _retry_delay(self, error: Exception, attempt: int) -> float | None:
        """How long to wait before asking again, or None when asking again would not help."""
        if attempt == self.settings.max_retries:
            return None
        if isinstance(error, APIError):
            return self._delay(attempt, error.response) if retryable(error) else None
        if isinstance(error, auth.RefreshError):  # the token endpoint: its 5xx are worth another try, a refusal not
            return self._delay(attempt, None) if getattr(error, "retryable", False) else None
        if isinstance(error, auth.GoogleAuthError) and not isinstance(error, auth.TransportError):
            return None
        return self._delay(attempt, None)


def credentials_session(registry: Registry) -> SessionFactory:
    """Sessions from the registry's service-account key, or from application-default credentials."""

    def make(scopes: tuple[str, ...]) -> requests.Session:
        from google.auth.transport.requests import AuthorizedSession

        path = registry.google.credentials
        if path:
            from google.oauth2.service_account import Credentials

            credentials = Credentials.from_service_account_file(str(registry.resolve(path)), scopes=list(scopes))
        else:
            import google.auth

            credentials, _ = google.auth.default(scopes=list(scopes))
        return AuthorizedSession(credentials)

    return make


class GoogleAccess:
    """The run's two gspread clients (read-only for sources, read-write for the master) and their traffic."""

    def __init__(self, registry: Registry, sessions: SessionFactory | None = None, quota: Path | None = None) -> None:
        settings = registry.google
        self.traffic = Traffic()
        self.quota = SharedQuota(quota, account_key(registry), settings.quota_window_s) if quota else None
        if self.quota is not None:
            self.limiters: dict[str, Any] = {
                "sheets_read": self.quota.limiter("sheets_read", settings.reads_per_minute),
                "sheets_write": self.quota.limiter("sheets_write", settings.writes_per_minute),
                "drive": self.quota.limiter("drive", settings.drive_per_minute),
            }
        else:
            self.limiters = {
                "sheets_read": RateLimiter(settings.reads_per_minute, settings.quota_window_s),
                "sheets_write": RateLimiter(settings.writes_per_minute, settings.quota_window_s),
                "drive": RateLimiter(settings.drive_per_minute, settings.quota_window_s),
            }
        make = sessions or credentials_session(registry)
        self._make = make
        self._settings = settings
        self._clients: dict[tuple[str, ...], gspread.Client] = {}
        self._lock = threading.Lock()
        self.account = service_account_email(registry)
        self.run_deadline = time.monotonic() + settings.run_deadline_s

    def client(self, scopes: tuple[str, ...]) -> gspread.Client:
        with self._lock:
            if scopes not in self._clients:
                client = gspread.Client(auth=None, session=self._make(scopes), http_client=PaktHTTPClient)
                client.http_client.tune(self._settings, self.traffic, self.limiters, self.run_deadline)
                self._clients[scopes] = client
            return self._clients[scopes]

    @property
    def sources(self) -> gspread.Client:
        return self.client(SOURCE_SCOPES)

    @property
    def master(self) -> gspread.Client:
        return self.client(MASTER_SCOPES)

    def close(self) -> None:
        if self.quota is not None:
            self.quota.close()
