"""Running the stand-in on loopback, and sessions that send gspread's requests to it.

`StandInSession` is a plain requests.Session that sends what gspread addresses to
sheets.googleapis.com and www.googleapis.com to the stand-in instead: gspread
itself runs unmodified, over real HTTP. Each session carries its own bearer
token, so the stand-in's per-user quota applies per session owner.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials

from .app import create_app
from .model import World

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class StandInSession(requests.Session):
    def __init__(self, base_url: str, user: str = "pakt-dienstkonto") -> None:
        super().__init__()
        self.base_url = base_url
        self.headers["Authorization"] = f"Bearer stand-in-{user}"

    def request(self, method, url, *args, **kwargs):
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                url = self.base_url + url[len(host) :]
        return super().request(method, url, *args, **kwargs)


class AuthorizedStandInSession(AuthorizedSession):
    """google-auth's own session (a real token from the stand-in's token endpoint, refreshed when it expires),
    sending what it addresses to Google's API hosts to the stand-in."""

    def __init__(self, credentials: Credentials, base_url: str) -> None:
        super().__init__(credentials)
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                url = self.base_url + url[len(host) :]
        return super().request(method, url, *args, **kwargs)


def service_account_key(
    path: Path, token_uri: str, email: str = "pakt@landkreis-tuttlingen.iam.gserviceaccount.com"
) -> Path:
    """A service-account key file as Google's console makes it, with its own new RSA key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = {
        "type": "service_account",
        "project_id": "landkreis-tuttlingen",
        "private_key_id": "1",
        "private_key": private.decode(),
        "client_email": email,
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(key), encoding="utf-8")
    return path


class WorldHolder:
    """The running app asks this for the current world, so each test can start from a fresh one."""

    def __init__(self) -> None:
        self.world = World()

    def __getattr__(self, name):
        return getattr(self.world, name)


@dataclass
class StandIn:
    url: str
    holder: WorldHolder

    @property
    def world(self) -> World:
        return self.holder.world

    def fresh(self, **limits) -> World:
        self.holder.world = World(**limits)
        return self.holder.world

    def sessions(self, user: str = "pakt-dienstkonto"):
        """A session factory as Pakt's sync takes it (one session per scope set, same user)."""
        return lambda scopes: StandInSession(self.url, user)

    def key_sessions(self, key: Path, scopes_override: tuple[str, ...] | None = None):
        """Sessions as Pakt makes them from a service-account key: tokens from the stand-in's token endpoint,
        each limited to the scopes asked for (or to `scopes_override`, to play credentials that lack one)."""

        def make(scopes: tuple[str, ...]) -> AuthorizedSession:
            credentials = Credentials.from_service_account_file(str(key), scopes=list(scopes_override or scopes))
            return AuthorizedStandInSession(credentials, self.url)

        return make


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start() -> tuple[StandIn, uvicorn.Server, threading.Thread]:
    holder = WorldHolder()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(holder), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/drive/v3/files", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.05)
    return StandIn(url, holder), server, thread
