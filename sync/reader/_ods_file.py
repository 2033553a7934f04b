"""An OpenDocument spreadsheet (.ods) as a `WorkbookView`, read as safely as an xlsx file and to the same values.

LibreOffice offers .ods whenever a clerk saves a form under a new name; such a
submission is read like one saved as .xlsx, by the same rules:

- the package is the xlsx reader's `_Package` (file, part and ratio limits, the
  CRC of every part, encrypted entries and unknown compression refused) and
  every XML part goes through its expat parser with document type declarations
  forbidden; every failure becomes WorkbookUnreadable with a German message;
- the `mimetype` entry must say spreadsheet (a text document or an e-book is
  told what it is) and the manifest must agree with it; a document saved with a
  password (the manifest's encryption data) is WorkbookEncrypted;
- the names come from the document's own `table:named-expressions` (the global
  ones; a sheet-local one where no global name is spelled so), the staff table
  from its `table:database-range` (what LibreOffice makes of an xlsx table),
  else from the named range pakt_staff; never by position. A name (or table)
  defined twice with different targets is refused: one reading or none;
- content.xml is streamed twice: once for the sheets, names and tables (they
  stand at its end) and the extent, once for the wanted cells, stopping after
  the last of them. Repeated rows and cells (LibreOffice writes a million empty
  rows as one element) are taken as spans and never expanded, so a repeat count
  of a billion costs nothing; content beyond the form's extent is refused as in
  an xlsx file;
- values come out as the xlsx reader gives them: int or float (float,
  percentage, currency), datetime (date, time), bool, str (paragraphs joined by
  line breaks; text:s, text:tab and text:line-break as the characters they
  stand for; comments and drawings left out), an error cell's text ("#DIV/0!").
"""

from __future__ import annotations

import bisect
import contextlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pakt.schemas import (
    STAFF_RANGE,
    STAFF_TABLE,
    RawCell,
    RawTable,
    WorkbookEncrypted,
    WorkbookUnreadable,
    column_letters,
    describe_os_error,
    parse_a1,
    quote_sheet,
    to_a1,
)

from ..files._regular_files import read_regular
from ._one_reading import Ambiguous
from ._table_rows import table_from_cells
from ._workbook_file import (
    _EXCEL_EPOCH,
    MAX_FILE_BYTES,
    MAX_FORM_COLUMNS,
    MAX_FORM_ROWS,
    MAX_RANGE_CELLS,
    WANTED_NAMES,
    WANTED_TABLES,
    _cause,
    _number,
    _Package,
    _refuse_non_zip,
    _Refused,
    _safe_parser,
    _Stop,
)

SPREADSHEET_MIME = "application/vnd.oasis.opendocument.spreadsheet"
OTHER_DOCUMENTS = {
    "application/vnd.oasis.opendocument.text": "ein Textdokument (LibreOffice Writer)",
    "application/vnd.oasis.opendocument.text-template": "eine Dokumentvorlage (LibreOffice Writer)",
    "application/vnd.oasis.opendocument.text-master": "ein Globaldokument (LibreOffice Writer)",
    "application/vnd.oasis.opendocument.spreadsheet-template": "eine Tabellenvorlage (.ots)",
    "application/vnd.oasis.opendocument.presentation": "eine Präsentation (LibreOffice Impress)",
    "application/vnd.oasis.opendocument.graphics": "eine Zeichnung (LibreOffice Draw)",
    "application/vnd.oasis.opendocument.chart": "ein Diagramm",
    "application/vnd.oasis.opendocument.formula": "eine Formel (LibreOffice Math)",
    "application/vnd.oasis.opendocument.base": "eine Datenbank (LibreOffice Base)",
    "application/epub+zip": "ein E-Book (EPUB)",
}
"""What a package with another `mimetype` is, in the clerk's words."""
MAX_REPEAT_DIGITS = 9
"""A repeat count has at most this many digits (LibreOffice writes 1048569 for the empty rows of a sheet)."""

_SEPARATOR = " "
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0" + _SEPARATOR
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0" + _SEPARATOR
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0" + _SEPARATOR
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" + _SEPARATOR
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" + _SEPARATOR
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" + _SEPARATOR

