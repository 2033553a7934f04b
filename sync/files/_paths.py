"""Where a district's master and its state store live: asked by every command, so kept apart from the run.

`pakt status`, `pakt history` and the add-in server need these two paths and nothing of
the sync machinery; importing them from the run module cost a tenth of a second of start-up.
"""

from __future__ import annotations

from pathlib import Path

from pakt.schemas import Registry


def master_path(registry: Registry, override: Path | None = None) -> Path:
    return override if override is not None else registry.resolve(registry.master.path)


def state_path(registry: Registry, master: Path) -> Path:
    """The state store: the registry's setting, else beside the master."""
    if registry.master.state:
        return registry.resolve(registry.master.state)
    return master.with_name(f"{master.stem}.pakt.sqlite")
