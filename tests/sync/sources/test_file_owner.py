"""Whose a file is that Pakt cannot read: by the registry's path, the AGS or the name in its file name, or the AGS
in its content; never a guess between two municipalities."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from pakt.sync.sources._file_owner import SNIFF_BYTES, FileOwners

ALDINGEN, BALGHEIM, BAERENTHAL = "08327002", "08327004", "08327006"


@pytest.fixture(scope="module")
def owners(registry) -> FileOwners:
    return FileOwners(registry)


def _ags(found) -> str | None:
    return found.ags if found is not None else None


@pytest.mark.parametrize(
    ("name", "ags"),
    [
        ("08327004_Balgheim.xls", BALGHEIM),
        ("08327004.pdf", BALGHEIM),
        ("Meldung Bärenthal 2018.pdf", BAERENTHAL),  # the name as written
        ("Meldung_Baerenthal.numbers", BAERENTHAL),  # umlaut spelt out, as file_name_part writes it
        ("BARENTHAL.csv", BAERENTHAL),  # umlaut dropped, any case
        ("Ba\u0308renthal.xlsx", BAERENTHAL),  # decomposed umlaut, as a Mac names files
        ("Kopie von Aldingen.xlsx", ALDINGEN),
        ("Emmingen_Liptingen_Meldung.pdf", "08327024"),
        ("Muehlheim an der Donau.xls", "08327048"),
        ("Fridingen.pdf", "08327026"),  # the everyday short form of "Fridingen an der Donau"
        ("Neuhausen ob Eck.pdf", "08327050"),
        ("Tuttlingen.pdf", "08327066"),
    ],
)
def test_a_file_name_ties_a_file_to_the_municipality_it_names(owners, name, ags):
    assert _ags(owners.of_name(name)) == ags


@pytest.mark.parametrize(
    "name",
    [
        "notizen.txt",
        "Aldingen und Balgheim.pdf",  # two municipalities: neither
        "08327002_Balgheim.xls",  # the AGS of one, the name of another: neither
        "Pakt_Uebersicht_Landkreis_Tuttlingen.xlsx",  # the district is not its town of the same name
        "Meldung 20180630.pdf",  # a date is no AGS of the district
        "08327999.pdf",  # an AGS the registry does not know
        "Aldingenweg.pdf",  # a word that merely begins with a name
    ],
)
def test_a_file_name_that_names_nobody_or_two_ties_it_to_nobody(owners, name):
    assert owners.of_name(name) is None


def test_the_registry_path_ties_a_file_of_another_format_beside_it(owners, registry):
    registered = registry.resolve("sample_workbooks/08327002_Aldingen.xlsx")
    assert _ags(owners.of_path(str(registered.with_suffix(".xls")))) == ALDINGEN
    assert owners.of_path(str(registered.with_name("protokoll.pdf"))) is None


def _pdf(text: bytes) -> bytes:
    stream = zlib.compress(text)
    head = b"%PDF-1.4\n1 0 obj\n<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>\nstream\n"
    return head + stream + b"\nendstream\nendobj\n%%EOF\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "ags"),
    [
        (f"AGS;Gemeinde;Personen\r\n{BALGHEIM};Balgheim;6\r\n".encode("cp1252"), BALGHEIM),  # Excel's CSV
        (f"Gemeindeschlüssel {BAERENTHAL}".encode("utf-16-le"), BAERENTHAL),  # .xlsb strings, Unicode text
        (_pdf(f"BT /F1 12 Tf ({ALDINGEN}) Tj ET".encode()), ALDINGEN),  # the AGS in a compressed page
        (_zip({"xl/sharedStrings.bin": f"x{BALGHEIM}".encode("utf-16-le")}), BALGHEIM),  # inside a zip (.xlsb)
        (b"x" * (SNIFF_BYTES - 100) + ALDINGEN.encode(), ALDINGEN),
    ],
    ids=["csv", "utf-16", "pdf-stream", "zip-part", "near-the-limit"],
)
def test_the_content_ties_a_file_by_the_one_ags_it_holds(owners, content, ags):
    assert _ags(owners.of_content(content)) == ags


@pytest.mark.parametrize(
    "content",
    [
        b"Anruf Aldingen wegen der Meldung",  # a name in a text is not enough
        f"{ALDINGEN};Aldingen\n{BALGHEIM};Balgheim\n".encode(),  # a list of the district is nobody's
        b"x" * SNIFF_BYTES + ALDINGEN.encode(),  # beyond what is searched
        b"%PDF-1.4\nstream\n" + b"\x78\x9c broken",  # a damaged stream is passed over
        b"PK\x03\x04 not really a zip",
        f"{ALDINGEN}1".encode(),  # nine digits
    ],
    ids=["name-only", "district-list", "beyond-the-limit", "damaged-stream", "not-a-zip", "nine-digits"],
)
def test_content_without_exactly_one_ags_ties_the_file_to_nobody(owners, content):
    assert owners.of_content(content) is None


def test_a_zip_bomb_costs_only_the_bounded_search(owners):
    zeros = b"\0" * (20 * 1024 * 1024)
    bomb = _zip({"a.bin": zeros, "b.bin": zeros, "c.bin": f"x{ALDINGEN}".encode()})
    assert len(bomb) < 1024 * 1024
    assert owners.of_content(bomb) is None  # the AGS behind the bomb is beyond the bounded search
