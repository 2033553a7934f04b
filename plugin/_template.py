"""The submission workbook as a file: the form of `_form_layout`, written as xlsx (XlsxWriter) or ODS.

`_form_layout` decides every cell; this module writes the xlsx (Excel, and
every program that reads Excel's format), `_ods_template` LibreOffice's own
format from the same form, and `write_templates` writes a district's forms,
each municipality's in the format the district chose for it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pakt.schemas import (
    Municipality,
    PaktError,
    Registry,
    Submission,
    TemplateFormat,
    column_letters,
    file_name_part,
    quote_sheet,
)

from ._form_formulas import CellError, excel
from ._form_layout import (
    FIXED_TIMESTAMP,
    PREFILLED_FIELDS,
    Binding,
    DefinedName,
    Form,
    FormSheet,
    build_form,
)
from ._formats import Formats
from ._validation_rules import xlsx_options
from ._zip_package import normalise_zip

__all__ = [  # FIXED_TIMESTAMP, Binding and PREFILLED_FIELDS live in _form_layout; they are known by this name too
    "CARRIED_OVER_FIELDS",
    "FIXED_TIMESTAMP",
    "PREFILLED_FIELDS",
    "Binding",
    "build_workbook_bytes",
    "carried_over_values",
    "normalise_zip",
    "workbook_filename",
    "write_templates",
    "write_workbook",
]

CARRIED_OVER_FIELDS: tuple[tuple[str, ...], ...] = (
    ("header", "contact_person"),
    ("header", "email"),
    ("header", "phone"),
)
"""What a template for a new round takes over from the municipality's last valid submission (with its
staff list): what rarely changes and saves typing. Never figures, never the sign-off: those are the
round's own and must be entered afresh."""


def workbook_filename(
    municipality: Municipality | None, stichtag: date | None = None, fmt: TemplateFormat = TemplateFormat.XLSX
) -> str:
    """'08327002_Aldingen.xlsx', or with the Stichtag '08327002_Aldingen_2019-06-30.xlsx' so that the
    forms of two rounds can lie side by side (.ods for a LibreOffice form); umlauts spelt out so every file
    share accepts the name."""
    suffix = (f"_{stichtag.isoformat()}" if stichtag is not None else "") + fmt.suffix
    if municipality is None:
        return f"Pakt_Meldung_Vorlage{suffix}"
    return f"{municipality.ags}_{file_name_part(municipality.name)}{suffix}"


def carried_over_values(submission: Submission) -> tuple[dict[tuple[str, ...], Any], list[dict[str, Any]]]:
    """The raw values and staff rows a new round's template takes over from `submission` (see
    CARRIED_OVER_FIELDS), in the shape `build_workbook_bytes` takes."""
    values: dict[tuple[str, ...], Any] = {}
    for path in CARRIED_OVER_FIELDS:
        value: Any = submission
        for part in path:
            value = getattr(value, part)
        values[path] = value
    return values, [manager.model_dump() for manager in submission.managers]


# -- the xlsx writer -------------------------------------------------------------------------------


def _reference(name: DefinedName) -> str:
    first = f"${column_letters(name.first[1])}${name.first[0] + 1}"
    last = f"${column_letters(name.last[1])}${name.last[0] + 1}"
    return f"={quote_sheet(name.sheet)}!{first}" + (f":{last}" if name.last != name.first else "")


class _XlsxWriter:
    """Writes one form as an xlsx workbook; a fresh instance per file."""

    def __init__(self, target: io.BytesIO, form: Form) -> None:
        self.form = form
        self.book = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
        props = form.properties
        self.book.set_properties(
            {
                "title": props.title,
                "subject": props.subject,
                "company": props.company,
                "author": props.author,
                "created": props.created,
                "comments": props.comments,
            }
        )
        self.formats = Formats(self.book)

    def _cells(self, sheet: Worksheet, form_sheet: FormSheet) -> None:
        for cell in form_sheet.cells.values():
            fmt = self.formats.of(cell.look)
            row, col, value = cell.row, cell.col, cell.value
            if cell.formula is not None:
                cached = self.form.cached(form_sheet.name, cell)
                shown = cached.code if isinstance(cached, CellError) else cached
                sheet.write_formula(row, col, excel(cell.formula), fmt, shown)
            elif value is None:
                sheet.write_blank(row, col, None, fmt)
            elif isinstance(value, str):
                sheet.write_string(row, col, value, fmt)  # text always as text: '=…' typed never becomes a formula
            elif isinstance(value, float):
                sheet.write_number(row, col, value, fmt)
            else:
                sheet.write_datetime(row, col, value, fmt)

    def _table(self, sheet: Worksheet, form_sheet: FormSheet) -> None:
        table = form_sheet.table
        if table is None:
            return
        columns = [
            {"header": header, "format": self.formats.of(look)}
            for header, look in zip(table.headers, table.column_looks, strict=True)
        ]
        options = {"name": table.name, "style": table.style, "autofilter": False, "columns": columns}
        sheet.add_table(table.top, table.left, table.bottom, table.right, options)

    def sheet(self, form_sheet: FormSheet) -> None:
        sheet = self.book.add_worksheet(form_sheet.name)
        if form_sheet.printed:  # A4 landscape, one page wide
            sheet.set_paper(9)
            sheet.set_landscape()
            sheet.fit_to_pages(1, 0)
        for col, width in form_sheet.widths.items():
            sheet.set_column(col, col, width)
        for row, height in form_sheet.heights.items():
            sheet.set_row(row, height)
        self._table(sheet, form_sheet)
        self._cells(sheet, form_sheet)
        for merge in form_sheet.merges:
            sheet.merge_range(
                merge.row, merge.first_col, merge.row, merge.last_col, merge.text, self.formats.of(merge.look)
            )
        for check in form_sheet.validations:
            sheet.data_validation(check.first_row, check.col, check.last_row, check.col, xlsx_options(check.rule))
        protection = form_sheet.protection
        options = {"select_locked_cells": True, "select_unlocked_cells": True}
        options.update({k: True for k in ("insert_rows", "delete_rows", "sort") if getattr(protection, k)})
        sheet.protect("", options)
        if form_sheet.hidden:
            sheet.hide()
        if form_sheet.name == self.form.active:
            sheet.activate()

    def write(self) -> None:
        for form_sheet in self.form.sheets.values():
            self.sheet(form_sheet)
        for name in self.form.names:
            self.book.define_name(name.name, _reference(name))
        self.book.close()