_SPREADSHEET = _OFFICE + "spreadsheet"
_SHEET = _TABLE + "table"
_ROW = _TABLE + "table-row"
_CELLS = frozenset({_TABLE + "table-cell", _TABLE + "covered-table-cell"})
_NAME = _TABLE + "name"
_ROWS_REPEATED = _TABLE + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE + "number-columns-repeated"
_VALUE_TYPE = _OFFICE + "value-type"
_CALC_VALUE_TYPE = _CALCEXT + "value-type"
_FORMULA = _TABLE + "formula"
_PARAGRAPHS = frozenset({_TEXT + "p", _TEXT + "h"})
_INSIDE_A_SHEET = _CELLS | {_ROW, _SHEET}
_NAMES = frozenset({_TABLE + "named-range", _TABLE + "named-expression"})
_LEFT_OUT = frozenset({_OFFICE + "annotation", _TEXT + "note", _TEXT + "ruby-text"})
"""Text in a cell that is not its value: a comment, a note, a reading aid."""
_DURATION = re.compile(r"^(-)?P(?:(\d{1,9})D)?(?:T(?:(\d{1,9})H)?(?:(\d{1,9})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?$")
_CELL_ADDRESS = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")

Box = tuple[int, int, int, int]
"""A rectangle of cells: top, left, bottom, right (zero-based, inclusive)."""


@dataclass(frozen=True)
class _Target:
    """What a name or table points to: a rectangle on one sheet, or (sheet None) an expression that is none."""

    sheet: str | None
    box: Box | None
    text: str

    def reference(self) -> str:
        """The target as an Excel reference ("Meldung!$B$14"), as the xlsx reader's defined names read."""
        if self.sheet is None or self.box is None:
            return self.text
        top, left, bottom, right = self.box
        first = f"${column_letters(left)}${top + 1}"
        last = "" if (top, left) == (bottom, right) else f":${column_letters(right)}${bottom + 1}"
        return f"{quote_sheet(self.sheet)}!{first}{last}"

    def where(self) -> str:
        """The target as the clerk sees it in LibreOffice ("Meldung.B14")."""
        if self.sheet is None or self.box is None:
            return self.text
        top, left, bottom, right = self.box
        last = "" if (top, left) == (bottom, right) else f":{to_a1(bottom, right)}"
        return f"{self.sheet}.{to_a1(top, left)}{last}"


def _address(text: str, at: int) -> tuple[str, int, int, int] | None:
    """One cell address of ODF's syntax from `at` ("$Meldung.$B$14", "$'Sheet 1'.A1", ".$D$35"): its sheet
    ("" where left out), row, column, and where it ends."""
    if text.startswith("$", at):
        at += 1
    if text.startswith("'", at):
        parts, at = [], at + 1
        while True:
            end = text.find("'", at)
            if end < 0:
                return None
            parts.append(text[at:end])
            if not text.startswith("'", end + 1):
                break
            parts.append("'")
            at = end + 2
        sheet, at = "".join(parts), end + 1
    else:
        dot = text.find(".", at)
        if dot < 0 or any(c in text[at:dot] for c in "':$ "):
            return None
        sheet, at = text[at:dot], dot
    if not text.startswith(".", at):
        return None
    cell = _CELL_ADDRESS.match(text, at + 1)
    if cell is None:
        return None
    try:
        row, col = parse_a1(cell.group(1) + cell.group(2))
    except ValueError:
        return None
    return sheet, row, col, cell.end()


def parse_range_address(text: str) -> tuple[str, Box] | None:
    """A cell or rectangle of ODF's syntax on one sheet ("$Integrationsmanager.$A$5:.$D$35") as (sheet, box);
    None for anything else (a formula, a list of ranges, a rectangle across sheets, a broken reference)."""
    text = text.strip()
    first = _address(text, 0)
    if first is None or not first[0]:
        return None
    sheet, top, left, at = first
    bottom, right = top, left
    if text.startswith(":", at):
        last = _address(text, at + 1)
        if last is None or last[0] not in ("", sheet):
            return None
        _, bottom, right, at = last
    if at != len(text) or bottom < top or right < left:
        return None
    return sheet, (top, left, bottom, right)


