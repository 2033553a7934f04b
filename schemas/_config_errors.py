"""Configuration errors in German: pydantic's English messages translated by error type, with the key.

District IT reads these when pakt.toml or a rules file cannot be used; each
names the key as it is written in the file ("municipalities[3].im_mode"), so
the line is found without knowing Python.
"""

from __future__ import annotations

from typing import Any

_GERMAN: dict[str, str] = {
    "missing": "fehlt",
    "extra_forbidden": "ist hier nicht vorgesehen (Tippfehler im Schlüssel?)",
    "string_type": "muss ein Text in Anführungszeichen sein",
    "string_too_short": "darf nicht leer sein",
    "string_pattern_mismatch": "hat nicht die erwartete Form",
    "int_parsing": "muss eine ganze Zahl sein",
    "int_type": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "decimal_parsing": "muss eine Zahl sein",
    "decimal_type": 'muss eine Zahl sein (am besten in Anführungszeichen, z. B. "1225.00")',
    "decimal_max_places": "hat zu viele Nachkommastellen",
    "bool_parsing": "muss true oder false sein",
    "bool_type": "muss true oder false sein",
    "date_parsing": "ist kein Datum (JJJJ-MM-TT, ohne Anführungszeichen)",
    "date_from_datetime_parsing": "ist kein Datum (JJJJ-MM-TT, ohne Anführungszeichen)",
    "date_type": "ist kein Datum (JJJJ-MM-TT, ohne Anführungszeichen)",
    "enum": "ist keiner der erlaubten Werte",
    "literal_error": "ist keiner der erlaubten Werte",
    "greater_than": "ist zu klein",
    "greater_than_equal": "ist zu klein",
    "less_than": "ist zu groß",
    "less_than_equal": "ist zu groß",
    "too_short": "braucht mindestens einen Eintrag",
    "tuple_type": "muss eine Liste sein",
    "list_type": "muss eine Liste sein",
    "model_type": "muss ein Abschnitt sein (z. B. [district])",
    "model_attributes_type": "muss ein Abschnitt sein (z. B. [district])",
}


def _key(location: tuple[Any, ...]) -> str:
    """('municipalities', 3, 'im_mode') -> 'municipalities[3].im_mode' (as it reads in the file)."""
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _allowed(error: dict) -> str:
    expected = (error.get("ctx") or {}).get("expected")
    return f" (erlaubt: {expected.replace(' or ', ' oder ')})" if expected else ""


def describe_config_error(error: dict) -> str:
    """One pydantic error in German: 'municipalities[0].im_mode: ist keiner der erlaubten Werte (…)'."""
    kind = error.get("type", "")
    if kind == "value_error":  # our own validators speak German already
        message = str(error["msg"]).removeprefix("Value error, ")
    else:
        message = _GERMAN.get(kind, "ist ungültig") + (_allowed(error) if kind in ("enum", "literal_error") else "")
    where = _key(tuple(error.get("loc", ())))
    return f"{where}: {message}" if where else message
