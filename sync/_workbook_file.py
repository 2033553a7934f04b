"""An xlsx/xlsm file as a `WorkbookView`: defined names and tables from the XML, values through calamine.

python-calamine reads cell values fast but knows no defined names, so the
names, sheets and table parts are read from the workbook's XML once; cell
values come from calamine. Anything that is not an xlsx workbook is refused
here with a German `WorkbookUnreadable` before the reader ever sees it.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import olefile
import python_calamine

from pakt.schemas import RawCell, RawTable, WorkbookEncrypted, WorkbookUnreadable, parse_a1, parse_reference, to_a1

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_R_ID = "{{{}}}id".format(_NS["r"])
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class _TablePart:
    name: str
    sheet: str
    ref: str
    header_rows: int
    totals_rows: int


def _refuse_non_zip(label: str, data: bytes) -> None:
    if not data:
        raise WorkbookUnreadable("Die Datei ist leer (0 Byte). Bitte die Meldung erneut speichern.", file=label)
    if data.startswith(_OLE_MAGIC):
        streams = olefile.OleFileIO(io.BytesIO(data)).listdir() if olefile.isOleFile(io.BytesIO(data)) else []
        if ["EncryptionInfo"] in streams or ["EncryptedPackage"] in streams:
            raise WorkbookEncrypted(
                "Die Arbeitsmappe ist mit einem Kennwort geschützt und kann nicht gelesen werden. "
                "Bitte den Kennwortschutz entfernen (Datei > Informationen > Arbeitsmappe schützen) und neu speichern.",
                file=label,
            )
        raise WorkbookUnreadable(
            "Die Datei ist im alten Excel-Format (.xls). Bitte mit „Speichern unter“ als Excel-Arbeitsmappe (.xlsx) speichern.",
            file=label,
        )
    if not data.startswith(b"PK"):
        kind = "eine Text- oder CSV-Datei" if _looks_like_text(data) else "keine Excel-Arbeitsmappe"
        raise WorkbookUnreadable(
            f"Die Datei ist {kind}, auch wenn sie auf .xlsx endet. Bitte die Meldevorlage des Landkreises verwenden.",
            file=label,
        )


def _looks_like_text(data: bytes) -> bool:
    sample = data[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in sample


def _open_zip(label: str, data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("xl/workbook.xml")
        return archive
    except KeyError as exc:
        raise WorkbookUnreadable(
            "Die Datei ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (xl/workbook.xml fehlt).", file=label
        ) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise WorkbookUnreadable(
            "Die Datei ist beschädigt oder unvollständig (vielleicht wurde sie beim Kopieren abgeschnitten). "
            "Bitte die Meldung erneut speichern und ablegen.",
            file=label,
        ) from exc


class XlsxFileView:
    """A workbook file opened for reading by name. Implements `pakt.schemas.WorkbookView`."""

    def __init__(self, label: str, data: bytes) -> None:
        self.label = label
        _refuse_non_zip(label, data)
        self._zip = _open_zip(label, data)
        self._members = frozenset(self._zip.namelist())
        try:
            self._parse_workbook_xml()
            self._calamine = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (ElementTree.ParseError, KeyError, python_calamine.CalamineError, ValueError) as exc:
            raise WorkbookUnreadable(
                "Die Arbeitsmappe ist beschädigt und lässt sich nicht lesen. Bitte in Excel öffnen und neu speichern.",
                file=label,
            ) from exc
        self._values: dict[str, list[list[Any]]] = {}
        self._tables: dict[str, _TablePart] | None = None

    @classmethod
    def from_path(cls, path: Path) -> XlsxFileView:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise WorkbookUnreadable(f"Die Datei kann nicht gelesen werden: {exc.strerror}.", file=path.name) from exc
        return cls(path.name, data)

    # -- workbook XML ---------------------------------------------------------------------

    def _xml(self, member: str) -> ElementTree.Element:
        return ElementTree.fromstring(self._zip.read(member))

    def _parse_workbook_xml(self) -> None:
        root = self._xml("xl/workbook.xml")
        rels = self._rels("xl/workbook.xml")
        self.sheet_names: list[str] = []
        self._sheet_parts: dict[str, str] = {}
        for sheet in root.iterfind("m:sheets/m:sheet", _NS):
            name = sheet.get("name", "")
            self.sheet_names.append(name)
            target = rels.get(sheet.get(_R_ID, ""))
            if target:
                self._sheet_parts[name] = target
        self._names: dict[str, str] = {}
        local: dict[str, str] = {}
        for defined in root.iterfind("m:definedNames/m:definedName", _NS):
            target = local if defined.get("localSheetId") is not None else self._names
            target.setdefault(defined.get("name", ""), (defined.text or "").strip())
        for name, ref in local.items():
            self._names.setdefault(name, ref)

    def _rels(self, part: str) -> dict[str, str]:
        folder, file = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", file + ".rels")
        if rels_part not in self._members:
            return {}
        out: dict[str, str] = {}
        for rel in self._xml(rels_part).iterfind("rel:Relationship", _NS):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            resolved = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
            out[rel.get("Id", "")] = resolved
        return out

    def _load_tables(self) -> dict[str, _TablePart]:
        tables: dict[str, _TablePart] = {}
        for sheet, part in self._sheet_parts.items():
            for target in self._rels(part).values():
                if "/tables/" not in target or target not in self._members:
                    continue
                node = self._xml(target)
                name = node.get("displayName") or node.get("name") or ""
                tables[name.casefold()] = _TablePart(
                    name=name,
                    sheet=sheet,
                    ref=node.get("ref", ""),
                    header_rows=int(node.get("headerRowCount", "1")),
                    totals_rows=int(node.get("totalsRowCount", "0")),
                )
        return tables

    # -- values ---------------------------------------------------------------------------

    def _sheet_values(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._values:
            self._values[sheet] = self._calamine.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self._values[sheet]

    def _cell(self, sheet: str, row: int, col: int) -> RawCell:
        values = self._sheet_values(sheet)
        value = values[row][col] if row < len(values) and col < len(values[row]) else None
        return RawCell(value=None if value == "" else value, sheet=sheet, cell=to_a1(row, col))

    # -- WorkbookView -----------------------------------------------------------------------

    def named_cell(self, name: str) -> RawCell | None:
        reference = self._names.get(name)
        parsed = parse_reference(reference) if reference else None
        if parsed is None or parsed[0] not in self._sheet_parts:
            return None
        row, col = parse_a1(parsed[1])
        return self._cell(parsed[0], row, col)

    def table(self, name: str) -> RawTable | None:
        """The table's header and its non-empty data rows (entirely empty rows are left out)."""
        if self._tables is None:
            self._tables = self._load_tables()
        part = self._tables.get(name.casefold())
        if part is None or ":" not in part.ref:
            return None
        first, last = part.ref.split(":")
        (top, left), (bottom, right) = parse_a1(first), parse_a1(last)
        columns = range(left, right + 1)
        header = tuple(self._cell(part.sheet, top, c) for c in columns) if part.header_rows else ()
        values = self._sheet_values(part.sheet)
        rows = []
        for r in range(top + part.header_rows, min(bottom - part.totals_rows, len(values) - 1) + 1):
            if any(v not in ("", None) for v in values[r][left : right + 1]):
                rows.append(tuple(self._cell(part.sheet, r, c) for c in columns))
        return RawTable(header=header, rows=tuple(rows))

    def defined_names(self) -> dict[str, str]:
        """All defined names and what they refer to (for diagnostics and tests)."""
        return dict(self._names)


def open_workbook_file(path: Path) -> XlsxFileView:
    """Open a workbook file for reading; WorkbookUnreadable with a German message if it is none."""
    return XlsxFileView.from_path(path)
