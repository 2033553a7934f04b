"""Where the add-in server may be reached from: its public URL, and which browser origins CORS admits.

Excel fetches the functions metadata, the loader script and the task pane by
itself, without a key; Excel on the web does so from Microsoft's Office web
origins, so those resources are admitted for them (they hold no secret). Every
call that computes or changes something is admitted only for the server's own
origin: the task pane and the formula runtime run on that origin, and Apps
Script calls from Google's servers, where CORS does not apply.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from fastapi.middleware.cors import CORSMiddleware

from pakt.schemas import PaktError

OFFICE_WEB_ORIGINS = (
    r"https://([a-z0-9-]+\.)*officeapps\.live\.com",
    r"https://([a-z0-9-]+\.)*office\.com",
    r"https://([a-z0-9-]+\.)*office365\.com",
    r"https://([a-z0-9-]+\.)*cloud\.microsoft",
)
"""Office on the web: excel.officeapps.live.com and its regional hosts (e.g. euc-excel.officeapps.live.com),
office.com / office365.com, and the cloud.microsoft domain Microsoft moves its web apps to."""

PUBLIC_PATHS = ("/manifest.xml", "/functions.json", "/functions.js", "/taskpane.html", "/static/")
"""What Excel loads by itself: no key, and admitted for the Office web origins."""

LOCAL_HOSTS = {"localhost"}


class PublicUrlRefused(PaktError):
    """A --public-url Office would refuse (plain http on a host other than this machine) or that is no URL."""


def check_public_url(url: str) -> str:
    """The public base URL without trailing slash; plain http only for this machine (development)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise PublicUrlRefused(
            f"„{url}“ ist keine Adresse für den Pakt-Server. Bitte die öffentliche HTTPS-Adresse angeben, "
            "z. B. https://pakt.landkreis.example"
        )
    if parts.query or parts.fragment:
        raise PublicUrlRefused(f"Die öffentliche Adresse „{url}“ darf weder ? noch # enthalten.")
    if parts.scheme == "http" and not _is_this_machine(parts.hostname):
        raise PublicUrlRefused(
            f"Office lädt Add-ins nur über HTTPS; „{url}“ beginnt mit http://. Bitte den Server hinter dem "
            "HTTPS-Proxy des Landratsamts betreiben und dessen Adresse als --public-url angeben "
            "(http:// nur für localhost zum Ausprobieren)."
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _is_this_machine(host: str) -> bool:
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL (what a browser sends as Origin)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def path_of(url: str) -> str:
    """The path prefix a URL puts in front of every resource ('' at the root, '/pakt' under a sub-path)."""
    return urlsplit(url).path.rstrip("/")


class OriginPolicy:
    """ASGI middleware: CORS for the public resources admits the Office web origins, for the calls only the
    server's own origin; anything else gets no admission. Wraps the whole app, so that even an error answer
    carries the headers a browser needs to show it."""

    def __init__(self, app: Any, own_origin: str) -> None:
        common = {"allow_methods": ["GET", "POST"], "allow_headers": ["Authorization", "Content-Type"], "max_age": 600}
        self.public = CORSMiddleware(
            app,
            allow_origins=[own_origin],
            allow_origin_regex="|".join(f"(?:{pattern})" for pattern in OFFICE_WEB_ORIGINS),
            **common,
        )
        self.calls = CORSMiddleware(app, allow_origins=[own_origin], **common)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_public(scope.get("path", "")):
            await self.public(scope, receive, send)
        else:
            await self.calls(scope, receive, send)


def is_public(path: str) -> bool:
    """True for what Excel loads without a key (manifest, metadata, loader, task pane, its static files)."""
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in PUBLIC_PATHS)
