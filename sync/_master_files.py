"""The master file on disk: atomic replacement, Excel's lock, and the staff's annotations inside it.

The master is written to a temporary file beside it and renamed over it, so a
killed run never leaves half a workbook. When the master is open in Excel (its
lock file exists) or the rename fails, the new master goes beside the old one
under a dated name, and the caller says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import python_calamine

from ._master_layout import SHEET_OVERVIEW
from ._overview import read_staff_columns
from ._records import Annotation


@dataclass(frozen=True)
class Written:
    """Where the master went, and whether that is where it was meant to go."""

    path: Path
    beside: bool
    reason: str = ""


def lock_files(master: Path) -> list[Path]:
    """Lock files that say the master is open: Excel's ~$name and LibreOffice's .~lock.name#."""
    names = {f"~${master.name}", f"~${master.name[2:]}", f".~lock.{master.name}#"}
    return [master.with_name(n) for n in names if master.with_name(n).exists()]


def _beside(master: Path, when: datetime) -> Path:
    return master.with_name(f"{master.stem} (Abgleich {when:%Y-%m-%d %H-%M-%S}){master.suffix}")


def _temp_name(master: Path) -> Path:
    return master.with_name(f".{master.name}.{os.getpid()}.tmp")


def remove_stale_temp_files(master: Path) -> list[Path]:
    """Temporary masters left by a run that was killed; removed before a new run writes."""
    removed = []
    for candidate in master.parent.glob(f".{master.name}.*.tmp"):
        pid = candidate.name.rsplit(".", 2)[-2]
        if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_master_bytes(master: Path, data: bytes, when: datetime) -> Written:
    """Replace the master atomically; if it is open or cannot be replaced, write beside it."""
    master.parent.mkdir(parents=True, exist_ok=True)
    locks = lock_files(master)
    if locks:
        target = _beside(master, when)
        _write_file(target, data)
        return Written(
            target, True, f"Die Übersicht ist gerade geöffnet ({locks[0].name}); die neue Fassung liegt daneben."
        )
    temp = _temp_name(master)
    _write_file(temp, data)
    try:
        os.replace(temp, master)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        target = _beside(master, when)
        _write_file(target, data)
        return Written(
            target, True, f"Die Übersicht konnte nicht ersetzt werden ({exc.strerror}); die neue Fassung liegt daneben."
        )
    return Written(master, False)


def read_annotations(master: Path) -> dict[str, Annotation] | None:
    """What the staff typed into the master's Übersicht, by AGS.

    None when the file is not a master Pakt can read (then it is rewritten, annotations from the store).
    """
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(master))
        rows = book.get_sheet_by_name(SHEET_OVERVIEW).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, OSError, ValueError):
        return None
    return read_staff_columns(rows)
