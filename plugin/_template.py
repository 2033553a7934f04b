"""The submission workbook, generated from the schema: one per municipality, or blank.

This module is the only place that decides cell positions. Everything the
clerk sees is derived from `schemas`: a sheet per section group, a defined
name for every input, data validation with German hints, German formats,
protection that leaves only the input cells open, and a hidden sheet that
binds the workbook to its municipality, schema version and rules period.
The top of the Meldung sheet says what matters: the deadline, the rate in
force on the Stichtag and the allowance the entered persons lead to (see
`_key_figures`); these are shown, never read back (they have no defined name).
"""

from __future__ import annotations

import enum
import io
import itertools
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pakt.schemas import (
    BINDING_FIELDS,
    SCHEMA_VERSION,
    SHEET_BINDING,
    SHEET_HELP,
    STAFF_RANGE,
    STAFF_TABLE,
    TEMPLATE_ID,
    District,
    InputField,
    Kind,
    Municipality,
    PaktError,
    Registry,
    RuleSet,
    Submission,
    column_letters,
    field_by_path,
    file_name_part,
    format_date,
    input_fields,
    load_rules,
    quote_sheet,
    sheets_in_order,
    staff_columns,
    staff_sheet,
    to_a1,
)

from ._formats import Formats
from ._key_figures import allowance_formula, cached_allowance, rate_in_force, rate_paragraphs, rate_validity
from ._validation_rules import data_validation

STAFF_ROWS = 30
"""Blank rows of the staff table; clerks can insert more."""

FIXED_TIMESTAMP = datetime(2017, 1, 1)
"""Creation time written into every generated file, so generation is byte-for-byte repeatable."""

_LABEL_COL, _INPUT_COL, _HINT_COL = 0, 1, 2
_FIRST_SECTION_ROW = 4
_STAFF_HEADER_ROW = 4
_DEADLINE_ROW, _RATE_ROW, _ALLOWANCE_ROW = 1, 2, 3
"""The key figures at the top of the sheet that holds the persons, above the first section: the rows
below keep their places, so every cell a clerk, a test or a stored finding names stays where it was."""

_PERSONS = ("persons", "total")
_FILL_NOTE = "Bitte nur die gelben Felder ausfüllen"
_CLICK_NOTE = "Ein Klick in ein Feld zeigt, was hinein gehört."
_CARRIED_NOTE = (
    "Ansprechperson und Integrationsmanager sind aus der letzten Meldung übernommen: bitte prüfen und "
    "ändern, was nicht mehr stimmt."
)

CARRIED_OVER_FIELDS: tuple[tuple[str, ...], ...] = (
    ("header", "contact_person"),
    ("header", "email"),
    ("header", "phone"),
)
"""What a template for a new round takes over from the municipality's last valid submission (with its
staff list): what rarely changes and saves typing. Never figures, never the sign-off: those are the
round's own and must be entered afresh."""


@dataclass(frozen=True)
class Binding:
    """What a workbook is for: district, rules period, Stichtag, and (unless blank) its municipality."""

    district: District
    rules: RuleSet
    stichtag: date | None = None
    municipality: Municipality | None = None
    deadline: date | None = None

    @classmethod
    def for_registry(cls, registry: Registry, municipality: Municipality | None) -> Binding:
        rules = load_rules(registry.round.rules, registry.base_dir)
        return cls(registry.district, rules, registry.round.stichtag, municipality, registry.round.deadline)


def workbook_filename(municipality: Municipality | None, stichtag: date | None = None) -> str:
    """'08327002_Aldingen.xlsx', or with the Stichtag '08327002_Aldingen_2019-06-30.xlsx' so that the
    forms of two rounds can lie side by side; umlauts spelt out so every file share accepts the name."""
    suffix = f"_{stichtag.isoformat()}" if stichtag is not None else ""
    if municipality is None:
        return f"Pakt_Meldung_Vorlage{suffix}.xlsx"
    return f"{municipality.ags}_{file_name_part(municipality.name)}{suffix}.xlsx"


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


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, one page wide: what district staff get when they print a submission."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


PREFILLED_FIELDS = frozenset({("header", "ags"), ("header", "name"), ("management", "mode"), ("header", "stichtag")})
"""The inputs a template comes with: a workbook with nothing else filled in is a blank form."""


def _prefilled_values(binding: Binding) -> dict[tuple[str, ...], Any]:
    values: dict[tuple[str, ...], Any] = {}
    if binding.municipality is not None:
        values[("header", "ags")] = binding.municipality.ags
        values[("header", "name")] = binding.municipality.name
        values[("management", "mode")] = binding.municipality.im_mode.value
    if binding.stichtag is not None:
        values[("header", "stichtag")] = binding.stichtag
    return values


