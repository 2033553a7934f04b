"""Generated damage of Pakt's own submission: what a share holds after crashes, bad copies and attacks.

Every generator starts from Aldingen's valid submission (built by the template generator) and yields
(name, bytes); large files (zip bombs, huge sheets) are made here, in the test, and never committed.
`special_files` makes what is not a file at all: a pipe, a device link, a folder, links in a circle.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import make_broken

from pakt.schemas import Kind, input_fields

SHEET_MELDUNG = "xl/worksheets/sheet2.xml"
SHEET_KOSTEN = "xl/worksheets/sheet4.xml"


def valid_submission() -> bytes:
    return make_broken.submission()


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rebuilt(data: bytes, replace: dict[str, bytes] | None = None, drop: str | None = None) -> bytes:
    """The package again, with parts replaced or one part left out (a fresh, consistent zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in _members(data):
            if info.filename != drop:
                archive.writestr(info.filename, (replace or {}).get(info.filename, content))
    return buffer.getvalue()


def part_span(data: bytes, name: str) -> tuple[int, int]:
    """Where a part's local header starts and its compressed data ends, in the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    return info.header_offset, info.header_offset + 30 + name_length + extra_length + info.compress_size


def flip(data: bytes, bit: int) -> bytes:
    changed = bytearray(data)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


def truncations(data: bytes, count: int = 40) -> Iterator[tuple[str, bytes]]:
    for index in range(1, count + 1):
        cut = len(data) * index // (count + 1)
        yield f"abgeschnitten_{cut:06d}.xlsx", data[:cut]


def part_flips(data: bytes) -> Iterator[tuple[str, bytes]]:
    """One flipped bit in the middle of every part's compressed data."""
    for info, _ in _members(data):
        start, end = part_span(data, info.filename)
        middle = (start + end) // 2
        yield f"bit_{info.filename.replace('/', '_')}.xlsx", flip(data, middle * 8 + 3)


def removed_parts(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every part left out in turn (but the table's relationships: without them the package is still whole,
    and the staff list is read from its named range, so the file reads right)."""
    for info, _ in _members(data):
        if not info.filename.endswith("sheet3.xml.rels"):
            yield f"ohne_{info.filename.replace('/', '_')}.xlsx", rebuilt(data, drop=info.filename)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="14"><c r="B14" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)


def xml_attacks(data: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        meldung = archive.read(SHEET_MELDUNG)
        workbook = archive.read("xl/workbook.xml")
    yield "entity_bombe_sharedStrings.xlsx", rebuilt(data, {"xl/sharedStrings.xml": BILLION_LAUGHS})
    yield "externe_entitaet_meldung.xlsx", rebuilt(data, {SHEET_MELDUNG: EXTERNAL_ENTITY})
    yield "doctype_workbook.xlsx", rebuilt(data, {"xl/workbook.xml": workbook.replace(b"?>", b"?><!DOCTYPE w>", 1)})
    yield "xml_kaputt_meldung.xlsx", rebuilt(data, {SHEET_MELDUNG: meldung[: len(meldung) // 2]})
    yield "xml_kaputt_tabelle.xlsx", rebuilt(data, {"xl/tables/table1.xml": b"<table ref="})
    yield "falscher_zellbezug.xlsx", rebuilt(data, {SHEET_MELDUNG: meldung.replace(b'r="B14"', b'r="B14!"', 1)})


def _with_cell(sheet: bytes, reference: bytes) -> bytes:
    """The sheet with one more cell far out, and the extent Excel would state for it."""
    cell = b'<row r="%s"><c r="%s" t="inlineStr"><is><t>weit draussen</t></is></c></row>' % (
        bytes(c for c in reference if chr(c).isdigit()), reference)  # fmt: skip
    start = sheet.index(b'<dimension ref="') + len(b'<dimension ref="')
    end = sheet.index(b'"', start)
    first = sheet[start:end].split(b":")[0]
    widened = sheet[:start] + first + b":" + reference + sheet[end:]
    return widened.replace(b"</sheetData>", cell + b"</sheetData>", 1)


def huge_sheets(data: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        kosten = archive.read(SHEET_KOSTEN)
    yield "zelle_XFD1048576.xlsx", rebuilt(data, {SHEET_KOSTEN: _with_cell(kosten, b"XFD1048576")})
    yield "zelle_ALL100000.xlsx", rebuilt(data, {SHEET_KOSTEN: _with_cell(kosten, b"ALL100000")})
    yield "zelle_ausserhalb_XFE1.xlsx", rebuilt(data, {SHEET_KOSTEN: _with_cell(kosten, b"XFE1")})
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in range(40, 200_040))
    yield (
        "zweihunderttausend_zeilen.xlsx",
        rebuilt(
            data, {SHEET_KOSTEN: _with_cell(kosten, b"A200040").replace(b"</sheetData>", rows + b"</sheetData>", 1)}
        ),
    )


def _zip_bomb(data: bytes, megabytes: int) -> bytes:
    """Kosten's sheet as megabytes of nothing: a few hundred KB packed."""
    filler = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/>'
    return rebuilt(data, {SHEET_KOSTEN: filler + b" " * (megabytes * 1024 * 1024) + b"</worksheet>"})


def _patched_headers(data: bytes, name: str, flags: int | None = None, method: int | None = None) -> bytes:
    """Change a part's general-purpose flags or compression method in both its headers."""
    changed = bytearray(data)
    local = part_span(data, name)[0]
    end_record = data.rfind(b"PK\x05\x06")
    position = struct.unpack("<I", data[end_record + 16 : end_record + 20])[0]  # where the central directory starts
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[position + 28 : position + 34])
        if data[position + 46 : position + 46 + name_length].decode() == name:
            break
        position += 46 + name_length + extra_length + comment_length
    central = position
    if flags is not None:
        struct.pack_into("<H", changed, local + 6, flags)
        struct.pack_into("<H", changed, central + 8, flags)
    if method is not None:
        struct.pack_into("<H", changed, local + 8, method)
        struct.pack_into("<H", changed, central + 10, method)
    return bytes(changed)


def zip_tricks(data: bytes) -> Iterator[tuple[str, bytes]]:
    yield "zip_bombe_200mb.xlsx", _zip_bomb(data, 200)
    yield "zip_bombe_40mb.xlsx", _zip_bomb(data, 40)
    yield "verschluesselter_teil.xlsx", _patched_headers(data, SHEET_KOSTEN, flags=0x1)
    yield "deflate64.xlsx", _patched_headers(data, SHEET_KOSTEN, method=9)
    yield "unbekanntes_verfahren.xlsx", _patched_headers(data, SHEET_KOSTEN, method=99)
    yield "ole_muell.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096)
    yield "nur_zip_kopf.xlsx", b"PK\x03\x04" + b"\x00" * 100
    yield "leeres_zip.xlsx", _empty_zip()
    yield "zip_ohne_arbeitsmappe.xlsx", rebuilt(data, drop="xl/workbook.xml")
    raw = zlib.compress(b"x")
    yield "nur_deflate_strom.xlsx", raw


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()


WRONG_VALUES = {
    Kind.COUNT: "viele",
    Kind.MONEY: "teuer",
    Kind.FTE: "halbtags",
    Kind.DATE: "31.02.2018",
    Kind.EMAIL: "keine Adresse",
    Kind.PHONE: "Telefon",
    Kind.CHOICE: "unbekannt",
    Kind.FLAG: "vielleicht",
    Kind.AGS: "123",
    Kind.TEXT: '=HYPERLINK("http://angreifer.example") ' * 20,
}


def wrong_types() -> Iterator[tuple[str, bytes]]:
    """A value of the wrong kind in every named input cell, one workbook each (readable: findings, exit 1)."""
    for field in input_fields():
        if field.prefilled:
            continue
        yield f"falsch_{field.name}.xlsx", make_broken.submission({field.path: WRONG_VALUES[field.spec.kind]})
    yield "zahl_1e26_personen.xlsx", make_broken.submission({("persons", "total"): 1e26})
    yield "zahl_1e300_kosten.xlsx", make_broken.submission({("material_costs", "office_eur"): 1e300})


def damaged() -> Iterator[tuple[str, bytes]]:
    """Every generated damaged workbook, by name."""
    data = valid_submission()
    yield from truncations(data)
    yield from part_flips(data)
    yield from removed_parts(data)
    yield from xml_attacks(data)
    yield from huge_sheets(data)
    yield from zip_tricks(data)
    yield from wrong_types()
    from corpus.ambiguous import ambiguous  # it builds on this module's helpers

    yield from ambiguous()  # files that two programs would read differently


def write_damaged(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in damaged():
        (folder / name).write_bytes(data)
        written.append(folder / name)
    return written


def special_files(folder: Path) -> list[Path]:
    """What is not a workbook file at all, under workbook names."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    pipe = folder / "pipe.xlsx"
    os.mkfifo(pipe)
    made.append(pipe)
    device = folder / "null_geraet.xlsx"
    device.symlink_to("/dev/zero")
    made.append(device)
    directory = folder / "ordner.xlsx"
    directory.mkdir()
    made.append(directory)
    circle_a, circle_b = folder / "kreis_a.xlsx", folder / "kreis_b.xlsx"
    circle_a.symlink_to(circle_b)
    circle_b.symlink_to(circle_a)
    made += [circle_a, circle_b]
    dangling = folder / "ins_leere.xlsx"
    dangling.symlink_to(folder / "gibt_es_nicht.xlsx")
    made.append(dangling)
    loop_folder = folder / "schleife"
    loop_folder.mkdir()
    (loop_folder / "zurueck").symlink_to(folder, target_is_directory=True)
    return made
