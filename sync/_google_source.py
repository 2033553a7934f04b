"""The Google Sheets source: one Drive listing, one batchGet per changed sheet.

The Drive listing (one call per 1,000 spreadsheets) gives every registered
sheet's modifiedTime and version; they stand in for a file's size and time, so
an unchanged sheet costs no Sheets request at all. A changed sheet is read with
one values.batchGet of all Pakt's named ranges (unformatted values, dates as
serial numbers) and goes through the very reader and validation files go through.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from gspread.exceptions import APIError

from pakt.schemas import (
    BINDING_FIELDS,
    STAFF_RANGE,
    STAFF_TABLE,
    Code,
    Finding,
    GoogleSpreadsheet,
    Municipality,
    RawCell,
    RawTable,
    Registry,
    SchemaMismatch,
    input_fields,
    parse_a1,
    parse_reference,
    parse_workbook_ref,
    read_draft,
    to_a1,
)

from ._google_client import GoogleAccess, SourceUnavailable, http_status
from ._google_errors import GOOGLE_FAILURES, google_unavailable
from ._intake import Intake, intake_from_draft
from ._problems import file_problem, unreadable
from ._source import Listing, Place, SourceEntry, Tick

DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


@dataclass(frozen=True)
class DriveFile:
    """A spreadsheet as Drive lists it."""

    id: str
    name: str
    modified_ns: int
    version: int


def _nanoseconds(stamp: str) -> int:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def list_spreadsheets(access: GoogleAccess) -> dict[str, DriveFile]:
    """Every spreadsheet the service account can see, 1,000 per Drive request."""
    params: dict[str, Any] = {
        "q": f"mimeType='{SPREADSHEET_MIME}' and trashed=false",
        "pageSize": 1000,
        "fields": "nextPageToken,files(id,name,modifiedTime,version)",
        "supportsAllDrives": True,
        "includeItemsFromAllDrives": True,
    }
    found: dict[str, DriveFile] = {}
    while True:
        page = access.sources.http_client.request("get", DRIVE_FILES, params=params).json()
        for item in page.get("files", []):
            found[item["id"]] = DriveFile(
                item["id"], item.get("name", ""), _nanoseconds(item["modifiedTime"]), int(item.get("version", 0))
            )
        token = page.get("nextPageToken")
        if not token:
            return found
        params["pageToken"] = token


def google_municipalities(registry: Registry) -> dict[str, Municipality]:
    """Registered municipalities whose workbook is a Google spreadsheet, by spreadsheet ID."""
    return {
        ref.spreadsheet_id: m for m in registry.municipalities if isinstance(ref := m.workbook_ref, GoogleSpreadsheet)
    }


class GoogleValuesView:
    """A batchGet answer as a `WorkbookView`: each named range with its resolved A1 range and values."""

    def __init__(self, label: str, ranges: dict[str, dict]) -> None:
        self.label = label
        self._ranges = ranges

    def _where(self, name: str) -> tuple[str, int, int, list[list[Any]]] | None:
        found = self._ranges.get(name)
        if found is None:
            return None
        parsed = parse_reference(found["range"])
        if parsed is None:
            return None
        row, col = parse_a1(parsed[1])
        return parsed[0], row, col, found.get("values", [])

    def named_cell(self, name: str) -> RawCell | None:
        where = self._where(name)
        if where is None:
            return None
        sheet, row, col, values = where
        value = values[0][0] if values and values[0] else None
        return RawCell(None if value == "" else value, sheet, to_a1(row, col))

    def table(self, name: str) -> RawTable | None:
        where = self._where(STAFF_RANGE if name == STAFF_TABLE else name)
        if where is None:
            return None
        sheet, top, left, values = where
        width = max((len(r) for r in values), default=0)

        def cells(offset: int, row: list[Any]) -> tuple[RawCell, ...]:
            padded = list(row) + [None] * (width - len(row))
            return tuple(
                RawCell(None if v == "" else v, sheet, to_a1(top + offset, left + c)) for c, v in enumerate(padded)
            )

        header = cells(0, values[0]) if values else ()
        rows = tuple(cells(i, r) for i, r in enumerate(values[1:], start=1) if any(v not in ("", None) for v in r))
        return RawTable(header=header, rows=rows)


def submission_ranges() -> list[str]:
    """Every named range a submission has: inputs, the staff range, the binding."""
    return [f.name for f in input_fields()] + [STAFF_RANGE] + [b.name for b in BINDING_FIELDS]


def _unavailable(
    error: APIError, municipality: Municipality | None, sheet: str, account: str | None
) -> SourceUnavailable:
    who = f"von {municipality.name}" if municipality else ""
    if http_status(error) == 403:
        shared = f"das Dienstkonto {account}" if account else "das Dienstkonto von Pakt"
        return SourceUnavailable(
            f"Die Tabelle {who} ist nicht für {shared} freigegeben. Bitte in Google Sheets „Freigeben“ wählen "
            "und das Konto als Betrachter eintragen.",
            "forbidden",
            file=GoogleSpreadsheet(sheet).reference,
        )
    if http_status(error) == 404:
        return SourceUnavailable(
            f"Die Tabelle {who} wurde nicht gefunden (gelöscht oder falsche Adresse im Verzeichnis).",
            "not_found",
            file=GoogleSpreadsheet(sheet).reference,
        )
    return SourceUnavailable(
        f"Google hat die Tabelle {who} nicht geliefert (Fehler {http_status(error)}); der nächste Abgleich versucht es erneut.",
        "unreachable",
        file=GoogleSpreadsheet(sheet).reference,
    )


def _batch_get(access: GoogleAccess, sheet: str, names: list[str]) -> list[dict]:
    params = {"ranges": names, "valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
    return access.sources.http_client.values_batch_get(sheet, names, params=params)["valueRanges"]


def read_ranges(access: GoogleAccess, sheet: str) -> dict[str, dict]:
    """All of a sheet's Pakt ranges in one batchGet; a sheet missing some costs one more request to learn which."""
    names = submission_ranges()
    try:
        return dict(zip(names, _batch_get(access, sheet, names), strict=False))
    except APIError as exc:
        if http_status(exc) != 400:
            raise
    meta = access.sources.http_client.spreadsheets_get(sheet, params={"fields": "namedRanges.name"})
    existing = {n["name"] for n in meta.get("namedRanges", [])}
    present = [n for n in names if n in existing]
    return dict(zip(present, _batch_get(access, sheet, present), strict=False)) if present else {}


