"""The master file on disk: atomic replacement, Excel's lock, and the staff's annotations inside it.

The master is written to a uniquely named temporary file beside it and
renamed over it, so a killed run never leaves half a workbook and two writers
never share a temporary file. When the master is open in Excel or LibreOffice
(a fresh lock file) or the rename fails, the new master goes beside it under
one fixed name; a lock file older than `[master] stale_lock_hours` is taken as
left behind, named, and ignored. When nothing can be written (disk full, no
rights, read-only), MasterNotWritten says so in German; the old master stays.
"""

from __future__ import annotations

import errno
import glob
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pakt.schemas import MasterNotWritten, describe_os_error

from ..files._failpoints import failpoint
from ..files._file_access import FileAccess
from ..store._records import Annotation


@dataclass(frozen=True)
class Written:
    """Where the master went, whether that is where it was meant to go, and what to tell the staff."""

    path: Path
    beside: bool
    reason: str = ""


@dataclass(frozen=True)
class LockFile:
    """A lock file that says the master is open in Excel or LibreOffice: who, since when, and whether it
    is so old that it was left behind (a crash, a lost connection)."""

    path: Path
    owner: str
    age_h: float
    stale: bool

    def describe(self) -> str:
        who = f" von {self.owner}" if self.owner else ""
        since = datetime.fromtimestamp(self.path.stat().st_mtime) if self.path.exists() else None
        when = f", seit {since:%d.%m.%Y %H:%M}" if since else ""
        return f"{self.path.name}{who}{when}"


def _lock_owner(path: Path) -> str:
    """The user a lock file names: Excel's ~$ file starts with the name's length and the name;
    LibreOffice's .~lock.…# is a line "Name,user,host,date,…"."""
    try:
        data = path.read_bytes()[:512]
    except OSError:
        return ""
    if path.name.startswith(".~lock."):
        return data.decode("utf-8", "replace").split(",")[0].strip()
    if data and 0 < data[0] <= 54:
        return data[1 : 1 + data[0]].decode("cp1252", "replace").strip()
    return ""


def lock_files(master: Path, stale_after_h: float = 12.0) -> list[LockFile]:
    """Lock files that say the master is open: Excel's ~$name and LibreOffice's .~lock.name#."""
    names = {f"~${master.name}", f"~${master.name[2:]}", f".~lock.{master.name}#"}
    found = []
    for name in sorted(names):
        path = master.with_name(name)
        try:
            age_h = (time.time() - path.stat().st_mtime) / 3600
        except OSError:
            continue
        found.append(LockFile(path, _lock_owner(path), age_h, age_h > stale_after_h))
    return found


def beside_path(master: Path) -> Path:
    """Where a new master goes while the master is open: one name, replaced each time (not a copy per run)."""
    return master.with_name(f"{master.stem} (neue Fassung){master.suffix}")


