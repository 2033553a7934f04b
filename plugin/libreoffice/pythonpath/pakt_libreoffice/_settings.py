"""The server's address and the municipality's access key, kept in LibreOffice's configuration.

The schema is the extension's Settings.xcs; the district presets the address in
the Settings.xcu that `pakt extension --server URL` writes into the .oxt. What the
clerk enters under Pakt › Zugang einrichten … goes to the clerk's own profile
(the user layer), which LibreOffice reads before the extension's preset.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import uno

NODE = "/de.pakt.libreoffice.Settings/Server"


@dataclass(frozen=True)
class Access:
    """Where the Pakt server is and the key that speaks for this municipality."""

    url: str
    key: str


def _node(ctx, writable: bool):
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    path = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    path.Name, path.Value = "nodepath", NODE
    kind = "ConfigurationUpdateAccess" if writable else "ConfigurationAccess"
    return provider.createInstanceWithArguments(f"com.sun.star.configuration.{kind}", (path,))


def read_access(ctx) -> Access:
    node = _node(ctx, writable=False)
    return Access(url=(node.getByName("Url") or "").strip(), key=(node.getByName("Key") or "").strip())


def store_access(ctx, url: str | None = None, key: str | None = None) -> None:
    """Keep what the clerk entered; a value left as it was is not written (the district's preset stays in force)."""
    node = _node(ctx, writable=True)
    changed = False
    for name, value in (("Url", url), ("Key", key)):
        if value is not None and value.strip() != (node.getByName(name) or "").strip():
            node.replaceByName(name, value.strip())
            changed = True
    if changed:
        node.commitChanges()


def server_problem(url: str) -> str | None:
    """Why an address cannot be the Pakt server's (in German), or None when it can."""
    if not url:
        return (
            "Die Adresse des Pakt-Servers fehlt. Bitte unter Pakt › Zugang einrichten … eintragen; "
            "die IT des Landratsamts nennt sie (oder schickt die für den Landkreis gebaute Erweiterung)."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return (
            f"„{url}“ ist keine Adresse eines Pakt-Servers. Bitte unter Pakt › Zugang einrichten … die Adresse "
            "eintragen, die das Landratsamt nennt, z. B. https://pakt.landkreis.example"
        )
    return None


KEY_MISSING = (
    "Bitte zuerst den Zugangsschlüssel vom Landratsamt eintragen: Pakt › Zugang einrichten … "
    "(das ist nur einmal nötig)."
)
