"""The Google Sheets source: one Drive listing, and each changed sheet read as a workbook file.

The listing (see google/_drive.py) stamps every registered sheet with Drive's version
and modifiedTime; an unchanged sheet costs nothing more. A changed sheet is
exported by Drive as xlsx (an uploaded xlsx is downloaded as it is) and read by
the very reader that reads the district's files, in a worker with a time and
memory budget: cells keep their types, so a date a clerk typed into a count
("1.5" in a German sheet is the 1st of May) is refused at its cell as in Excel,
and neither the sheet's locale nor the Sheets read quota is involved. Where an
export lacks Pakt's names, one Sheets spreadsheets.get with the cells' types
reads them instead.

A refusal is told apart by its cause (see google/_errors.py): a sheet not shared
or gone is that municipality's problem; an API not enabled or a missing scope
concerns every sheet and is the run's failure, said once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from gspread.exceptions import APIError

from pakt.schemas import (
    BINDING_FIELDS,
    Code,
    Draft,
    EnvironmentFailure,
    GoogleSpreadsheet,
    Municipality,
    Registry,
    SchemaMismatch,
    WorkbookUnreadable,
    parse_workbook_ref,
    read_draft,
)

from ..google._client import GoogleAccess
from ..google._drive import DriveFile, content, describe_missing, list_files
from ..google._errors import GOOGLE_FAILURES, Cause, cause_of, google_unavailable, http_status
from ..google._setup import google_municipalities
from ..google._values import GoogleValuesView, read_typed_ranges
from ..reader._isolation import Failure, IsolatedReaders
from ..reader._problems import file_problem, unreadable
from ..reader._workbook_file import XlsxFileView
from ._intake import intake_from_draft
from ._source import Intake, Listing, Place, SourceEntry, Tick

MISSING = -2
"""The stamp of a registered sheet Drive does not show: it differs from any stamp read, so it is read (and
reported) every run until it is back."""


def draft_fingerprint(draft: Draft) -> str:
    """What the sheet says, hashed: an export's bytes differ from export to export, its content does not."""
    material = repr((sorted(draft.binding.items()), sorted(draft.fields.items()), draft.managers))
    return hashlib.sha256(material.encode()).hexdigest()


def has_names(view: XlsxFileView) -> bool:
    """Whether an export carries Pakt's defined names (its binding), so that it can be read by name."""
    names = view.defined_names()
    return all(b.name in names for b in BINDING_FIELDS)


@dataclass(frozen=True)
class _Export:
    """A sheet's bytes on their way to a reader worker."""

    entry: SourceEntry
    label: str
    data: bytes
    spreadsheet: bool


@dataclass(frozen=True)
class _NeedsSheets:
    """An export without Pakt's names: read the sheet through the Sheets API instead."""


@dataclass(frozen=True)
class _ExportReader:
    """What a reader worker does with one export (picklable: it travels to the worker once)."""

    registry: Registry

    def __call__(self, item: _Export) -> Intake | _NeedsSheets:
        try:
            view = XlsxFileView(item.label, item.data)
            if item.spreadsheet and not has_names(view):
                return _NeedsSheets()
            draft = read_draft(view)
        except (WorkbookUnreadable, SchemaMismatch) as exc:
            return Intake(item.entry, hashlib.sha256(item.data).hexdigest(), problem=unreadable(item.entry.key, exc))
        draft.label = item.entry.key
        return intake_from_draft(item.entry, draft_fingerprint(draft), draft, self.registry)


