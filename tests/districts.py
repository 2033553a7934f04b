"""Private copies of the sample district for tests that change files, sync and serve."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pakt.schemas import Registry, load_registry
from pakt.sync import SyncOptions, SyncResult, run_sync

SAMPLE_STICHTAG = date(2018, 6, 30)
"""The sample district's round (pakt.toml): the staff's notes belong to it."""


@dataclass
class District:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "pakt.toml"

    @property
    def folder(self) -> Path:
        return self.root / "sample_workbooks"

    def registry(self) -> Registry:
        return load_registry(self.config)

    def workbook(self, name: str) -> Path:
        return next(self.folder.glob(f"*_{name}.xlsx"))

    @property
    def master(self) -> Path:
        registry = self.registry()
        return registry.resolve(registry.master.path)

    def sync(self, **options) -> SyncResult:
        options.setdefault("retry_delay_s", 0.2)
        return run_sync(self.registry(), SyncOptions(**options))


def copy_district(repo: Path, root: Path) -> District:
    """A private copy of the sample district (registry and workbooks) under `root`."""
    shutil.copytree(repo / "sample_workbooks", root / "sample_workbooks", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(repo / "pakt.toml", root / "pakt.toml")
    return District(root)