def _target(text: str) -> _Target:
    parsed = parse_range_address(text)
    return _Target(None, None, text) if parsed is None else _Target(parsed[0], parsed[1], text)


def _repeat(value: str | None) -> int:
    """A repeat count (number-rows-repeated, number-columns-repeated): 1 when absent."""
    if value is None:
        return 1
    if not value.isdigit() or len(value) > MAX_REPEAT_DIGITS or int(value) < 1:
        raise _Refused(f"Eine Wiederholungsangabe („{value[:20]}“) ist ungültig.")
    return int(value)


# -- the package --------------------------------------------------------------------------------------


def is_opendocument(data: bytes) -> bool:
    """Whether the bytes are an OpenDocument package: its first entry is `mimetype` (as ODF requires), or an
    entry of that name is listed where an xlsx part would be missing. Anything else goes to the xlsx reader,
    which says what is wrong with it."""
    if not data.startswith(b"PK"):
        return False
    if data[26:28] == b"\x08\x00" and data[30:38] == b"mimetype":
        return True
    if b"mimetype" not in data:
        return False
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, EOFError, ValueError, OverflowError, NotImplementedError):
        return False  # a damaged archive: the xlsx reader's message names the damage
    return "mimetype" in names and "xl/workbook.xml" not in names


def _parse(package: _Package, part: str, start: Callable, end: Callable | None = None, text: Callable | None = None):
    """Stream a part through the safe expat parser with namespaces resolved (names come as "URI local")."""
    parser = _safe_parser(namespace_separator=_SEPARATOR)
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with contextlib.suppress(_Stop):  # left early only where the first pass parsed the part whole (well-formed)
        parser.Parse(package.data(part), True)


def _check_mimetype(package: _Package) -> None:
    if "mimetype" not in package:
        raise _Refused("Der Teil mimetype fehlt; das ist kein vollständiges OpenDocument-Tabellendokument.")
    kind = package.data("mimetype").decode("ascii", "replace").strip()
    if kind != SPREADSHEET_MIME:
        what = OTHER_DOCUMENTS.get(kind)
        said = f"{what}, kein Tabellendokument" if what else f"kein Tabellendokument (sie nennt sich „{kind[:60]}“)"
        raise _Refused(
            f"Die Datei ist {said}. Bitte die Meldevorlage des Landkreises in LibreOffice Calc oder Excel ausfüllen "
            "und als .ods oder .xlsx speichern."
        )
    if "content.xml" not in package:
        raise _Refused("Der Teil content.xml fehlt; das ist kein vollständiges OpenDocument-Tabellendokument.")


def _check_manifest(package: _Package, label: str) -> None:
    """The manifest, where there is one, must agree with `mimetype`; an encrypted part means a password."""
    if "META-INF/manifest.xml" not in package:
        return
    media: list[str] = []
    encrypted: list[str] = []
    entry: list[str] = [""]

    def start(name: str, attrs: dict) -> None:
        if name == _MANIFEST + "file-entry":
            entry[0] = attrs.get(_MANIFEST + "full-path", "")
            if entry[0] == "/":
                media.append(attrs.get(_MANIFEST + "media-type", ""))
        elif name == _MANIFEST + "encryption-data":
            encrypted.append(entry[0])

    _parse(package, "META-INF/manifest.xml", start)
    if encrypted:
        raise WorkbookEncrypted(
            "Das Tabellendokument ist mit einem Kennwort geschützt und kann nicht gelesen werden. Bitte in "
            "LibreOffice mit „Datei > Speichern unter“ ohne Kennwort speichern (Häkchen bei „Mit Kennwort "
            "speichern“ entfernen).",
            file=label,
        )
    if len(media) > 1 or (media and media[0] != SPREADSHEET_MIME):
        raise _Refused("Das Inhaltsverzeichnis (META-INF/manifest.xml) widerspricht der Angabe im Teil mimetype.")


# -- the first pass: sheets, names, tables, extent ---------------------------------------------------------


