"""An xlsx/xlsm file as a `WorkbookView`, read safely and once: only the cells the names point to.

A district's share will sooner or later hold damaged, foreign and hostile
files. This reader is safe by construction:

- the file and every part read are size-capped, compressed and uncompressed,
  with a ratio limit (a zip bomb is refused before it is inflated);
- every part read is checked against its CRC (a flipped bit is refused, never
  taken for data); encrypted entries and unknown compression are refused;
- XML is parsed by expat with document type declarations forbidden, so no
  entity is ever expanded; no XML part may declare one, read or not;
- a package that two programs would read differently (two parts of one name,
  a wrong directory, a name defined twice or covering several cells where one
  is meant, a cell with two values) is refused as damaged (see _one_reading);
- only the cells that Pakt's names and the staff table point to are kept,
  picked by address from a checked part (see _sheet_scan) or streamed;
  nothing builds a sheet's whole used range, so a single cell at XFD1048576
  costs nothing;
- every failure of the zip, XML or value decoding becomes WorkbookUnreadable
  with a German message that names the cause.

One pass over the package gives the defined names, the table of the staff,
and the values (shared strings and date styles resolved for the cells kept).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.parsers import expat

import olefile

from pakt.schemas import (
    BINDING_FIELDS,
    STAFF_RANGE,
    STAFF_TABLE,
    RawCell,
    RawTable,
    WorkbookEncrypted,
    WorkbookUnreadable,
    describe_os_error,
    input_fields,
    parse_a1,
    parse_reference,
    to_a1,
)

from ..files._regular_files import read_regular
from . import _sheet_scan as sheet_scan
from ._one_reading import Ambiguous, CellAmbiguous, check_directory
from ._table_rows import table_from_cells

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A submission is about 20 KB; a file over 20 MB is not one."""
MAX_MEMBERS = 2_000
"""Parts of the package (a submission has about 20)."""
MAX_PART_BYTES = 32 * 1024 * 1024
"""Uncompressed size of any part the reader opens."""
MAX_RATIO = 100
"""Uncompressed to compressed size of a part over RATIO_FROM_BYTES (XML compresses 5-20 times; bombs 1,000)."""
RATIO_FROM_BYTES = 1024 * 1024
MAX_ROW, MAX_COL = 1_048_576, 16_384
"""Excel's grid; a reference beyond it is broken."""
MAX_FORM_ROWS, MAX_FORM_COLUMNS = 100_000, 256
"""How far a sheet of a submission may reach (its form uses a few dozen rows and columns); a sheet whose
stated extent goes further was changed outside the form and is refused with the cell to clear."""
MAX_RANGE_CELLS = 500_000
"""Cells a named rectangle may span when read whole (a district master of 1,000 municipalities has 20,000)."""
KEEP_BYTES = 4 * 1024 * 1024
"""XML parts up to this much in all are kept from the CRC check for parsing (a submission has about 200 KB)."""
CONTENT_TYPES = "[Content_Types].xml"
REQUIRED_PARTS = (CONTENT_TYPES, "_rels/.rels", "xl/workbook.xml")
XML_PARTS = (".xml", ".rels", ".vml")
"""Parts that are XML: none may declare a document type, whether Pakt parses it or not (a later reader might)."""
_DOCTYPE = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))
"""A document type declaration as its bytes in every encoding expat reads an OOXML part in."""

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)
_BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
                                   45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58})  # fmt: skip
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')

WANTED_NAMES = frozenset({f.name for f in input_fields()} | {b.name for b in BINDING_FIELDS})
"""The defined names a submission is read by: only their cells are kept."""
WANTED_TABLES = frozenset({STAFF_TABLE.casefold()})


class _Refused(Exception):
    """A reason, in German, why the package cannot be read; turned into WorkbookUnreadable at the boundary."""


def _refuse_non_zip(label: str, data: bytes) -> None:
    if not data:
        raise WorkbookUnreadable("Die Datei ist leer (0 Byte). Bitte die Meldung erneut speichern.", file=label)
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookUnreadable(
            f"Die Datei ist mit {len(data) / 1024 / 1024:.0f} MB viel zu groß für eine Meldung (höchstens "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB). Bitte die Meldevorlage des Landkreises verwenden.",
            file=label,
        )
    if data.startswith(_OLE_MAGIC):
        _refuse_ole(label, data)
    if not data.startswith(b"PK"):
        ods = label.lower().endswith(".ods")  # the dispatcher sends every file that is no zip archive here
        ending, book = (".ods", "kein OpenDocument-Tabellendokument") if ods else (".xlsx", "keine Excel-Arbeitsmappe")
        kind = "eine Text- oder CSV-Datei" if _looks_like_text(data) else book
        raise WorkbookUnreadable(
            f"Die Datei ist {kind}, auch wenn sie auf {ending} endet. Bitte die Meldevorlage des Landkreises "
            "verwenden.",
            file=label,
        )


