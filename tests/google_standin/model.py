"""The stand-in's world: spreadsheets with sheets, values and named ranges, and what happens to requests.

Spreadsheets are loaded from xlsx files the way Google converts them: values
and defined names (as named ranges) survive, Excel tables do not. Each file
also has its place in Drive, which decides who sees it how: owned by or shared
with the account (the `user` corpus), in a shared drive the account belongs to,
shared only by link, trashed, or not shared at all. The world also keeps the
request log, the per-minute quota, the access tokens it issued and the faults
a test asks for.
"""

from __future__ import annotations

import collections
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

EPOCH = datetime(1899, 12, 30)
GOOGLE_SHEET = "application/vnd.google-apps.spreadsheet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ids = itertools.count(1)


class Formula(str):
    """A cell holding a formula (userEnteredValue.formulaValue), as opposed to text that merely looks like one."""


def new_id() -> str:
    """A spreadsheet id of Google's form (44 characters)."""
    return f"1PaKt{next(_ids):05d}" + "x" * 34


def column_letters(index: int) -> str:
    letters, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


@dataclass
class Sheet:
    sheet_id: int
    title: str
    values: list[list[Any]] = field(default_factory=list)
    rows: int = 1000
    cols: int = 26
    formats: dict[tuple[int, int], dict] = field(default_factory=dict)
    """Each cell's userEnteredFormat (CellFormat), by (row, column)."""
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    validations: dict[tuple[int, int], dict] = field(default_factory=dict)
    """Each cell's data validation rule (DataValidationRule)."""
    column_pixels: dict[int, int] = field(default_factory=dict)
    frozen_rows: int = 0
    frozen_columns: int = 0
    basic_filter: dict | None = None
    charts: list[dict] = field(default_factory=list)
    """The charts anchored on the sheet (EmbeddedChart), as addChart gave them, each with its chartId."""

    @property
    def backgrounds(self) -> dict[tuple[int, int], dict]:
        """Each cell's background colour (from its format)."""
        return {key: fmt["backgroundColor"] for key, fmt in self.formats.items() if "backgroundColor" in fmt}

    def get(self, r: int, c: int) -> Any:
        return self.values[r][c] if r < len(self.values) and c < len(self.values[r]) else None

    def set(self, r: int, c: int, value: Any) -> None:
        while len(self.values) <= r:
            self.values.append([])
        row = self.values[r]
        while len(row) <= c:
            row.append(None)
        row[c] = value


@dataclass
class NamedRange:
    named_range_id: str
    name: str
    sheet_id: int
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet]
    named_ranges: list[NamedRange] = field(default_factory=list)
    modified: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: int = 1
    drive_id: str | None = None
    """The shared drive that holds the file; None: someone's My Drive."""
    shared_directly: bool = True
    """Owned by or shared with the account: in its `user` corpus."""
    link_shared: bool = False
    """Anyone with the link may view it: reachable by id, listed nowhere."""
    trashed: bool = False
    mime_type: str = GOOGLE_SHEET
    upload: bytes | None = None
    """An uploaded xlsx that was never converted: Drive serves these bytes, the Sheets API refuses the file."""
    locale: str = "de_DE"
    time_zone: str = "Europe/Berlin"

    def touch(self) -> None:
        """Record an edit: Drive's modifiedTime moves on (by at least a millisecond) and the version grows."""
        now = datetime.now(UTC)
        self.modified = now if now > self.modified else self.modified + timedelta(milliseconds=1)
        self.version += 1

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def charts(self) -> list[dict]:
        """Every chart of the spreadsheet (EmbeddedChart), sheet by sheet."""
        return [chart for sheet in self.sheets for chart in sheet.charts]


def _converted(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def load_xlsx(path: Path, spreadsheet_id: str | None = None, title: str | None = None) -> Spreadsheet:
    """An xlsx as Google's import makes it: values, defined names -> named ranges, no tables."""
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for index, ws in enumerate(book.worksheets):
        values = [[_converted(c) for c in row] for row in ws.iter_rows(values_only=True)]
        sheets.append(
            Sheet(
                sheet_id=index * 1000 + 7,
                title=ws.title,
                values=values,
                rows=max(ws.max_row, 1000),
                cols=max(ws.max_column, 26),
            )
        )
    by_title = {s.title: s for s in sheets}
    named = []
    for number, (name, defined) in enumerate(book.defined_names.items()):
        for sheet_title, ref in defined.destinations:
            first, _, last = ref.replace("$", "").partition(":")
            r1, c1 = _cell(first)
            r2, c2 = _cell(last) if last else (r1, c1)
            named.append(NamedRange(f"nr{number}", name, by_title[sheet_title].sheet_id, r1, c1, r2 + 1, c2 + 1))
    return Spreadsheet(spreadsheet_id or new_id(), title or path.stem, sheets, named)


def _cell(a1: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Za-z]+)(\d+)", a1)
    return int(match.group(2)) - 1, column_index(match.group(1))


