"""`pakt serve` as district IT starts it: the same on Windows as elsewhere, and only with an address Office accepts."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import httpx
from districts import copy_district
from live_server import free_port

# What `pakt serve` does on Windows, played here: everything but xlwings and Pakt's plugin is imported
# first (those parts look at the platform themselves and would not start here), then the process calls
# itself Windows, without XLWINGS_ON_SERVER, and runs the command. xlwings then picks its decorators as
# it does on Windows; there, without the variable, it registers classic COM UDFs and the server had no
# formulas to offer (KeyError 'help_url'). This machine has no pywin32, so xlwings falls back to no-op
# decorators instead: the same failure, without the exact KeyError. Once Pakt's server module is
# imported, the platform is the real one again, for uvicorn's event loop.
AS_ON_WINDOWS = textwrap.dedent(
    """
    import os, sys
    import asyncio, multiprocessing, sqlite3, typer, rich.console, uvicorn, fastapi, pydantic, httpx
    import pakt.cli, pakt.schemas, pakt.sync
    os.environ.pop("XLWINGS_ON_SERVER", None)
    real_platform, real_run = sys.platform, uvicorn.run

    def run(*args, **kwargs):  # uvicorn's own choice of event loop is not under test: the real one
        sys.platform = real_platform
        return real_run(*args, **kwargs)

    uvicorn.run = run
    sys.platform = "win32"
    sys.argv = ["pakt", "serve", "--config", sys.argv[1], "--port", sys.argv[2]]
    pakt.cli.main()
    """
)


def _district_with_a_key(repo, tmp_path) -> str:
    """A copy of the sample district with a district key issued; its configuration path."""
    config = str(copy_district(repo, tmp_path / "landkreis").config)
    subprocess.run(
        [sys.executable, "-m", "pakt", "token", "issue", "--district", "--config", config],
        check=True,
        capture_output=True,
    )
    return config


def test_pakt_serve_starts_and_serves_the_formulas_as_on_windows(repo, tmp_path):
    config = _district_with_a_key(repo, tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_ON_SERVER"}
    server = subprocess.Popen(
        [sys.executable, "-c", AS_ON_WINDOWS, config, str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        meta = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                meta = httpx.get(f"http://127.0.0.1:{port}/functions.json", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert server.poll() is None, server.communicate()[1][-2000:]
        assert {f["id"] for f in meta["functions"]} >= {"PAUSCHALE", "SATZ", "AGS_PRUEFEN"}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_pakt_serve_refuses_a_plain_http_public_url(repo, tmp_path):
    config = _district_with_a_key(repo, tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pakt", "serve", "--config", config, "--public-url", "http://pakt.landkreis.example"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "nur über HTTPS" in done.stderr and "Traceback" not in done.stderr


def test_what_a_server_worker_builds_at_start_is_kept_out_of_the_collectors_way(repo, tmp_path):
    """A worker of `pakt serve` keeps its modules, registry and formula context for its whole life. Left in
    the collector's sight, every full collection walked all of it again, and about one 1,000-row call in a
    hundred waited for that (p99 61 against 17 ms, docs/performance.md, Formulas over HTTP). Run in a process of its own,
    as uvicorn runs a worker, so that this test's own process is not frozen."""
    district = copy_district(repo, tmp_path)
    probe = (
        "import gc\n"
        "from pakt._server import app_from_environment\n"
        "app_from_environment()\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    env = {
        **os.environ,
        "PAKT_SERVE_CONFIG": str(district.config),
        "PAKT_SERVE_URL": "http://127.0.0.1:8000",
    }
    found = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr[-2000:]
    frozen, still_watched = map(int, found.stdout.split())
    assert frozen > 50_000, "the server's start-up heap is left to every full collection"
    assert still_watched < frozen // 20
