"""Files that two programs would read differently, built from Aldingen's valid submission.

Each case is a package or workbook with two readings: two zip entries of one name (the first or the last
differing), names that differ only in case or Unicode normalisation, end records whose counts are wrong
(also zip64), local headers that disagree with the directory, a part the directory does not list, bytes put
before the archive; a defined name twice with different cells, a name of several cells where one is meant,
a sheet named twice, a cell with two values or written twice (in the fast scan and in the streaming way),
and document type declarations in parts Pakt does not read. Every one must be refused with the German
"damaged" message; `expected` is what that message must say. Built here in code, nothing stored as bytes.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from corpus.damage import SHEET_MELDUNG, rebuilt, valid_submission

DAMAGED = "Die Datei ist beschädigt ("
REPAIR = "Bitte in Excel oder LibreOffice öffnen und neu speichern."
DTD = "Dokumenttyp-Deklaration (DTD)"
PERSONS_CELL = b'<c r="B14"'
"""Where Aldingen's persons total (44) sits on the Meldung sheet."""


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected: str
    """Text the German refusal must hold (besides the damaged/repair sentence, where `damaged`)."""
    sheet: str | None = None
    damaged: bool = True
    """Refused with "Die Datei ist beschädigt (…)" (False: refused as a document type declaration)."""


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def package(items: list[tuple[str, bytes]]) -> bytes:
    """A fresh zip of these entries in this order, duplicates and all (zipfile warns about them)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in items:
                archive.writestr(name, content)
    return buffer.getvalue()


def _part(data: bytes, name: str) -> bytes:
    return dict(members(data))[name]


def _persons_changed(sheet: bytes, value: bytes = b"99") -> bytes:
    """The Meldung sheet with the persons total changed: a copy that reads as other figures."""
    start = sheet.index(PERSONS_CELL)
    return sheet[:start] + sheet[start:].replace(b"<v>44</v>", b"<v>" + value + b"</v>", 1)


# -- the zip archive ------------------------------------------------------------------------------------


def _end_record(data: bytes) -> int:
    return data.rfind(b"PK\x05\x06")


def _with_counts(data: bytes, this_disk: int, total: int) -> bytes:
    changed = bytearray(data)
    struct.pack_into("<HH", changed, _end_record(data) + 8, this_disk, total)
    return bytes(changed)


def with_zip64_end(data: bytes, count: int) -> bytes:
    """The archive with a zip64 end record (and its locator) that states `count` entries; the classic end record
    defers to it (0xFFFF), as writers do for large archives."""
    end = _end_record(data)
    _, _, _, _, _, size, offset, _ = struct.unpack("<4s4H2LH", data[end : end + 22])
    record = struct.pack("<4sQ2H2L2Q2Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end, 1)
    classic = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, size, offset, 0)
    return data[:end] + record + locator + classic


def _central_entry(data: bytes, name: str) -> int:
    """Where a part's central directory entry starts."""
    position = struct.unpack("<I", data[_end_record(data) + 16 : _end_record(data) + 20])[0]
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[position + 28 : position + 34])
        if data[position + 46 : position + 46 + name_length].decode() == name:
            return position
        position += 46 + name_length + extra_length + comment_length
    raise KeyError(name)


def _local_header(data: bytes, name: str) -> int:
    return struct.unpack("<I", data[_central_entry(data, name) + 42 : _central_entry(data, name) + 46])[0]


def _patched_local(data: bytes, name: str, offset: int, layout: str, value: int) -> bytes:
    """A field of a part's local header changed, its directory entry left as it was."""
    changed = bytearray(data)
    struct.pack_into(layout, changed, _local_header(data, name) + offset, value)
    return bytes(changed)


def with_hidden_entry(data: bytes, name: str, content: bytes) -> bytes:
    """A local entry put between the last part and the directory, which the directory does not list (a reader
    that walks the local headers sees it; one that reads the directory does not)."""
    hidden = package([(name, content)])
    hidden_entry = hidden[: struct.unpack("<I", hidden[_end_record(hidden) + 16 : _end_record(hidden) + 20])[0]]
    end = _end_record(data)
    directory_start = struct.unpack("<I", data[end + 16 : end + 20])[0]
    shifted = bytearray(data[directory_start:])
    struct.pack_into("<I", shifted, len(shifted) - 22 + 16, directory_start + len(hidden_entry))
    return data[:directory_start] + hidden_entry + bytes(shifted)