@dataclass
class Fault:
    """Answer the next `times` requests whose path contains `match` with `status` ('timeout': hang)."""

    status: int | str
    times: int
    match: str = ""
    retry_after: int | None = None
    """Seconds for a Retry-After header on the answer, as Google sends with some 429s and 503s."""
    reason: str | None = None
    """Google's reason in the error body (e.g. userRateLimitExceeded for Drive's rate-limit 403)."""
    html: bool = False
    """Answer with Google's HTML error page instead of JSON (as its front end does for 502 and 503)."""


@dataclass
class Logged:
    method: str
    path: str
    kind: str
    status: int


class World:
    """Everything the stand-in holds; tests reach into it directly (same process)."""

    def __init__(self, reads_per_window: int = 60, writes_per_window: int = 60, window_s: float = 60.0,
                 drive_per_window: int = 12_000) -> None:  # fmt: skip
        self.lock = threading.RLock()
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.private: set[str] = set()
        self.shared_drives: set[str] = set()
        """Shared drives the account is a member of."""
        self.disabled_apis: set[str] = set()
        """APIs ("sheets", "drive") not enabled in the account's Cloud project."""
        self.tokens: dict[str, tuple[str, frozenset[str], float]] = {}
        """Access tokens the token endpoint issued: token -> (account, scopes, expiry as time.time())."""
        self.token_faults: collections.deque[int | str] = collections.deque()
        """Answers the token endpoint gives next instead of a token (a status, or "invalid_grant")."""
        self.faults: collections.deque[Fault] = collections.deque()
        self.log: list[Logged] = []
        self.reads_per_window = reads_per_window
        self.writes_per_window = writes_per_window
        self.drive_per_window = drive_per_window
        self.window_s = window_s
        self._calls: dict[tuple[str, str], collections.deque[float]] = collections.defaultdict(collections.deque)
        self.hang_s = 5.0

    def add(self, spreadsheet: Spreadsheet) -> Spreadsheet:
        with self.lock:
            self.spreadsheets[spreadsheet.spreadsheet_id] = spreadsheet
        return spreadsheet

    def empty(self, title: str) -> Spreadsheet:
        return self.add(Spreadsheet(new_id(), title, [Sheet(0, "Tabelle1")]))

    def inject(self, status: int | str, times: int = 1, match: str = "", retry_after: int | None = None,
               reason: str | None = None, html: bool = False) -> None:  # fmt: skip
        with self.lock:
            self.faults.append(Fault(status, times, match, retry_after, reason, html))

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match in path and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def over_quota(self, user: str, kind: str) -> bool:
        limit = {"sheets_read": self.reads_per_window, "sheets_write": self.writes_per_window,
                 "drive": self.drive_per_window}.get(kind)  # fmt: skip
        if limit is None:
            return False
        now = time.monotonic()
        with self.lock:
            calls = self._calls[(user, kind)]
            while calls and now - calls[0] > self.window_s:
                calls.popleft()
            if len(calls) >= limit:
                return True
            calls.append(now)
            return False

    def visible(self, book: Spreadsheet) -> bool:
        """Whether the account can reach the file at all (by id)."""
        if book.spreadsheet_id in self.private:
            return False
        return book.shared_directly or book.link_shared or book.drive_id in self.shared_drives

    def listed(self, book: Spreadsheet, corpora: str, drive_id: str | None) -> bool:
        """Whether files.list with these corpora returns the file (link-shared files: never)."""
        if book.spreadsheet_id in self.private:
            return False
        mine = book.shared_directly and book.drive_id is None
        if corpora == "user":
            return mine
        if corpora == "drive":
            return book.drive_id is not None and book.drive_id == drive_id and drive_id in self.shared_drives
        if corpora == "allDrives":
            return mine or (book.drive_id is not None and book.drive_id in self.shared_drives)
        return False

    def count(self, kind: str, status: int | None = 200) -> int:
        with self.lock:
            return sum(1 for entry in self.log if entry.kind == kind and (status is None or entry.status == status))

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()