def xlsx_bytes(form: Form) -> bytes:
    """`form` as an xlsx file, byte for byte the same for the same form."""
    buffer = io.BytesIO()
    _XlsxWriter(buffer, form).write()
    return normalise_zip(buffer.getvalue())


def build_workbook_bytes(
    binding: Binding,
    values: Mapping[tuple[str, ...], Any] | None = None,
    managers: Sequence[Mapping[str, Any]] = (),
    *,
    carried_over: bool = False,
    fmt: TemplateFormat = TemplateFormat.XLSX,
) -> bytes:
    """The workbook as bytes; `values` (raw, by field path) and `managers` override the blanks.

    `carried_over`: they were taken over from the last round (see `carried_over_values`), so the form asks the
    clerk to check them. `fmt`: xlsx, or ODS for LibreOffice (the same form, see `_ods_template`).
    """
    form = build_form(binding, values, managers, carried_over=carried_over)
    if fmt is TemplateFormat.ODS:
        from ._ods_template import ods_bytes  # odfpy only where a district writes ODS forms

        return ods_bytes(form)
    return xlsx_bytes(form)


def write_workbook(
    path: Path,
    binding: Binding,
    values: Mapping[tuple[str, ...], Any] | None = None,
    managers: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write one submission workbook to `path` (blank, or with raw values filled in); .ods writes ODS."""
    fmt = TemplateFormat.ODS if path.suffix.lower() == TemplateFormat.ODS.suffix else TemplateFormat.XLSX
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook_bytes(binding, values, managers, fmt=fmt))
    return path


def write_templates(
    registry: Registry,
    out_dir: Path,
    may_replace: Callable[[Path], bool] | None = None,
    *,
    previous: Mapping[str, Submission] | None = None,
    with_stichtag: bool = False,
    fmt: TemplateFormat | None = None,
) -> list[Path]:
    """One pre-filled workbook per municipality of the registry, plus the blank template.

    Each in the format the registry chooses for it (a municipality's `format`, else `[templates] format`, the
    blank template's too), or all in `fmt` when given (the command's --format).

    A file already there is never overwritten unless it is byte for byte what would be written, or
    `may_replace` says it may be (the command's --force: a blank template Pakt wrote). When any file may not
    be replaced, nothing is written and PaktError names the files: a folder where clerks keep their filled
    workbooks must never receive blank forms.

    For a new round: `previous` (the last valid submission per AGS) pre-fills what saves typing, contact
    and staff list (CARRIED_OVER_FIELDS), never figures or the sign-off; `with_stichtag` puts the round's
    Stichtag into every file name, so the forms of two rounds never share a name. The first file is the
    blank template. RulesError when no rate is in force on the registry's Stichtag.
    """
    stichtag = registry.round.stichtag if with_stichtag else None
    blank_format = fmt or registry.template_format(None)
    blank = build_workbook_bytes(Binding.for_registry(registry, None), fmt=blank_format)
    contents = [(out_dir / workbook_filename(None, stichtag, blank_format), blank)]
    for municipality in registry.municipalities:
        binding = Binding.for_registry(registry, municipality)
        own = fmt or registry.template_format(municipality)
        last = (previous or {}).get(municipality.ags)
        values, managers = carried_over_values(last) if last is not None else ({}, [])
        data = build_workbook_bytes(binding, values, managers, carried_over=last is not None, fmt=own)
        contents.append((out_dir / workbook_filename(municipality, stichtag, own), data))
    kept = [path for path, data in contents if _taken(path, data, may_replace)]
    if kept:
        names = ", ".join(p.name for p in kept[:5]) + (f" und {len(kept) - 5} weitere" if len(kept) > 5 else "")
        raise PaktError(
            f"In {out_dir} liegen schon Mappen, die Eingaben enthalten oder nicht als leere Vorlage von Pakt "
            f"stammen ({names}); es wurde nichts geschrieben. Bitte einen leeren Ordner angeben."
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, data in contents:
        if not (path.exists() and path.read_bytes() == data):
            path.write_bytes(data)
    return [path for path, _ in contents]


def _taken(path: Path, data: bytes, may_replace: Callable[[Path], bool] | None) -> bool:
    """Whether an existing file at `path` must be kept (it is neither what we would write nor replaceable)."""
    if not path.exists():
        return False
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    return not (may_replace is not None and may_replace(path))
