"""OpenDocument spreadsheets built by code, shaped as LibreOffice writes a Pakt form: for tests that must not need
LibreOffice (hostile packages, odd cells) and that change one thing at a time.

    package(content)        the zip package: mimetype first and stored, manifest, content.xml
    form(values, staff)     content.xml of a Pakt form: every input on its sheet in column B, the binding on _Pakt,
                            the staff table with its header, named ranges and the database range pakt_managers

Cells are written as LibreOffice writes them (typed values, repeated empty rows and columns up to the end of the
grid); `cell(value)` turns a Python value into a cell element.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

from pakt.schemas import (
    BINDING_FIELDS,
    SCHEMA_VERSION,
    SHEET_BINDING,
    STAFF_RANGE,
    STAFF_TABLE,
    TEMPLATE_ID,
    column_letters,
    input_fields,
    sheets_in_order,
    staff_columns,
    staff_sheet,
)

SPREADSHEET = "application/vnd.oasis.opendocument.spreadsheet"
NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.3"'
)
GRID_ROWS, GRID_COLUMNS = 1_048_576, 16_384
STAFF_HEADER_ROW = 4
"""Zero-based row of the staff table's header (as in the generated form)."""
STAFF_ROWS = 30


def manifest(media_type: str = SPREADSHEET, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media_type}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{extra}'
        "</manifest:file-entry></manifest:manifest>"
    )


def package(
    content: str | bytes,
    *,
    mimetype: str | None = SPREADSHEET,
    manifest_xml: str | None = None,
    mimetype_first: bool = True,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """An OpenDocument package as LibreOffice writes one (mimetype first, stored uncompressed)."""
    members: list[tuple[str, bytes]] = []
    if mimetype is not None:
        members.append(("mimetype", mimetype.encode("ascii")))
    members.append(("content.xml", content.encode("utf-8") if isinstance(content, str) else content))
    members.append(("META-INF/manifest.xml", (manifest_xml or manifest()).encode("utf-8")))
    members += list((parts or {}).items())
    if not mimetype_first:
        members.append(members.pop(0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buffer.getvalue()


def paragraphs(text: str) -> str:
    return "".join(f"<text:p>{escape(line)}</text:p>" for line in text.split("\n"))


def cell(value: object) -> str:
    """A cell element holding `value` as LibreOffice types it."""
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        flag = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{flag}" '
            f'calcext:value-type="boolean"><text:p>{flag.upper()}</text:p></table:table-cell>'
        )
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value!r}" calcext:value-type="float">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, datetime | date):
        moment = value.isoformat() if isinstance(value, datetime) and value.time() != datetime.min.time() else None
        shown = moment or (value.date() if isinstance(value, datetime) else value).isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{shown}" calcext:value-type="date">'
            f"<text:p>{shown}</text:p></table:table-cell>"
        )
    text = str(value)
    return (
        f'<table:table-cell office:value-type="string" calcext:value-type="string">{paragraphs(text)}'
        "</table:table-cell>"
    )


def sheet(name: str, cells: dict[tuple[int, int], str], *, tail: str = "", to_the_end: bool = True) -> str:
    """A sheet element: the given cell elements (zero-based row, column) and empty cells repeated between them,
    and (as LibreOffice writes it) empty rows repeated to the end of the grid."""
    rows: list[str] = []
    written = 0
    for row in sorted({r for r, _ in cells}):
        if row > written:
            rows.append(_empty_rows(row - written))
        parts, col = [], 0
        for c in sorted(c for r, c in cells if r == row):
            if c > col:
                parts.append(f'<table:table-cell table:number-columns-repeated="{c - col}"/>')
            parts.append(cells[(row, c)])
            col = c + 1
        parts.append(f'<table:table-cell table:number-columns-repeated="{GRID_COLUMNS - col}"/>')
        rows.append("<table:table-row>" + "".join(parts) + "</table:table-row>")
        written = row + 1
    if to_the_end and written < GRID_ROWS:
        rows.append(_empty_rows(GRID_ROWS - written))
    return (
        f"<table:table table:name={quoteattr(name)}>"
        f'<table:table-column table:number-columns-repeated="{GRID_COLUMNS}"/>{"".join(rows)}{tail}</table:table>'
    )


def _empty_rows(count: int) -> str:
    return (
        f'<table:table-row table:number-rows-repeated="{count}">'
        f'<table:table-cell table:number-columns-repeated="{GRID_COLUMNS}"/></table:table-row>'
    )