@dataclass(frozen=True)
class _Database:
    """A database range (LibreOffice's table): where it lies and whether it has a header and a totals row."""

    name: str
    target: _Target
    header_rows: int
    totals_rows: int


@dataclass
class _Structure:
    sheets: list[str] = field(default_factory=list)
    names: list[tuple[str | None, str, _Target]] = field(default_factory=list)
    """(scope: the sheet of a local name or None, name as written, target) in document order."""
    databases: list[_Database] = field(default_factory=list)


def _extent_refused(sheet: str, bottom: int, right: int) -> _Refused:
    last = to_a1(min(bottom, 1_048_575), min(right, 16_383))
    return _Refused(
        f"Das Blatt {sheet} reicht bis Zelle {last}; das Formular ist viel kleiner. Bitte die Zellen außerhalb des "
        "Formulars leeren und die Mappe neu speichern."
    )


def _read_structure(package: _Package) -> _Structure:
    """One pass over content.xml: the sheets in order, every named range and expression (global and local),
    the database ranges, and no content beyond the form's extent. Parsed whole, so also checked well-formed."""
    found = _Structure()
    depth, body, sheet = 0, -1, None
    row, rows, col, in_row = 0, 1, 0, False
    cell_depth, first, columns, content, left_out = -1, 0, 1, False, 0

    def name_of(attrs: dict, scope: str | None) -> None:
        text = attrs.get(_TABLE + "cell-range-address")
        target = _target(text) if text is not None else _Target(None, None, attrs.get(_TABLE + "expression", ""))
        found.names.append((scope, attrs.get(_NAME, ""), target))

    def start(name: str, attrs: dict) -> None:
        nonlocal depth, body, sheet, row, rows, col, in_row, cell_depth, first, columns, content, left_out
        depth += 1
        if cell_depth >= 0:  # inside a cell: does it hold text?
            if left_out or name in _LEFT_OUT or name.startswith(_DRAW):
                left_out += 1
            elif name in _INSIDE_A_SHEET:
                raise _Refused("Eine Zelle enthält Zeilen oder Zellen; der Teil content.xml ist beschädigt.")
            elif name in _PARAGRAPHS:
                content = True
        elif sheet is not None:
            if name in _CELLS and in_row:
                cell_depth, first = depth, col
                columns = _repeat(attrs[_COLUMNS_REPEATED]) if _COLUMNS_REPEATED in attrs else 1
                content = _VALUE_TYPE in attrs or _FORMULA in attrs
            elif name == _ROW:
                if in_row:
                    raise _Refused("Eine Zeile steht in einer Zeile; der Teil content.xml ist beschädigt.")
                rows, col, in_row = _repeat(attrs.get(_ROWS_REPEATED)), 0, True
            elif name in _NAMES:
                name_of(attrs, sheet)
            elif name == _SHEET:
                raise _Refused("Ein Tabellenblatt steht in einem Tabellenblatt; der Teil content.xml ist beschädigt.")
        elif name == _SPREADSHEET and body < 0:
            body = depth
        elif body < 0:
            return
        elif name == _SHEET and depth == body + 1:
            sheet = attrs.get(_NAME, "")
            if sheet in found.sheets:
                raise Ambiguous(f"das Tabellenblatt „{sheet[:40]}“ gibt es zweimal")
            found.sheets.append(sheet)
            row, in_row = 0, False
        elif name in _NAMES:
            name_of(attrs, None)
        elif name == _TABLE + "database-range":
            header = attrs.get(_TABLE + "contains-header", "true") != "false"
            footer = any(k.endswith(_SEPARATOR + "contains-footer") and v == "true" for k, v in attrs.items())
            target = _target(attrs.get(_TABLE + "target-range-address", ""))
            found.databases.append(_Database(attrs.get(_NAME, ""), target, int(header), int(footer)))

    def end(name: str) -> None:
        nonlocal depth, sheet, row, col, in_row, cell_depth, left_out
        element, depth = depth, depth - 1
        if 0 <= cell_depth < element:
            if left_out:
                left_out -= 1
        elif cell_depth == element:
            if content and (row + rows > MAX_FORM_ROWS or first + columns > MAX_FORM_COLUMNS):
                raise _extent_refused(sheet or "", row + rows - 1, first + columns - 1)
            col, cell_depth = first + columns, -1
        elif name == _ROW and in_row:
            row, in_row = row + rows, False
        elif name == _SHEET and sheet is not None and depth == body:
            sheet = None

    _parse(package, "content.xml", start, end)
    if body < 0:
        raise _Refused("Der Teil content.xml enthält keine Tabellen; das ist kein OpenDocument-Tabellendokument.")
    return found


