"""Render the pictures the guides show: the task pane (headless Chromium) and the master's Übersicht (LibreOffice).

    python docs/make_pictures.py              # every picture
    python docs/make_pictures.py uebersicht   # only the named ones (taskpane, uebersicht, libreoffice)

Needs Debian's chromium (the task pane), LibreOffice and poppler-utils (the
master). Writes docs/taskpane.png and docs/uebersicht.png; run it again when the
task pane or the master changes. The task pane is shown after a Prüfen of
Aldingen's form with two errors and a warning: the page from `pakt serve`, run
in Chromium by the task-pane tests' driver (tests/plugin/node/taskpane_page.js)
with their Excel stand-in in place of Office.js (there is no Excel here; the
Office.js typings come with the tests' `npm ci`). The Übersicht is shown as it prints: the
master is converted to PDF as a whole and the picture is cut from its first
page, from the title down to the legend, as wide as the district's figures.
The LibreOffice extension's menu and toolbar (docs/libreoffice.png) are drawn on
a virtual screen: see libreoffice_picture.py for what that needs.
"""

from __future__ import annotations

import json
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TESTS = REPO / "tests"
PAGE_DRIVER = TESTS / "plugin" / "node" / "taskpane_page.js"
CHECKED = {("persons", "by_age", "from_27_to_64"): 11, ("management", "mode"): "landkreis"}
"""What Aldingen's clerk got wrong in the picture: the age groups do not add up (an error), the management is not
the registry's (a warning); the staff list's first share is 1.5 (the second error)."""


def _checked_workbook(work: Path) -> Path:
    """The form of the picture as the Excel stand-in holds it (JSON), built as the task-pane tests build theirs."""
    sys.path[:0] = [str(TESTS), str(TESTS / "fixtures")]
    import make_broken
    from office_typings import ensure_typings
    from payloads import excel_workbook

    ensure_typings()
    form = work / "aldingen_befunde.xlsx"
    form.write_bytes(make_broken.submission(CHECKED, managers=lambda rows: [{**rows[0], "fte": 1.5}]))
    book = work / "aldingen_befunde.json"
    book.write_text(json.dumps(excel_workbook(form), ensure_ascii=False), encoding="utf-8")
    return book


def taskpane(work: Path) -> Path:
    issued = subprocess.run(
        ["pakt", "token", "issue", "--ags", "08327002"], cwd=work, check=True, capture_output=True, text=True
    )
    key = re.search(r"pakt_[A-Za-z0-9_-]+", issued.stdout).group(0)
    book = _checked_workbook(work)
    steps = work / "steps.json"
    steps.write_text(json.dumps([{"key": key}, {"click": "#pruefen"}]), encoding="utf-8")
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
        page = f"http://127.0.0.1:{port}/taskpane.html"
        done = subprocess.run(
            ["node", str(PAGE_DRIVER), page, str(book), str(steps), "", str(target)],
            capture_output=True,
            text=True,
            timeout=150,
        )
        if done.returncode != 0:
            raise RuntimeError(f"taskpane_page.js: {done.stderr}")
        shown = json.loads(done.stdout)["snapshots"][-1]["results"]["count"]
        if not shown.startswith("2 Fehler, 1 Warnung"):
            raise RuntimeError(f"the task pane shows {shown!r}, not the picture's findings")
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
