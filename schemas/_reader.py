"""Read a submission out of any workbook by name: the one reader of every runtime.

The reader never knows cell positions. It asks a `WorkbookView` (an xlsx file,
an xlwings Book, a Google spreadsheet) for the cell behind each defined name
and for the staff table, normalises what it finds and records, for every
value, the sheet and cell it came from. What cannot be read becomes a finding;
only a workbook that is not a Pakt submission at all raises `SchemaMismatch`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._errors import SchemaMismatch
from ._fields import FieldSpec, Kind
from ._findings import Code, Finding, error
from ._layout import (
    BINDING_FIELDS,
    SHEET_BINDING,
    STAFF_TABLE,
    TEMPLATE_ID,
    InputField,
    TableColumn,
    expected_schema_major,
    input_fields,
    staff_columns,
    staff_sheet,
)
from ._normalize import Unreadable, is_blank, normalize, to_text


@dataclass(frozen=True)
class RawCell:
    """A value as the workbook stores it, and where."""

    value: Any
    sheet: str
    cell: str


@dataclass(frozen=True)
class RawTable:
    """A table as stored: its header cells and its data rows (header excluded)."""

    header: tuple[RawCell, ...]
    rows: tuple[tuple[RawCell, ...], ...]


class WorkbookView(Protocol):
    """What the reader needs from a workbook, whatever runtime holds it."""

    label: str

    def named_cell(self, name: str) -> RawCell | None:
        """The top-left cell a defined name refers to; None if undefined or broken (#REF!)."""

    def table(self, name: str) -> RawTable | None:
        """The table (or named range standing in for one) called `name`; None if missing.

        Entirely empty data rows may be left out; the reader skips them anyway.
        """


@dataclass(frozen=True)
class Entry:
    """One input after reading: its normalised value (None when blank or unreadable) and origin."""

    value: Any
    raw: Any
    sheet: str
    cell: str | None
    readable: bool = True

    @property
    def present(self) -> bool:
        return self.readable and self.value is not None


@dataclass
class Draft:
    """A submission as read, before validation: values, origins and reading findings."""

    label: str
    binding: dict[str, str]
    binding_cells: dict[str, RawCell]
    fields: dict[tuple[str, ...], Entry]
    managers: list[dict[str, Entry]]
    findings: list[Finding] = field(default_factory=list)

    def value(self, *path: str) -> Any:
        entry = self.fields.get(path)
        return entry.value if entry and entry.readable else None

    def entry(self, *path: str) -> Entry:
        return self.fields[path]

    @property
    def ags(self) -> str | None:
        """The AGS the workbook speaks for: its binding, else its header."""
        return self.binding.get("ags") or self.value("header", "ags")


def _problem(code: Code, label: str, spec: FieldSpec, text: str | None, sheet: str, cell: str | None) -> Finding:
    if text is None:
        return error(code, f"{label} fehlt. Bitte {spec.expectation()} eintragen.", sheet, cell)
    return error(code, f"{label}: {text}. Bitte {spec.expectation()} eintragen.", sheet, cell)


def _read_value(raw: RawCell, label: str, spec: FieldSpec, findings: list[Finding]) -> Entry:
    if is_blank(raw.value):
        if not spec.optional:
            findings.append(_problem(Code.PFLICHTFELD, label, spec, None, raw.sheet, raw.cell))
        return Entry(None, raw.value, raw.sheet, raw.cell)
    try:
        return Entry(normalize(raw.value, spec), raw.value, raw.sheet, raw.cell)
    except Unreadable as exc:
        code = Code.AUSWAHL if spec.kind is Kind.CHOICE else Code.TYP
        findings.append(_problem(code, label, spec, exc.message, raw.sheet, raw.cell))
        return Entry(None, raw.value, raw.sheet, raw.cell, readable=False)


def _read_binding(view: WorkbookView) -> tuple[dict[str, str], dict[str, RawCell]]:
    values: dict[str, str] = {}
    cells: dict[str, RawCell] = {}
    for item in BINDING_FIELDS:
        raw = view.named_cell(item.name)
        if raw is not None:
            cells[item.key] = raw
            values[item.key] = "" if is_blank(raw.value) else to_text(raw.value)
    if values.get("template") != TEMPLATE_ID:
        raise SchemaMismatch(
            "Diese Arbeitsmappe ist keine Pakt-Meldung (die Vorlage wurde nicht erkannt). "
            "Bitte die Meldevorlage des Landkreises verwenden.",
            file=view.label,
        )
    version = values.get("schema_version", "")
    if version.split(".")[0] != expected_schema_major():
        raise SchemaMismatch(
            f"Diese Meldung wurde mit der Vorlagen-Version {version or 'unbekannt'} erstellt; "
            f"gelesen wird Version {expected_schema_major()}.x. Bitte die aktuelle Vorlage beim Landkreis anfordern.",
            file=view.label,
            sheet=SHEET_BINDING,
        )
    if values.get("ags"):
        values["ags"] = values["ags"].zfill(8) if values["ags"].isdigit() else values["ags"]
    return values, cells


def _read_field(view: WorkbookView, spec_field: InputField, findings: list[Finding]) -> Entry:
    raw = view.named_cell(spec_field.name)
    if raw is None:
        findings.append(
            error(
                Code.VORLAGE_BESCHAEDIGT,
                f"Das Feld „{spec_field.label}“ (Name {spec_field.name}) fehlt in der Mappe; "
                "vermutlich wurde die Zelle gelöscht. Bitte die Vorlage neu anfordern.",
                spec_field.sheet,
                None,
            )
        )
        return Entry(None, None, spec_field.sheet, None, readable=False)
    return _read_value(raw, spec_field.label, spec_field.spec, findings)


def _header_key(text: Any) -> str:
    return re.sub(r"\s+", " ", to_text(text)).strip().casefold() if not is_blank(text) else ""


def _column_positions(table: RawTable, findings: list[Finding]) -> dict[str, int]:
    by_header = {_header_key(cell.value): index for index, cell in enumerate(table.header)}
    positions: dict[str, int] = {}
    for column in staff_columns():
        index = by_header.get(_header_key(column.label))
        if index is None:
            findings.append(
                error(
                    Code.VORLAGE_BESCHAEDIGT,
                    f"In der Tabelle der Integrationsmanager fehlt die Spalte „{column.label}“. "
                    "Bitte die Spaltenüberschriften der Vorlage nicht ändern.",
                    staff_sheet(),
                    table.header[0].cell if table.header else None,
                )
            )
        else:
            positions[column.field] = index
    return positions


def _read_staff_row(
    row: tuple[RawCell, ...], positions: dict[str, int], columns: tuple[TableColumn, ...], findings: list[Finding]
) -> dict[str, Entry] | None:
    cells = {
        c.field: row[positions[c.field]] for c in columns if c.field in positions and positions[c.field] < len(row)
    }
    if all(is_blank(cell.value) for cell in cells.values()):
        return None
    return {c.field: _read_value(cells[c.field], c.label, c.spec, findings) for c in columns if c.field in cells}


def _read_staff(view: WorkbookView, findings: list[Finding]) -> list[dict[str, Entry]]:
    table = view.table(STAFF_TABLE)
    if table is None:
        findings.append(
            error(
                Code.VORLAGE_BESCHAEDIGT,
                f"Die Tabelle der Integrationsmanager ({STAFF_TABLE}) fehlt. Bitte die Vorlage neu anfordern.",
                staff_sheet(),
                None,
            )
        )
        return []
    positions = _column_positions(table, findings)
    columns = staff_columns()
    rows = (_read_staff_row(row, positions, columns, findings) for row in table.rows)
    return [row for row in rows if row is not None]


def _binding_findings(cells: dict[str, RawCell]) -> list[Finding]:
    """A binding name that is gone, broken (#REF!) or moved off the hidden sheet: the workbook is not the
    template as issued, and nothing it says about whose it is can be trusted."""
    return [
        error(
            Code.VORLAGE_BESCHAEDIGT,
            f"Die Bindung der Mappe an ihre Gemeinde ist beschädigt ({item.label}, Name {item.name}). "
            "Bitte die Meldevorlage beim Landkreis neu anfordern.",
            SHEET_BINDING,
            None,
        )
        for item in BINDING_FIELDS
        if item.key in ("ags", "district", "rules")
        and (item.key not in cells or cells[item.key].sheet != SHEET_BINDING)
    ]


def read_draft(view: WorkbookView) -> Draft:
    """Read every input of a Pakt workbook; SchemaMismatch if it is not one."""
    binding, binding_cells = _read_binding(view)
    findings: list[Finding] = _binding_findings(binding_cells)
    fields = {f.path: _read_field(view, f, findings) for f in input_fields()}
    managers = _read_staff(view, findings)
    return Draft(view.label, binding, binding_cells, fields, managers, findings)
