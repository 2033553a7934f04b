"""A real Pakt add-in server (as `pakt serve` composes it) on a free loopback port, with tokens for two
municipalities and the district."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from districts import District, copy_district


@dataclass
class LiveServer:
    url: str
    district: District
    aldingen: str
    balgheim: str
    landkreis: str

    def headers(self, token: str | None) -> dict:
        return {"Authorization": f"Bearer {token}"} if token else {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(repo: Path, tmp_path_factory) -> LiveServer:
    from pakt._server import district_app, token_store
    from pakt.plugin import Role

    district = copy_district(repo, tmp_path_factory.mktemp("server") / "landkreis")
    registry = district.registry()
    tokens = token_store(registry)
    issued = {
        "aldingen": tokens.issue(Role.GEMEINDE, "Aldingen", "08327002"),
        "balgheim": tokens.issue(Role.GEMEINDE, "Balgheim", "08327004"),
        "landkreis": tokens.issue(Role.LANDKREIS, registry.district.name),
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = district_app(registry, url, max_body_bytes=2_000_000)
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
    yield LiveServer(url, district, **issued)
    server.should_exit = True
    thread.join(timeout=10)
