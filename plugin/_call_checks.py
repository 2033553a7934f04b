"""What a formula call must be before it is computed, with the German answer when it is not.

The server checks a call here, and so does the worker process that takes a
large call's body as it came (see LARGE_CALL_BYTES in _formula_calls): the
same envelope, the same cap on cells, the same words for what is wrong.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from pakt.schemas import PaktError

from ._xlwings import XLWINGS_VERSION

MAX_CELLS_PER_CALL = 50_000
"""A district has about a thousand rows; the cap is far above any real formula."""
CALL = "Ungültiger Formelaufruf"


class CallRefused(PaktError):
    """A formula call Pakt will not compute; `status` is the HTTP status of the German answer."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[type, tuple[str, int]]:  # a worker process hands it back through a pipe
        return (type(self), (self.message, self.status))


Scalar = StrictBool | StrictInt | StrictFloat | StrictStr | None
"""What a cell may hold on the wire (dates come as serial numbers or ISO text)."""
Matrix = list[list[Scalar]]


class FunctionCall(BaseModel):
    """A formula call as Excel's Office.js client (or Pakt's Apps Script) posts it: every argument a matrix."""

    model_config = ConfigDict(extra="allow")

    client: Literal["Office.js", "Google Apps Script"]
    func_name: str
    args: list[Matrix]
    version: str = XLWINGS_VERSION
    runtime: str = "1.4"
    caller_address: str = ""
    culture_info_name: str = "de-DE"
    date_format: str = "TT.MM.JJJJ"
    session_id: str = ""


def count_cells(args: list[Any]) -> int:
    """How many cells a call's arguments hold (each argument is a matrix: rows of cells)."""
    return sum(
        len(row) if isinstance(row, list) else 1 for arg in args for row in (arg if isinstance(arg, list) else [arg])
    )


def check_size(cells: int) -> None:
    if cells > MAX_CELLS_PER_CALL:
        raise CallRefused(
            f"Zu viele Zellen in einem Formelaufruf ({cells:,} statt höchstens {MAX_CELLS_PER_CALL:,}). "
            "Bitte die Formel auf kleinere Bereiche verteilen.".replace(",", "."),
            413,
        )


def parsed_json(raw: bytes, what: str) -> Any:
    """A request's JSON, or a German 400 for anything else (not JSON, not UTF-8, nested too deep)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise CallRefused(f"{what}: kein gültiges JSON.", 400) from exc


def checked_call(body: Any, known_functions: frozenset[str]) -> tuple[dict, int]:
    """The call as xlwings takes it, and its cells; CallRefused with the German answer when it is not a
    formula call Pakt computes (too many cells, a broken envelope, an unknown formula, old scripts)."""
    cells = count_cells(body["args"]) if isinstance(body, dict) and isinstance(body.get("args"), list) else 0
    check_size(cells)  # before pydantic walks every cell
    try:
        call = FunctionCall.model_validate(body)
    except (ValidationError, ValueError) as exc:
        raise CallRefused(f"{CALL}: {first_error(exc)}", 400) from exc
    if call.func_name.lower() not in known_functions:
        raise CallRefused(f"Unbekannte Pakt-Formel „{call.func_name}“.", 400)
    if call.client != "Office.js" and call.version != XLWINGS_VERSION:
        raise CallRefused(version_message(call.version), 400)
    data = call.model_dump(exclude={"args"})  # the checked arguments as they came, not a copy cell by cell
    data["args"], data["func_name"] = body["args"], call.func_name.lower()
    return data, cells


def answer_json(result: Any) -> bytes:
    """A call's answer as the server sends it, whether the server or the worker computed it: what Starlette's
    JSONResponse writes (UTF-8, compact, no NaN)."""
    return json.dumps({"result": result}, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def cannot_compute(func_name: str) -> CallRefused:
    """A formula whose arguments passed the checks but that cannot compute with them."""
    return CallRefused(f"Die Formel {func_name} kann mit diesen Werten nicht rechnen.", 400)


COMPUTE_ERRORS = (ValueError, TypeError, KeyError, IndexError, ArithmeticError)
"""What a formula raises when it cannot compute with checked arguments (answered with `cannot_compute`)."""


def version_message(version: str) -> str:
    return (
        f"Die Pakt-Skripte in dieser Tabelle sind veraltet (xlwings {version}, Server {XLWINGS_VERSION}). "
        "Bitte die Apps-Script-Dateien neu einspielen (pakt appsscript)."
    )


def first_error(exc: Exception) -> str:
    """The first thing wrong with a body, in German: which field is missing or has a wrong value."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        if not first["loc"]:
            return first["msg"].removeprefix("Value error, ")
        what = "fehlt" if first["type"] == "missing" else "hat einen ungültigen Wert"
        return f"Feld {'.'.join(str(p) for p in first['loc'])} {what}"
    return "kein gültiges JSON"
