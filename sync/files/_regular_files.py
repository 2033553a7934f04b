"""Reading a file that may be anything: only regular files, never more than a limit, never blocking.

A share can hold a named pipe (reading it would wait for ever), a link to a
device (/dev/zero never ends), or a file far too large for a workbook. The
file is opened without blocking, judged by what it is once open (no race
between looking and reading), and read up to the limit only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pakt.schemas import WorkbookUnreadable

KIND_NAMES = {
    stat.S_IFIFO: "eine Pipe",
    stat.S_IFCHR: "ein Gerät",
    stat.S_IFBLK: "ein Gerät",
    stat.S_IFSOCK: "ein Socket",
    stat.S_IFDIR: "ein Ordner",
}


def not_regular(mode: int) -> str | None:
    """What a non-regular file is, in German; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return KIND_NAMES.get(stat.S_IFMT(mode), "keine gewöhnliche Datei")


def read_regular(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes (at most limit + 1 of them, so that 'too large' can be told) and its stat.

    Raises WorkbookUnreadable for anything that is not a regular file, OSError for what the system refuses.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        kind = not_regular(info.st_mode)
        if kind is not None:
            raise WorkbookUnreadable(f"Das ist {kind}, keine Datei; übersprungen.", file=path.name)
        chunks, seen = [], 0
        while seen <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - seen))
            if not chunk:
                break
            chunks.append(chunk)
            seen += len(chunk)
        return b"".join(chunks), info
    finally:
        os.close(fd)