def read_google(
    entry: SourceEntry, access: GoogleAccess, registry: Registry, municipality: Municipality | None
) -> Intake:
    """Read and check one Google sheet; a sheet Google will not give becomes a problem, and nothing is stored."""
    sheet = _spreadsheet(entry.key).spreadsheet_id
    try:
        ranges = read_ranges(access, sheet)
    except APIError as exc:
        problem = _unavailable(exc, municipality, sheet, access.account)
        return Intake(entry, problem=_finding(problem, municipality), busy=True)
    except requests.RequestException:
        problem = SourceUnavailable(
            f"Google war für die Tabelle {'von ' + municipality.name if municipality else ''} nicht erreichbar; "
            "der nächste Abgleich versucht es erneut.",
            "unreachable",
            file=entry.key,
        )
        return Intake(entry, problem=_finding(problem, municipality), busy=True)
    fingerprint = hashlib.sha256(json.dumps(ranges, sort_keys=True).encode()).hexdigest()
    try:
        draft = read_draft(GoogleValuesView(entry.key, ranges))
    except SchemaMismatch as exc:
        return Intake(entry, fingerprint, problem=unreadable(entry.key, exc))
    return intake_from_draft(entry, fingerprint, draft, registry)


def _finding(problem: SourceUnavailable, municipality: Municipality | None) -> Finding:
    return file_problem(
        Code.DATEI_UNLESBAR,
        problem.message,
        problem.file,
        ags=municipality.ags if municipality else None,
        municipality=municipality.name if municipality else None,
    )


def _spreadsheet(key: str) -> GoogleSpreadsheet:
    ref = parse_workbook_ref(key)
    if not isinstance(ref, GoogleSpreadsheet):
        raise KeyError(key)
    return ref


class GoogleSheetsSource:
    """The Google spreadsheets the registry names. Keys are their canonical references (gsheet:ID)."""

    def __init__(self, registry: Registry, access: GoogleAccess) -> None:
        self.registry = registry
        self.access = access
        self.owners = google_municipalities(registry)
        self._names: dict[str, str] = {}

    def owns(self, key: str) -> bool:
        return isinstance(parse_workbook_ref(key), GoogleSpreadsheet)

    def listing(self) -> Listing:
        """The registered sheets, stamped by Drive's version and modifiedTime (one listing per 1,000 sheets).

        When Drive cannot be asked at all, every sheet stays as last read (unknown this run) and the
        failure is reported for the run.
        """
        try:
            drive = list_spreadsheets(self.access)
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
            found = drive.get(sheet)
            size, moment = (found.version, found.modified_ns) if found else (-1, -1)
            if found:
                self._names[sheet] = found.name
            entries.append(SourceEntry(GoogleSpreadsheet(sheet).reference, size, moment))
        return Listing(entries)

    def read(self, entries: Sequence[SourceEntry], tick: Tick) -> Iterator[Intake]:
        """Read the changed sheets, several at once (the limiter keeps them all inside the quota), so that
        one sheet Google is slow to give does not hold up the others."""

        def one(entry: SourceEntry) -> Intake:
            owner = self.owners.get(_spreadsheet(entry.key).spreadsheet_id)
            return read_google(entry, self.access, self.registry, owner)

        self.access.sources  # noqa: B018 - one client (and one token) made before the threads share it
        with ThreadPoolExecutor(self.registry.google.parallel_reads, thread_name_prefix="pakt-google") as pool:
            for intake in pool.map(one, entries):
                tick()
                yield intake

    def place(self, key: str) -> Place:
        sheet = _spreadsheet(key)
        return Place(
            self._names.get(sheet.spreadsheet_id) or f"Google-Tabelle {sheet.spreadsheet_id[:8]}…", url=sheet.url
        )

    def registered_key(self, municipality: Municipality) -> str | None:
        ref = municipality.workbook_ref
        return ref.reference if isinstance(ref, GoogleSpreadsheet) else None
