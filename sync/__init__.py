"""The sync service: reads every municipality's workbook, checks it, and writes the district master.

    run_sync(registry)    one run: list the sources, read what changed, store, consolidate, write the masters
    validate_files(paths) the library behind `pakt validate`
    status_report(state)  the last run and who is missing, from the state store alone
    refresh_overview(...) Aktualisieren's work: a run, then the Übersicht as a grid for an open workbook

Sources implement the `Source` protocol (folders of workbook files, Google
Sheets); the master's Übersicht is one column table (`OVERVIEW_COLUMNS`) that
every writer renders.
"""

from ._consolidate import DistrictView, MunicipalityRow, Received, Status, consolidate
from ._folder_source import FolderSource
from ._google_client import Traffic, service_account_email
from ._google_source import GoogleSheetsSource
from ._master_layout import SHEET_OVERVIEW, STATUS_FILL, RunStamp
from ._overview import OVERVIEW_COLUMNS, OverviewColumn, Totals, overview_grid, read_staff_columns, sum_total
from ._records import Annotation, DistrictFigures, RunCounts, RunRecord, RunSummary, VersionRecord
from ._refresh import Refreshed, refresh_overview
from ._run import SyncOptions, SyncResult, master_path, run_sync, sources_for, state_path
from ._source import Listing, Note, Place, Source, SourceEntry, SourceSet
from ._status import status_report
from ._store import StateStore
from ._validate_files import (
    EXIT_BLOCKING,
    EXIT_OK,
    EXIT_UNREADABLE,
    FileResult,
    ValidationReport,
    read_previous,
    validate_files,
)
from ._workbook_file import XlsxFileView, open_workbook_file

__all__ = [
    "EXIT_BLOCKING",
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "OVERVIEW_COLUMNS",
    "SHEET_OVERVIEW",
    "STATUS_FILL",
    "Annotation",
    "DistrictFigures",
    "DistrictView",
    "FileResult",
    "FolderSource",
    "GoogleSheetsSource",
    "Listing",
    "MunicipalityRow",
    "Note",
    "OverviewColumn",
    "Place",
    "Received",
    "Refreshed",
    "RunCounts",
    "RunRecord",
    "RunStamp",
    "RunSummary",
    "Source",
    "SourceEntry",
    "SourceSet",
    "StateStore",
    "Status",
    "SyncOptions",
    "SyncResult",
    "Totals",
    "Traffic",
    "ValidationReport",
    "VersionRecord",
    "XlsxFileView",
    "consolidate",
    "master_path",
    "open_workbook_file",
    "overview_grid",
    "read_previous",
    "read_staff_columns",
    "refresh_overview",
    "run_sync",
    "service_account_email",
    "sources_for",
    "state_path",
    "status_report",
    "sum_total",
    "validate_files",
]