def address(sheet_name: str, row: int, col: int) -> str:
    quoted = sheet_name if sheet_name.isidentifier() else "'" + sheet_name.replace("'", "''") + "'"
    return f"${quoted}.${column_letters(col)}${row + 1}"


def named_range(name: str, where: str) -> str:
    return f'<table:named-range table:name="{name}" table:base-cell-address="$Hinweise.$A$1" table:cell-range-address="{where}"/>'


def form(
    values: dict[str, object] | None = None,
    staff: list[list[object]] | None = None,
    *,
    binding: dict[str, str] | None = None,
    cells: dict[str, dict[tuple[int, int], str]] | None = None,
    names: str | None = None,
    extra_names: str = "",
    databases: str | None = None,
    tails: dict[str, str] | None = None,
    replace: dict[str, str] | None = None,
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
) -> str:
    """content.xml of a Pakt form: `values` by defined name (each input in column B of its sheet, one a row from
    row 2), `staff` rows below the table's header, the binding (Aldingen's unless given); `cells` adds or
    overrides cell elements per sheet, `tails` adds elements at the end of a sheet (its local names), `replace`
    puts a whole sheet element in a sheet's place, `names` replaces the named expressions, `extra_names` adds to
    them, `databases` replaces the database ranges."""
    values = values or {}
    by_sheet: dict[str, dict[tuple[int, int], str]] = {s: {} for s in (*sheets_in_order(), SHEET_BINDING)}
    ranges: list[str] = []
    rows_used: dict[str, int] = {}
    for spec in input_fields():
        row = rows_used[spec.sheet] = rows_used.get(spec.sheet, 0) + 1
        if spec.name in values:
            by_sheet[spec.sheet][(row, 1)] = cell(values[spec.name])
        ranges.append(named_range(spec.name, address(spec.sheet, row, 1)))
    bound = {
        "template": TEMPLATE_ID,
        "schema_version": SCHEMA_VERSION,
        "ags": "08327002",
        "rules": "pfi-2017-2019",
        "district": "08327",
        **(binding or {}),
    }
    for row, item in enumerate(BINDING_FIELDS, start=1):
        by_sheet[SHEET_BINDING][(row, 0)] = cell(item.label)
        by_sheet[SHEET_BINDING][(row, 1)] = cell(bound[item.key])
        ranges.append(named_range(item.name, address(SHEET_BINDING, row, 1)))
    columns = staff_columns()
    staff_name = staff_sheet()
    for col, column in enumerate(columns):
        by_sheet[staff_name][(STAFF_HEADER_ROW, col)] = cell(column.label)
    for offset, row_values in enumerate(staff or []):
        for col, value in enumerate(row_values):
            if value is not None:
                by_sheet[staff_name][(STAFF_HEADER_ROW + 1 + offset, col)] = cell(value)
    bottom, right = STAFF_HEADER_ROW + STAFF_ROWS, len(columns) - 1
    first = address(staff_name, STAFF_HEADER_ROW, 0)
    ranges.append(named_range(STAFF_RANGE, f"{first}:.${column_letters(right)}${bottom + 1}"))
    for name, extra in (cells or {}).items():
        by_sheet.setdefault(name, {}).update(extra)
    if databases is None:
        target = f"{staff_name}.A{STAFF_HEADER_ROW + 1}:{staff_name}.{column_letters(right)}{bottom + 1}"
        databases = f'<table:database-range table:name="{STAFF_TABLE}" table:target-range-address="{target}"/>'
    replace = replace or {}
    sheets = "".join(
        replace.get(name) or sheet(name, content, tail=(tails or {}).get(name, ""))
        for name, content in by_sheet.items()
    )
    expressions = ("".join(ranges) if names is None else names) + extra_names
    return (
        f"{prolog}<office:document-content {NAMESPACES}><office:body><office:spreadsheet>{sheets}"
        f"<table:named-expressions>{expressions}</table:named-expressions>"
        f"<table:database-ranges>{databases}</table:database-ranges>"
        "</office:spreadsheet></office:body></office:document-content>"
    )


def form_package(values: dict[str, object] | None = None, staff: list[list[object]] | None = None, **options) -> bytes:
    """`package(form(...))`: a whole .ods of a Pakt form."""
    return package(form(values, staff, **options))


def input_row(name: str) -> int:
    """The zero-based row `form` puts an input on (column B of its sheet)."""
    spec = next(f for f in input_fields() if f.name == name)
    return [f.name for f in input_fields() if f.sheet == spec.sheet].index(name) + 1
