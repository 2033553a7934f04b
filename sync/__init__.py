"""The sync service: reading municipal workbooks, validating them, (later) consolidating the district."""

from ._validate_files import FileResult, ValidationReport, read_previous, validate_files
from ._workbook_file import XlsxFileView, open_workbook_file

__all__ = ["FileResult", "ValidationReport", "XlsxFileView", "open_workbook_file", "read_previous", "validate_files"]
