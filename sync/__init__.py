"""The sync service: reads every municipality's workbook, checks it, and writes the district master.

    run_sync(registry)    one run: list the sources, read what changed, store, consolidate, write the masters
    validate_files(paths) the library behind `pakt validate`
    status_report(state)  the last run and who is missing, from the state store alone
    refresh_overview(...) Aktualisieren's work: a run, then the Übersicht as a grid for an open workbook
    remind(registry)      `pakt remind`: a run, then a German reminder (.eml file or SMTP) per municipality to remind
    run_state_sync(state) the state roll-up: the districts' masters of a registry with [[districts]] into a state master

Sources implement the `Source` protocol (folders of workbook files, Google
Sheets); the master's Übersicht is one column table (`OVERVIEW_COLUMNS`) that
every writer renders.

The code lives in rooms, lowest first; a room imports only rooms above it in this list
(tests/test_package.py holds the rule, `python tests/test_package.py` prints the map):

    files/    the district's files on disk: permissions, safe opening, the run lock, kill points, paths
    reader/   the hardened workbook reader, per-file worker isolation, file problems, `pakt validate`
    google/   Google's APIs: HTTP client with quotas and backoff, errors in German, Drive, Sheets values
    sources/  the Source protocol, the folder and Google Sheets sources, intake (read and check)
    store/    the SQLite state store, its typed records, `pakt status`
    view/     the pure district view: consolidation, row status, version diffs, tranche split
    master/   the master's column table, layout, sheets as grids, the xlsx and Google writers
    run/      one sync run, which file counts for whom, Aktualisieren
    year/     approval and history, payment lists, reminders and mail, rounds
    state/    the state roll-up: district masters read back, the state view, store, master, run
"""

from pakt.schemas._lazy import lazy_exports

_EXPORTS = {
    ".view._consolidate": ["DistrictView", "MunicipalityRow", "Received", "Status", "consolidate"],
    ".sources._folder_source": ["FolderSource"],
    ".google._setup": ["Traffic", "service_account_email"],
    ".sources._google_source": ["GoogleSheetsSource"],
    ".year._payout": ["PaymentList", "write_payment_list"],
    ".year._approve": ["Approval", "ApproveRequest", "NotDecided", "approve", "find_municipality"],
    ".year._history": ["Decided", "VersionLine", "decide", "version_diff", "version_history"],
    ".master._layout": ["SHEET_OVERVIEW", "STATUS_FILL", "RunStamp"],
    ".master._overview": [
        "OVERVIEW_COLUMNS",
        "OverviewColumn",
        "Totals",
        "overview_grid",
        "read_staff_columns",
        "sum_total",
    ],
    ".files._paths": ["master_path", "state_path"],
    ".store._records": ["Annotation", "DistrictFigures", "RunCounts", "RunRecord", "RunSummary", "VersionRecord"],
    ".run._refresh": ["Refreshed", "refresh_overview"],
    ".year._remind": ["EXIT_UNADDRESSED", "Delivery", "RemindOptions", "RemindResult", "remind"],
    ".year._reminder_text": ["compose_reminder"],
    ".year._reminders": ["Gap", "Reason", "Recipient", "ReminderCase", "reminder_cases"],
    ".run._run": ["SyncOptions", "SyncResult", "run_sync", "sources_for"],
    ".sources._source": ["Listing", "Note", "Place", "Source", "SourceEntry", "SourceSet"],
    ".state._reading": ["MasterFileView", "MasterReading", "read_master"],
    ".state._run": ["StateSyncOptions", "StateSyncResult", "run_state_sync"],
    ".state._view": ["DistrictStatus", "StateFigures", "StateView"],
    ".store._status": ["status_report"],
    ".store._store": ["StateStore"],
    ".reader._validate_files": [
        "EXIT_BLOCKING",
        "EXIT_OK",
        "EXIT_UNREADABLE",
        "FileResult",
        "ValidationReport",
        "read_previous",
        "validate_files",
    ],
    ".reader._workbook_file": ["XlsxFileView"],
    ".reader._ods_file": ["OdsFileView"],
    ".reader._open_file": ["open_workbook", "open_workbook_file"],
}
"""Where each public name lives; imported on first use (see pakt.schemas._lazy)."""

__all__ = [name for names in _EXPORTS.values() for name in names]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
