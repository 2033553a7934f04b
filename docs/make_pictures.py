"""Render the pictures the guides show: the task pane (headless Chromium) and the master's Übersicht (LibreOffice).

    python docs/make_pictures.py              # every picture
    python docs/make_pictures.py uebersicht   # only the named ones (taskpane, uebersicht, libreoffice)

Needs Debian's chromium (the task pane), LibreOffice and poppler-utils (the
master). Writes docs/taskpane.png and docs/uebersicht.png; run it again when the
task pane or the master changes. The Übersicht is shown as it prints: the
master is converted to PDF as a whole and the picture is cut from its first
page, from the title down to the legend, as wide as the district's figures.
The LibreOffice extension's menu and toolbar (docs/libreoffice.png) are drawn on
a virtual screen: see libreoffice_picture.py for what that needs.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from libreoffice_picture import libreoffice  # docs/libreoffice.png: Pakt's menu and toolbar in Calc (Xvfb)

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


RESOLUTION = 170
"""Dots per inch of the Übersicht picture: the printed page's small type still reads."""


def _crop(pdf: Path) -> tuple[int, int, int, int]:
    """The first page's area from its title to the end of the legend, as wide as the column Quelle starts
    (the district's figures; the staff's columns are on the page but not in the picture), in pixels."""
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    words = [
        (text, *map(float, box))
        for *box, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', boxes
        )
    ]
    title = next(w for w in words if w[0] == "Pakt")
    right = next(w for w in words if w[0] == "Quelle")[1]
    bottom = max(w[4] for w in words if w[0] == "geändert" or w[0] == "freigeben.")
    scale = RESOLUTION / 72
    left, top = title[1] - 6, title[2] - 6
    return round(left * scale), round(top * scale), round((right - left) * scale), round((bottom + 8 - top) * scale)


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
    x, y, width, height = _crop(pdf)
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
            str(RESOLUTION),
            "-x",
            str(x),
            "-y",
            str(y),
            "-W",
            str(width),
            "-H",
            str(height),
            str(pdf),
            str(target),
        ],
        check=True,
    )
    return target.with_suffix(".png")


PICTURES = {"taskpane": taskpane, "uebersicht": uebersicht, "libreoffice": libreoffice}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in PICTURES]
    if unknown:
        print(f"unknown picture {', '.join(unknown)}; known: {', '.join(PICTURES)}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="pakt-pictures-"))
    shutil.copy(REPO / "pakt.toml", work / "pakt.toml")
    shutil.copytree(REPO / "sample_workbooks", work / "sample_workbooks")
    try:
        for name in names or PICTURES:
            picture = PICTURES[name](work)
            print(f"{picture.relative_to(REPO)}: {picture.stat().st_size} Bytes")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
