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
"""

from pakt.schemas._lazy import lazy_exports

_EXPORTS = {
    "._consolidate": ["DistrictView", "MunicipalityRow", "Received", "Status", "consolidate"],
    "._folder_source": ["FolderSource"],
    "._google_setup": ["Traffic", "service_account_email"],
    "._google_source": ["GoogleSheetsSource"],
    "._payout": ["PaymentList", "payment_csv", "write_payment_list"],
    "._history": ["Decided", "VersionLine", "decide", "version_diff", "version_history"],
    "._master_layout": ["SHEET_OVERVIEW", "STATUS_FILL", "RunStamp"],
    "._overview": ["OVERVIEW_COLUMNS", "OverviewColumn", "Totals", "overview_grid", "read_staff_columns", "sum_total"],
    "._paths": ["master_path", "state_path"],
    "._records": ["Annotation", "DistrictFigures", "RunCounts", "RunRecord", "RunSummary", "VersionRecord"],
    "._refresh": ["Refreshed", "refresh_overview"],
    "._remind": ["EXIT_UNADDRESSED", "Delivery", "RemindOptions", "RemindResult", "remind"],
    "._reminder_text": ["compose_reminder"],
    "._reminders": ["Gap", "Reason", "Recipient", "ReminderCase", "reminder_cases"],
    "._run": ["SyncOptions", "SyncResult", "run_sync", "sources_for"],
    "._source": ["Listing", "Note", "Place", "Source", "SourceEntry", "SourceSet"],
    "._state_reading": ["MasterFileView", "MasterReading", "read_master"],
    "._state_run": ["StateSyncOptions", "StateSyncResult", "run_state_sync"],
    "._state_view": ["DistrictStatus", "StateFigures", "StateView"],
    "._status": ["status_report"],
    "._store": ["StateStore"],
    "._validate_files": [
        "EXIT_BLOCKING",
        "EXIT_OK",
        "EXIT_UNREADABLE",
        "FileResult",
        "ValidationReport",
        "read_previous",
        "validate_files",
    ],
    "._workbook_file": ["XlsxFileView", "open_workbook_file"],
}
"""Where each public name lives; imported on first use (see pakt.schemas._lazy)."""

__all__ = [name for names in _EXPORTS.values() for name in names]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
