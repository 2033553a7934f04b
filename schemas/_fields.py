"""The kinds of input a submission has, as annotated types that carry their own constraints.

Every leaf field of a submission is one of these kinds. The kind tells the
reader how to normalise a spreadsheet value, the template which cell format
and drop-down or range check to use, and validation which German message fits.
Constraints (ranges, decimal places, patterns) sit on the types, so the
template's data validation and the Python validation read the same numbers.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, TypeAdapter
from pydantic.fields import FieldInfo

from ._kinds import Kind


@dataclass(frozen=True)
class KindMarker:
    """Annotated metadata naming the kind of a field."""

    kind: Kind


AGS_PATTERN = r"^\d{8}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()/\-]{4,29}$"

Ags = Annotated[str, KindMarker(Kind.AGS), StringConstraints(pattern=AGS_PATTERN)]
Text = Annotated[str, KindMarker(Kind.TEXT), StringConstraints(min_length=1, max_length=120)]
Email = Annotated[str, KindMarker(Kind.EMAIL), StringConstraints(pattern=EMAIL_PATTERN, max_length=120)]
Phone = Annotated[str, KindMarker(Kind.PHONE), StringConstraints(pattern=PHONE_PATTERN)]
Day = Annotated[date, KindMarker(Kind.DATE)]
Count = Annotated[int, KindMarker(Kind.COUNT), Field(ge=0, le=1_000_000)]
_HUNDREDTHS = Decimal("0.01")


def _to_hundredths(value: Decimal) -> Decimal:
    """Money and FTE always carry exactly two places (1110 -> 1110.00); constraints ran before."""
    return value.quantize(_HUNDREDTHS)


Money = Annotated[
    Decimal,
    KindMarker(Kind.MONEY),
    Field(ge=0, le=Decimal("99999999.99"), decimal_places=2),
    AfterValidator(_to_hundredths),
]
FteShare = Annotated[Decimal, KindMarker(Kind.FTE), Field(gt=0, le=1, decimal_places=2), AfterValidator(_to_hundredths)]
Flag = Annotated[bool, KindMarker(Kind.FLAG)]


@dataclass(frozen=True)
class Bounds:
    """Numeric and length limits read off a field's constraints (None: no limit)."""

    ge: Decimal | None = None
    gt: Decimal | None = None
    le: Decimal | None = None
    lt: Decimal | None = None
    max_length: int | None = None
    decimal_places: int | None = None

    @property
    def lower(self) -> Decimal | None:
        return self.ge if self.ge is not None else self.gt

    @property
    def upper(self) -> Decimal | None:
        return self.le if self.le is not None else self.lt


@dataclass(frozen=True)
class FieldSpec:
    """Everything a face of the schema needs to know about one leaf field."""

    kind: Kind
    base_type: Any
    optional: bool
    bounds: Bounds
    annotated: Any = None
    choices: tuple[str, ...] = ()

    @cached_property
    def validator(self) -> TypeAdapter:
        """Checks a typed value against the field's type and bounds. Built on first use and kept with the
        field: a cache keyed by the annotated type hashed that type anew for every cell of every form."""
        return TypeAdapter(self.annotated)

    def expectation(self) -> str:
        """What a clerk should type, in German: the end of 'Bitte … eintragen.'"""
        if self.kind is Kind.CHOICE:
            return f"einen Wert aus der Auswahlliste ({', '.join(self.choices)})"
        return _EXPECTATIONS[self.kind]


_EXPECTATIONS = {
    Kind.AGS: "den achtstelligen Gemeindeschlüssel, z. B. 08327002",
    Kind.TEXT: "einen Text",
    Kind.EMAIL: "eine E-Mail-Adresse wie name@gemeinde.de",
    Kind.PHONE: "eine Telefonnummer mit Vorwahl, z. B. 07461 926-0",
    Kind.DATE: "ein Datum im Format TT.MM.JJJJ",
    Kind.COUNT: "eine ganze Zahl ab 0",
    Kind.MONEY: "einen Betrag in Euro ab 0,00",
    Kind.FTE: "einen Stellenanteil über 0 bis höchstens 1, z. B. 0,5",
    Kind.FLAG: "ja oder nein",
}


def _flatten(metadata: typing.Iterable[Any]) -> Iterator[Any]:
    for item in metadata:
        if isinstance(item, FieldInfo):
            yield from _flatten(item.metadata)
            if getattr(item, "decimal_places", None) is not None:
                yield item
        else:
            yield item


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Split `Annotated[X, ...] | None` into (X, metadata, optional)."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        annotation = members[0]
    metadata: list[Any] = []
    if typing.get_origin(annotation) is Annotated:
        annotation, *metadata = typing.get_args(annotation)
    return annotation, metadata, optional


def _bounds(metadata: list[Any]) -> Bounds:
    found: dict[str, Any] = {}
    for item in metadata:
        for attr in ("ge", "gt", "le", "lt", "max_length", "decimal_places"):
            value = getattr(item, attr, None)
            if value is not None:
                found[attr] = value
    for attr in ("ge", "gt", "le", "lt"):
        if attr in found:
            found[attr] = Decimal(str(found[attr]))
    return Bounds(**found)


def field_spec(info: FieldInfo) -> FieldSpec:
    """Read kind, type, optionality and limits of a leaf field from its annotation."""
    base, inner_metadata, optional = _unwrap(info.annotation)
    metadata = list(_flatten([*info.metadata, *inner_metadata]))
    kind = next((m.kind for m in metadata if isinstance(m, KindMarker)), None)
    choices: tuple[str, ...] = ()
    if isinstance(base, type) and issubclass(base, enum.Enum):
        kind = Kind.CHOICE
        choices = tuple(str(member.value) for member in base)
    if kind is None:
        raise TypeError(f"field {info.title!r} has no Pakt kind")
    optional = optional or not info.is_required()
    return FieldSpec(
        kind=kind,
        base_type=base,
        optional=optional,
        bounds=_bounds(metadata),
        annotated=Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
        choices=choices,
    )