def with_descriptors(data: bytes) -> bytes:
    """The package as a streaming writer (LibreOffice, a web server) writes it: sizes and CRC after each part's
    data, in a data descriptor."""

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.written = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, chunk) -> int:
            self.written += chunk
            return len(chunk)

    stream = Stream()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members(data):
            with archive.open(name, "w") as part:
                part.write(content)
    return bytes(stream.written)


def _descriptor_crc_changed(data: bytes, name: str) -> bytes:
    streamed = with_descriptors(data)
    with zipfile.ZipFile(io.BytesIO(streamed)) as archive:
        info = archive.getinfo(name)
    local = info.header_offset
    name_length, extra_length = struct.unpack("<HH", streamed[local + 26 : local + 30])
    descriptor = local + 30 + name_length + extra_length + info.compress_size
    assert streamed[descriptor : descriptor + 4] == b"PK\x07\x08"
    changed = bytearray(streamed)
    struct.pack_into("<I", changed, descriptor + 4, info.CRC ^ 0xFFFF)
    return bytes(changed)


def _overlapping(data: bytes) -> bytes:
    """The directory entry of docProps/app.xml pointed at core.xml's local header."""
    changed = bytearray(data)
    struct.pack_into(
        "<I", changed, _central_entry(data, "docProps/app.xml") + 42, _local_header(data, "docProps/core.xml")
    )
    return bytes(changed)