def _temp_name(target: Path) -> Path:
    """A temporary name no other writer shares, not even a thread of this process."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


_TEMP = re.compile(r"\.(\d+)(?:\.[0-9a-f]+)?\.tmp$")


def remove_stale_temp_files(master: Path) -> list[Path]:
    """Temporary masters left by a run that was killed; removed before a new run writes."""
    removed = []
    try:
        candidates = list(master.parent.glob(f".{glob.escape(master.name)}.*.tmp"))
    except OSError:
        return removed
    for candidate in candidates:
        match = _TEMP.search(candidate.name)
        if match and int(match.group(1)) != os.getpid() and not Path(f"/proc/{match.group(1)}").exists():
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _replace_atomically(target: Path, data: bytes, access: FileAccess) -> None:
    """Write to a unique temporary file beside `target`, flush it to disk, rename it over `target`."""
    temp = _temp_name(target)
    try:
        fd = access.open_new(temp)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        failpoint("master-temp")
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _not_written(master: Path, error: OSError) -> MasterNotWritten:
    where = error.filename or master.parent
    return MasterNotWritten(
        f"Die Übersicht {master} konnte nicht geschrieben werden: {describe_os_error(error)} ({where}). "
        "Die bisherige Übersicht ist unverändert; der nächste Abgleich schreibt sie neu. "
        "Bitte Platz und Schreibrechte im Ordner der Übersicht prüfen."
    )


def not_built(master: Path, error: OSError) -> MasterNotWritten:
    """The master could not be put together in the temporary folder (full, not writable)."""
    import tempfile

    where = error.filename or tempfile.gettempdir()
    return MasterNotWritten(
        f"Die Übersicht {master} konnte nicht zusammengestellt werden: {describe_os_error(error)} ({where}). "
        "Die bisherige Übersicht ist unverändert; der nächste Abgleich schreibt sie neu. Bitte Platz im "
        "temporären Ordner schaffen oder TMPDIR auf einen beschreibbaren Ordner setzen."
    )


def write_master_bytes(
    master: Path, data: bytes, access: FileAccess | None = None, stale_after_h: float = 12.0
) -> Written:
    """Replace the master atomically. While it is open (a fresh lock file), or when it cannot be replaced,
    the new master goes beside it; a lock file left behind is named and ignored.
    Raises MasterNotWritten (German) when nothing could be written; the previous master is then intact."""
    access = access or FileAccess()
    try:
        master.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _not_written(master, error) from error
    locks = lock_files(master, stale_after_h)
    fresh = [lock for lock in locks if not lock.stale]
    if fresh:
        return _beside(master, data, access, f"Die Übersicht ist gerade geöffnet ({fresh[0].describe()})")
    try:
        _replace_atomically(master, data, access)
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO):
            raise _not_written(master, error) from error
        return _beside(master, data, access, f"Die Übersicht konnte nicht ersetzt werden ({describe_os_error(error)})")
    left = [lock for lock in locks if lock.stale]
    if left:
        hours = f"{left[0].age_h:.0f} Stunden"
        return Written(
            master,
            False,
            f"Die Sperrdatei {left[0].describe()} ist {hours} alt und gilt als "
            "zurückgelassen; die Übersicht wurde ersetzt. Bitte die Sperrdatei löschen, "
            "wenn die Mappe nicht mehr geöffnet ist.",
        )
    return Written(master, False)


def _beside(master: Path, data: bytes, access: FileAccess, why: str) -> Written:
    target = beside_path(master)
    if any(not lock.stale for lock in lock_files(target)):
        target = target.with_name(f"{master.stem} (neue Fassung {datetime.now():%Y-%m-%d %H-%M-%S}){master.suffix}")
    try:
        _replace_atomically(target, data, access)
    except OSError as error:
        raise _not_written(master, error) from error
    return Written(target, True, f"{why}; die neue Fassung liegt daneben: {target.name}.")


def read_annotations(master: Path) -> dict[str, Annotation] | None:
    """What the staff typed into the master's Übersicht, by AGS.

    None when the file is not a master Pakt can read (then it is rewritten, annotations from the store).
    Read only when the master changed since Pakt wrote it, so its reader is imported only then.
    """
    import python_calamine

    from ._layout import SHEET_OVERVIEW
    from ._overview import read_staff_columns

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(master))
        rows = book.get_sheet_by_name(SHEET_OVERVIEW).to_python(skip_empty_area=False)
    except (python_calamine.CalamineError, OSError, ValueError):
        return None
    return read_staff_columns(rows)


def last_editor(master: Path) -> str | None:
    """Who saved the master last, as the office program recorded it (docProps/core.xml, lastModifiedBy):
    a decision typed into the master is recorded under that name. None when the file does not say."""
    import re
    import zipfile

    try:
        with zipfile.ZipFile(master) as book:
            core = book.read("docProps/core.xml")[:65536].decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(r"<cp:lastModifiedBy>([^<]{1,200})</cp:lastModifiedBy>", core)
    name = found.group(1).strip() if found else ""
    return name if name and name != "Pakt" else None


def archive_master(master: Path, stichtag: date, access: FileAccess) -> Path | None:
    """Keep the master of an ending round under a name with its Stichtag, beside the master
    ('Pakt_Uebersicht_2018-06-30.xlsx'); the next sync writes the new round's master. An archive already
    there is never overwritten (a second copy gets a number). None when there is no master to keep."""
    if not master.exists():
        return None
    target = master.with_name(f"{master.stem}_{stichtag.isoformat()}{master.suffix}")
    number = 1
    while target.exists():
        if target.read_bytes() == master.read_bytes():
            return target
        number += 1
        target = master.with_name(f"{master.stem}_{stichtag.isoformat()} ({number}){master.suffix}")
    _replace_atomically(target, master.read_bytes(), access)
    return target
