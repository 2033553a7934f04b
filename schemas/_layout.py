"""Which named range holds which field: the template layout derived from the models.

Walking the Submission model gives the ordered list of inputs, each with its
defined name (`pakt_` + the field path), sheet, German label and hint. Cell
positions are not decided here but by the template generator, which is the
only place that knows them; everything else reads by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ._fields import FieldSpec, field_spec
from ._submission import SCHEMA_VERSION, IntegrationManager, Submission

TEMPLATE_ID = "pakt-meldung"
"""Marker in every Pakt workbook; a workbook without it is another template."""

NAME_PREFIX = "pakt_"
SHEET_HELP = "Hinweise"
SHEET_BINDING = "_Pakt"
STAFF_TABLE = "pakt_managers"
STAFF_RANGE = "pakt_staff"
"""A named range over the staff table (header and rows), for spreadsheets without tables (Google Sheets).

Excel keeps it in step with the table when a clerk inserts rows inside it.
"""


@dataclass(frozen=True)
class InputField:
    """One input cell of the submission workbook."""

    path: tuple[str, ...]
    name: str
    label: str
    hint: str
    spec: FieldSpec
    sheet: str
    sections: tuple[str, ...]
    prefilled: bool

    @property
    def optional(self) -> bool:
        return self.spec.optional


@dataclass(frozen=True)
class TableColumn:
    """One column of the staff table; its header is the German label."""

    field: str
    label: str
    hint: str
    spec: FieldSpec


@dataclass(frozen=True)
class BindingField:
    """One entry of the hidden sheet that binds a workbook to its municipality and schema."""

    key: str
    name: str
    label: str


BINDING_FIELDS = (
    BindingField("template", "pakt_bind_template", "Vorlage"),
    BindingField("schema_version", "pakt_bind_schema", "Schema-Version"),
    BindingField("ags", "pakt_bind_ags", "Gemeindeschlüssel"),
    BindingField("rules", "pakt_bind_rules", "Förderzeitraum (Regeln)"),
    BindingField("district", "pakt_bind_district", "Kreisschlüssel"),
)


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(model: type[BaseModel], path: tuple[str, ...], sheet: str, sections: tuple[str, ...]) -> list[InputField]:
    fields: list[InputField] = []
    for name, info in model.model_fields.items():
        if _is_model(info.annotation):
            fields += _walk(info.annotation, (*path, name), sheet, (*sections, info.title or name))
            continue
        fields.append(
            InputField(
                path=(*path, name),
                name=NAME_PREFIX + "_".join((*path, name)),
                label=info.title or name,
                hint=info.description or "",
                spec=field_spec(info),
                sheet=sheet,
                sections=sections,
                prefilled=bool(_extra(info).get("prefilled")),
            )
        )
    return fields


@cache
def input_fields() -> tuple[InputField, ...]:
    """All single-cell inputs of a submission, in the order the template shows them."""
    fields: list[InputField] = []
    for name, info in Submission.model_fields.items():
        if _is_model(info.annotation):
            fields += _walk(info.annotation, (name,), _extra(info)["sheet"], (info.title or name,))
    return tuple(fields)


@cache
def staff_columns() -> tuple[TableColumn, ...]:
    """The columns of the staff table, from the IntegrationManager model."""
    return tuple(
        TableColumn(field=name, label=info.title or name, hint=info.description or "", spec=field_spec(info))
        for name, info in IntegrationManager.model_fields.items()
    )


def staff_sheet() -> str:
    """The sheet that holds the staff table."""
    return _extra(Submission.model_fields["managers"])["sheet"]


def field_by_path(path: tuple[str, ...]) -> InputField:
    return next(f for f in input_fields() if f.path == path)


def sheets_in_order() -> tuple[str, ...]:
    """Visible sheets of the template, in order: instructions first, then the inputs."""
    seen: list[str] = []
    for info in Submission.model_fields.values():
        sheet = _extra(info).get("sheet")
        if sheet and sheet not in seen:
            seen.append(sheet)
    return (SHEET_HELP, *seen)


def expected_schema_major() -> str:
    return SCHEMA_VERSION.split(".")[0]
