"""Drive, as Pakt asks it: which registered spreadsheets there are and when they changed, and their content.

Drive's files.list searches only the `user` corpus unless told otherwise: files
in shared drives (where districts keep such files) need `corpora=allDrives` with
`includeItemsFromAllDrives` and `supportsAllDrives`, and a file shared only by
link is listed nowhere. So one listing covers what it can (1,000 files a
request), and every registered sheet it does not return is asked for by
files.get (metadata only); none is ever given a made-up stamp.

Content comes from Drive too: a Google spreadsheet exported as xlsx, an
uploaded xlsx downloaded as it is. Both are metered by Drive's per-minute quota,
far larger than the 60 Sheets reads a minute, and both are read by the same
file reader as every other workbook.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gspread.exceptions import APIError

from ._client import GoogleAccess
from ._errors import Cause, cause_of

DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_FIELDS = "id,name,mimeType,modifiedTime,version,trashed"
EXPORT_LIMIT_BYTES = 10 * 1024 * 1024
"""Drive exports Google documents up to 10 MB."""


@dataclass(frozen=True)
class DriveFile:
    """A file as Drive describes it."""

    id: str
    name: str
    mime_type: str
    modified_ns: int
    version: int
    trashed: bool = False

    @property
    def is_spreadsheet(self) -> bool:
        return self.mime_type == SPREADSHEET_MIME

    @property
    def is_xlsx(self) -> bool:
        return self.mime_type == XLSX_MIME


def _nanoseconds(stamp: str) -> int:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def _file(item: dict[str, Any]) -> DriveFile:
    return DriveFile(
        item["id"],
        item.get("name", ""),
        item.get("mimeType", ""),
        _nanoseconds(item["modifiedTime"]),
        int(item.get("version", 0)),
        bool(item.get("trashed", False)),
    )


def _get(access: GoogleAccess, url: str, params: dict[str, Any]) -> Any:
    return access.sources.http_client.request("get", url, params=params)


def list_files(access: GoogleAccess) -> dict[str, DriveFile]:
    """Every spreadsheet and xlsx file the account sees in My Drive and all shared drives, 1,000 a request."""
    params: dict[str, Any] = {
        "q": f"(mimeType='{SPREADSHEET_MIME}' or mimeType='{XLSX_MIME}') and trashed=false",
        "pageSize": 1000,
        "fields": f"nextPageToken,incompleteSearch,files({FILE_FIELDS})",
        "corpora": "allDrives",
        "supportsAllDrives": "true",
        "includeItemsFromAllDrives": "true",
    }
    found: dict[str, DriveFile] = {}
    while True:
        page = _get(access, DRIVE_FILES, params).json()
        for item in page.get("files", []):
            found[item["id"]] = _file(item)
        token = page.get("nextPageToken")
        if not token:
            return found
        params["pageToken"] = token


def describe(access: GoogleAccess, file_id: str) -> DriveFile | None:
    """One file's metadata (link-shared files, files the listing missed); None when Drive does not know it."""
    params = {"fields": FILE_FIELDS, "supportsAllDrives": "true"}
    try:
        return _file(_get(access, f"{DRIVE_FILES}/{file_id}", params).json())
    except APIError as error:
        if cause_of(error) in (Cause.NOT_FOUND, Cause.NOT_SHARED):
            return None
        raise


def describe_missing(access: GoogleAccess, listed: dict[str, DriveFile], wanted: Iterable[str]) -> dict[str, DriveFile]:
    """The listing, completed by files.get for each wanted file it does not hold."""
    complete = dict(listed)
    for file_id in wanted:
        if file_id not in complete and (found := describe(access, file_id)) is not None:
            complete[file_id] = found
    return complete


def content(access: GoogleAccess, file: DriveFile) -> bytes:
    """The file as xlsx bytes: a Google spreadsheet exported, an uploaded xlsx as it is."""
    if file.is_spreadsheet:
        url, params = f"{DRIVE_FILES}/{file.id}/export", {"mimeType": XLSX_MIME}
    else:
        url, params = f"{DRIVE_FILES}/{file.id}", {"alt": "media", "supportsAllDrives": "true"}
    return _get(access, url, params).content
