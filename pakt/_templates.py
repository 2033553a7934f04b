"""Which existing workbooks `pakt template --force` may replace: blank templates Pakt wrote, nothing else.

Judged by the sync service's safe reader, so a hostile file in the folder is simply kept.
"""

from __future__ import annotations

from pathlib import Path

from pakt.plugin import PREFILLED_FIELDS
from pakt.schemas import PaktError, input_fields, is_blank, read_draft
from pakt.sync import open_workbook_file

_CLERK_INPUTS = tuple(f.path for f in input_fields() if f.path not in PREFILLED_FIELDS)


def blank_pakt_template(path: Path) -> bool:
    """A Pakt workbook in which nobody has typed anything (only what the template comes with, no staff)."""
    try:
        draft = read_draft(open_workbook_file(path))
    except PaktError:
        return False
    if draft.managers:
        return False
    return all(is_blank(draft.fields[p].raw) for p in _CLERK_INPUTS if p in draft.fields)
