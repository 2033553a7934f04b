"""What a workbook sent to Prüfen, Einreichen or Aktualisieren must be before xlwings builds a Book from it.

xlwings takes the body on trust: a defined name whose address is no cell
reference, a sheet-scoped name without its sheet or a table without its range
fail deep inside its Book (a NoSuchObjectError, a TypeError), which the server
would answer with a 500. So every part xlwings reads is checked here first,
with the types the clients send (no coercion: a number is no address, a text no
index), and a body that is not what they send gets a German 400 that names the
field (and, for a defined name, the name).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from pakt.schemas import STAFF_RANGE, STAFF_TABLE, format_number

from ._call_checks import Matrix, first_error

MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
"""Excel's grid (XFD1048576), which xlwings' Book holds every range to, whichever client sent it."""
MAX_NAME_LENGTH = 255
"""Excel's limit for a defined name; Google's is lower."""
MAX_CELLS_READ_WHOLE = 1_000_000
"""The most cells a range Pakt reads whole (the staff table, Excel's tables) may cover: far above any staff list,
far below what xlwings would build in memory for a table re-pointed at a whole sheet (17 billion cells)."""

_PART = re.compile(r"\$?([A-Za-z]{0,3})\$?(\d{0,8})")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _a1_part(part: str) -> tuple[str, str]:
    """One end of a range: letters and digits, each within Excel's grid, either one missing for a whole row or
    column; ValueError otherwise."""
    match = _PART.fullmatch(part)
    if match is None or not any(match.groups()):
        raise ValueError
    letters, digits = match.groups()
    if (letters and _column_number(letters) > MAX_COLUMN) or (digits and not 1 <= int(digits) <= MAX_ROW):
        raise ValueError
    return letters, digits


def _in_order(first: tuple[str, str], last: tuple[str, str]) -> bool:
    (left, top), (right, bottom) = first, last
    return (not left or _column_number(left) <= _column_number(right)) and (not top or int(top) <= int(bottom))


def _a1_address(value: str) -> str:
    """A cell or range in A1 notation without a sheet (B14, A1:C3, A:C, 2:5), as both clients send a name's range."""
    try:
        ends = [_a1_part(part) for part in value.split(":")]
        kinds = {tuple(bool(x) for x in end) for end in ends}
        if len(ends) > 2 or len(kinds) != 1 or (len(ends) == 1 and kinds != {(True, True)}):
            raise ValueError
        if kinds != {(True, True)} and "$" in value:  # xlwings reads whole rows and columns only without $
            raise ValueError
        if len(ends) == 2 and not _in_order(*ends):  # Excel and Google write a range top left to bottom right
            raise ValueError
    except ValueError:
        raise ValueError("keine Zelladresse wie B14 oder A1:C3") from None
    return value


def cells_of(address: str) -> int:
    """How many cells a checked A1 address covers (a whole column has all of Excel's rows)."""
    ends = [_PART.fullmatch(part).groups() for part in address.split(":")]
    (left, top), (right, bottom) = ends[0], ends[-1]
    columns = _column_number(right) - _column_number(left) + 1 if left else MAX_COLUMN
    rows = int(bottom) - int(top) + 1 if top else MAX_ROW
    return columns * rows


Address = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_a1_address)]


class NamePayload(BaseModel):
    """A defined name (Excel) or named range (Google) as xlwings' clients describe it."""

    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    sheet_index: int = Field(ge=0)
    address: Address
    book_scope: bool = True
    scope_sheet_name: str | None = Field(None, max_length=MAX_NAME_LENGTH)
    scope_sheet_index: int | None = Field(None, ge=0)


class TablePayload(BaseModel):
    """An Excel table (Office.js only; Google sends none): xlwings finds the staff table by these."""

    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    range_address: Address
    header_row_range_address: Address | None = None
    data_body_range_address: Address | None = None
    total_row_range_address: Address | None = None
    show_headers: bool = True
    show_totals: bool = False

    def addresses(self) -> list[str]:
        parts = (self.header_row_range_address, self.data_body_range_address, self.total_row_range_address)
        return [self.range_address, *(a for a in parts if a is not None)]


class SheetPayload(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1)
    values: Matrix
    tables: list[TablePayload] = Field(default_factory=list)


class BookInfo(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    name: str = Field(min_length=1)
    active_sheet_index: int = Field(0, ge=0)


class BookPayload(BaseModel):
    """A workbook as xlwings' Office.js and Apps Script clients send it."""

    model_config = ConfigDict(extra="allow")

    client: Literal["Office.js", "Google Apps Script"]
    version: str
    book: BookInfo
    names: list[NamePayload] = Field(default_factory=list)
    sheets: list[SheetPayload] = Field(min_length=1)

    @model_validator(mode="after")
    def names_point_at_sheets(self) -> BookPayload:
        if any(n.sheet_index >= len(self.sheets) for n in self.names):
            raise ValueError("ein benannter Bereich verweist auf ein Blatt, das nicht mitgeschickt wurde")
        return self

    @model_validator(mode="after")
    def ranges_read_whole_are_bounded(self) -> BookPayload:
        ranges = [(t.name, a) for sheet in self.sheets for t in sheet.tables for a in t.addresses()]
        ranges += [(n.name, n.address) for n in self.names if n.name in (STAFF_TABLE, STAFF_RANGE)]
        for name, address in ranges:
            if (cells := cells_of(address)) > MAX_CELLS_READ_WHOLE:
                raise ValueError(
                    f"der Bereich „{name}“ ({address}) umfasst {format_number(cells)} Zellen, "
                    f"höchstens {format_number(MAX_CELLS_READ_WHOLE)} sind möglich"
                )
        return self

    @model_validator(mode="after")
    def sheet_names_belong_to_their_sheets(self) -> BookPayload:
        for n in self.names:
            if n.book_scope:
                continue
            index, name = n.scope_sheet_index, n.scope_sheet_name
            if index is None or index >= len(self.sheets) or self.sheets[index].name != name:
                raise ValueError(f"der blattbezogene Name „{n.name}“ gehört zu keinem mitgeschickten Blatt")
        return self


def payload_problem(exc: ValidationError, body: Any) -> str:
    """The first thing wrong with a workbook body, in German; for a defined name, which one (when it has one)."""
    problem = first_error(exc)
    location = exc.errors()[0]["loc"]
    if len(location) >= 2 and location[0] == "names" and isinstance(location[1], int):
        entry = body["names"][location[1]]
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and 0 < len(name) <= MAX_NAME_LENGTH and location[2:] != ("name",):
            problem += f" (benannter Bereich „{name}“)"
    return problem