def _refuse_ole(label: str, data: bytes) -> None:
    try:
        streams = olefile.OleFileIO(io.BytesIO(data)).listdir() if olefile.isOleFile(io.BytesIO(data)) else []
    except Exception:  # a damaged compound file: it is not a workbook we can read either way
        streams = []
    if ["EncryptionInfo"] in streams or ["EncryptedPackage"] in streams:
        raise WorkbookEncrypted(
            "Die Arbeitsmappe ist mit einem Kennwort geschützt und kann nicht gelesen werden. "
            "Bitte den Kennwortschutz entfernen (Datei > Informationen > Arbeitsmappe schützen) und neu speichern.",
            file=label,
        )
    raise WorkbookUnreadable(
        "Die Datei ist im alten Excel-Format (.xls) oder beschädigt. Bitte mit „Speichern unter“ als "
        "Excel-Arbeitsmappe (.xlsx) speichern.",
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


# -- the package ---------------------------------------------------------------------------------


_INFLATED: dict[tuple[bytes, int, int, int], bytes] = {}
"""Parts inflated before, by their compressed bytes, method, size and CRC: the theme, styles and relationships
of a district's forms are the same bytes in every file, and inflating the same bytes gives the same, checked
part. A flipped bit makes other bytes, which are inflated and checked on their own."""
# Earns 0.3-0.5 s of the 4.4-4.6 s CPU that reading 1,101 files takes (bench/memo_benchmark.py).
MAX_INFLATED = 256
MAX_INFLATED_BYTES = 16 * 1024
"""Shared parts are small (theme 7 KB, styles 7 KB); larger parts are a sheet's own."""


def _remember(memory: dict, key: Any, value: Any, most: int) -> None:
    """Keep `value`; a full memory starts afresh, so that a second template met later is remembered too
    (most parts remembered are a form's own and never met again)."""
    if len(memory) >= most:
        memory.clear()
    memory[key] = value


class _Package:
    """The zip package, each part read with its limits checked and its CRC verified."""

    def __init__(self, data: bytes) -> None:
        self._bytes = data
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _Refused(f"Das Archiv hat {len(infos)} Teile (eine Meldung hat etwa 20).")
        check_directory(data, archive)  # one reading or none: names, counts and headers agree (_one_reading)
        self._infos = {info.filename: info for info in infos}
        self._kept: dict[str, bytes] = {}

    def data(self, part: str) -> bytes:
        """The part's bytes, checked (kept from verify() where small)."""
        kept = self._kept.get(part)
        return kept if kept is not None else self._read(part)

    def __contains__(self, part: str) -> bool:
        return part in self._infos

    def verify(self, required: Iterable[str] = REQUIRED_PARTS) -> None:
        """Every part there, intact: its CRC checked (a flipped bit anywhere refuses the file, read or not),
        its limits respected; the parts every workbook has are present (an OpenDocument package checks its
        own `required` parts before, in its own words)."""
        for part in required:
            if part not in self._infos:
                raise _Refused(f"Der Teil {part} fehlt; das ist keine vollständige Excel-Arbeitsmappe.")
        room = KEEP_BYTES
        for part, info in self._infos.items():
            content = self._read(part)
            if part.endswith(XML_PARTS):
                _refuse_doctype(part, content)
            if part.endswith(".xml") and info.file_size <= room:
                self._kept[part] = content
                room -= info.file_size
        if CONTENT_TYPES in self._infos:  # read by no one today, but parsed as every part Pakt opens is
            _check_well_formed(self, CONTENT_TYPES)

    def require(self, targets: Iterable[str]) -> None:
        """Every part a relationship names must be there."""
        for target in targets:
            if target not in self._infos:
                raise _Refused(f"Der Teil {target} fehlt im Archiv, obwohl die Arbeitsmappe auf ihn verweist.")

    def fingerprint(self, part: str) -> tuple[int, int] | None:
        """The CRC and size the archive states for a part (the same part in many files shares them)."""
        info = self._infos.get(part)
        return (info.CRC, info.file_size) if info is not None else None

    def _read(self, part: str) -> bytes:
        """The part's bytes, given only within the limits and once its CRC matched."""
        info = self._infos.get(part)
        if info is None:
            raise _Refused(f"Der Teil {part} fehlt im Archiv.")
        if info.flag_bits & 0x1:
            raise _Refused(f"Der Teil {part} ist verschlüsselt.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(f"Der Teil {part} ist mit einem nicht unterstützten Verfahren komprimiert.")
        if info.file_size > MAX_PART_BYTES:
            raise _Refused(f"Der Teil {part} ist entpackt {info.file_size // 1024 // 1024} MB groß (zu groß).")
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _Refused(f"Der Teil {part} ist ungewöhnlich stark gepackt (eine ZIP-Bombe?).")
        return self._inflate(part, info)

    def _inflate(self, part: str, info: zipfile.ZipInfo) -> bytes:
        """A member's bytes from the archive in memory: its local header checked against the directory, inflated
        to at most its stated size, its length and CRC checked. (zipfile's streaming reader does the same checks
        with a Python call per piece; this way costs a third.)"""
        start = info.header_offset
        header = self._bytes[start : start + zipfile.sizeFileHeader]
        if len(header) < zipfile.sizeFileHeader:
            raise EOFError
        fields = struct.unpack(zipfile.structFileHeader, header)
        if fields[0] != zipfile.stringFileHeader:
            raise zipfile.BadZipFile("Bad magic number for file header")
        name_length, extra_length = fields[zipfile._FH_FILENAME_LENGTH], fields[zipfile._FH_EXTRA_FIELD_LENGTH]
        begin = start + zipfile.sizeFileHeader
        name = self._bytes[begin : begin + name_length]
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if name.decode(encoding, "replace") != info.orig_filename:
            raise zipfile.BadZipFile("File name in directory and header differ")
        begin += name_length + extra_length
        raw = self._bytes[begin : begin + info.compress_size]
        if len(raw) < info.compress_size:
            raise EOFError
        key = (raw, info.compress_type, info.file_size, info.CRC)
        known = _INFLATED.get(key)
        if known is not None:  # these very bytes inflated before, to this size and CRC
            return known
        if info.compress_type == zipfile.ZIP_STORED:
            data = raw
        else:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(raw, info.file_size + 1)
            if len(data) > info.file_size or inflater.unconsumed_tail:
                raise _Refused(f"Der Teil {part} ist länger als angegeben.")
        if len(data) != info.file_size:
            raise EOFError
        if zlib.crc32(data) != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {part!r}")
        if len(data) <= MAX_INFLATED_BYTES:
            _remember(_INFLATED, key, data, MAX_INFLATED)
        return data


class _Stop(Exception):
    """Everything wanted from a part has been seen; stop parsing it."""


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """An element or attribute name without its prefix ("x:c" -> "c"); OOXML writers differ in prefixes."""
    local = _LOCAL_NAMES.get(name)
    if local is None:
        local = _LOCAL_NAMES[name] = name[name.find(":") + 1 :] if len(_LOCAL_NAMES) < 10_000 else name
    return local


def _refuse_doctype(part: str, content: bytes) -> None:
    """No part declares a document type (so none declares an entity), looked for at C speed in every XML part,
    read or not; the parts Pakt reads are parsed by `_safe_parser`, which refuses one as well."""
    if any(declaration in content for declaration in _DOCTYPE):
        raise _Refused(
            f"Der Teil {part} enthält eine Dokumenttyp-Deklaration (DTD); das kommt in Arbeitsmappen nicht vor."
        )


def _forbid(*_: Any) -> None:
    raise _Refused("Das Dokument enthält eine Dokumenttyp-Deklaration (DTD); das kommt in Arbeitsmappen nicht vor.")


def _safe_parser(namespace_separator: str | None = None) -> Any:
    """An expat parser that refuses any document type declaration, so no entity is ever declared or expanded.

    `namespace_separator`: names come as "URI<separator>local" (OpenDocument needs the namespaces: its
    `office:value-type` and `calcext:value-type` share a local name)."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    return parser


def _parse(
    package: _Package, part: str, start: Callable[[str, dict], None], end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:  # fmt: skip
    """Stream a part through expat (no DTD, so no entity is ever declared or expanded) into the handlers.

    Handlers get names as written; they compare local names (`_local`), so any prefix works.
    """
    parser = _safe_parser()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(package.data(part), True)
    except _Stop:
        _check_well_formed(package, part)


def _check_well_formed(package: _Package, part: str) -> None:
    """The whole part must be well-formed XML, also where it was left early or scanned (no handlers: C speed)."""
    _safe_parser().Parse(package.data(part), True)


# -- workbook, relationships, tables ---------------------------------------------------------------


_READ_BEFORE: dict[tuple[str, str, bytes], Any] = {}
"""What a part of identical bytes read as: the forms of a district share their relationship parts and their
workbook part (names, sheets) byte for byte, so each is parsed once per worker, not once per file."""
# Earns 0.6-0.9 s of the 4.4-4.6 s CPU that reading 1,101 files takes (bench/memo_benchmark.py).
MAX_READ_BEFORE = 256


def _as_before(kind: str, package: _Package, part: str, read: Callable[[], Any]) -> Any:
    """`read()`, or what it gave for a part with exactly these bytes (so it was well-formed then, too)."""
    key = (kind, part, package.data(part))
    found = _READ_BEFORE.get(key)
    if found is None:
        found = read()
        _remember(_READ_BEFORE, key, found, MAX_READ_BEFORE)
    return found


def _rels(package: _Package, part: str) -> dict[str, str]:
    folder, file = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", file + ".rels")
    if rels_part not in package:
        return {}
    return dict(_as_before("rels", package, rels_part, lambda: _read_rels(package, folder, rels_part)))


def _read_rels(package: _Package, folder: str, rels_part: str) -> dict[str, str]:
    found: dict[str, str] = {}

    def start(name: str, attrs: dict) -> None:
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = unquote(attrs.get("Target", ""))
        found[attrs.get("Id", "")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        )

    _parse(package, rels_part, start)
    return found


@dataclass
class _Workbook:
    sheets: list[str] = field(default_factory=list)
    sheet_ids: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    date1904: bool = False


def _read_workbook(package: _Package) -> _Workbook:
    book = _as_before("workbook", package, "xl/workbook.xml", lambda: _parse_workbook(package))
    return _Workbook(list(book.sheets), dict(book.sheet_ids), dict(book.names), book.date1904)


def _same_target(first: str, second: str) -> bool:
    """Whether two references name the same cells ("Meldung!$B$14" and "'Meldung'!B14" do)."""
    return first == second or (parse_reference(first) or first) == (parse_reference(second) or second)


def _parse_workbook(package: _Package) -> _Workbook:
    """Sheets and defined names. Excel takes sheet and defined names without regard to case; a sheet named twice,
    or a name defined twice in one scope for different cells, has two readings and is refused."""
    book = _Workbook()
    local: dict[str, str] = {}
    scoped: dict[tuple[str, str | None], tuple[str, str]] = {}  # (name, scope) -> (name, reference) first seen
    sheets: dict[str, str] = {}  # by casefolded name
    current: list[Any] = []  # [name, localSheetId, text parts] of the definedName being read

    def start(name: str, attrs: dict) -> None:
        name = _local(name)
        if name == "sheet":
            sheet = attrs.get("name", "")
            if sheet.casefold() in sheets:
                raise Ambiguous(f"die Arbeitsmappe nennt das Blatt {sheet[:40]} zweimal")
            sheets[sheet.casefold()] = sheet
            book.sheets.append(sheet)
            book.sheet_ids[sheet] = next((v for k, v in attrs.items() if _local(k) == "id"), "")
        elif name == "definedName":
            current[:] = [attrs.get("name", ""), attrs.get("localSheetId"), []]
        elif name == "workbookPr":
            book.date1904 = attrs.get("date1904", "").lower() in ("1", "true")

    def text(data: str) -> None:
        if current:
            current[2].append(data)

    def end(name: str) -> None:
        if current and _local(name) == "definedName":
            defined, scope, reference = current[0], current[1], "".join(current[2]).strip()
            first = scoped.setdefault((defined.casefold(), scope), (defined, reference))
            if not _same_target(first[1], reference):
                raise Ambiguous(
                    f"der Name {defined[:60]} ist zweimal vergeben, für {first[1][:60]} und für {reference[:60]}"
                )
            target = local if scope is not None else book.names
            target.setdefault(defined, reference)
            current.clear()

    _parse(package, "xl/workbook.xml", start, end, text)
    for name, reference in local.items():
        book.names.setdefault(name, reference)
    return book


@dataclass(frozen=True)
class _TablePart:
    name: str
    sheet: str
    ref: str
    header_rows: int
    totals_rows: int


def _read_table(package: _Package, part: str, sheet: str) -> _TablePart | None:
    return _as_before("table " + sheet, package, part, lambda: _parse_table(package, part, sheet)) or None


def _parse_table(package: _Package, part: str, sheet: str) -> _TablePart | bool:
    found: list[_TablePart] = []

    def start(name: str, attrs: dict) -> None:
        if _local(name) == "table":
            found.append(_TablePart(
                name=attrs.get("displayName") or attrs.get("name") or "", sheet=sheet, ref=attrs.get("ref", ""),
                header_rows=_int(attrs.get("headerRowCount"), 1), totals_rows=_int(attrs.get("totalsRowCount"), 0),
            ))  # fmt: skip
            raise _Stop

    _parse(package, part, start)
    return found[0] if found else False  # remembered as "no table" (None is "not read yet")


def _int(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.isdigit() and len(text) < 8 else default


# -- cells -------------------------------------------------------------------------------------------


SMALL_BOX = 20_000
"""A rectangle up to this many cells is kept as a set of its A1 addresses (the staff table: about 150)."""


@dataclass
class _Wanted:
    """The cells kept from one sheet: single cells (names) and rectangles (the staff table)."""

    cells: set[tuple[int, int]] = field(default_factory=set)
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    _addresses: tuple[frozenset[str] | None] | None = field(default=None, repr=False, compare=False)

    def rows(self) -> Callable[[int], bool]:
        """Whether a row holds any wanted cell (most rows of a foreign sheet do not)."""
        singles = {r for r, _ in self.cells}
        spans = [(t, b) for t, _, b, _ in self.boxes]
        return lambda row: row in singles or any(t <= row <= b for t, b in spans)

    def wants(self, row: int, col: int) -> bool:
        return (row, col) in self.cells or any(t <= row <= b and lf <= col <= rt for t, lf, b, rt in self.boxes)

    def addresses(self) -> frozenset[str] | None:
        """The wanted cells as A1 text ("B14"), so a cell is judged by its r attribute without decoding it;
        None when a rectangle is too large to list."""
        if self._addresses is None:
            self._addresses = (self._list_addresses(),)
        return self._addresses[0]

    def _list_addresses(self) -> frozenset[str] | None:
        listed = {to_a1(r, c) for r, c in self.cells}
        for top, left, bottom, right in self.boxes:
            if (bottom - top + 1) * (right - left + 1) > SMALL_BOX:
                return None
            listed |= {to_a1(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        return frozenset(listed)

    @property
    def last_row(self) -> int:
        return max([r for r, _ in self.cells] + [b for _, _, b, _ in self.boxes], default=-1)


@dataclass
class _RawValue:
    kind: str
    style: int
    text: list[str] = field(default_factory=list)
    elements: int = 0
    """Value elements seen (`<v>`, `<is>`): a cell with two has two readings."""


_COLUMN = {chr(65 + i): i + 1 for i in range(26)}


def _position(ref: str) -> tuple[int, int]:
    match = _CELL_REF.match(ref.upper())
    if match is None:
        raise _Refused(f"Der Zellbezug „{ref[:20]}“ ist ungültig.")
    letters, digits = match.groups()
    col = 0
    for char in letters:
        col = col * 26 + _COLUMN[char]
    return int(digits) - 1, col - 1


def _check_extent(ref: str) -> None:
    last = ref.rpartition(":")[2]
    try:
        bottom, right = parse_a1(last)
    except ValueError:
        raise _Refused(f"Die angegebene Ausdehnung eines Blatts („{ref[:30]}“) ist ungültig.") from None
    if bottom >= MAX_FORM_ROWS or right >= MAX_FORM_COLUMNS:
        raise _Refused(
            f"Ein Blatt reicht bis Zelle {last}; das Formular ist viel kleiner. Bitte die Zellen außerhalb des "
            "Formulars leeren und die Mappe neu speichern."
        )


def _scan_cells(package: _Package, part: str, addresses: frozenset[str]) -> dict[tuple[int, int], _RawValue] | None:
    """The wanted cells picked out by address (see _sheet_scan); None where that way is not exact."""
    data = package.data(part)
    if not sheet_scan.scannable(data):
        return None
    _check_well_formed(package, part)
    extent = sheet_scan.dimension(data)
    if extent is not None:
        _check_extent(extent)
    found = sheet_scan.wanted_cells(data, addresses)
    if found is None:
        return None
    return {_position(a): _RawValue(kind, _int(style, 0), [text]) for a, (kind, style, text) in found.items()}


def _read_cells(package: _Package, part: str, wanted: _Wanted) -> dict[tuple[int, int], _RawValue]:
    """The wanted cells of a sheet part: picked out by address, else streamed (stopping past the last
    wanted row)."""
    cells: dict[tuple[int, int], _RawValue] = {}
    last_row = wanted.last_row
    row_wanted = wanted.rows()
    addresses = wanted.addresses()
    if last_row >= 0 and addresses is not None:
        scanned = _scan_cells(package, part, addresses)
        if scanned is not None:
            return scanned
    row, col, in_row = -1, -1, False
    keep: _RawValue | None = None
    keep_at = (-1, -1)
    collect: list[str] | None = None
    in_inline = False

    def start(name: str, attrs: dict) -> None:
        nonlocal row, col, in_row, keep, keep_at, collect, in_inline
        name = _LOCAL_NAMES.get(name) or _local(name)
        if keep is not None and name in ("v", "is"):
            keep.elements += 1
            if keep.elements > 1:
                raise CellAmbiguous(to_a1(*keep_at))
        if name == "c":
            if not in_row:
                return
            ref = attrs.get("r")
            if ref and addresses is not None:  # the fast way: the address as written
                if ref not in addresses:
                    return
                where = _position(ref)
            else:
                if ref:
                    row_here, col = _position(ref)
                    if row_here != row:
                        raise _Refused("Eine Zelle steht in der falschen Zeile.")
                else:
                    col += 1
                if not 0 <= col < MAX_COL or not wanted.wants(row, col):
                    return
                where = (row, col)
            if where in cells:
                raise CellAmbiguous(to_a1(*where), "steht zweimal im Blatt")
            keep = cells[where] = _RawValue(attrs.get("t", "n"), _int(attrs.get("s"), 0))
            keep_at = where
        elif name == "dimension":
            _check_extent(attrs.get("ref", ""))
        elif name == "row":
            row = int(attrs["r"]) - 1 if attrs.get("r", "").isdigit() and len(attrs["r"]) < 8 else row + 1
            if not 0 <= row < MAX_ROW:
                raise _Refused("Eine Zeile liegt außerhalb des Tabellenblatts.")
            if row > last_row:
                raise _Stop
            col, in_row = -1, row_wanted(row)
        elif keep is not None and (name == "v" or (name == "t" and in_inline)):
            collect = keep.text
        elif name == "is":
            in_inline = True

    def text(data: str) -> None:
        if collect is not None:
            collect.append(data)

    def end(name: str) -> None:
        nonlocal keep, collect, in_inline
        name = _LOCAL_NAMES.get(name) or _local(name)
        if keep is None:
            if name == "sheetData":
                raise _Stop  # what follows (validations, formatting) holds no values
            return
        if name in ("v", "t"):
            collect = None
        elif name == "is":
            in_inline = False
        elif name == "c":
            keep = None

    if last_row >= 0:
        _parse(package, part, start, end, text)
    return cells


def _shared_strings(package: _Package, wanted: set[int]) -> dict[int, str]:
    """The shared strings with the given indexes (phonetic runs left out), stopping after the last."""
    found: dict[int, str] = {}
    if not wanted or "xl/sharedStrings.xml" not in package:
        return found
    data = package.data("xl/sharedStrings.xml")
    if sheet_scan.scannable(data):
        _check_well_formed(package, "xl/sharedStrings.xml")
        return sheet_scan.shared_strings(data, wanted)
    last = max(wanted)
    index, parts, in_t, in_phonetic = -1, None, False, False

    def start(name: str, attrs: dict) -> None:
        nonlocal index, parts, in_t, in_phonetic
        name = _local(name)
        if name == "si":
            index += 1
            if index > last:
                raise _Stop
            parts = [] if index in wanted else None
        elif name == "t":
            in_t = True
        elif name == "rPh":
            in_phonetic = True

    def text(data: str) -> None:
        if in_t and parts is not None and not in_phonetic:
            parts.append(data)

    def end(name: str) -> None:
        nonlocal in_t, in_phonetic
        name = _local(name)
        if name == "t":
            in_t = False
        elif name == "rPh":
            in_phonetic = False
        elif name == "si" and parts is not None:
            found[index] = "".join(parts)

    _parse(package, "xl/sharedStrings.xml", start, end, text)
    return found


def _is_date_code(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return any(letter in bare for letter in "dmyhs") and "general" not in bare


_DATE_STYLES: dict[tuple[int, int], frozenset[int]] = {}
"""Date styles by the CRC and size of styles.xml: every submission of a template shares them."""


def _date_styles(package: _Package) -> frozenset[int]:
    """The cell styles (cellXfs indexes) whose number format shows a date."""
    key = package.fingerprint("xl/styles.xml")
    if key is None:
        return frozenset()
    if key not in _DATE_STYLES:
        _DATE_STYLES[key] = _read_date_styles(package)
    return _DATE_STYLES[key]


def _read_date_styles(package: _Package) -> frozenset[int]:
    custom: dict[int, str] = {}
    styles: list[int] = []
    in_xfs = False

    def start(name: str, attrs: dict) -> None:
        nonlocal in_xfs
        name = _local(name)
        if name == "numFmt":
            custom[_int(attrs.get("numFmtId"), -1)] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            in_xfs = True
        elif name == "xf" and in_xfs:
            styles.append(_int(attrs.get("numFmtId"), 0))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            raise _Stop

    _parse(package, "xl/styles.xml", start, end)
    dates = {i for i, f in custom.items() if _is_date_code(f)} | _BUILTIN_DATE_FORMATS
    return frozenset(index for index, fmt in enumerate(styles) if fmt in dates)


def _number(text: str) -> float | int:
    text = text.strip()
    if len(text) < 16 and text.lstrip("-").isdigit():
        return int(text)
    return float(text)


def _value(raw: _RawValue, strings: dict[int, str], date_styles: frozenset[int], epoch: datetime) -> Any:
    kind, text = raw.kind, "".join(raw.text)
    if kind == "s":
        return strings.get(_int(text.strip(), -1))
    if kind in ("str", "inlineStr", "e"):
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(text.strip()) if text.strip() else None
    if not text.strip():
        return None
    number = _number(text)
    if raw.style in date_styles and 0 <= number < 2_958_466:
        return epoch + timedelta(days=float(number))
    return number


# -- the view -----------------------------------------------------------------------------------------


_ZIP_CAUSES = (
    (
        "not a zip file",
        "Die Datei ist beschädigt oder unvollständig (vielleicht wurde sie beim Kopieren abgeschnitten).",
    ),
    ("truncated", "Die Datei ist beschädigt oder unvollständig (vielleicht wurde sie beim Kopieren abgeschnitten)."),
    ("crc", "Die Prüfsumme eines Teils stimmt nicht: die Datei wurde beim Speichern oder Kopieren verändert."),
    ("differ", "Verzeichnis und Inhalt des ZIP-Archivs passen nicht zusammen."),
    ("overlap", "Teile des ZIP-Archivs überlappen sich (eine ZIP-Bombe?)."),
    ("magic number", "Ein Teil des ZIP-Archivs ist beschädigt."),
)
_CAUSES: tuple[tuple[type[BaseException], str], ...] = (
    (zlib.error, "Ein Teil lässt sich nicht entpacken: seine Daten sind beschädigt."),
    (EOFError, "Die Datei ist beschädigt oder unvollständig (vielleicht wurde sie beim Kopieren abgeschnitten)."),
    (UnicodeError, "Ein Teil ist nicht richtig kodiert."),
    (NotImplementedError, "Ein Teil ist mit einem nicht unterstützten Verfahren gepackt."),
    (RuntimeError, "Ein Teil ist verschlüsselt oder beschädigt."),
    (MemoryError, "Die Datei braucht zu viel Speicher."),
    (OverflowError, "Die Datei enthält unmöglich große Zahlen."),
    (ValueError, "Die Datei enthält Werte, die keine sind (eine Zahl, ein Datum oder ein Zellbezug)."),
)


def _cause(error: BaseException) -> str:
    """The cause of a read failure in German words (never the library's English text)."""
    if isinstance(error, _Refused):
        return str(error)
    if isinstance(error, OSError) and error.errno is not None:
        return f"{describe_os_error(error)}."
    if isinstance(error, zipfile.BadZipFile):
        text = str(error).lower()
        return next((german for key, german in _ZIP_CAUSES if key in text), "Das ZIP-Archiv ist beschädigt.")
    if isinstance(error, expat.ExpatError):
        return f"Ein XML-Teil ist beschädigt (Zeile {error.lineno})."
    for kind, text in _CAUSES:
        if isinstance(error, kind):
            return text
    return f"Unerwarteter Fehler beim Lesen ({type(error).__name__})."


def _unreadable(label: str, error: BaseException) -> WorkbookUnreadable:
    if isinstance(error, Ambiguous):  # a damaged package that two programs would read differently: its own words
        return WorkbookUnreadable(error.message, file=label, sheet=error.sheet, cell=error.cell)
    cause = _cause(error)
    advice = "" if "Bitte" in cause else " Bitte in Excel öffnen, neu speichern und erneut ablegen."
    return WorkbookUnreadable(f"Die Arbeitsmappe lässt sich nicht lesen: {cause}{advice}", file=label)


class XlsxFileView:
    """A workbook file opened for reading by name. Implements `pakt.schemas.WorkbookView`.

    Every error of the zip, XML and value layers is raised as WorkbookUnreadable (German, with the cause),
    at opening or at the first access to a sheet.
    """

    wanted_names: frozenset[str] = WANTED_NAMES
    """Defined names of single cells this view keeps (a subclass that reads another kind of workbook names its own)."""
    wanted_ranges: frozenset[str] = frozenset({STAFF_RANGE})
    """Defined names of rectangles this view keeps whole."""

    def __init__(self, label: str, data: bytes) -> None:
        self.label = label
        _refuse_non_zip(label, data)
        try:
            self._package = _Package(data)
            if "xl/workbook.xml" not in self._package:
                raise WorkbookUnreadable(
                    "Die Datei ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (xl/workbook.xml fehlt).", file=label
                )
            self._package.verify()
            self._package.require(_rels(self._package, "").values())
            self._book = _read_workbook(self._package)
            rels = _rels(self._package, "xl/workbook.xml")
            self._package.require(rels.values())
        except WorkbookUnreadable:
            raise
        except Exception as error:
            raise _unreadable(label, error) from error
        self.sheet_names = self._book.sheets
        self._sheet_parts = {s: rels[r] for s, r in self._book.sheet_ids.items() if r in rels}
        self._names = self._book.names
        self._tables: dict[str, _TablePart] | None = None
        self._cells: dict[str, dict[tuple[int, int], Any]] = {}
        self._wanted_by_sheet: dict[str, _Wanted] = {}
        self._epoch = _EPOCH_1904 if self._book.date1904 else _EXCEL_EPOCH

    @classmethod
    def from_path(cls, path: Path) -> XlsxFileView:
        try:
            data, _ = read_regular(path, MAX_FILE_BYTES)
        except OSError as exc:
            raise WorkbookUnreadable(
                f"Die Datei kann nicht gelesen werden: {describe_os_error(exc)}.", file=path.name
            ) from exc
        return cls(path.name, data)

    def _guarded(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except WorkbookUnreadable:
            raise
        except Exception as error:
            raise _unreadable(self.label, error) from error

    # -- what is wanted -------------------------------------------------------------------

    def _load_tables(self) -> dict[str, _TablePart]:
        tables: dict[str, _TablePart] = {}
        for sheet, part in self._sheet_parts.items():
            targets = _rels(self._package, part).values()
            self._package.require(targets)
            for target in targets:
                if "/tables/" in target:
                    table = _read_table(self._package, target, sheet)
                    if table is not None:
                        tables[table.name.casefold()] = table
        return tables

    def _tables_by_name(self) -> dict[str, _TablePart]:
        if self._tables is None:
            self._tables = self._guarded(self._load_tables)
        return self._tables

    def _wanted(self, sheet: str) -> _Wanted:
        # Found anew for every file: remembering it across the files of a template saved 0.8% of reading
        # 1,101 files (bench/memo_benchmark.py, 8 rounds), less than its key cost to read.
        if sheet not in self._wanted_by_sheet:
            self._wanted_by_sheet[sheet] = self._find_wanted(sheet)
        return self._wanted_by_sheet[sheet]

    def _find_wanted(self, sheet: str) -> _Wanted:
        wanted = _Wanted()
        for name, reference in self._names.items():
            kept = name in self.wanted_names or name in self.wanted_ranges
            parsed = parse_reference(reference) if kept else None
            if parsed is None or parsed[0] != sheet:
                continue
            (top, left), (bottom, right) = parse_a1(parsed[1]), parse_a1(parsed[2])
            if name in self.wanted_ranges:
                wanted.boxes.append((top, left, bottom, right))
            else:
                wanted.cells.add((top, left))
        for table in self._tables_by_name().values():
            box = _box(table.ref)
            if table.name.casefold() in WANTED_TABLES and table.sheet == sheet and box is not None:
                wanted.boxes.append(box)
        return wanted

    def _sheet(self, sheet: str) -> dict[tuple[int, int], Any]:
        if sheet not in self._cells:
            self._guarded(self._load_all if not self._cells else lambda: self._load([sheet]))
        return self._cells.get(sheet, {})

    def _load_all(self) -> None:
        """One pass: every sheet holding a wanted cell, then the shared strings and date styles they need."""
        self._load([s for s in self.sheet_names if s in self._sheet_parts and self._wanted(s).last_row >= 0])

    def _load(self, sheets: list[str]) -> None:
        raw: dict[str, dict[tuple[int, int], _RawValue]] = {}
        for sheet in sheets:
            try:
                raw[sheet] = _read_cells(self._package, self._sheet_parts[sheet], self._wanted(sheet))
            except CellAmbiguous as error:  # the part knows the cell, the view the sheet's name
                raise error.on_sheet(sheet) from None
        values = [v for cells in raw.values() for v in cells.values()]
        strings = _shared_strings(self._package, {_int("".join(v.text).strip(), -1) for v in values if v.kind == "s"})
        numeric = any(v.kind == "n" and v.style for v in values)
        date_styles = _date_styles(self._package) if numeric else frozenset()
        for sheet, cells in raw.items():
            self._cells[sheet] = {where: _value(v, strings, date_styles, self._epoch) for where, v in cells.items()}

    def _cell(self, sheet: str, row: int, col: int) -> RawCell:
        value = self._sheet(sheet).get((row, col))
        return RawCell(value=None if value == "" else value, sheet=sheet, cell=to_a1(row, col))

    # -- WorkbookView -----------------------------------------------------------------------

    def named_cell(self, name: str) -> RawCell | None:
        """The cell behind a name of one cell; a name that covers several cells (a rectangle, or several areas)
        has no one value, and is refused as damaged, naming it."""
        reference = self._names.get(name)
        parsed = parse_reference(reference) if reference else None
        areas = _areas(reference) if reference and "," in reference else ()
        if len(areas) > 1:
            shown = ", ".join(
                f"{sheet}!{first}" if first == last else f"{sheet}!{first}:{last}" for sheet, first, last in areas
            )
            raise _unreadable(self.label, Ambiguous(
                f"der Name {name} umfasst mehrere Bereiche ({shown[:80]}), gemeint ist eine einzige Zelle",
                areas[0][0], areas[0][1],
            ))  # fmt: skip
        if parsed is None or parsed[0] not in self._sheet_parts:
            return None
        if parsed[1] != parsed[2]:
            raise _unreadable(self.label, Ambiguous(
                f"der Name {name} umfasst {parsed[0]}!{parsed[1]}:{parsed[2]}, gemeint ist eine einzige Zelle",
                parsed[0], parsed[1],
            ))  # fmt: skip
        row, col = parse_a1(parsed[1])
        return self._cell(parsed[0], row, col)

    def named_range(self, name: str) -> tuple[tuple[RawCell, ...], ...] | None:
        """The cells of a named rectangle (one of `wanted_ranges`), row by row; None when the name is missing."""
        reference = self._names.get(name) if name in self.wanted_ranges else None
        parsed = parse_reference(reference) if reference else None
        if parsed is None or parsed[0] not in self._sheet_parts:
            return None
        (top, left), (bottom, right) = parse_a1(parsed[1]), parse_a1(parsed[2])
        if (bottom - top + 1) * (right - left + 1) > MAX_RANGE_CELLS or bottom < top or right < left:
            raise WorkbookUnreadable(
                f"Der benannte Bereich {name} ({parsed[1]}:{parsed[2]}) ist ungültig oder viel zu groß.",
                file=self.label,
                sheet=parsed[0],
            )
        self._sheet(parsed[0])
        columns = range(left, right + 1)
        return tuple(tuple(self._cell(parsed[0], r, c) for c in columns) for r in range(top, bottom + 1))

    def table(self, name: str) -> RawTable | None:
        """The table's header and its non-empty data rows (entirely empty rows are left out); the named
        range of the same content (pakt_staff) where a program dropped the table."""
        part = self._tables_by_name().get(name.casefold())
        box, sheet, header_rows, totals_rows = None, None, 1, 0
        if part is not None:
            box, sheet, header_rows, totals_rows = _box(part.ref), part.sheet, part.header_rows, part.totals_rows
        elif name == STAFF_TABLE and (parsed := parse_reference(self._names.get(STAFF_RANGE, ""))) is not None:
            box, sheet = (*parse_a1(parsed[1]), *parse_a1(parsed[2])), parsed[0]
        if box is None or sheet not in self._sheet_parts:
            return None
        return table_from_cells(self._sheet(sheet), lambda r, c: self._cell(sheet, r, c), box, header_rows, totals_rows)

    def defined_names(self) -> dict[str, str]:
        """All defined names and what they refer to (for diagnostics and tests)."""
        return dict(self._names)


_AREA_SEPARATOR = re.compile(r"'(?:[^']|'')*'|(,)")


def _areas(reference: str) -> tuple[tuple[str, str, str], ...]:
    """The areas of a reference list ("Meldung!$B$14,Meldung!$B$15"), each as parse_reference gives it; () when
    a piece is no cell reference (a formula such as OFFSET(...) is not a list of areas)."""
    pieces, start = [], 0
    for match in _AREA_SEPARATOR.finditer(reference):
        if match.group(1):
            pieces.append(reference[start : match.start()])
            start = match.end()
    pieces.append(reference[start:])
    parsed = [parse_reference(piece.strip().strip("()")) for piece in pieces]
    return tuple(p for p in parsed if p is not None) if all(parsed) else ()


def _box(ref: str) -> tuple[int, int, int, int] | None:
    if ":" not in ref:
        return None
    first, last = ref.split(":", 1)
    try:
        (top, left), (bottom, right) = parse_a1(first), parse_a1(last)
    except ValueError:
        return None
    return top, left, bottom, right


# Opening a file by its content (xlsx or OpenDocument): open_workbook_file in _open_file.py.