def _damaged(what: str, name: str, first: _Target, second: _Target) -> Ambiguous:
    return Ambiguous(
        f"{what} „{name[:60]}“ ist zweimal festgelegt, mit verschiedenen Zielen: {first.where()[:60]} und "
        f"{second.where()[:60]}"
    )


def _same(first: _Target, second: _Target) -> bool:
    if first.sheet is None or second.sheet is None:
        return first.sheet is None and second.sheet is None and first.text == second.text
    return (first.sheet, first.box) == (second.sheet, second.box)


def _resolve_names(structure: _Structure) -> dict[str, tuple[str, _Target]]:
    """Each name once, by its case-folded spelling (LibreOffice's names ignore case): the global definition,
    else the sheet-local one (as a formula elsewhere in the document would find it). Two global definitions,
    or (without a global one) two local ones, that point to different places are refused."""
    chosen: dict[str, tuple[str, _Target]] = {}
    local: dict[str, list[tuple[str, _Target]]] = {}
    for scope, name, target in structure.names:
        key = name.casefold()
        if scope is not None:
            local.setdefault(key, []).append((name, target))
        elif key not in chosen:
            chosen[key] = (name, target)
        elif not _same(chosen[key][1], target):
            raise _damaged("der Name", name, chosen[key][1], target)
    for key, definitions in local.items():
        if key in chosen:
            continue
        first = definitions[0]
        other = next((d for d in definitions[1:] if not _same(first[1], d[1])), None)
        if other is not None:
            raise _damaged("der Name", other[0], first[1], other[1])
        chosen[key] = first
    return chosen


def _check_single_cells(names: dict[str, tuple[str, _Target]], singles: frozenset[str]) -> None:
    """A name Pakt reads one cell by must name one cell: of a rectangle, programs differ in which cell they take."""
    for key, (name, target) in names.items():
        if key in singles and target.box is not None and target.box[:2] != target.box[2:]:
            raise Ambiguous(
                f"der Name {name} umfasst mehrere Zellen ({target.where()}), gemeint ist eine", target.sheet
            )


def _resolve_tables(structure: _Structure) -> dict[str, _Database]:
    tables: dict[str, _Database] = {}
    for database in structure.databases:
        key = database.name.casefold()
        known = tables.get(key)
        if known is None:
            tables[key] = database
        elif not _same(known.target, database.target) or known.header_rows != database.header_rows:
            raise _damaged("die Tabelle (Datenbankbereich)", database.name, known.target, database.target)
    return tables


# -- the second pass: the wanted cells -----------------------------------------------------------------------


@dataclass
class _Plan:
    """The wanted cells of one sheet: for each wanted row (sorted) its wanted columns (sorted)."""

    rows: list[int]
    columns: dict[int, list[int]]

    @classmethod
    def of(cls, cells: set[tuple[int, int]], boxes: list[Box]) -> _Plan:
        by_row: dict[int, set[int]] = {}
        for r, c in cells:
            by_row.setdefault(r, set()).add(c)
        for top, left, bottom, right in boxes:
            for r in range(top, bottom + 1):
                by_row.setdefault(r, set()).update(range(left, right + 1))
        return cls(sorted(by_row), {r: sorted(cs) for r, cs in by_row.items()})

    @property
    def last_row(self) -> int:
        return self.rows[-1] if self.rows else -1

    def rows_within(self, first: int, count: int) -> list[int]:
        return self.rows[bisect.bisect_left(self.rows, first) : bisect.bisect_left(self.rows, first + count)]

    def cells_within(self, rows: list[int], first: int, count: int) -> list[tuple[int, int]]:
        found = []
        for r in rows:
            columns = self.columns[r]
            found += [
                (r, c) for c in columns[bisect.bisect_left(columns, first) : bisect.bisect_left(columns, first + count)]
            ]
        return found


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "-P", "PT", "-PT"):
        raise ValueError(f"not a duration: {text[:30]!r}")
    sign, days, hours, minutes, seconds = match.groups()
    span = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0))
    return -span if sign else span


