"""The sync service: reading municipal workbooks, validating them, consolidating the district master."""

from ._consolidate import DistrictView, MunicipalityRow, Received, Status, consolidate
from ._master_files import SHEET_OVERVIEW, read_annotations_from_rows
from ._master_xlsx import STATUS_FILL, overview_values
from ._run import SyncOptions, SyncResult, master_path, run_sync, state_path
from ._store import Annotation, StateStore
from ._validate_files import FileResult, ValidationReport, read_previous, validate_files
from ._workbook_file import XlsxFileView, open_workbook_file

__all__ = [
    "Annotation", "DistrictView", "FileResult", "MunicipalityRow", "Received", "StateStore", "Status", "SyncOptions",
    "SHEET_OVERVIEW", "STATUS_FILL", "SyncResult", "ValidationReport", "XlsxFileView", "consolidate", "master_path", "open_workbook_file",
    "overview_values", "read_annotations_from_rows",
    "read_previous", "run_sync", "state_path", "validate_files",
]
