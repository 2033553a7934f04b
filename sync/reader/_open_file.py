"""Which reader a workbook file needs, decided by its content, not by its name.

A clerk's `.xlsx` may be an OpenDocument spreadsheet underneath (LibreOffice
keeps the old name when told to), an `.ods` may be an xlsx, and a text
document renamed `.ods` must be told what it is. So the bytes decide: an
OpenDocument package goes to `OdsFileView`, everything else to
`XlsxFileView`, whose checks name what any other file is.

(This lives apart from both readers so that neither imports the other's
module in a circle: `_ods_file` builds on `_workbook_file`'s package and parser.)
"""

from __future__ import annotations

from pathlib import Path

from pakt.schemas import WorkbookUnreadable, describe_os_error

from ..files._regular_files import read_regular
from ._ods_file import OdsFileView, is_opendocument
from ._workbook_file import MAX_FILE_BYTES, XlsxFileView

WorkbookFileView = XlsxFileView | OdsFileView
"""A workbook file opened for reading by name (both implement `pakt.schemas.WorkbookView`)."""


def open_workbook(label: str, data: bytes) -> WorkbookFileView:
    """The bytes of a workbook file as a view by name: OpenDocument or xlsx, as the content says."""
    if is_opendocument(data):
        return OdsFileView(label, data)
    return XlsxFileView(label, data)


def open_workbook_file(path: Path) -> WorkbookFileView:
    """Open a workbook file (.xlsx, .xlsm or .ods) for reading; WorkbookUnreadable with a German message if it
    is none."""
    try:
        data, _ = read_regular(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise WorkbookUnreadable(
            f"Die Datei kann nicht gelesen werden: {describe_os_error(exc)}.", file=path.name
        ) from exc
    return open_workbook(path.name, data)