class GoogleSheetsSource:
    """The Google spreadsheets the registry names. Keys are their canonical references (gsheet:ID)."""

    def __init__(self, registry: Registry, access: GoogleAccess, workers: int | None = None) -> None:
        self.registry = registry
        self.access = access
        self.owners = google_municipalities(registry)
        self.workers = workers or os.cpu_count() or 1
        self._files: dict[str, DriveFile] = {}
        self.failures: list[EnvironmentFailure] = []
        """Causes that concern every sheet (an API not enabled, a missing scope), found while reading."""

    def owns(self, key: str) -> bool:
        return isinstance(parse_workbook_ref(key), GoogleSpreadsheet)

    # -- listing ------------------------------------------------------------------------------------

    def listing(self) -> Listing:
        """The registered sheets, stamped by Drive's version and modifiedTime.

        When Drive cannot be asked at all, every sheet stays as last read (unknown this run) and the
        failure is reported for the run.
        """
        try:
            self._files = describe_missing(self.access, list_files(self.access), self.owners)
        except GOOGLE_FAILURES as error:
            failure = google_unavailable(
                error,
                "die Liste der Tabellen abrufen",
                "Die Google-Tabellen wurden nicht gelesen; gezeigt wird ihr zuletzt gelesener Stand.",
            )
            unknown = [SourceEntry(GoogleSpreadsheet(s).reference, -1, -1, unknown=True) for s in self.owners]
            return Listing(unknown, failures=[failure])
        entries = []
        for sheet in self.owners:
            found = self._files.get(sheet)
            stamp = (found.version, found.modified_ns) if found and not found.trashed else (MISSING, MISSING)
            entries.append(SourceEntry(GoogleSpreadsheet(sheet).reference, *stamp))
        return Listing(entries)

    # -- reading ------------------------------------------------------------------------------------

    def read(self, entries: Sequence[SourceEntry], tick: Tick) -> Iterator[Intake]:
        """Fetch the changed sheets from Drive several at once (each request within its quota), then read them
        in reader workers; a sheet whose export lacks the names is read through the Sheets API."""
        self.access.sources  # noqa: B018 - one client (and one token) made before the threads share it
        with ThreadPoolExecutor(self.registry.google.parallel_reads, thread_name_prefix="pakt-google") as pool:
            fetched = list(pool.map(self._fetch, entries))
        exports = [f for f in fetched if isinstance(f, _Export)]
        for done in fetched:
            if isinstance(done, Intake):
                tick()
                yield done
        fallback: list[SourceEntry] = []
        if exports:
            readers = min(self.workers, len(exports))
            with IsolatedReaders(_ExportReader(self.registry), readers) as workers:
                for item, outcome in workers.map(exports):
                    if isinstance(outcome, _NeedsSheets):
                        fallback.append(item.entry)
                        continue
                    tick()
                    yield outcome if isinstance(outcome, Intake) else self._failed(item.entry, outcome)
        for entry in fallback:
            tick()
            yield self._read_through_sheets(entry)

    def _fetch(self, entry: SourceEntry) -> _Export | Intake:
        sheet = _spreadsheet(entry.key).spreadsheet_id
        owner = self.owners.get(sheet)
        found = self._files.get(sheet)
        if found is None or found.trashed:
            return self._problem(entry, owner, Cause.NOT_FOUND)
        if not (found.is_spreadsheet or found.is_xlsx):
            return self._not_a_spreadsheet(entry, owner, found)
        try:
            data = content(self.access, found)
        except APIError as exc:
            return self._refused(entry, owner, exc)
        except (requests.RequestException, TimeoutError):
            return self._problem(entry, owner, Cause.UNAVAILABLE)
        return _Export(entry, found.name or entry.key, data, found.is_spreadsheet)

    def _read_through_sheets(self, entry: SourceEntry) -> Intake:
        owner = self.owners.get(_spreadsheet(entry.key).spreadsheet_id)
        try:
            ranges = read_typed_ranges(self.access, _spreadsheet(entry.key).spreadsheet_id)
        except APIError as exc:
            return self._refused(entry, owner, exc)
        except (requests.RequestException, TimeoutError):
            return self._problem(entry, owner, Cause.UNAVAILABLE)
        try:
            draft = read_draft(GoogleValuesView(entry.key, ranges))
        except SchemaMismatch as exc:
            return Intake(entry, problem=unreadable(entry.key, exc))
        return intake_from_draft(entry, draft_fingerprint(draft), draft, self.registry)

    def _failed(self, entry: SourceEntry, failure: Failure) -> Intake:
        return Intake(entry, problem=file_problem(Code.DATEI_UNLESBAR, failure.message, entry.key))

    # -- problems -----------------------------------------------------------------------------------

    def _refused(self, entry: SourceEntry, owner: Municipality | None, error: APIError) -> Intake:
        cause = cause_of(error)
        if cause.run_level:
            failure = google_unavailable(
                error, "die Tabellen lesen", "Gezeigt wird der zuletzt gelesene Stand der Google-Tabellen."
            )
            if all(f.message != failure.message for f in self.failures):
                self.failures.append(failure)
        return self._problem(entry, owner, cause, http_status(error))

    def _not_a_spreadsheet(self, entry: SourceEntry, owner: Municipality | None, found: DriveFile) -> Intake:
        """A registered file that is no spreadsheet (a PDF, an .xls uploaded to Drive): its municipality's Fehler,
        stored with the file's stamp like any file that cannot be read, so that its row says so (not "Keine
        Meldung") and the file is asked for again only when it changes."""
        finding = file_problem(
            Code.DATEIFORMAT,
            _not_a_spreadsheet_message(owner, found.name),
            entry.key,
            ags=owner.ags if owner else None,
            municipality=owner.name if owner else None,
        )
        return Intake(entry, problem=finding)

    def _problem(self, entry: SourceEntry, owner: Municipality | None, cause: Cause, status: int = 0) -> Intake:
        """A sheet not read this time: the municipality's problem, in German; what is stored for it stands."""
        finding = file_problem(
            Code.DATEI_UNLESBAR,
            _message(cause, owner, self.access.account, status),
            entry.key,
            ags=owner.ags if owner else None,
            municipality=owner.name if owner else None,
        )
        return Intake(entry, problem=finding, busy=True)

    # -- places -------------------------------------------------------------------------------------

    def place(self, key: str) -> Place:
        sheet = _spreadsheet(key)
        found = self._files.get(sheet.spreadsheet_id)
        return Place(
            found.name if found and found.name else f"Google-Tabelle {sheet.spreadsheet_id[:8]}…", url=sheet.url
        )

    def registered_key(self, municipality: Municipality) -> str | None:
        ref = municipality.workbook_ref
        return ref.reference if isinstance(ref, GoogleSpreadsheet) else None