def _write_value(sheet: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """Write by Python type; text always as text, so '=…' typed by a clerk never becomes a formula."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "ja" if value else "nein", fmt)
    elif isinstance(value, (int, float, Decimal)):
        sheet.write_number(row, col, float(value), fmt)
    elif isinstance(value, (date, datetime)):
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


class _TemplateWriter:
    """Writes one submission workbook; a fresh instance per file."""

    def __init__(self, target: io.BytesIO, binding: Binding, *, carried_over: bool = False) -> None:
        self.binding = binding
        self.carried_over = carried_over
        self.book = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
        self.book.set_properties(
            {
                "title": "Meldung Pakt für Integration",
                "subject": binding.rules.name,
                "company": binding.district.name,
                "author": binding.district.name,
                "created": FIXED_TIMESTAMP,
                "comments": "Erzeugt von Pakt aus dem Meldeschema " + SCHEMA_VERSION,
            }
        )
        self.formats = Formats(self.book)
        self.sheets = {name: self.book.add_worksheet(name) for name in (*sheets_in_order(), SHEET_BINDING)}
        self.cells: dict[tuple[str, ...], tuple[str, int, int]] = {}

    # -- the input sheets ------------------------------------------------------------------

    def _heading(self, sheet: Worksheet, title: str, subtitle: str) -> None:
        self._title(sheet, title)
        sheet.write_string(1, 0, subtitle, self.formats.subtitle)
        sheet.write_string(2, 0, _FILL_NOTE + ". " + _CLICK_NOTE, self.formats.note)

    def _title(self, sheet: Worksheet, title: str) -> None:
        _print_setup(sheet)
        sheet.set_column(_LABEL_COL, _LABEL_COL, 42)
        sheet.set_column(_INPUT_COL, _INPUT_COL, 24)
        sheet.set_column(_HINT_COL, _HINT_COL, 70)
        sheet.write_string(0, 0, title, self.formats.title)

    def _heading_with_key_figures(self, sheet: Worksheet, title: str, subtitle: str, persons: Any) -> None:
        """The heading of the sheet with the persons: deadline, rate and allowance in the rows that hold the
        subtitle and the note elsewhere (the subtitle moves beside the title, the note beside the deadline).

        Locked like every cell the district fills in (grey) or the workbook computes (bold); no defined name,
        so no reader ever takes them for an input. Each hint fits one line: these rows do not grow.
        """
        binding, persons_field = self.binding, field_by_path(_PERSONS)
        fixed = self.formats.cell(Kind.TEXT, editable=False)
        self._title(sheet, title)
        sheet.write_string(0, _HINT_COL, subtitle, self.formats.subtitle)
        sheet.write_string(_DEADLINE_ROW, _LABEL_COL, "Abgabefrist", self.formats.bold)
        if binding.deadline is not None:
            date_format = self.formats.cell(Kind.DATE, editable=False)
            _write_value(sheet, _DEADLINE_ROW, _INPUT_COL, binding.deadline, date_format)
            note = f"{_FILL_NOTE} und die Mappe bis zu diesem Tag abgeben."
        else:
            sheet.write_string(_DEADLINE_ROW, _INPUT_COL, "nicht festgelegt", fixed)
            note = f"{_FILL_NOTE}. {_CLICK_NOTE}"
        sheet.write_string(_DEADLINE_ROW, _HINT_COL, note, self.formats.hint)
        sheet.write_string(_RATE_ROW, _LABEL_COL, "Pro-Kopf-Pauschale je Person", self.formats.bold)
        sheet.write_string(_ALLOWANCE_ROW, _LABEL_COL, "Pro-Kopf-Pauschale der Gemeinde", self.formats.bold)
        rate = rate_in_force(binding.rules, binding.stichtag)
        if rate is None:
            for row in (_RATE_ROW, _ALLOWANCE_ROW):
                sheet.write_string(row, _INPUT_COL, "siehe Hinweise", fixed)
            return
        _write_value(sheet, _RATE_ROW, _INPUT_COL, rate, self.formats.cell(Kind.MONEY, editable=False))
        when = f"Satz am Stichtag {format_date(binding.stichtag)}, " if binding.stichtag else ""
        sheet.write_string(
            _RATE_ROW, _HINT_COL, when + rate_validity(binding.rules, binding.stichtag), self.formats.hint
        )
        rate_cell = f"${column_letters(_INPUT_COL)}${_RATE_ROW + 1}"
        formula = allowance_formula(persons_field.name, rate_cell)
        cached = cached_allowance(persons, binding.stichtag, binding.rules)
        sheet.write_formula(_ALLOWANCE_ROW, _INPUT_COL, formula, self.formats.computed(Kind.MONEY), cached)
        sheet.write_string(
            _ALLOWANCE_ROW, _HINT_COL, f"{persons_field.label} mal Satz, auf den Cent gerundet.", self.formats.hint
        )

    def _write_input(self, sheet: Worksheet, row: int, spec_field: InputField, value: Any) -> None:
        editable = not (spec_field.prefilled and self.binding.municipality is not None)
        label_format = self.formats.label_indented if len(spec_field.sections) > 1 else self.formats.label
        sheet.write_string(row, _LABEL_COL, spec_field.label, label_format)
        _write_value(sheet, row, _INPUT_COL, value, self.formats.cell(spec_field.spec.kind, editable=editable))
        sheet.write_string(row, _HINT_COL, spec_field.hint, self.formats.hint)
        cell = to_a1(row, _INPUT_COL)
        if editable:
            options = data_validation(spec_field.label, spec_field.hint, spec_field.spec, cell, self.binding.rules)
            sheet.data_validation(row, _INPUT_COL, row, _INPUT_COL, options)
        ref = f"={quote_sheet(spec_field.sheet)}!${to_a1(row, _INPUT_COL)[0]}${row + 1}"
        self.book.define_name(spec_field.name, ref)
        self.cells[spec_field.path] = (spec_field.sheet, row, _INPUT_COL)

    @staticmethod
    def _sum_of_names(paths: Sequence[tuple[str, ...]]) -> str:
        return "=SUM(" + ",".join("pakt_" + "_".join(path) for path in paths) + ")"

    def _write_check_row(self, sheet: Worksheet, row: int, group: Sequence[InputField], values: Mapping) -> int:
        """Plain-Excel helper rows that work without the add-in: sums, and the age breakdown check."""
        paths = [f.path for f in group]
        numbers = [values.get(p) for p in paths if isinstance(values.get(p), (int, float, Decimal))]
        kind = group[0].spec.kind
        if kind is Kind.COUNT and len(group[0].sections) > 1:
            sheet.write_string(row, _LABEL_COL, "Summe der Altersgruppen", self.formats.label_indented)
            sheet.write_formula(row, _INPUT_COL, self._sum_of_names(paths), self.formats.computed(kind), sum(numbers))
            verdict = ("stimmt", "stimmt nicht – bitte prüfen")
            check = f'=IF({to_a1(row, _INPUT_COL)}=pakt_persons_total,"{verdict[0]}","{verdict[1]}")'
            cached = verdict[0] if sum(numbers) == values.get(("persons", "total")) else verdict[1]
            sheet.write_formula(row, _HINT_COL, check, self.formats.hint, cached)
            return row + 1
        if kind is Kind.MONEY:
            sheet.write_string(row, _LABEL_COL, f"Summe {group[0].sections[0]}", self.formats.bold)
            total = float(sum(Decimal(str(n)) for n in numbers))
            sheet.write_formula(row, _INPUT_COL, self._sum_of_names(paths), self.formats.computed(kind), total)
            return row + 1
        return row

    def write_input_sheet(self, sheet_name: str, values: Mapping[tuple[str, ...], Any]) -> None:
        sheet = self.sheets[sheet_name]
        who = self.binding.municipality.name if self.binding.municipality else "(Gemeinde)"
        title, subtitle = f"{sheet_name} – {self.binding.rules.name}", f"{who}, {self.binding.district.name}"
        if sheet_name == field_by_path(_PERSONS).sheet:
            self._heading_with_key_figures(sheet, title, subtitle, values.get(_PERSONS))
        else:
            self._heading(sheet, title, subtitle)
        row = _FIRST_SECTION_ROW
        previous_top = None
        fields = [f for f in input_fields() if f.sheet == sheet_name]
        for sections, grouped in itertools.groupby(fields, key=lambda f: f.sections):
            group = list(grouped)
            if sections[0] != previous_top:
                row += 1 if previous_top else 0
                sheet.merge_range(row, 0, row, _HINT_COL, sections[0], self.formats.section)
                row += 1
                previous_top = sections[0]
            if len(sections) > 1:
                sheet.write_string(row, _LABEL_COL, sections[-1], self.formats.subsection)
                row += 1
            for spec_field in group:
                self._write_input(sheet, row, spec_field, values.get(spec_field.path))
                row += 1
            row = self._write_check_row(sheet, row, group, values)
        sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

    # -- the staff table -------------------------------------------------------------------

    def write_staff_sheet(self, managers: Sequence[Mapping[str, Any]]) -> None:
        sheet = self.sheets[staff_sheet()]
        who = self.binding.municipality.name if self.binding.municipality else "(Gemeinde)"
        self._heading(sheet, "Integrationsmanager", f"{who}, {self.binding.district.name}")
        note = "Eine Zeile je Person, nur Kürzel (keine Namen). Weitere Zeilen: Zeile in der Tabelle einfügen."
        if self.carried_over and managers:
            note += " " + _CARRIED_NOTE
        sheet.write_string(2, 0, note, self.formats.note)
        columns = staff_columns()
        for col in range(len(columns)):
            sheet.set_column(col, col, 26 if col else 18)
        rows = max(STAFF_ROWS, len(managers))
        top, bottom = _STAFF_HEADER_ROW, _STAFF_HEADER_ROW + rows
        sheet.add_table(
            top,
            0,
            bottom,
            len(columns) - 1,
            {
                "name": STAFF_TABLE,
                "style": "Table Style Light 9",
                "autofilter": False,
                "columns": [
                    {"header": c.label, "format": self.formats.cell(c.spec.kind, editable=True)} for c in columns
                ],
            },
        )
        last_col = to_a1(bottom, len(columns) - 1)
        self.book.define_name(
            STAFF_RANGE, f"={quote_sheet(sheet.name)}!$A${top + 1}:${last_col.rstrip('0123456789')}${bottom + 1}"
        )
        for offset in range(rows):
            row_values = managers[offset] if offset < len(managers) else {}
            for col, column in enumerate(columns):
                fmt = self.formats.cell(column.spec.kind, editable=True)
                _write_value(sheet, top + 1 + offset, col, row_values.get(column.field), fmt)
        for col, column in enumerate(columns):
            options = data_validation(column.label, column.hint, column.spec, to_a1(top + 1, col), self.binding.rules)
            sheet.data_validation(top + 1, col, bottom, col, options)
        fte_col = next(i for i, c in enumerate(columns) if c.spec.kind is Kind.FTE)
        summary_col = len(columns) + 1
        sheet.set_column(summary_col, summary_col, 30)
        sheet.write_string(top, summary_col, "Summe Stellenanteile (VZÄ)", self.formats.header)
        fte_range = f"{to_a1(top + 1, fte_col)}:{to_a1(bottom, fte_col)}"
        total = sum(float(m.get("fte") or 0) for m in managers if isinstance(m.get("fte"), (int, float, Decimal)))
        sheet.write_formula(top + 1, summary_col, f"=SUM({fte_range})", self.formats.computed(Kind.FTE), total)
        sheet.protect(
            "",
            {
                "insert_rows": True,
                "delete_rows": True,
                "sort": True,
                "select_locked_cells": True,
                "select_unlocked_cells": True,
            },
        )

    # -- instructions and binding ------------------------------------------------------------

    def write_help_sheet(self) -> None:
        sheet = self.sheets[SHEET_HELP]
        rules = self.binding.rules
        _print_setup(sheet)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 36)
        sheet.set_column(2, 2, 110)
        sheet.write_string(0, 0, f"Hinweise zur Meldung – {rules.name}", self.formats.title)
        deadline = self.binding.deadline
        stichtag = self.binding.stichtag
        dates = f" Stichtag {format_date(stichtag)}." if stichtag else ""
        dates += f" Abgabefrist {format_date(deadline)}." if deadline else ""
        paragraphs = [
            f"Förderzeitraum {rules.period_text()}.{dates}",
            *rate_paragraphs(rules, stichtag),
            "1. Blatt „Meldung“: Ansprechperson, Personen am Stichtag (mit Aufschlüsselung nach Alter) und "
            "die Organisation des Integrationsmanagements eintragen.",
            "2. Blatt „Integrationsmanager“: eine Zeile je Person mit Kürzel, Stellenanteil, Beginn und Arbeitgeber.",
            "3. Blatt „Kosten“: Sachkosten und die Verwendung der Pro-Kopf-Pauschale in Euro.",
            "4. Mit dem Pakt-Add-in „Prüfen“ wählen; Hinweise erscheinen neben den betroffenen Zellen.",
            "5. Zum Schluss unter „Freigabe“ Namen, Datum und „ja“ bei „Eingereicht“ eintragen und die Datei ablegen.",
            "Ohne Pakt-Add-in zeigt die Mappe alle Eingaben und rechnet die Pro-Kopf-Pauschale und die Summen selbst; "
            "die Prüfung benötigt das Add-in. Der Landkreis rechnet alle Beträge nach.",
            "Gelbe Felder sind Eingabefelder; ein Klick in ein Feld zeigt, was hinein gehört. Graue Felder füllt der "
            "Landkreis vor.",
            "Die Blätter sind ohne Kennwort geschützt, damit nichts versehentlich verschoben wird.",
        ]
        if self.carried_over:
            paragraphs.append(_CARRIED_NOTE)
        for row, text in enumerate(paragraphs, start=2):
            sheet.merge_range(row, 0, row, 2, text, self.formats.plain)
            sheet.set_row(row, 20)
        row = len(paragraphs) + 3
        for col, head in enumerate(("Blatt", "Feld", "Was gehört hinein")):
            sheet.write_string(row, col, head, self.formats.header)
        entries = [(f.sheet, f.label, f.hint) for f in input_fields()]
        entries += [(staff_sheet(), c.label, c.hint) for c in staff_columns()]
        for offset, (sheet_name, label, hint) in enumerate(entries, start=1):
            sheet.write_string(row + offset, 0, sheet_name, self.formats.plain)
            sheet.write_string(row + offset, 1, label, self.formats.plain)
            sheet.write_string(row + offset, 2, hint, self.formats.plain)
        sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})

    def write_binding_sheet(self) -> None:
        sheet = self.sheets[SHEET_BINDING]
        municipality = self.binding.municipality
        values = {
            "template": TEMPLATE_ID,
            "schema_version": SCHEMA_VERSION,
            "ags": municipality.ags if municipality else "",
            "rules": self.binding.rules.id,
            "district": self.binding.district.key,
        }
        sheet.set_column(0, 1, 28)
        sheet.write_string(0, 0, "Pakt-Bindung – bitte nicht ändern", self.formats.bold)
        for row, item in enumerate(BINDING_FIELDS, start=1):
            sheet.write_string(row, 0, item.label)
            sheet.write_string(row, 1, values[item.key], self.formats.cell(Kind.TEXT, editable=False))
            self.book.define_name(item.name, f"={SHEET_BINDING}!$B${row + 1}")
        sheet.protect("")
        sheet.hide()

    def close(self) -> None:
        self.sheets[sheets_in_order()[1]].activate()
        self.book.close()


def build_workbook_bytes(
    binding: Binding,
    values: Mapping[tuple[str, ...], Any] | None = None,
    managers: Sequence[Mapping[str, Any]] = (),
    *,
    carried_over: bool = False,
) -> bytes:
    """The workbook as bytes; `values` (raw, by field path) and `managers` override the blanks.

    `carried_over`: they were taken over from the last round (see `carried_over_values`), so the form asks the
    clerk to check them.
    """
    buffer = io.BytesIO()
    writer = _TemplateWriter(buffer, binding, carried_over=carried_over)
    merged = {**_prefilled_values(binding), **(values or {})}
    for sheet_name in sheets_in_order()[1:]:
        if sheet_name == staff_sheet():
            writer.write_staff_sheet(managers)
        else:
            writer.write_input_sheet(sheet_name, merged)
    writer.write_help_sheet()
    writer.write_binding_sheet()
    writer.close()
    return normalise_zip(buffer.getvalue())


def normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed member timestamps, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_workbook(
    path: Path,
    binding: Binding,
    values: Mapping[tuple[str, ...], Any] | None = None,
    managers: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write one submission workbook to `path` (blank, or with raw values filled in)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook_bytes(binding, values, managers))
    return path


def write_templates(
    registry: Registry,
    out_dir: Path,
    may_replace: Callable[[Path], bool] | None = None,
    *,
    previous: Mapping[str, Submission] | None = None,
    with_stichtag: bool = False,
) -> list[Path]:
    """One pre-filled workbook per municipality of the registry, plus the blank template.

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
    blank = Binding.for_registry(registry, None)
    contents = [(out_dir / workbook_filename(None, stichtag), build_workbook_bytes(blank))]
    for municipality in registry.municipalities:
        binding = Binding.for_registry(registry, municipality)
        last = (previous or {}).get(municipality.ags)
        values, managers = carried_over_values(last) if last is not None else ({}, [])
        data = build_workbook_bytes(binding, values, managers, carried_over=last is not None)
        contents.append((out_dir / workbook_filename(municipality, stichtag), data))
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
