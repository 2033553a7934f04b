"""Who may read the files that hold personal data (the state store, the key store, the master).

They hold names, e-mail addresses and telephone numbers of municipal staff.
They are created readable by their owner only (0600), or by a group as well
(0640) when the registry names one (`[master] group`, e.g. the district
staff's group on the share), whatever the process's umask says.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pakt.schemas import ConfigError, Registry

OWNER_ONLY = 0o600
WITH_GROUP = 0o640


@dataclass(frozen=True)
class FileAccess:
    """The mode (and group) new files with personal data get."""

    mode: int = OWNER_ONLY
    gid: int | None = None

    @classmethod
    def of(cls, registry: Registry | None) -> FileAccess:
        group = registry.master.group if registry is not None else None
        if not group:
            return cls()
        try:
            gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
        except KeyError:
            raise ConfigError(f"Die Gruppe „{group}“ aus [master] group gibt es auf diesem Rechner nicht.") from None
        return cls(WITH_GROUP, gid)

    def open_new(self, path: Path) -> int:
        """A new file, exclusively created, with this access; returns its descriptor."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.mode)
        try:
            self._fix(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def ensure(self, path: Path) -> None:
        """Create `path` empty with this access if it does not exist yet (SQLite then gives its journal
        files the same mode); an existing file readable by more people than that is narrowed."""
        try:
            os.close(self.open_new(path))
        except FileExistsError:
            current = stat.S_IMODE(path.stat().st_mode)
            if current & ~self.mode and path.stat().st_uid == os.getuid():
                os.chmod(path, current & self.mode)

    def _fix(self, fd: int) -> None:
        os.fchmod(fd, self.mode)
        if self.gid is not None:
            os.fchown(fd, -1, self.gid)


def readable_by_others(path: Path) -> bool:
    """Whether anyone but the owner and the file's group may read the file (a key file should not be)."""
    return bool(path.stat().st_mode & stat.S_IROTH)