def _serial_or_moment(moment: datetime) -> Any:
    """A moment as the xlsx reader gives a date-styled number: datetime within Excel's dates, else the number."""
    serial = (moment - _EXCEL_EPOCH) / timedelta(days=1)
    if 0 <= serial < 2_958_466:
        return moment
    return int(serial) if serial.is_integer() else serial


def _cell_value(attrs: dict, text: str) -> Any:
    """A cell's value as the xlsx reader gives it for the same cell saved as xlsx."""
    kind = attrs.get(_VALUE_TYPE)
    if attrs.get(_CALC_VALUE_TYPE) == "error":
        return text
    if kind in ("float", "percentage", "currency"):
        number = attrs.get(_OFFICE + "value")
        return _number(number) if number is not None and number.strip() else None
    if kind == "date":
        moment = datetime.fromisoformat(attrs.get(_OFFICE + "date-value", "").strip())
        return _serial_or_moment(moment.replace(tzinfo=None))
    if kind == "time":
        span = _duration(attrs.get(_OFFICE + "time-value", ""))
        serial = span / timedelta(days=1)
        return _EXCEL_EPOCH + span if 0 <= serial < 2_958_466 else serial
    if kind == "boolean":
        return attrs.get(_OFFICE + "boolean-value", "").strip().lower() in ("true", "1")
    if kind == "string" and _OFFICE + "string-value" in attrs:
        return attrs[_OFFICE + "string-value"]
    return text


def _read_cells(package: _Package, plans: dict[str, _Plan], order: list[str]) -> dict[str, dict[tuple[int, int], Any]]:
    """The wanted cells of every planned sheet, in one pass that stops past the last one (the first pass has
    checked the structure: no row or cell inside a cell, no sheet inside a sheet)."""
    values: dict[str, dict[tuple[int, int], Any]] = {sheet: {} for sheet in plans}
    last_sheet = max((order.index(s) for s in plans if plans[s].rows), default=-1)
    if last_sheet < 0:
        return values
    depth, body, index, sheet, plan = 0, -1, -1, None, None
    row, rows, col, here = 0, 1, 0, []
    cell_depth, keep, kept_attrs, paragraphs, left_out = -1, None, {}, [], 0

    def start(name: str, attrs: dict) -> None:
        nonlocal depth, body, index, sheet, plan, row, rows, col, here, cell_depth, keep, kept_attrs, paragraphs
        nonlocal left_out
        depth += 1
        if cell_depth >= 0:  # inside a cell: its text, if it is kept
            if keep is None:
                return
            if left_out or name in _LEFT_OUT or name.startswith(_DRAW):
                left_out += 1
            elif name in _PARAGRAPHS:
                paragraphs.append([])
            elif paragraphs:
                if name == _TEXT + "s":
                    paragraphs[-1].append(" " * min(_repeat(attrs.get(_TEXT + "c")), 1_000))
                elif name == _TEXT + "tab":
                    paragraphs[-1].append("\t")
                elif name == _TEXT + "line-break":
                    paragraphs[-1].append("\n")
        elif sheet is not None:
            if name in _CELLS:
                columns = _repeat(attrs[_COLUMNS_REPEATED]) if _COLUMNS_REPEATED in attrs else 1
                cell_depth, first, col = depth, col, col + columns
                if here and plan is not None:
                    wanted = plan.cells_within(here, first, columns)
                    if wanted:
                        keep, kept_attrs, paragraphs, left_out = wanted, attrs, [], 0
            elif name == _ROW:
                if index == last_sheet and plan is not None and row > plan.last_row:
                    raise _Stop
                rows, col = _repeat(attrs.get(_ROWS_REPEATED)), 0
                here = plan.rows_within(row, rows) if plan is not None else []
        elif name == _SPREADSHEET and body < 0:
            body = depth
        elif name == _SHEET and body > 0 and depth == body + 1:
            index += 1
            if index > last_sheet:
                raise _Stop
            sheet = attrs.get(_NAME, "")
            plan, row = plans.get(sheet), 0

    def text(data: str) -> None:
        if keep is not None and paragraphs and not left_out:
            paragraphs[-1].append(data)

    def end(name: str) -> None:
        nonlocal depth, sheet, plan, row, here, cell_depth, keep, left_out
        element, depth = depth, depth - 1
        if 0 <= cell_depth < element:
            if left_out:
                left_out -= 1
        elif element == cell_depth:
            if keep is not None:
                found = _cell_value(kept_attrs, "\n".join("".join(p) for p in paragraphs))
                if found is not None and sheet is not None:
                    for where in keep:
                        values[sheet][where] = found
                keep = None
            cell_depth = -1
        elif name == _ROW and sheet is not None:
            row, here = row + rows, []
        elif name == _SHEET and element == body + 1:
            sheet = plan = None

    _parse(package, "content.xml", start, end, text)
    return values


