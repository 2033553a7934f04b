"""German presentation of numbers and dates for messages people read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def format_number(value: Decimal | int | float, places: int = 0) -> str:
    """1234.5 -> '1.234,50' with `places` decimals (German separators)."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{Decimal(str(value)).quantize(quantum):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_eur(value: Decimal | int) -> str:
    """1225 -> '1.225,00 €'."""
    return f"{format_number(value, 2)} €"


def format_date(value: date) -> str:
    """date(2018, 6, 30) -> '30.06.2018'."""
    return value.strftime("%d.%m.%Y")


def format_decimal(value: Decimal) -> str:
    """A decimal with as many places as it carries, German comma: 0.75 -> '0,75'."""
    exponent = value.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return format_number(value, places)
