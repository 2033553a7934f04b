"""Excel data validation for an input, derived from the field's kind and constraints.

Drop-downs, whole-number and date ranges, German input hints and error texts:
the same limits `schemas` enforces, so the sheet stops a wrong entry before
Python ever sees it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pakt.schemas import FieldSpec, Kind, RuleSet

_TITLE_MAX = 32
_MESSAGE_MAX = 255


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Decimal | None, default: float) -> float:
    return float(value) if value is not None else default


def _range_check(spec: FieldSpec, cell: str, rules: RuleSet) -> dict[str, Any]:
    bounds = spec.bounds
    if spec.kind is Kind.COUNT:
        return {
            "validate": "integer",
            "criteria": "between",
            "minimum": int(bounds.ge or 0),
            "maximum": int(bounds.le or 10**9),
        }
    if spec.kind is Kind.MONEY:
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": _number(bounds.ge, 0),
            "maximum": _number(bounds.le, 1e12),
        }
    if spec.kind is Kind.FTE:
        step = 10 ** -(bounds.decimal_places or 2)
        lowest = float(bounds.gt) + step if bounds.gt is not None else _number(bounds.ge, 0)
        return {"validate": "decimal", "criteria": "between", "minimum": lowest, "maximum": _number(bounds.le, 1)}
    if spec.kind is Kind.DATE:
        return {"validate": "date", "criteria": "between", "minimum": rules.valid_from, "maximum": rules.valid_until}
    if spec.kind is Kind.CHOICE:
        return {"validate": "list", "source": list(spec.choices)}
    if spec.kind is Kind.FLAG:
        return {"validate": "list", "source": ["ja", "nein"]}
    if spec.kind is Kind.AGS:
        return {"validate": "length", "criteria": "==", "value": 8}
    if spec.kind is Kind.EMAIL:
        return {"validate": "custom", "value": f'=ISNUMBER(FIND("@",{cell}))'}
    if spec.kind is Kind.PHONE:
        return {"validate": "length", "criteria": "between", "minimum": 5, "maximum": 30}
    return {"validate": "length", "criteria": "<=", "value": bounds.max_length or 255}


def data_validation(label: str, hint: str, spec: FieldSpec, cell: str, rules: RuleSet) -> dict[str, Any]:
    """XlsxWriter data-validation options for one input (or a column of inputs starting at `cell`)."""
    options = _range_check(spec, cell, rules)
    if spec.kind is Kind.DATE:
        hint = f"{hint} Zulässig: {rules.period_text()}."
    options.update(
        {
            "ignore_blank": True,
            "input_title": _clip(label, _TITLE_MAX),
            "input_message": _clip(hint, _MESSAGE_MAX),
            "error_title": "Ungültige Eingabe",
            "error_message": _clip(f"{label}: Bitte {spec.expectation()} eintragen.", _MESSAGE_MAX),
            "error_type": "stop",
        }
    )
    return options
