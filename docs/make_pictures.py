"""Render the pictures the README shows: the task pane (headless Chromium) and the master's Übersicht (LibreOffice).

    python docs/make_pictures.py

Needs Debian's chromium, LibreOffice and poppler-utils. Writes docs/taskpane.png
and docs/uebersicht.png; run it again when the task pane or the master changes.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def taskpane(work: Path) -> Path:
    port = _free_port()
    server = subprocess.Popen(
        ["pakt", "serve", "--port", str(port)], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/taskpane.html", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        target = DOCS / "taskpane.png"
        subprocess.run(
            [
                "chromium",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work / 'chromium'}",
                "--window-size=380,860",
                "--virtual-time-budget=3000",
                f"--screenshot={target}",
                f"http://127.0.0.1:{port}/taskpane.html",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return target
    finally:
        server.terminate()
        server.wait(timeout=10)


def uebersicht(work: Path) -> Path:
    subprocess.run(["pakt", "sync"], cwd=work, check=True, capture_output=True)
    master = next((work / "master").glob("*.xlsx"))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{work / 'lo'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(master),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = work / f"{master.stem}.pdf"
    target = DOCS / "uebersicht"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "170",
            "-x",
            "90",
            "-y",
            "90",
            "-W",
            "1130",
            "-H",
            "600",
            str(pdf),
            str(target),
        ],
        check=True,
    )
    return target.with_suffix(".png")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="pakt-pictures-"))
    shutil.copy(REPO / "pakt.toml", work / "pakt.toml")
    shutil.copytree(REPO / "sample_workbooks", work / "sample_workbooks")
    try:
        for picture in (taskpane(work), uebersicht(work)):
            print(f"{picture.relative_to(REPO)}: {picture.stat().st_size} Bytes")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
