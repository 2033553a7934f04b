"""German presentation of numbers and dates: in messages people read and as spreadsheet number formats."""

from __future__ import annotations

import errno
import re
from datetime import date
from decimal import Decimal

from ._kinds import Kind

GERMAN_LOCALE_TAG = "[$-407]"
"""Locale tag of the number formats: German separators and dates wherever the format is honoured."""

NUMBER_FORMATS: dict[Kind, str] = {
    Kind.COUNT: GERMAN_LOCALE_TAG + "#,##0",
    Kind.MONEY: GERMAN_LOCALE_TAG + '#,##0.00\\ "€"',
    Kind.FTE: GERMAN_LOCALE_TAG + "0.00",
    Kind.DATE: GERMAN_LOCALE_TAG + "DD.MM.YYYY",
    Kind.AGS: "@",
    Kind.TEXT: "@",
    Kind.EMAIL: "@",
    Kind.PHONE: "@",
    Kind.CHOICE: "@",
    Kind.FLAG: "@",
}
"""The spreadsheet number format of each kind of value: the template, the master and the add-in all use it."""


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


def counted(number: int, singular: str, plural: str) -> str:
    """A count with its noun in the right form: counted(1, "Meldung", "Meldungen") -> '1 Meldung'."""
    return f"{format_number(number)} {singular if number == 1 else plural}"


_SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def spelt_out(text: str) -> str:
    """Umlauts and ß spelt out ("Bärenthal" -> "Baerenthal"): SEPA purpose lines allow no umlauts, and
    some file shares mangle them in names."""
    return text.translate(_SPELT_OUT)


def file_name_part(name: str) -> str:
    """A name as part of a file name every share accepts: "Emmingen-Liptingen" -> "Emmingen_Liptingen",
    "Bärenthal" -> "Baerenthal"."""
    return re.sub(r"[^A-Za-z0-9]+", "_", spelt_out(name)).strip("_")


_DIN_5007_1 = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def german_sort_key(name: str) -> tuple[str, str]:
    """Sorts names as a German reader expects (DIN 5007-1, the dictionary order): Ä as A, Ö as O, Ü as U,
    ß as ss, case ignored; ties keep the spelling in a fixed order. "Bärenthal" comes before "Bubsheim",
    "Überlingen" among the U, not after Z (which a plain sort does)."""
    folded = name.casefold()
    return folded.translate(_DIN_5007_1), folded


_OS_ERRORS = {
    errno.ENOSPC: "Auf dem Datenträger ist kein Platz mehr",
    errno.EDQUOT: "Das Speicherkontingent ist erschöpft",
    errno.EACCES: "Keine Berechtigung",
    errno.EPERM: "Keine Berechtigung",
    errno.EROFS: "Der Datenträger ist schreibgeschützt",
    errno.ENOENT: "Nicht gefunden",
    errno.EISDIR: "Das ist ein Ordner, keine Datei",
    errno.ENOTDIR: "Ein Teil des Pfads ist kein Ordner",
    errno.EIO: "Ein-/Ausgabefehler des Datenträgers",
    errno.ELOOP: "Zu viele symbolische Verknüpfungen (eine Schleife)",
    errno.ENAMETOOLONG: "Der Name ist zu lang",
    errno.EBUSY: "In Benutzung",
    errno.EMFILE: "Zu viele offene Dateien",
    errno.ENFILE: "Zu viele offene Dateien",
    errno.ETIMEDOUT: "Zeitüberschreitung",
    errno.ECONNREFUSED: "Verbindung abgelehnt",
    errno.EHOSTUNREACH: "Rechner nicht erreichbar",
    errno.ENETUNREACH: "Netzwerk nicht erreichbar",
    errno.ESTALE: "Die Netzwerkfreigabe ist nicht mehr gültig",
    errno.EXDEV: "Über Laufwerksgrenzen nicht möglich",
}


def describe_os_error(error: OSError) -> str:
    """What went wrong, in German, without the operating system's English text: 'Keine Berechtigung'."""
    return _OS_ERRORS.get(error.errno, f"Betriebssystemfehler {errno.errorcode.get(error.errno, error.errno)}")