def _message(cause: Cause, owner: Municipality | None, account: str | None, status: int) -> str:
    who = f"von {owner.name} " if owner else ""
    shared = f"das Dienstkonto {account}" if account else "das Dienstkonto von Pakt"
    if cause is Cause.NOT_SHARED:
        return (
            f"Die Tabelle {who}ist nicht für {shared} freigegeben. Bitte in Google Sheets „Freigeben“ wählen "
            "und das Konto als Betrachter eintragen."
        )
    if cause is Cause.NOT_FOUND:
        return (
            f"Die Tabelle {who}ist für {shared} nicht zu sehen: gelöscht, im Papierkorb, nicht freigegeben oder "
            "falsche Adresse im Verzeichnis. Bitte die Tabelle als Betrachter freigeben (oder die Adresse im "
            "Verzeichnis berichtigen); gezeigt wird die zuletzt gelesene Fassung."
        )
    if cause is Cause.NOT_A_SPREADSHEET:
        return _not_a_spreadsheet_message(owner)
    if cause is Cause.API_DISABLED:
        return (
            f"Die Tabelle {who}wurde nicht gelesen: eine Google-API ist nicht aktiviert (siehe Meldung des Abgleichs)."
        )
    if cause is Cause.SCOPE_MISSING:
        return f"Die Tabelle {who}wurde nicht gelesen: den Zugangsdaten fehlt eine Berechtigung (siehe Meldung des Abgleichs)."
    if cause is Cause.RATE_LIMITED:
        return f"Google hat die Tabelle {who}wegen des Kontingents nicht geliefert; der nächste Abgleich versucht es erneut."
    detail = f" (Fehler {status})" if status else ""
    return f"Google hat die Tabelle {who}nicht geliefert{detail}; der nächste Abgleich versucht es erneut."


def _not_a_spreadsheet_message(owner: Municipality | None, name: str = "") -> str:
    who = f"von {owner.name} " if owner else ""
    called = f"„{name}“ " if name else ""
    return (
        f"Die Datei {who}{called}ist weder eine Google-Tabelle noch eine Excel-Datei (.xlsx). Bitte die Meldung "
        "als Google-Tabelle anlegen (eine nach Google Drive hochgeladene Excel-Datei in Google Tabellen öffnen und "
        "„Datei“ › „Als Google Tabellen speichern“ wählen) und dem Landratsamt die Adresse der neuen Tabelle nennen."
    )


def _spreadsheet(key: str) -> GoogleSpreadsheet:
    ref = parse_workbook_ref(key)
    if not isinstance(ref, GoogleSpreadsheet):
        raise KeyError(key)
    return ref
