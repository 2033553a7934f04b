"""Data validation for an input, derived from the field's kind and constraints.

Drop-downs, whole-number and date ranges, German input hints and error texts:
the same limits `schemas` enforces, so the sheet stops a wrong entry before
Python ever sees it. A `ValidationRule` says what to check; the xlsx writer
turns it into Excel's data validation (`xlsx_options`), the ODS writer into
a content validation of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pakt.schemas import FieldSpec, Kind, RuleSet

from ._form_formulas import Formula, Ref, Text, call, excel

_TITLE_MAX = 32
_MESSAGE_MAX = 255


@dataclass(frozen=True)
class ValidationRule:
    """What one input (or a column of inputs) accepts, and what the clerk is told.

    `check`: integer, decimal, date (each `between` minimum and maximum), list (`choices`), length (`criteria`
    ==, <= or between), custom (`formula`, true for a good entry, written for the first cell of the range).
    """

    check: str
    title: str
    message: str
    error_title: str
    error_message: str
    criteria: str = ""
    minimum: int | float | date | None = None
    maximum: int | float | date | None = None
    value: int | None = None
    choices: tuple[str, ...] = ()
    formula: Formula | None = None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Decimal | None, default: float) -> float:
    return float(value) if value is not None else default


def _range_check(spec: FieldSpec, cell: Ref, rules: RuleSet) -> dict[str, Any]:
    bounds = spec.bounds
    if spec.kind is Kind.COUNT:
        return {
            "check": "integer",
            "criteria": "between",
            "minimum": int(bounds.ge or 0),
            "maximum": int(bounds.le or 10**9),
        }
    if spec.kind is Kind.MONEY:
        return {
            "check": "decimal",
            "criteria": "between",
            "minimum": _number(bounds.ge, 0),
            "maximum": _number(bounds.le, 1e12),
        }
    if spec.kind is Kind.FTE:
        step = 10 ** -(bounds.decimal_places or 2)
        lowest = float(bounds.gt) + step if bounds.gt is not None else _number(bounds.ge, 0)
        return {"check": "decimal", "criteria": "between", "minimum": lowest, "maximum": _number(bounds.le, 1)}
    if spec.kind is Kind.DATE:
        return {"check": "date", "criteria": "between", "minimum": rules.valid_from, "maximum": rules.valid_until}
    if spec.kind is Kind.CHOICE:
        return {"check": "list", "choices": tuple(spec.choices)}
    if spec.kind is Kind.FLAG:
        return {"check": "list", "choices": ("ja", "nein")}
    if spec.kind is Kind.AGS:
        return {"check": "length", "criteria": "==", "value": 8}
    if spec.kind is Kind.EMAIL:
        return {"check": "custom", "formula": call("ISNUMBER", call("FIND", Text("@"), cell))}
    if spec.kind is Kind.PHONE:
        return {"check": "length", "criteria": "between", "minimum": 5, "maximum": 30}
    return {"check": "length", "criteria": "<=", "value": bounds.max_length or 255}


def data_validation(label: str, hint: str, spec: FieldSpec, cell: Ref, rules: RuleSet) -> ValidationRule:
    """The validation of one input (or a column of inputs whose first cell is `cell`)."""
    if spec.kind is Kind.DATE:
        hint = f"{hint} Zulässig: {rules.period_text()}."
    return ValidationRule(
        **_range_check(spec, cell, rules),
        title=_clip(label, _TITLE_MAX),
        message=_clip(hint, _MESSAGE_MAX),
        error_title="Ungültige Eingabe",
        error_message=_clip(f"{label}: Bitte {spec.expectation()} eintragen.", _MESSAGE_MAX),
    )


def xlsx_options(rule: ValidationRule) -> dict[str, Any]:
    """XlsxWriter's data-validation options for `rule`."""
    options: dict[str, Any] = {"validate": rule.check}
    if rule.check == "list":
        options["source"] = list(rule.choices)
    elif rule.check == "custom":
        options["value"] = excel(rule.formula)  # type: ignore[arg-type]
    else:
        options["criteria"] = rule.criteria
        if rule.criteria == "between":
            options.update({"minimum": rule.minimum, "maximum": rule.maximum})
        else:
            options["value"] = rule.value
    options.update(
        {
            "ignore_blank": True,
            "input_title": rule.title,
            "input_message": rule.message,
            "error_title": rule.error_title,
            "error_message": rule.error_message,
            "error_type": "stop",
        }
    )
    return options
