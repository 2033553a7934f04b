"""What a run needs to know about Google before it talks to Google, without importing Google's client.

A district without Google sheets never imports gspread, google-auth or requests
(about 0.2 s and 28 MiB at start-up); these helpers are all such a run uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pakt.schemas import GoogleSpreadsheet, Municipality, Registry

from ..files._file_access import readable_by_others

SessionFactory = Callable[[tuple[str, ...]], Any]
"""How to reach Google: a requests.Session (authorised) per scope set."""


def google_municipalities(registry: Registry) -> dict[str, Municipality]:
    """Registered municipalities whose workbook is a Google spreadsheet, by spreadsheet ID."""
    return {
        ref.spreadsheet_id: m for m in registry.municipalities if isinstance(ref := m.workbook_ref, GoogleSpreadsheet)
    }


def uses_google(registry: Registry) -> bool:
    """Whether the district has a Google source or a Google master."""
    return bool(google_municipalities(registry)) or registry.master.google_spreadsheet is not None


@dataclass
class Traffic:
    """What a run asked of Google, by kind, retries included."""

    drive: int = 0
    sheets_read: int = 0
    sheets_write: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, kind: str) -> None:
        """One more request of `kind` (sheets are read from several threads at once)."""
        with self._lock:
            setattr(self, kind, getattr(self, kind) + 1)

    def as_dict(self) -> dict[str, int]:
        return {
            "drive": self.drive,
            "sheets_read": self.sheets_read,
            "sheets_write": self.sheets_write,
            "retries": self.retries,
        }


def service_account_email(registry: Registry) -> str | None:
    """The service account's address, for messages that ask a municipality to share its sheet."""
    path = registry.google.credentials
    if not path:
        return None
    import json

    try:
        return json.loads(registry.resolve(path).read_text(encoding="utf-8")).get("client_email")
    except (OSError, ValueError):
        return None


def quota_path(registry: Registry, state: Path) -> Path:
    """Where the request counts of these credentials live: the registry's setting, else beside the key file
    (every process using that key shares it), else beside the state store."""
    settings = registry.google
    if settings.quota_store:
        return registry.resolve(settings.quota_store)
    if settings.credentials:
        key = registry.resolve(settings.credentials)
        return key.with_name(key.name + ".pakt-quota.sqlite")
    return state.with_name(state.stem + ".google-quota.sqlite")


def account_key(registry: Registry) -> str:
    """Who Google counts the requests of: the service account, else the application-default credentials."""
    return service_account_email(registry) or "application-default"


def credential_warnings(registry: Registry) -> tuple[str, ...]:
    """German warnings about the key file: a service-account key that every user of the machine can read."""
    path = registry.google.credentials
    if not path:
        return ()
    key = registry.resolve(path)
    try:
        exposed = readable_by_others(key)
    except OSError:
        return ()
    if not exposed:
        return ()
    return (
        f"Die Schlüsseldatei {key} ist für alle Benutzer dieses Rechners lesbar. "
        f"Bitte auf den Dienst beschränken, z. B. mit „chmod 600 {key}“.",
    )
