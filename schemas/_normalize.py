"""Turn values as spreadsheets store them into Python values.

Spreadsheets hand us floats for whole numbers, serial numbers or datetimes
for dates, numbers typed as text with a German decimal comma, stray spaces
and non-breaking spaces. Each function here accepts all of that for one kind
of field and raises `Unreadable` with a German explanation otherwise.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ._fields import FieldSpec, Kind

EXCEL_EPOCH = date(1899, 12, 30)
_FLOAT_PLACES = 9
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_EXCEL_ERRORS = {
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#NV",
    "#WERT!",
    "#BEZUG!",
    "#ZAHL!",
}
_GERMAN_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$")
_ENGLISH_THOUSANDS = re.compile(r"^-?[1-9]\d{0,2}(,\d{3})+\.\d+$")
_DATE_PATTERNS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_TRUE = {"ja", "j", "x", "yes", "true", "wahr", "1"}
_FALSE = {"nein", "n", "no", "false", "falsch", "0"}


class Unreadable(ValueError):
    """A cell value that cannot be read as the field's kind; `message` is German."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(value: Any) -> bool:
    """Empty cell, empty string or only spaces."""
    return value is None or (isinstance(value, str) and not _SPACES.sub("", value))


_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Characters nobody sees: zero-width spaces and joiners, direction marks, soft hyphens, control characters."""
MAX_NUMBER = Decimal(10) ** 15
"""Larger than any count or amount of a submission: above it a number is a typo, or an attack on the arithmetic."""


def _clean_text(value: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", value)).strip()


def _reject_error_value(value: Any) -> None:
    if isinstance(value, str) and _clean_text(value).upper() in _EXCEL_ERRORS:
        raise Unreadable(f"Die Zelle enthält den Fehlerwert {_clean_text(value)}")


def to_text(value: Any) -> str:
    """Any cell as text; whole-number floats lose their '.0'."""
    _reject_error_value(value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return _clean_text(str(value))


def _decimal_from_text(text: str) -> Decimal:
    compact = _SPACES.sub("", text).removesuffix("€").removesuffix("EUR").removesuffix("Euro")
    if _GERMAN_THOUSANDS.match(compact):
        compact = compact.replace(".", "")
    elif _ENGLISH_THOUSANDS.match(compact):
        compact = compact.replace(",", "")
    if compact.count(",") == 1 and "." not in compact:
        compact = compact.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?|-?\.\d+", compact):
        raise Unreadable(f"„{_clean_text(text)}“ ist keine Zahl")
    try:
        return Decimal(compact)
    except InvalidOperation as exc:
        raise Unreadable(f"„{_clean_text(text)}“ ist keine Zahl") from exc


def to_decimal(value: Any) -> Decimal:
    """A number as Decimal; floats go through their shortest repr, never binary noise.

    Formula results carry float noise (0.1 + 0.2 is stored as 0.30000000000000004);
    rounding to nine places first removes it without touching any typed value. A number
    of MAX_NUMBER or more is refused before any arithmetic sees it.
    """
    number = _decimal(value)
    if not number.is_finite():
        raise Unreadable("Die Zelle enthält keine gültige Zahl")
    if abs(number) >= MAX_NUMBER:
        shown = f"{value:G}" if isinstance(value, float) else f"{number:.3E}" if len(str(number)) > 20 else str(number)
        raise Unreadable(f"{shown} ist viel zu groß")
    return number


def _decimal(value: Any) -> Decimal:
    _reject_error_value(value)
    if isinstance(value, bool):
        raise Unreadable(f"„{to_text(value)}“ ist keine Zahl")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Unreadable("Die Zelle enthält keine gültige Zahl")
        return Decimal(repr(value)) if abs(value) >= 1e15 else Decimal(repr(round(value, _FLOAT_PLACES)))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        return _decimal_from_text(value)
    raise Unreadable(f"„{to_text(value)}“ ist keine Zahl")


def to_int(value: Any) -> int:
    """A whole number; 12.0 and '12' are fine, 12.5 and 'zwölf' are not."""
    try:
        number = to_decimal(value)
    except Unreadable as exc:
        raise Unreadable(exc.message.replace("keine Zahl", "keine ganze Zahl")) from exc
    if number != number.to_integral_value():
        raise Unreadable(f"„{to_text(value)}“ ist keine ganze Zahl")
    return int(number)


def to_date(value: Any) -> date:
    """A date from a date, a datetime, an Excel serial number or German/ISO text."""
    _reject_error_value(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise Unreadable(f"{to_text(value)} ist kein gültiges Datum")
    if isinstance(value, str):
        text = _clean_text(value)
        for pattern in _DATE_PATTERNS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise Unreadable(f"„{text}“ ist kein gültiges Datum")
    raise Unreadable(f"„{to_text(value)}“ ist kein Datum")


def to_bool(value: Any) -> bool:
    """ja/nein (and the usual spellings of yes and no)."""
    _reject_error_value(value)
    if isinstance(value, bool):
        return value
    text = to_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Unreadable(f"„{to_text(value)}“ ist weder ja noch nein")


def to_choice(value: Any, choices: tuple[str, ...]) -> str:
    """One of `choices`, ignoring case and stray spaces."""
    text = to_text(value)
    for choice in choices:
        if choice.casefold() == text.casefold():
            return choice
    raise Unreadable(f"„{text}“ steht nicht in der Auswahlliste")


def to_ags(value: Any) -> str:
    """An AGS as an 8-digit string; a number that lost its leading zero gets it back."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 < value < 10**8:
            return f"{int(value):08d}"
        raise Unreadable(f"{to_text(value)} ist kein achtstelliger Gemeindeschlüssel")
    text = re.sub(r"[\s\u00a0\u202f]", "", to_text(value))
    if text.isdigit() and len(text) == 7:
        return "0" + text
    return text


_BY_KIND: dict[Kind, Callable[[Any], Any]] = {
    Kind.AGS: to_ags,
    Kind.TEXT: to_text,
    Kind.EMAIL: to_text,
    Kind.PHONE: to_text,
    Kind.DATE: to_date,
    Kind.COUNT: to_int,
    Kind.MONEY: to_decimal,
    Kind.FTE: to_decimal,
    Kind.FLAG: to_bool,
}


def normalize(value: Any, spec: FieldSpec) -> Any:
    """The Python value of a non-blank cell for the field described by `spec`."""
    if spec.kind is Kind.CHOICE:
        return spec.base_type(to_choice(value, spec.choices))
    return _BY_KIND[spec.kind](value)


def as_enum_value(value: Any) -> Any:
    """Enum members as their plain value, for messages."""
    return value.value if isinstance(value, enum.Enum) else value
