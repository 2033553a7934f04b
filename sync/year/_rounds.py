"""What a new round needs from the sync side: the last submissions to pre-fill from, the master to keep."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pakt.schemas import Registry

from ..store._store import StateStore

if TYPE_CHECKING:
    from pakt.schemas import Submission


def last_submissions(registry: Registry, state: Path) -> dict[str, Submission]:
    """Per municipality, the submission of the ending round that counts (the approved one, else the newest
    valid one), else its newest valid submission of any earlier round: what a new form takes over."""
    if not state.exists():
        return {}
    with StateStore(state) as store:
        counting = store.round_versions()
        found: dict[str, Submission] = {}
        for municipality in registry.municipalities:
            version = counting.get((municipality.ags, registry.round.stichtag))
            version = version or store.latest_valid_any_round(municipality.ags)
            submission = version.submission() if version is not None else None
            if submission is not None:
                found[municipality.ags] = submission
    return found
