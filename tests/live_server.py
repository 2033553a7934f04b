"""A real Pakt add-in server (as `pakt serve` composes it) on a free loopback port, in a thread of the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from districts import District, copy_district
from starlette.applications import Starlette
from starlette.routing import Mount


@dataclass
class LiveServer:
    url: str
    district: District
    aldingen: str
    balgheim: str
    landkreis: str

    def headers(self, token: str | None) -> dict:
        return {"Authorization": f"Bearer {token}"} if token else {}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(repo: Path, root: Path, max_body_bytes: int = 2_000_000, sub_path: str = "") -> Iterator[LiveServer]:
    """The sample district copied to `root`, served with keys for Aldingen, Balgheim and the district.

    With `sub_path` ("/pakt") the server sits under that path, as behind a reverse proxy that strips it
    (nginx `location /pakt/ { proxy_pass http://127.0.0.1:8000/; }`); `url` then ends with it."""
    from pakt._server import district_app, token_store
    from pakt.plugin import Role

    district = copy_district(repo, root)
    registry = district.registry()
    tokens = token_store(registry)
    issued = {
        "aldingen": tokens.issue(Role.GEMEINDE, "Aldingen", "08327002"),
        "balgheim": tokens.issue(Role.GEMEINDE, "Balgheim", "08327004"),
        "landkreis": tokens.issue(Role.LANDKREIS, registry.district.name),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}{sub_path}"
    app = district_app(registry, url, max_body_bytes=max_body_bytes)
    if sub_path:
        app = Starlette(routes=[Mount(sub_path, app=app)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/manifest.xml", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield LiveServer(url, district, **issued)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
