"""The spreadsheet side of Pakt: the submission template (later: custom formulas, add-in server)."""

from ._formats import NUMBER_FORMATS
from ._template import (
    Binding,
    build_workbook_bytes,
    normalise_zip,
    workbook_filename,
    write_templates,
    write_workbook,
)

__all__ = ["NUMBER_FORMATS", "Binding", "build_workbook_bytes", "normalise_zip", "workbook_filename", "write_templates", "write_workbook"]
