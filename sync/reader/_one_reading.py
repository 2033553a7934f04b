"""One reading or none: a package that two programs would read differently is refused as damaged.

A zip archive lists its parts twice, in the central directory at its end and
in a local header before each part's data; a workbook names its cells by
defined names and stores a cell's value in one element. Where these say two
things (two parts of one name, names that differ only in case, a directory
whose count or headers disagree with the parts, a part the directory does not
name, a cell with two values), Pakt would pick one and Excel or LibreOffice
might show the clerk the other. Such a file is never taken as data: it is
refused with a German message that says it is damaged and how to repair it
(saving it again in Excel or LibreOffice writes one consistent package).

The checks here cost a look at each local header and the end records, once
per file; they run before any part is inflated.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile

LOCAL_HEADER = b"PK\x03\x04"
DESCRIPTOR = b"PK\x07\x08"
ZIP64_EXTRA = 0x0001
ENCRYPTED, DATA_DESCRIPTOR = 0x1, 0x8
STATED_IN_ZIP64 = 0xFFFFFFFF
COUNT_IN_ZIP64 = 0xFFFF


class Ambiguous(Exception):
    """A package or workbook that admits two readings; `message` is the German sentence for people, with the
    sheet and cell where there is one."""

    def __init__(self, detail: str, sheet: str | None = None, cell: str | None = None) -> None:
        self.message = f"Die Datei ist beschädigt ({detail}). Bitte in Excel oder LibreOffice öffnen und neu speichern."
        super().__init__(self.message)
        self.detail, self.sheet, self.cell = detail, sheet, cell


class CellAmbiguous(Ambiguous):
    """A cell of a sheet part with two values (or written twice); the caller knows the sheet's name."""

    def __init__(self, address: str, why: str = "enthält zwei Werte") -> None:
        super().__init__(f"Zelle {address} {why}", cell=address)
        self.address, self.why = address, why

    def on_sheet(self, sheet: str) -> Ambiguous:
        return Ambiguous(f"Zelle {sheet}!{self.address} {self.why}", sheet, self.address)


def check_directory(data: bytes, archive: zipfile.ZipFile) -> None:
    """The archive has one reading: each part named once (also ignoring case and Unicode normalisation), the end
    record's count equal to the entries, every local header agreeing with its directory entry, and no local
    header the directory does not list."""
    infos = archive.infolist()
    _check_names(infos)
    _check_count(data, archive, len(infos))
    _check_layout(data, archive.start_dir, infos)


def name_key(name: str) -> str:
    """How programs may take a part's name: Windows ignores case and takes a backslash for a slash, macOS
    normalises Unicode, OPC part names ignore case and start at the root."""
    return unicodedata.normalize("NFC", name.replace("\\", "/").lstrip("/")).casefold()


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    seen: dict[str, str] = {}
    for info in infos:
        if info.filename != info.orig_filename:
            raise Ambiguous(f"der Name des Teils {info.filename} enthält ein Nullzeichen")
        key = name_key(info.filename)
        if key not in seen:
            seen[key] = info.filename
            continue
        other = seen[key]
        if other == info.filename:
            raise Ambiguous(f"das Archiv enthält zwei Teile namens {info.filename}")
        if other.casefold() == info.filename.casefold():
            how = "in Groß- und Kleinschreibung"
        elif unicodedata.normalize("NFC", other) == unicodedata.normalize("NFC", info.filename):
            how = "in der Unicode-Normalform (gleich aussehende, verschieden kodierte Zeichen)"
        else:
            how = "in der Schreibweise"
        raise Ambiguous(f"die Teile {other} und {info.filename} unterscheiden sich nur {how}")


