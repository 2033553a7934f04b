"""The base of every Pakt model and the one enum the registry needs, apart from the submission's models.

The registry, the rules and the mail settings are read by every command, a
submission's models only by the commands that read workbooks; keeping the base
here lets a sync that finds nothing new start without building those.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict


class PaktModel(BaseModel):
    """Base of all Pakt models: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ImMode(enum.StrEnum):
    """Who organises a municipality's integration management."""

    SELBST = "selbst"
    LANDKREIS = "landkreis"