# -- the view -------------------------------------------------------------------------------------------------


def _unreadable(label: str, error: BaseException) -> WorkbookUnreadable:
    if isinstance(error, Ambiguous):  # two readings possible: the damage in its own words (see _one_reading)
        return WorkbookUnreadable(error.message, file=label, sheet=error.sheet, cell=error.cell)
    cause = _cause(error)
    advice = "" if "Bitte" in cause else " Bitte in LibreOffice öffnen, neu speichern und erneut ablegen."
    return WorkbookUnreadable(f"Die Datei lässt sich nicht lesen: {cause}{advice}", file=label)


@dataclass
class _Wanted:
    cells: set[tuple[int, int]] = field(default_factory=set)
    boxes: list[Box] = field(default_factory=list)


class OdsFileView:
    """An OpenDocument spreadsheet opened for reading by name. Implements `pakt.schemas.WorkbookView`, and offers
    what `XlsxFileView` offers its callers (`named_range`, `defined_names`, `from_path`).

    Every error of the zip, XML and value layers is raised as WorkbookUnreadable (German, with the cause), at
    opening or at the first access to a cell.
    """

    wanted_names: frozenset[str] = WANTED_NAMES
    """Names of single cells this view keeps."""
    wanted_ranges: frozenset[str] = frozenset({STAFF_RANGE})
    """Names of rectangles this view keeps whole."""

    def __init__(self, label: str, data: bytes) -> None:
        self.label = label
        _refuse_non_zip(label, data)
        try:
            self._package = _Package(data)
            _check_mimetype(self._package)
            self._package.verify(required=())
            _check_manifest(self._package, label)
            structure = _read_structure(self._package)
            self._names = _resolve_names(structure)
            self._tables = _resolve_tables(structure)
            _check_single_cells(self._names, _folded(self.wanted_names))
        except WorkbookUnreadable:
            raise
        except Exception as error:  # every failure of zip, XML or values: a German cause (see _cause)
            raise _unreadable(label, error) from error
        self.sheet_names = structure.sheets
        self._cells: dict[str, dict[tuple[int, int], Any]] | None = None

    @classmethod
    def from_path(cls, path: Path) -> OdsFileView:
        try:
            data, _ = read_regular(path, MAX_FILE_BYTES)
        except OSError as exc:
            raise WorkbookUnreadable(
                f"Die Datei kann nicht gelesen werden: {describe_os_error(exc)}.", file=path.name
            ) from exc
        return cls(path.name, data)

    # -- what is wanted ---------------------------------------------------------------------------

    def _target(self, name: str) -> _Target | None:
        found = self._names.get(name.casefold())
        target = found[1] if found is not None else None
        return target if target is not None and target.sheet in self.sheet_names else None

    def _table(self, name: str) -> _Database | None:
        table = self._tables.get(name.casefold())
        return table if table is not None and table.target.sheet in self.sheet_names else None

    def _wanted(self) -> dict[str, _Wanted]:
        wanted: dict[str, _Wanted] = {}
        singles, wholes = _folded(self.wanted_names), _folded(self.wanted_ranges)
        for key, (name, target) in self._names.items():
            if (key in singles or key in wholes) and target.sheet in self.sheet_names and target.box is not None:
                here = wanted.setdefault(target.sheet, _Wanted())
                if key in wholes:
                    here.boxes.append(self._checked_box(name, target))
                else:
                    here.cells.add(target.box[:2])
        for key in WANTED_TABLES:
            table = self._table(key)
            if table is not None and table.target.box is not None:
                box = self._checked_box(table.name, table.target)
                wanted.setdefault(table.target.sheet or "", _Wanted()).boxes.append(box)
        return wanted

    def _checked_box(self, name: str, target: _Target) -> Box:
        top, left, bottom, right = target.box or (0, 0, -1, -1)
        if (bottom - top + 1) * (right - left + 1) > MAX_RANGE_CELLS:
            raise WorkbookUnreadable(
                f"Der benannte Bereich {name} ({target.where()}) ist ungültig oder viel zu groß.",
                file=self.label,
                sheet=target.sheet,
            )
        return top, left, bottom, right

    def _sheet(self, sheet: str) -> dict[tuple[int, int], Any]:
        if self._cells is None:
            self._cells = self._guarded(self._load)
        return self._cells.get(sheet, {})

    def _load(self) -> dict[str, dict[tuple[int, int], Any]]:
        plans = {sheet: _Plan.of(w.cells, w.boxes) for sheet, w in self._wanted().items()}
        return _read_cells(self._package, plans, self.sheet_names)

    def _guarded(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except WorkbookUnreadable:
            raise
        except Exception as error:  # as at opening: a German cause
            raise _unreadable(self.label, error) from error

    def _cell(self, sheet: str, row: int, col: int) -> RawCell:
        value = self._sheet(sheet).get((row, col))
        return RawCell(value=None if value == "" else value, sheet=sheet, cell=to_a1(row, col))

    # -- WorkbookView -----------------------------------------------------------------------------

    def named_cell(self, name: str) -> RawCell | None:
        target = self._target(name)
        if target is None or target.box is None:
            return None
        return self._cell(target.sheet or "", target.box[0], target.box[1])

    def named_range(self, name: str) -> tuple[tuple[RawCell, ...], ...] | None:
        """The cells of a named rectangle (one of `wanted_ranges`), row by row; None when the name is missing."""
        target = self._target(name) if name in self.wanted_ranges else None
        if target is None or target.box is None:
            return None
        top, left, bottom, right = self._checked_box(name, target)
        sheet = target.sheet or ""
        self._sheet(sheet)
        columns = range(left, right + 1)
        return tuple(tuple(self._cell(sheet, r, c) for c in columns) for r in range(top, bottom + 1))

    def table(self, name: str) -> RawTable | None:
        """The table's header and its non-empty data rows (entirely empty rows are left out): the database range
        of that name, else the named range of the same content (pakt_staff) where a program dropped the table."""
        box, sheet, header_rows, totals_rows = None, None, 1, 0
        table = self._table(name)
        if table is not None:
            box, sheet = table.target.box, table.target.sheet
            header_rows, totals_rows = table.header_rows, table.totals_rows
        elif name == STAFF_TABLE and (target := self._target(STAFF_RANGE)) is not None:
            box, sheet = target.box, target.sheet
        if box is None or sheet is None:
            return None
        return table_from_cells(self._sheet(sheet), lambda r, c: self._cell(sheet, r, c), box, header_rows, totals_rows)

    def defined_names(self) -> dict[str, str]:
        """All names and what they refer to, written as Excel references ("Meldung!$B$14") like the xlsx
        reader's; an expression that is no reference as the document writes it."""
        return {name: target.reference() for name, target in self._names.values()}


def _folded(names: frozenset[str]) -> frozenset[str]:
    return frozenset(n.casefold() for n in names)
