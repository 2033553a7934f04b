"""The one HTTP call: the document to the server's script endpoint, the actions back.

LibreOffice's Python has the standard library and nothing else, so this is
urllib. Every way the call can fail ends as `CallFailed` with what the clerk
should read in German: the server's own German answer where it gave one (a
wrong key, another municipality's workbook, a malformed form), else why no
answer came.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

TIMEOUT_S = 120
"""Prüfen of a full form takes the server well under a second; a slow network or proxy gets two minutes."""


class CallFailed(Exception):
    """The script call did not give actions to carry out; `message` says why, in German."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


UNREACHABLE = "Der Pakt-Server ist nicht erreichbar. Bitte die Netzverbindung prüfen oder später erneut versuchen."


def call_script(url: str, key: str, script: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """POST the workbook to `script` (pruefen, einreichen) and return the answer's actions."""
    request = urllib.request.Request(
        url.rstrip("/") + "/xlwings/custom-scripts-call/" + script,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            raw = response.read()
    except urllib.error.HTTPError as refused:
        text = refused.read().decode("utf-8", errors="replace").strip()
        raise CallFailed(text or f"Der Pakt-Server hat die Anfrage abgelehnt ({refused.code}).") from refused
    except (urllib.error.URLError, OSError) as unreachable:  # no route, refused, timed out, TLS
        raise CallFailed(f"{UNREACHABLE} ({url})") from unreachable
    try:
        actions = json.loads(raw.decode("utf-8")).get("actions", [])
    except (ValueError, AttributeError) as garbled:
        raise CallFailed(
            f"Die Antwort von {url} ließ sich nicht lesen. Ist das die Adresse des Pakt-Servers?"
        ) from garbled
    if not isinstance(actions, list):
        raise CallFailed(f"Die Antwort von {url} ließ sich nicht lesen. Ist das die Adresse des Pakt-Servers?")
    return actions
