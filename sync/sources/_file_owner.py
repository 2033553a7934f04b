"""Whose file is it: the municipality a file that Pakt cannot read belongs to, by its name or its content.

A readable workbook says whose it is (its AGS). A file that cannot be read (an
Excel 97 `.xls`, a PDF of the form, a broken `.xlsx`) says nothing, yet the
clerk who saved it believes she has reported; it belongs on her row, not in a
list of stray files. So a file is tied to a municipality when

    its path is the registry's `workbook` for it (or that path with another suffix),
    its name holds the municipality's AGS (8 digits standing alone), or
    its name holds the municipality's name as a clerk or a share writes it
        ("Bärenthal", "Baerenthal", "Barenthal", "Emmingen-Liptingen", "Emmingen_Liptingen"), or
    its content holds the AGS (bounded: the first SNIFF_BYTES and a few compressed streams or zip parts).

Only one answer counts: a name that names two municipalities ("Aldingen und Balgheim.pdf"), or an AGS of one
and the name of another, ties the file to neither, because a problem on the wrong row would send a reminder
to a municipality that did nothing wrong. Where one name is part of another ("Mühlheim" in "Mühlheim an der
Donau"), the longer one wins. The district's own name is never taken for the municipality of the same name
("Landkreis Tuttlingen" is not Tuttlingen).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator

from pakt.schemas import Municipality, Registry, WorkbookFile, spelt_out

SNIFF_BYTES = 2 * 1024 * 1024
"""How much of a file's content is searched for an AGS (a form's AGS sits near its start in every format)."""
INFLATE_BYTES = 4 * 1024 * 1024
"""How much decompressed content (PDF streams, zip parts) is searched in all, at most."""
MAX_STREAMS = 64
"""Compressed PDF streams or zip parts looked into, at most."""
STREAM_INPUT_BYTES = 512 * 1024
"""Compressed bytes of one PDF stream looked at (a page's text is a few KB)."""

_AGS_TEXT = re.compile(rb"(?<![0-9])[0-9]{8}(?![0-9])")
_AGS_UTF16 = re.compile(rb"(?<![0-9]\x00)(?:[0-9]\x00){8}(?![0-9]\x00)")
"""The AGS as UTF-16LE text (.xlsb shared strings, some .xls strings)."""
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_TOKEN = re.compile(r"[0-9a-z]+")
_FOLD_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _plain(text: str) -> str:
    """Text as ASCII letters and digits for comparing names: NFC, umlauts spelt out, case and accents dropped."""
    spelt = spelt_out(unicodedata.normalize("NFC", text)).casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", spelt) if not unicodedata.combining(c))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_plain(text)))


_SHORT = re.compile(r"\s+(?:an der|an|am|ob|im|in|bei|unter)\s+|\s*\(")
"""Where the everyday name ends: "Fridingen an der Donau" is "Fridingen", "Straßberg (Alb)" is "Straßberg"."""


def _name_forms(name: str) -> set[tuple[str, ...]]:
    """The token sequences a file name may spell a municipality's name with: in full or in its everyday
    short form, umlauts spelt out (Baerenthal) or dropped (Barenthal)."""
    forms = set()
    for spelling in {name, _SHORT.split(name, maxsplit=1)[0]}:
        folded = unicodedata.normalize("NFC", spelling).casefold().translate(_FOLD_UMLAUTS)
        forms |= {form for form in (_tokens(spelling), _tokens(folded)) if form}
    return forms


def _strip_extension(path: str) -> str:
    stem, suffix = os.path.splitext(path)
    return stem if suffix else path


class FileOwners:
    """The registry, indexed for telling whose a file is (built once per run or per read: a few ms for a
    thousand municipalities)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.by_ags = {m.ags: m for m in registry.municipalities}
        self.by_name: dict[tuple[str, ...], list[Municipality]] = defaultdict(list)
        for municipality in registry.municipalities:
            for form in _name_forms(municipality.name):
                self.by_name[form].append(municipality)
        self.longest = max((len(form) for form in self.by_name), default=0)
        self.district = _name_forms(registry.district.name)
        self.registered: dict[str, Municipality] = {}
        for municipality in registry.municipalities:
            ref = municipality.workbook_ref
            if isinstance(ref, WorkbookFile):
                where = os.path.normpath(str(registry.resolve(ref.path)))
                self.registered.setdefault(_strip_extension(where), municipality)

    # -- by name ------------------------------------------------------------------------------------

    def of_path(self, path: str) -> Municipality | None:
        """The municipality the file's path ties it to, or None (no tie, or more than one)."""
        if os.path.isabs(path):
            registered = self.registered.get(_strip_extension(os.path.normpath(path)))
            if registered is not None:
                return registered
        return self.of_name(os.path.basename(path))

    def of_name(self, file_name: str) -> Municipality | None:
        """The municipality a file name names by its AGS or by its name; None when it names none or two."""
        stem = _strip_extension(file_name)
        by_ags = {m.ags: m for text in _AGS_TEXT.findall(stem.encode()) if (m := self.by_ags.get(text.decode()))}
        by_name = self._named(_tokens(stem))
        found = {**by_ags, **{m.ags: m for m in by_name}}
        return next(iter(found.values())) if len(found) == 1 else None

    def _named(self, tokens: tuple[str, ...]) -> list[Municipality]:
        """The municipalities whose name the tokens spell, the district's own name left out, longer names
        over the names inside them."""
        blocked: set[int] = set()
        for form in self.district:
            for start in range(len(tokens) - len(form) + 1):
                if tokens[start : start + len(form)] == form:
                    blocked.update(range(start, start + len(form)))
        spans: list[tuple[int, int, Municipality]] = []
        for start in range(len(tokens)):
            for end in range(start + 1, min(len(tokens), start + self.longest) + 1):
                if blocked.intersection(range(start, end)):
                    continue
                spans += [(start, end, m) for m in self.by_name.get(tokens[start:end], ())]
        kept = [
            (start, end, m)
            for start, end, m in spans
            if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)
        ]
        return list({m.ags: m for _, _, m in kept}.values())

    # -- by content ---------------------------------------------------------------------------------

    def of_content(self, data: bytes) -> Municipality | None:
        """The one registered municipality whose AGS the content holds; None for none or several (a list of
        the whole district is nobody's submission)."""
        found = {self.by_ags[ags] for ags in content_numbers(data) if ags in self.by_ags}
        return next(iter(found)) if len(found) == 1 else None


