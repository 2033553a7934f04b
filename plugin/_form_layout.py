"""The submission form, laid out from the schema: every cell, look, name, drop-down and protection, once.

This module is the only place that decides cell positions. Everything the
clerk sees is derived from `schemas`: a sheet per section group, a defined
name for every input, data validation with German hints, German formats,
protection that leaves only the input cells open, and a hidden sheet that
binds the workbook to its municipality, schema version and rules period.
The top of the Meldung sheet says what matters: the deadline, the rate in
force on the Stichtag and the allowance the entered persons lead to (see
`_key_figures`); these are shown, never read back (they have no defined name).

`build_form` gives a `Form`, which says what to write but not how: the xlsx
writer (`_template`) and the ODS writer (`_ods_template`) each render the
same form, so an Excel and a LibreOffice clerk get the same cells, names
and checks. Every formula's cached value is computed here, from the form's
own cells (`Form.cached`, see `_form_formulas`).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pakt.schemas import (
    BINDING_FIELDS,
    HEADER_FILL,
    INPUT_FILL,
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
    Registry,
    RuleSet,
    field_by_path,
    format_date,
    input_fields,
    load_rules,
    sheets_in_order,
    staff_columns,
    staff_sheet,
)

from ._form_formulas import Area, Binary, Cached, Formula, Name, Ref, Sheets, Text, Value, call, cell_value, evaluate
from ._key_figures import allowance_formula, rate_in_force, rate_paragraphs, rate_validity
from ._validation_rules import ValidationRule, data_validation

STAFF_ROWS = 30
"""Blank rows of the staff table; clerks can insert more."""

FIXED_TIMESTAMP = datetime(2017, 1, 1)
"""Creation time written into every generated file, so generation is byte-for-byte repeatable."""

PREFILLED_FILL = "#EDEDED"

_LABEL_COL, _INPUT_COL, _HINT_COL = 0, 1, 2
_FIRST_SECTION_ROW = 4
_STAFF_HEADER_ROW = 4
_DEADLINE_ROW, _RATE_ROW, _ALLOWANCE_ROW = 1, 2, 3
"""The key figures at the top of the sheet that holds the persons, above the first section: the rows
below keep their places, so every cell a clerk, a test or a stored finding names stays where it was."""

_PERSONS = ("persons", "total")
_FILL_NOTE = "Bitte nur die gelben Felder ausfüllen"
_CLICK_NOTE = "Ein Klick in ein Feld zeigt, was hinein gehört."
CARRIED_NOTE = (
    "Ansprechperson und Integrationsmanager sind aus der letzten Meldung übernommen: bitte prüfen und "
    "ändern, was nicht mehr stimmt."
)
FORMATS_NOTE = (
    "Die Mappe bitte im Format speichern, in dem sie kam: Pakt liest .xlsx oder .ods; .xls, .csv, PDF und "
    "Numbers-Dateien kann Pakt nicht lesen."
)
"""What the Hinweise sheet says of file formats (issue 25): a form saved otherwise is refused, with advice."""

PREFILLED_FIELDS = frozenset({("header", "ags"), ("header", "name"), ("management", "mode"), ("header", "stichtag")})
"""The inputs a template comes with: a workbook with nothing else filled in is a blank form."""


# -- what a form is made of ------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """How a cell looks and whether it is locked: what both writers turn into their own cell style.

    `border`: the colour of a thin line around the cell ("auto": the program's default); `bottom`: a thin
    line below; `kind`: the German number format of that kind of value (schemas.NUMBER_FORMATS).
    """

    bold: bool = False
    italic: bool = False
    size: int | None = None
    colour: str | None = None
    fill: str | None = None
    wrap: bool = False
    valign: str | None = None
    align: str | None = None
    indent: int = 0
    border: str | None = None
    bottom: bool = False
    kind: Kind | None = None
    locked: bool = True


DEFAULT = Look()
TITLE = Look(bold=True, size=14)
SUBTITLE = Look(italic=True, colour="#444444")
SECTION = Look(bold=True, fill=HEADER_FILL, bottom=True)
SUBSECTION = Look(italic=True, indent=1)
LABEL = Look(wrap=True, valign="top")
LABEL_INDENTED = Look(wrap=True, valign="top", align="left", indent=2)
HINT = Look(italic=True, colour="#595959", wrap=True, valign="top")
NOTE = Look(italic=True, colour="#595959")
PLAIN = Look(valign="top")
BOLD = Look(bold=True)
HEADER = Look(bold=True, wrap=True, fill=HEADER_FILL, border="auto")
_LEFT_ALIGNED = (Kind.TEXT, Kind.EMAIL, Kind.PHONE, Kind.AGS, Kind.CHOICE, Kind.FLAG)


def input_look(kind: Kind, *, editable: bool) -> Look:
    """An input cell: yellow and unlocked when clerks type into it, grey when prefilled."""
    return Look(
        kind=kind,
        locked=not editable,
        fill=INPUT_FILL if editable else PREFILLED_FILL,
        border="#BFBFBF",
        align="left" if kind in _LEFT_ALIGNED else "right",
    )


def computed_look(kind: Kind) -> Look:
    """A cell the workbook computes itself (locked, bold)."""
    return Look(kind=kind, bold=True)


Content = str | float | date | datetime | None
"""What a cell holds as written: text, a number, a date, or nothing (a styled blank)."""


@dataclass(frozen=True)
class FormCell:
    row: int
    col: int
    value: Content
    look: Look
    formula: Formula | None = None


@dataclass(frozen=True)
class Merge:
    """Cells of one row joined, showing `text`."""

    row: int
    first_col: int
    last_col: int
    text: str
    look: Look


@dataclass(frozen=True)
class Validation:
    """A rule for the cells of one column, rows `first_row` to `last_row`."""

    first_row: int
    col: int
    last_row: int
    rule: ValidationRule


@dataclass(frozen=True)
class StaffTable:
    """The staff list: a table (xlsx) or database range (ODS) over its header row and its blank rows.

    `header_look` is for programs without table styles (Excel's table style draws its header itself).
    """

    name: str
    top: int
    left: int
    bottom: int
    right: int
    headers: tuple[str, ...]
    column_looks: tuple[Look, ...]
    header_look: Look = HEADER
    style: str = "Table Style Light 9"


@dataclass(frozen=True)
class Protection:
    """The sheet is protected without a password; selecting cells is always allowed."""

    insert_rows: bool = False
    delete_rows: bool = False
    sort: bool = False


@dataclass(frozen=True)
class DefinedName:
    """A workbook-level name over a cell or a block of cells (absolute)."""

    name: str
    sheet: str
    first: tuple[int, int]
    last: tuple[int, int]


@dataclass
class FormSheet:
    name: str
    widths: dict[int, float] = field(default_factory=dict)
    """Column widths in characters of the default font (Excel's unit)."""
    heights: dict[int, float] = field(default_factory=dict)
    """Row heights in points."""
    cells: dict[tuple[int, int], FormCell] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    table: StaffTable | None = None
    protection: Protection = Protection()
    hidden: bool = False
    printed: bool = False
    """A4 landscape, one page wide: what district staff get when they print a submission."""

    def put(self, row: int, col: int, value: Any, look: Look = DEFAULT, formula: Formula | None = None) -> None:
        self.cells[(row, col)] = FormCell(row, col, _content(value), look, formula)

    def width(self, first: int, last: int, width: float) -> None:
        for col in range(first, last + 1):
            self.widths[col] = width


@dataclass(frozen=True)
class Properties:
    title: str
    subject: str
    company: str
    author: str
    comments: str
    created: datetime = FIXED_TIMESTAMP


@dataclass
class Form(Sheets):
    """A whole form, ready for a writer: its sheets in order, names, properties and the sheet shown first."""

    properties: Properties
    sheets: dict[str, FormSheet]
    names: list[DefinedName] = field(default_factory=list)
    active: str = ""
    _cached: dict[tuple[str, int, int], Cached] = field(default_factory=dict, repr=False)

    def value(self, sheet: str, row: int, col: int) -> Value:
        cell = self.sheets[sheet].cells.get((row, col))
        if cell is None:
            return None
        if cell.formula is not None:
            return self.cached(sheet, cell)
        return cell_value(cell.value)

    def named(self, name: str) -> tuple[str, int, int]:
        target = next(n for n in self.names if n.name == name)
        return target.sheet, *target.first

    def cached(self, sheet: str, cell: FormCell) -> Cached:
        """What a spreadsheet program shows in a formula cell before and after it recalculates."""
        key = (sheet, cell.row, cell.col)
        if key not in self._cached:
            assert cell.formula is not None
            self._cached[key] = evaluate(cell.formula, sheet, self)
        return self._cached[key]


def _content(value: Any) -> Content:
    """What a cell gets for a raw value: text always as text, so '=…' typed by a clerk never becomes a formula."""
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None or isinstance(value, (str, date)):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return str(value)


# -- what a form is for ----------------------------------------------------------------------------


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


def _prefilled_values(binding: Binding) -> dict[tuple[str, ...], Any]:
    values: dict[tuple[str, ...], Any] = {}
    if binding.municipality is not None:
        values[("header", "ags")] = binding.municipality.ags
        values[("header", "name")] = binding.municipality.name
        values[("management", "mode")] = binding.municipality.im_mode.value
    if binding.stichtag is not None:
        values[("header", "stichtag")] = binding.stichtag
    return values


# -- the layout --------------------------------------------------------------------------------------


class _Layout:
    """Lays out one form; a fresh instance per form."""

    def __init__(self, binding: Binding, *, carried_over: bool) -> None:
        self.binding = binding
        self.carried_over = carried_over
        district = binding.district.name
        self.form = Form(
            Properties(
                title="Meldung Pakt für Integration",
                subject=binding.rules.name,
                company=district,
                author=district,
                comments="Erzeugt von Pakt aus dem Meldeschema " + SCHEMA_VERSION,
            ),
            {name: FormSheet(name) for name in (*sheets_in_order(), SHEET_BINDING)},
            active=sheets_in_order()[1],
        )

    def _name(self, name: str, sheet: str, first: tuple[int, int], last: tuple[int, int] | None = None) -> None:
        self.form.names.append(DefinedName(name, sheet, first, last or first))

    # -- the input sheets ------------------------------------------------------------------

    def _heading(self, sheet: FormSheet, title: str, subtitle: str) -> None:
        self._title(sheet, title)
        sheet.put(1, 0, subtitle, SUBTITLE)
        sheet.put(2, 0, _FILL_NOTE + ". " + _CLICK_NOTE, NOTE)

    @staticmethod
    def _title(sheet: FormSheet, title: str) -> None:
        sheet.printed = True
        sheet.width(_LABEL_COL, _LABEL_COL, 42)
        sheet.width(_INPUT_COL, _INPUT_COL, 24)
        sheet.width(_HINT_COL, _HINT_COL, 70)
        sheet.put(0, 0, title, TITLE)

    def _heading_with_key_figures(self, sheet: FormSheet, title: str, subtitle: str) -> None:
        """The heading of the sheet with the persons: deadline, rate and allowance in the rows that hold the
        subtitle and the note elsewhere (the subtitle moves beside the title, the note beside the deadline).

        Locked like every cell the district fills in (grey) or the workbook computes (bold); no defined name,
        so no reader ever takes them for an input. Each hint fits one line: these rows do not grow.
        """
        binding, persons_field = self.binding, field_by_path(_PERSONS)
        fixed = input_look(Kind.TEXT, editable=False)
        self._title(sheet, title)
        sheet.put(0, _HINT_COL, subtitle, SUBTITLE)
        sheet.put(_DEADLINE_ROW, _LABEL_COL, "Abgabefrist", BOLD)
        if binding.deadline is not None:
            sheet.put(_DEADLINE_ROW, _INPUT_COL, binding.deadline, input_look(Kind.DATE, editable=False))
            note = f"{_FILL_NOTE} und die Mappe bis zu diesem Tag abgeben."
        else:
            sheet.put(_DEADLINE_ROW, _INPUT_COL, "nicht festgelegt", fixed)
            note = f"{_FILL_NOTE}. {_CLICK_NOTE}"
        sheet.put(_DEADLINE_ROW, _HINT_COL, note, HINT)
        sheet.put(_RATE_ROW, _LABEL_COL, "Pro-Kopf-Pauschale je Person", BOLD)
        sheet.put(_ALLOWANCE_ROW, _LABEL_COL, "Pro-Kopf-Pauschale der Gemeinde", BOLD)
        rate = rate_in_force(binding.rules, binding.stichtag)
        if rate is None:
            for row in (_RATE_ROW, _ALLOWANCE_ROW):
                sheet.put(row, _INPUT_COL, "siehe Hinweise", fixed)
            return
        sheet.put(_RATE_ROW, _INPUT_COL, rate, input_look(Kind.MONEY, editable=False))
        when = f"Satz am Stichtag {format_date(binding.stichtag)}, " if binding.stichtag else ""
        sheet.put(_RATE_ROW, _HINT_COL, when + rate_validity(binding.rules, binding.stichtag), HINT)
        formula = allowance_formula(Name(persons_field.name), Ref(_RATE_ROW, _INPUT_COL, absolute=True))
        sheet.put(_ALLOWANCE_ROW, _INPUT_COL, None, computed_look(Kind.MONEY), formula)
        sheet.put(_ALLOWANCE_ROW, _HINT_COL, f"{persons_field.label} mal Satz, auf den Cent gerundet.", HINT)

    def _input(self, sheet: FormSheet, row: int, spec_field: InputField, value: Any) -> None:
        editable = not (spec_field.prefilled and self.binding.municipality is not None)
        sheet.put(row, _LABEL_COL, spec_field.label, LABEL_INDENTED if len(spec_field.sections) > 1 else LABEL)
        sheet.put(row, _INPUT_COL, value, input_look(spec_field.spec.kind, editable=editable))
        sheet.put(row, _HINT_COL, spec_field.hint, HINT)
        if editable:
            rule = data_validation(
                spec_field.label, spec_field.hint, spec_field.spec, Ref(row, _INPUT_COL), self.binding.rules
            )
            sheet.validations.append(Validation(row, _INPUT_COL, row, rule))
        self._name(spec_field.name, spec_field.sheet, (row, _INPUT_COL))

    @staticmethod
    def _check_row(sheet: FormSheet, row: int, group: Sequence[InputField]) -> int:
        """Plain-spreadsheet helper rows that work without the add-in: sums, and the age breakdown check."""
        total = call("SUM", *(Name(f.name) for f in group))
        kind = group[0].spec.kind
        if kind is Kind.COUNT and len(group[0].sections) > 1:
            sheet.put(row, _LABEL_COL, "Summe der Altersgruppen", LABEL_INDENTED)
            sheet.put(row, _INPUT_COL, None, computed_look(kind), total)
            same = Binary("=", Ref(row, _INPUT_COL), Name(field_by_path(_PERSONS).name))
            check = call("IF", same, Text("stimmt"), Text("stimmt nicht – bitte prüfen"))
            sheet.put(row, _HINT_COL, None, HINT, check)
            return row + 1
        if kind is Kind.MONEY:
            sheet.put(row, _LABEL_COL, f"Summe {group[0].sections[0]}", BOLD)
            sheet.put(row, _INPUT_COL, None, computed_look(kind), total)
            return row + 1
        return row

    def input_sheet(self, sheet_name: str, values: Mapping[tuple[str, ...], Any]) -> None:
        sheet = self.form.sheets[sheet_name]
        who = self.binding.municipality.name if self.binding.municipality else "(Gemeinde)"
        title, subtitle = f"{sheet_name} – {self.binding.rules.name}", f"{who}, {self.binding.district.name}"
        if sheet_name == field_by_path(_PERSONS).sheet:
            self._heading_with_key_figures(sheet, title, subtitle)
        else:
            self._heading(sheet, title, subtitle)
        row = _FIRST_SECTION_ROW
        previous_top = None
        fields = [f for f in input_fields() if f.sheet == sheet_name]
        for sections, grouped in itertools.groupby(fields, key=lambda f: f.sections):
            group = list(grouped)
            if sections[0] != previous_top:
                row += 1 if previous_top else 0
                sheet.merges.append(Merge(row, 0, _HINT_COL, sections[0], SECTION))
                row += 1
                previous_top = sections[0]
            if len(sections) > 1:
                sheet.put(row, _LABEL_COL, sections[-1], SUBSECTION)
                row += 1
            for spec_field in group:
                self._input(sheet, row, spec_field, values.get(spec_field.path))
                row += 1
            row = self._check_row(sheet, row, group)

    # -- the staff table -------------------------------------------------------------------

    def staff_sheet(self, managers: Sequence[Mapping[str, Any]]) -> None:
        sheet = self.form.sheets[staff_sheet()]
        who = self.binding.municipality.name if self.binding.municipality else "(Gemeinde)"
        self._heading(sheet, "Integrationsmanager", f"{who}, {self.binding.district.name}")
        note = "Eine Zeile je Person, nur Kürzel (keine Namen). Weitere Zeilen: Zeile in der Tabelle einfügen."
        if self.carried_over and managers:
            note += " " + CARRIED_NOTE
        sheet.put(2, 0, note, NOTE)
        columns = staff_columns()
        for col in range(len(columns)):
            sheet.width(col, col, 26 if col else 18)
        rows = max(STAFF_ROWS, len(managers))
        top, bottom = _STAFF_HEADER_ROW, _STAFF_HEADER_ROW + rows
        looks = tuple(input_look(c.spec.kind, editable=True) for c in columns)
        sheet.table = StaffTable(STAFF_TABLE, top, 0, bottom, len(columns) - 1, tuple(c.label for c in columns), looks)
        self._name(STAFF_RANGE, sheet.name, (top, 0), (bottom, len(columns) - 1))
        for offset in range(rows):
            row_values = managers[offset] if offset < len(managers) else {}
            for col, column in enumerate(columns):
                sheet.put(top + 1 + offset, col, row_values.get(column.field), looks[col])
        for col, column in enumerate(columns):
            rule = data_validation(column.label, column.hint, column.spec, Ref(top + 1, col), self.binding.rules)
            sheet.validations.append(Validation(top + 1, col, bottom, rule))
        fte_col = next(i for i, c in enumerate(columns) if c.spec.kind is Kind.FTE)
        summary_col = len(columns) + 1
        sheet.width(summary_col, summary_col, 30)
        sheet.put(top, summary_col, "Summe Stellenanteile (VZÄ)", HEADER)
        fte = Area(Ref(top + 1, fte_col), Ref(bottom, fte_col))
        sheet.put(top + 1, summary_col, None, computed_look(Kind.FTE), call("SUM", fte))
        sheet.protection = Protection(insert_rows=True, delete_rows=True, sort=True)

    # -- instructions and binding ------------------------------------------------------------

    def help_sheet(self) -> None:
        sheet = self.form.sheets[SHEET_HELP]
        rules = self.binding.rules
        sheet.printed = True
        sheet.width(0, 0, 22)
        sheet.width(1, 1, 36)
        sheet.width(2, 2, 110)
        sheet.put(0, 0, f"Hinweise zur Meldung – {rules.name}", TITLE)
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
            FORMATS_NOTE,
            "Ohne Pakt-Add-in zeigt die Mappe alle Eingaben und rechnet die Pro-Kopf-Pauschale und die Summen selbst; "
            "die Prüfung benötigt das Add-in. Der Landkreis rechnet alle Beträge nach.",
            "Gelbe Felder sind Eingabefelder; ein Klick in ein Feld zeigt, was hinein gehört. Graue Felder füllt der "
            "Landkreis vor.",
            "Die Blätter sind ohne Kennwort geschützt, damit nichts versehentlich verschoben wird.",
        ]
        if self.carried_over:
            paragraphs.append(CARRIED_NOTE)
        for row, text in enumerate(paragraphs, start=2):
            sheet.merges.append(Merge(row, 0, 2, text, PLAIN))
            sheet.heights[row] = 20
        row = len(paragraphs) + 3
        for col, head in enumerate(("Blatt", "Feld", "Was gehört hinein")):
            sheet.put(row, col, head, HEADER)
        entries = [(f.sheet, f.label, f.hint) for f in input_fields()]
        entries += [(staff_sheet(), c.label, c.hint) for c in staff_columns()]
        for offset, (sheet_name, label, hint) in enumerate(entries, start=1):
            sheet.put(row + offset, 0, sheet_name, PLAIN)
            sheet.put(row + offset, 1, label, PLAIN)
            sheet.put(row + offset, 2, hint, PLAIN)

    def binding_sheet(self) -> None:
        sheet = self.form.sheets[SHEET_BINDING]
        municipality = self.binding.municipality
        values = {
            "template": TEMPLATE_ID,
            "schema_version": SCHEMA_VERSION,
            "ags": municipality.ags if municipality else "",
            "rules": self.binding.rules.id,
            "district": self.binding.district.key,
        }
        sheet.width(0, 1, 28)
        sheet.put(0, 0, "Pakt-Bindung – bitte nicht ändern", BOLD)
        for row, item in enumerate(BINDING_FIELDS, start=1):
            sheet.put(row, 0, item.label)
            sheet.put(row, 1, values[item.key], input_look(Kind.TEXT, editable=False))
            self._name(item.name, SHEET_BINDING, (row, 1))
        sheet.hidden = True


def build_form(
    binding: Binding,
    values: Mapping[tuple[str, ...], Any] | None = None,
    managers: Sequence[Mapping[str, Any]] = (),
    *,
    carried_over: bool = False,
) -> Form:
    """The form for `binding`; `values` (raw, by field path) and `managers` override the blanks.

    `carried_over`: they were taken over from the last round, so the form asks the clerk to check them.
    """
    layout = _Layout(binding, carried_over=carried_over)
    merged = {**_prefilled_values(binding), **(values or {})}
    for sheet_name in sheets_in_order()[1:]:
        if sheet_name == staff_sheet():
            layout.staff_sheet(managers)
        else:
            layout.input_sheet(sheet_name, merged)
    layout.help_sheet()
    layout.binding_sheet()
    return layout.form