def _check_count(data: bytes, archive: zipfile.ZipFile, found: int) -> None:
    """The end record's entry counts (and the zip64 end record's, where there is one) are the entries found, and
    the directory starts where the end record says (no bytes put before the archive shift every part)."""
    end = zipfile._EndRecData(io.BytesIO(data))  # zip64 figures where the archive has a zip64 end record
    if not end:
        raise zipfile.BadZipFile("File is not a zip file")
    location = end[zipfile._ECD_LOCATION]
    classic = struct.unpack(zipfile.structEndArchive, data[location : location + zipfile.sizeEndCentDir])
    zip64 = end[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64
    stated = [classic[3], classic[4]]
    if zip64:
        stated = [c for c in stated if c != COUNT_IN_ZIP64]
        stated += [end[zipfile._ECD_ENTRIES_THIS_DISK], end[zipfile._ECD_ENTRIES_TOTAL]]
    wrong = next((count for count in stated if count != found), None)
    if wrong is not None:
        raise Ambiguous(f"das Inhaltsverzeichnis des ZIP-Archivs nennt {wrong} Teile, es enthält {found}")
    if archive.start_dir != end[zipfile._ECD_OFFSET]:
        raise Ambiguous("vor dem ZIP-Archiv stehen fremde Daten, die Teile liegen nicht dort, wo es angibt")


def _check_layout(data: bytes, directory_start: int, infos: list[zipfile.ZipInfo]) -> None:
    """Walk the parts in file order: each where the directory says, none overlapping, no local header between
    them or before the directory that the directory does not list."""
    position = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.header_offset < position:
            raise Ambiguous(f"Teile des ZIP-Archivs überlappen sich, bei {info.filename}")
        if data.find(LOCAL_HEADER, position, info.header_offset) >= 0:
            raise Ambiguous("das ZIP-Archiv enthält einen Teil, den sein Inhaltsverzeichnis nicht nennt")
        position = _entry_end(data, info)
    if position > directory_start:
        raise Ambiguous("Teile des ZIP-Archivs überlappen sich mit seinem Inhaltsverzeichnis")
    if data.find(LOCAL_HEADER, position, directory_start) >= 0:
        raise Ambiguous("das ZIP-Archiv enthält einen Teil, den sein Inhaltsverzeichnis nicht nennt")


def _zip64_sizes(extra: bytes) -> tuple[int | None, int | None]:
    """The uncompressed and compressed size of a local header's zip64 extra field, where it has one."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack("<HH", extra[at : at + 4])
        if kind == ZIP64_EXTRA:
            body = extra[at + 4 : at + 4 + length]
            size = struct.unpack_from("<Q", body, 0)[0] if len(body) >= 8 else None
            packed = struct.unpack_from("<Q", body, 8)[0] if len(body) >= 16 else None
            return size, packed
        at += 4 + length
    return None, None


def _entry_end(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where the part's data (and its data descriptor) ends; its local header checked against the directory."""
    start = info.header_offset
    header = data[start : start + zipfile.sizeFileHeader]
    if len(header) < zipfile.sizeFileHeader:
        raise EOFError
    fields = struct.unpack(zipfile.structFileHeader, header)
    if fields[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile("Bad magic number for file header")
    name_length, extra_length = fields[zipfile._FH_FILENAME_LENGTH], fields[zipfile._FH_EXTRA_FIELD_LENGTH]
    extra_start = start + zipfile.sizeFileHeader + name_length
    extra = data[extra_start : extra_start + extra_length]
    part = info.filename
    flags = fields[zipfile._FH_GENERAL_PURPOSE_FLAG_BITS]
    if (flags ^ info.flag_bits) & (ENCRYPTED | DATA_DESCRIPTOR):
        raise Ambiguous(f"Kopf und Inhaltsverzeichnis des Teils {part} widersprechen sich")
    if fields[zipfile._FH_COMPRESSION_METHOD] != info.compress_type:
        raise Ambiguous(f"Kopf und Inhaltsverzeichnis des Teils {part} nennen verschiedene Packverfahren")
    stated = (fields[zipfile._FH_CRC], fields[zipfile._FH_COMPRESSED_SIZE], fields[zipfile._FH_UNCOMPRESSED_SIZE])
    zip64_size, zip64_packed = _zip64_sizes(extra)
    if STATED_IN_ZIP64 in stated[1:]:
        stated = (stated[0], zip64_packed, zip64_size)
    end = extra_start + extra_length + info.compress_size
    if flags & DATA_DESCRIPTOR:
        if any(stated) and stated != (info.CRC, info.compress_size, info.file_size):
            raise Ambiguous(f"Kopf und Inhaltsverzeichnis des Teils {part} nennen verschiedene Größen")
        if data[end : end + 4] == DESCRIPTOR:
            end += 4
        wide = zip64_size is not None
        layout = "<LQQ" if wide else "<LLL"
        described = data[end : end + struct.calcsize(layout)]
        if len(described) < struct.calcsize(layout):
            raise EOFError
        if struct.unpack(layout, described) != (info.CRC, info.compress_size, info.file_size):
            raise Ambiguous(f"Datenbeschreibung und Inhaltsverzeichnis des Teils {part} widersprechen sich")
        return end + len(described)
    if stated != (info.CRC, info.compress_size, info.file_size):
        raise Ambiguous(f"Kopf und Inhaltsverzeichnis des Teils {part} nennen verschiedene Größen")
    return end