def content_numbers(data: bytes) -> set[str]:
    """Every 8-digit number standing alone in the content as text (ASCII or UTF-16LE), in the file's first
    SNIFF_BYTES and in the compressed PDF streams or zip parts found there (bounded by INFLATE_BYTES)."""
    head = data[:SNIFF_BYTES]
    numbers = _numbers(head)
    for part in _inflated(head, data):
        numbers |= _numbers(part)
    return numbers


def _numbers(data: bytes) -> set[str]:
    found = {m.decode() for m in _AGS_TEXT.findall(data)}
    found |= {m[::2].decode() for m in _AGS_UTF16.findall(data)}
    found |= {m[::2].decode() for m in _AGS_UTF16.findall(data[1:])}
    return found


def _inflated(head: bytes, data: bytes) -> Iterator[bytes]:
    """Decompressed parts: the members of a zip (.xlsb, .numbers), or the deflated streams of a PDF."""
    if data.startswith(b"PK\x03\x04"):
        return _zip_parts(data)
    if head.startswith(b"%PDF"):
        return _pdf_streams(head)
    return iter(())


def _zip_parts(data: bytes) -> Iterator[bytes]:
    left = INFLATE_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist()[:MAX_STREAMS]:
                if left <= 0:
                    return
                with archive.open(info) as member:
                    part = member.read(min(left, SNIFF_BYTES))
                left -= len(part)
                yield part
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
            ValueError, zlib.error):  # fmt: skip
        return  # a damaged or encrypted archive is simply not looked into


def _pdf_streams(head: bytes) -> Iterator[bytes]:
    left = INFLATE_BYTES
    view = memoryview(head)
    for count, match in enumerate(_PDF_STREAM.finditer(head)):
        if count >= MAX_STREAMS or left <= 0:
            return
        try:
            start = match.end()
            part = zlib.decompressobj().decompress(view[start : start + STREAM_INPUT_BYTES], min(left, SNIFF_BYTES))
        except zlib.error:
            continue
        left -= len(part)
        yield part
