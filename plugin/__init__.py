"""The spreadsheet side of Pakt: the submission template (later: custom formulas, add-in server)."""

from ._template import (
    Binding,
    build_workbook_bytes,
    normalise_zip,
    workbook_filename,
    write_templates,
    write_workbook,
)

__all__ = ["Binding", "build_workbook_bytes", "normalise_zip", "workbook_filename", "write_templates", "write_workbook"]
