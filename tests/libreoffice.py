"""Helpers for tests that use the real LibreOffice (headless) and Debian's UNO bridge."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

TASKS = Path(__file__).with_name("uno_tasks.py")


@cache
def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice fehlt: apt-get install libreoffice-calc-nogui (siehe .ci/run)"
    return found


@cache
def uno_python() -> str:
    """A Python that can `import uno` (Debian's python3-uno lives in the system Python)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3") or ""):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    raise AssertionError("python3-uno fehlt: apt-get install python3-uno (siehe .ci/run)")


def convert(source: Path, target_format: str, out_dir: Path, infilter: str | None = None) -> Path:
    """`soffice --convert-to`, with a throw-away profile so parallel runs never share a lock; `infilter` as a
    user would pick the import options (for a CSV: separator, encoding, column types, language)."""
    profile = out_dir / ".lo-profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            target_format,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    produced = out_dir / f"{source.stem}.{target_format.split(':')[0]}"
    assert produced.is_file(), f"LibreOffice hat {source.name} nicht nach {target_format} umgewandelt"
    return produced


def clerk_edit(source: Path, target: Path) -> Path:
    """Insert rows in the staff table and on Meldung, reorder sheets, save as xlsx (tests/uno_tasks.py)."""
    subprocess.run([uno_python(), str(TASKS), "clerk-edit", str(source), str(target)], check=True, timeout=180)
    return target


def recalc(source: Path, work_dir: Path) -> dict[str, dict[str, dict]]:
    """Every formula cell after LibreOffice recalculated the workbook: {sheet: {cell: {value, text, error}}}."""
    out = work_dir / f"{source.stem}.recalc.json"
    subprocess.run([uno_python(), str(TASKS), "recalc", str(source), str(out)], check=True, timeout=180)
    return json.loads(out.read_text(encoding="utf-8"))


def recalc_all(sources: list[Path], work_dir: Path) -> dict[str, dict[str, dict[str, dict]]]:
    """`recalc` for several workbooks in one LibreOffice run: {file name: {sheet: {cell: {value, text, error}}}}."""
    out = work_dir / "recalc-all.json"
    command = [uno_python(), str(TASKS), "recalc-all", str(out), *map(str, sources)]
    subprocess.run(command, check=True, timeout=60 + 10 * len(sources))
    return json.loads(out.read_text(encoding="utf-8"))


def pdf_text(pdf: Path) -> str:
    """The text of a PDF (poppler's pdftotext)."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext fehlt: apt-get install poppler-utils (siehe .ci/run)"
    return subprocess.run([tool, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
