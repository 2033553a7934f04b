"""The kinds of value a field holds: light, so that formatting and the command need no pydantic."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    """What sort of value a field holds, as far as spreadsheets are concerned."""

    AGS = "ags"
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    COUNT = "count"
    MONEY = "money"
    FTE = "fte"
    CHOICE = "choice"
    FLAG = "flag"