def zip_cases(data: bytes) -> Iterator[Case]:
    items = members(data)
    meldung = _part(data, SHEET_MELDUNG)
    other = _persons_changed(meldung)
    both = "zwei Teile namens " + SHEET_MELDUNG
    yield Case("zip_zweimal_letzter_anders.xlsx", package([*items, (SHEET_MELDUNG, other)]), both)
    first = [(SHEET_MELDUNG, other) if name == SHEET_MELDUNG else (name, content) for name, content in items]
    yield Case("zip_zweimal_erster_anders.xlsx", package([*first, (SHEET_MELDUNG, meldung)]), both)
    yield Case(
        "zip_gross_klein.xlsx",
        package([*items, ("xl/worksheets/Sheet2.xml", other)]),
        "xl/worksheets/sheet2.xml und xl/worksheets/Sheet2.xml unterscheiden sich nur in Groß- und Kleinschreibung",
    )
    composed, decomposed = (
        unicodedata.normalize("NFC", "docProps/Bilder/Gemeindé.xml"),
        "docProps/Bilder/Gemeinde\u0301.xml",
    )
    yield Case(
        "zip_unicode_normalform.xlsx",
        package([*items, (composed, b"<a/>"), (decomposed, b"<b/>")]),
        "unterscheiden sich nur in der Unicode-Normalform",
    )
    yield Case(
        "zip_rueckstrich.xlsx",
        package([*items, ("xl\\worksheets\\sheet2.xml", other)]),
        "unterscheiden sich nur in der Schreibweise",
    )
    count = len(items)
    yield Case(
        "zip_zahl_zu_klein.xlsx",
        _with_counts(data, count - 1, count - 1),
        f"nennt {count - 1} Teile, es enthält {count}",
    )
    yield Case(
        "zip_zahl_zu_gross.xlsx",
        _with_counts(data, count + 1, count + 1),
        f"nennt {count + 1} Teile, es enthält {count}",
    )
    yield Case("zip_zahl_widerspruechlich.xlsx", _with_counts(data, count, count + 3), f"nennt {count + 3} Teile")
    yield Case(
        "zip64_zahl_falsch.xlsx", with_zip64_end(data, count + 1), f"nennt {count + 1} Teile, es enthält {count}"
    )
    yield Case(
        "zip_versteckter_teil.xlsx",
        with_hidden_entry(data, "xl/worksheets/sheet9.xml", other),
        "einen Teil, den sein Inhaltsverzeichnis nicht nennt",
    )
    yield Case("zip_vorangestellt.xlsx", b"PK" + b"\x00" * 62 + data, "vor dem ZIP-Archiv stehen fremde Daten")
    yield Case(
        "zip_kopf_groesse.xlsx",
        _patched_local(data, SHEET_MELDUNG, 18, "<I", len(meldung) // 3),
        f"Kopf und Inhaltsverzeichnis des Teils {SHEET_MELDUNG} nennen verschiedene Größen",
    )
    yield Case(
        "zip_kopf_verfahren.xlsx",
        _patched_local(data, SHEET_MELDUNG, 8, "<H", zipfile.ZIP_STORED),
        f"Kopf und Inhaltsverzeichnis des Teils {SHEET_MELDUNG} nennen verschiedene Packverfahren",
    )
    yield Case(
        "zip_datenbeschreibung.xlsx",
        _descriptor_crc_changed(data, SHEET_MELDUNG),
        f"Datenbeschreibung und Inhaltsverzeichnis des Teils {SHEET_MELDUNG} widersprechen sich",
    )
    yield Case("zip_ueberlappend.xlsx", _overlapping(data), "Teile des ZIP-Archivs überlappen sich")


# -- the workbook ---------------------------------------------------------------------------------------


def _workbook_edited(data: bytes, edit: Callable[[str], str]) -> bytes:
    return rebuilt(data, {"xl/workbook.xml": edit(_part(data, "xl/workbook.xml").decode()).encode()})


def _name_element(workbook: str, name: str) -> str:
    start = workbook.index(f'<definedName name="{name}"')
    return workbook[start : workbook.index("</definedName>", start) + len("</definedName>")]


def _name_added(name: str, copy: Callable[[str], str], before: bool = False) -> Callable[[str], str]:
    """The workbook with a second definition of `name`, made from the first by `copy`."""

    def edit(workbook: str) -> str:
        element = _name_element(workbook, name)
        pair = copy(element) + element if before else element + copy(element)
        return workbook.replace(element, pair, 1)

    return edit


def _reference(name: str, reference: str) -> Callable[[str], str]:
    def edit(workbook: str) -> str:
        element = _name_element(workbook, name)
        start = element.index(">") + 1
        return workbook.replace(element, element[:start] + reference + "</definedName>", 1)

    return edit


def _sheet_edited(data: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    return rebuilt(data, {SHEET_MELDUNG: edit(_part(data, SHEET_MELDUNG))})


def _persons_cell_end(sheet: bytes) -> int:
    return sheet.index(b"</c>", sheet.index(PERSONS_CELL))


def _second_value(value: bytes) -> Callable[[bytes], bytes]:
    def edit(sheet: bytes) -> bytes:
        end = _persons_cell_end(sheet)
        return sheet[:end] + value + sheet[end:]

    return edit


def _cell_twice(sheet: bytes) -> bytes:
    start = sheet.index(PERSONS_CELL)
    end = _persons_cell_end(sheet) + len(b"</c>")
    return sheet[:end] + _persons_changed(sheet[start:end]) + sheet[end:]


def _streamed(edit: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """The edit, in a part the fast scan leaves to the streaming parser (an attribute in single quotes)."""
    return lambda sheet: edit(sheet).replace(b"?>", b"?><!-- quoted='yes' -->", 1)


def workbook_cases(data: bytes) -> Iterator[Case]:
    persons = "pakt_persons_total"
    twice = f"der Name {persons} ist zweimal vergeben, für Meldung!$B$14 und für Meldung!$B$15"
    other_cell = _name_added(persons, lambda e: e.replace("$B$14", "$B$15"))
    yield Case("name_zweimal_zweiter_anders.xlsx", _workbook_edited(data, other_cell), twice)
    first_other = _name_added(persons, lambda e: e.replace("$B$14", "$B$15"), before=True)
    yield Case(
        "name_zweimal_erster_anders.xlsx",
        _workbook_edited(data, first_other),
        f"der Name {persons} ist zweimal vergeben, für Meldung!$B$15 und für Meldung!$B$14",
    )
    upper = _name_added(persons, lambda e: e.replace(persons, persons.upper()).replace("$B$14", "$B$15"))
    yield Case("name_zweimal_grossbuchstaben.xlsx", _workbook_edited(data, upper), "ist zweimal vergeben")
    local = _name_added(persons, lambda e: e.replace(f'name="{persons}"', f'name="{persons}" localSheetId="1"'))

    def both_local(workbook: str) -> str:
        once = local(workbook)
        return _name_added(persons, lambda e: e.replace("$B$14", "$B$15"))(once).replace(
            f'<definedName name="{persons}">Meldung!$B$15',
            f'<definedName name="{persons}" localSheetId="1">Meldung!$B$15',
        )

    yield Case("name_zweimal_im_blatt.xlsx", _workbook_edited(data, both_local), "ist zweimal vergeben")
    yield Case(
        "name_bereich_statt_zelle.xlsx",
        _workbook_edited(data, _reference(persons, "Meldung!$B$14:$B$15")),
        f"der Name {persons} umfasst Meldung!B14:B15, gemeint ist eine einzige Zelle",
        sheet="Meldung",
    )
    yield Case(
        "name_zwei_bereiche.xlsx",
        _workbook_edited(data, _reference(persons, "Meldung!$B$14,Meldung!$B$15")),
        f"der Name {persons} umfasst mehrere Bereiche (Meldung!B14, Meldung!B15)",
        sheet="Meldung",
    )
    yield Case(
        "bindung_bereich_statt_zelle.xlsx",
        _workbook_edited(data, _reference("pakt_bind_ags", "_Pakt!$B$4:$C$4")),
        "der Name pakt_bind_ags umfasst _Pakt!B4:C4",
        sheet="_Pakt",
    )
    sheet_twice = lambda w: w.replace('<sheet name="Hinweise"', '<sheet name="MELDUNG"', 1)  # noqa: E731
    yield Case("blatt_zweimal.xlsx", _workbook_edited(data, sheet_twice), "nennt das Blatt Meldung zweimal")
    two = "Zelle Meldung!B14 enthält zwei Werte"
    yield Case("zelle_zwei_werte.xlsx", _sheet_edited(data, _second_value(b"<v>99</v>")), two, sheet="Meldung")
    yield Case(
        "zelle_wert_und_text.xlsx", _sheet_edited(data, _second_value(b"<is><t>99</t></is>")), two, sheet="Meldung"
    )
    yield Case(
        "zelle_zweimal.xlsx",
        _sheet_edited(data, _cell_twice),
        "Zelle Meldung!B14 steht zweimal im Blatt",
        sheet="Meldung",
    )
    yield Case(
        "zelle_zwei_werte_gestreamt.xlsx",
        _sheet_edited(data, _streamed(_second_value(b"<v>99</v>"))),
        two,
        sheet="Meldung",
    )
    yield Case(
        "zelle_zweimal_gestreamt.xlsx",
        _sheet_edited(data, _streamed(_cell_twice)),
        "Zelle Meldung!B14 steht zweimal im Blatt",
        sheet="Meldung",
    )


# -- parts Pakt does not read ------------------------------------------------------------------------------


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def _declared(content: bytes) -> bytes:
    return content.replace(b"?>", b"?>" + LAUGHS, 1)


def unread_part_cases(data: bytes) -> Iterator[Case]:
    types = _part(data, "[Content_Types].xml")
    yield Case(
        "content_types_entity_bombe.xlsx",
        rebuilt(data, {"[Content_Types].xml": _declared(types)}),
        "Der Teil [Content_Types].xml enthält eine " + DTD,
        damaged=False,
    )
    app = _part(data, "docProps/app.xml")
    yield Case(
        "app_xml_entity_bombe.xlsx",
        rebuilt(data, {"docProps/app.xml": _declared(app)}),
        "Der Teil docProps/app.xml enthält eine " + DTD,
        damaged=False,
    )
    core = _declared(_part(data, "docProps/core.xml")).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    yield Case(
        "core_xml_utf16_entity_bombe.xlsx",
        rebuilt(data, {"docProps/core.xml": core.encode("utf-16")}),
        "Der Teil docProps/core.xml enthält eine " + DTD,
        damaged=False,
    )
    yield Case(
        "content_types_kaputt.xlsx",
        rebuilt(data, {"[Content_Types].xml": types[: len(types) // 2]}),
        "Ein XML-Teil ist beschädigt",
        damaged=False,
    )


def ambiguous_cases() -> list[Case]:
    """Every case, built anew from the valid submission."""
    data = valid_submission()
    return [*zip_cases(data), *workbook_cases(data), *unread_part_cases(data)]


def ambiguous() -> Iterator[tuple[str, bytes]]:
    """The cases as the corpus takes them: by name."""
    for case in ambiguous_cases():
        yield case.name, case.data
