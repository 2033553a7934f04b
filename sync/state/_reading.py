"""Reading a district master as a source of the state roll-up: by name, checked, with the hardened reader.

A district master carries a binding (see reader/_master_binding.py): defined names on
its hidden _Pakt sheet say what it is and whose, and three ranges point at the
Übersicht's header, rows and totals. Columns are found by their headers (the
district's own column table, master/_overview.py), so a column the district staff
moved breaks nothing.

What is read here depends on the file alone, never on a registry: the same
bytes always give the same reading, so a reading is stored once per content.
What a state makes of it (is it the district the registry expects, of the
running round, under its rules?) is judged every run in _view.py.

Every cell a state relies on is checked: the AGS (8 digits, once; one whose
key names another district is a warning, so that the state reports it with
the other district), the status (one the district master can show), persons
(whole, not negative), allowance (to the cent), FTE; and the totals row's
cached values must equal the sum of the rows (to the cent), so a master edited
by hand after Pakt wrote it is caught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pakt.schemas import (
    CENT,
    Code,
    Finding,
    RawCell,
    SchemaMismatch,
    Severity,
    Unreadable,
    format_eur,
    format_number,
    is_blank,
    parse_a1,
    to_a1,
    to_ags,
    to_decimal,
    to_int,
    to_text,
)

from ..master._overview import overview_columns
from ..reader._master_binding import (
    APPROVAL_FIELDS,
    HEADER_NAME,
    MASTER_BINDING_FIELDS,
    MASTER_KIND,
    MASTER_SCHEMA,
    ROWS_NAME,
    TOTALS_NAME,
)
from ..reader._workbook_file import XlsxFileView
from ..view._row_status import Status

READ_COLUMNS = ("ags", "name", "status", "persons", "allowance_eur", "im_fte")
"""The Übersicht's columns (keys of OVERVIEW_COLUMNS) a state takes over."""
SUMMED = ("persons", "allowance_eur", "im_fte")
"""Columns whose totals cell must equal the sum of the rows."""
FTE_STEP = Decimal("0.01")
ABSENT_STATUSES = (Status.FEHLT.value, Status.UEBERFAELLIG.value)
STATE_KIND = "pakt-land-uebersicht"
"""What a state master says it is (a district master says `pakt-landkreis-uebersicht`)."""

_FIELD = {f.name.removeprefix("pakt_master_"): f for f in MASTER_BINDING_FIELDS}


class MasterFileView(XlsxFileView):
    """A master workbook opened by the hardened reader, keeping only the binding's cells and the three ranges."""

    wanted_names = frozenset(f.name for f in (*MASTER_BINDING_FIELDS, *APPROVAL_FIELDS))
    wanted_ranges = frozenset({HEADER_NAME, ROWS_NAME, TOTALS_NAME})


def headers() -> dict[str, str]:
    """The German header of each column a state reads, from the district's column table (spelled once)."""
    by_key = {column.key: column.header for column in overview_columns()}
    return {key: by_key[key] for key in READ_COLUMNS}


@dataclass(frozen=True, kw_only=True)
class MasterRow:
    """One municipality as its district master shows it."""

    ags: str
    name: str
    status: str
    persons: int | None
    allowance_eur: Decimal | None
    im_fte: Decimal | None
    row: int
    """Zero-based row on the district's Übersicht (links go back to it)."""

    @property
    def reported(self) -> bool:
        """Whether the district received anything from it (the district's own "… von … gemeldet")."""
        return self.status not in ABSENT_STATUSES or self.persons is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "ags": self.ags,
            "name": self.name,
            "status": self.status,
            "persons": self.persons,
            "allowance_eur": None if self.allowance_eur is None else str(self.allowance_eur),
            "im_fte": None if self.im_fte is None else str(self.im_fte),
            "row": self.row,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MasterRow:
        money, fte = data["allowance_eur"], data["im_fte"]
        return cls(
            ags=data["ags"],
            name=data["name"],
            status=data["status"],
            persons=data["persons"],
            allowance_eur=None if money is None else Decimal(money),
            im_fte=None if fte is None else Decimal(fte),
            row=data["row"],
        )


@dataclass(frozen=True, kw_only=True)
class MasterFigures:
    """Persons, allowance and FTE: a master's totals as it states them, or the sum of its rows."""

    persons: int = 0
    allowance_eur: Decimal = Decimal("0.00")
    im_fte: Decimal = Decimal("0.00")

    def __add__(self, other: MasterFigures) -> MasterFigures:
        return MasterFigures(
            persons=self.persons + other.persons,
            allowance_eur=self.allowance_eur + other.allowance_eur,
            im_fte=self.im_fte + other.im_fte,
        )

    def to_json(self) -> dict[str, Any]:
        return {"persons": self.persons, "allowance_eur": str(self.allowance_eur), "im_fte": str(self.im_fte)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MasterFigures:
        return cls(
            persons=data["persons"], allowance_eur=Decimal(data["allowance_eur"]), im_fte=Decimal(data["im_fte"])
        )

    @classmethod
    def of_rows(cls, rows: Sequence[MasterRow]) -> MasterFigures:
        return cls(
            persons=sum(r.persons or 0 for r in rows),
            allowance_eur=sum((r.allowance_eur or Decimal(0) for r in rows), Decimal("0.00")),
            im_fte=sum((r.im_fte or Decimal(0) for r in rows), Decimal("0.00")),
        )


@dataclass(frozen=True)
class Approval:
    """How many municipalities, persons and euros a district approved."""

    municipalities: int
    persons: int
    allowance_eur: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "municipalities": self.municipalities,
            "persons": self.persons,
            "allowance_eur": str(self.allowance_eur),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Approval:
        return cls(data["municipalities"], data["persons"], Decimal(data["allowance_eur"]))


@dataclass(frozen=True, kw_only=True)
class MasterReading:
    """What a district master holds: its binding, its rows, and the problems found in it (file-independent:
    findings carry sheet and cell; the file is named when the reading is used)."""

    district: str
    district_name: str
    stichtag: date | None
    rules: str
    run: str
    finished: datetime | None
    sheet: str
    columns: dict[str, int]
    """Zero-based column of each read column on the Übersicht."""
    totals_row: int
    rows: tuple[MasterRow, ...]
    totals: MasterFigures
    """The totals as the master states them; equal to `sums` in a master that passed its checks."""
    findings: tuple[Finding, ...] = field(default=())
    approval: Approval | None = None
    """What the district approved, as its binding states it (None: a master written before Pakt said so)."""

    @property
    def sums(self) -> MasterFigures:
        return MasterFigures.of_rows(self.rows)

    @property
    def reported(self) -> int:
        return sum(1 for row in self.rows if row.reported)

    def cell(self, key: str, row: int) -> str:
        """The A1 address of a column's cell in a row of the Übersicht."""
        return to_a1(row, self.columns[key])

    def to_json(self) -> dict[str, Any]:
        return {
            "district": self.district,
            "district_name": self.district_name,
            "stichtag": self.stichtag.isoformat() if self.stichtag else None,
            "rules": self.rules,
            "run": self.run,
            "finished": self.finished.isoformat() if self.finished else None,
            "sheet": self.sheet,
            "columns": self.columns,
            "totals_row": self.totals_row,
            "rows": [row.to_json() for row in self.rows],
            "totals": self.totals.to_json(),
            "findings": [f.model_dump(mode="json") for f in self.findings],
            "approval": self.approval.to_json() if self.approval is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MasterReading:
        return cls(
            district=data["district"],
            district_name=data["district_name"],
            stichtag=date.fromisoformat(data["stichtag"]) if data["stichtag"] else None,
            rules=data["rules"],
            run=data["run"],
            finished=datetime.fromisoformat(data["finished"]) if data["finished"] else None,
            sheet=data["sheet"],
            columns=dict(data["columns"]),
            totals_row=data["totals_row"],
            rows=tuple(MasterRow.from_json(row) for row in data["rows"]),
            totals=MasterFigures.from_json(data["totals"]),
            findings=tuple(Finding.model_validate(f) for f in data["findings"]),
            approval=Approval.from_json(data["approval"]) if data.get("approval") else None,
        )


# -- reading ---------------------------------------------------------------------------------------


def _text(raw: RawCell | None) -> str:
    if raw is None or is_blank(raw.value):
        return ""
    try:
        return to_text(raw.value)
    except Unreadable:
        return ""


def _problem(code: Code, message: str, raw: RawCell | None, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=message,
        sheet=raw.sheet if raw else None,
        cell=raw.cell if raw else None,
    )


class _Binding:
    """The binding's values, read by name, with the problems of the ones a state needs."""

    def __init__(self, view: MasterFileView) -> None:
        self.cells = {key: view.named_cell(f.name) for key, f in _FIELD.items()}
        self.values = {key: _text(raw) for key, raw in self.cells.items()}
        self.findings: list[Finding] = []

    def refuse_foreign(self, label: str) -> None:
        kind, schema = self.values["kind"], self.values["schema"]
        if kind == STATE_KIND:
            raise SchemaMismatch("Das ist die Übersicht eines Landes, keine Übersicht eines Landkreises.", file=label)
        if kind != MASTER_KIND:
            raise SchemaMismatch(
                "Die Arbeitsmappe ist keine Übersicht eines Landkreises (die Pakt-Bindung fehlt). Bitte die von "
                "„pakt sync“ des Landkreises geschriebene Übersicht ablegen.",
                file=label,
            )
        if schema != MASTER_SCHEMA:
            raw = self.cells["schema"]
            raise SchemaMismatch(
                f"Die Übersicht hat die Schema-Version {schema or 'unbekannt'}; gelesen wird Version "
                f"{MASTER_SCHEMA}. Bitte beim Landkreis eine mit der aktuellen Fassung von Pakt abgeglichene "
                "Übersicht anfordern.",
                file=label,
                sheet=raw.sheet if raw else None,
                cell=raw.cell if raw else None,
            )

    def stichtag(self) -> date | None:
        text = self.values["stichtag"]
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.findings.append(
                _problem(
                    Code.VORLAGE_BESCHAEDIGT,
                    f"Der Stichtag der Übersicht („{text}“) ist kein Datum.",
                    self.cells["stichtag"],
                )
            )
            return None

    def approval(self, view: MasterFileView) -> Approval | None:
        """The approved figures, when the master names them (all three, each a number)."""
        texts = [_text(view.named_cell(f.name)) for f in APPROVAL_FIELDS]
        try:
            count, persons, money = int(texts[0]), int(texts[1]), Decimal(texts[2]).quantize(CENT)
        except (ValueError, ArithmeticError):
            return None
        return Approval(count, persons, money)

    def finished(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.values["finished"])
        except ValueError:
            return None

    def district(self) -> str:
        key = self.values["district"]
        if not (key.isdigit() and len(key) == 5):
            self.findings.append(
                _problem(
                    Code.VORLAGE_BESCHAEDIGT,
                    f"Der Kreisschlüssel der Übersicht („{key}“) ist nicht fünfstellig.",
                    self.cells["district"],
                )
            )
        return key


Ranges = tuple[tuple[RawCell, ...], ...]


def _range(view: MasterFileView, name: str) -> Ranges:
    cells = view.named_range(name)
    if not cells or not cells[0]:
        raise SchemaMismatch(
            f"Der benannte Bereich {name} fehlt in der Übersicht; sie wurde verändert. Bitte beim Landkreis eine "
            "neu abgeglichene Übersicht anfordern.",
            file=view.label,
        )
    return cells


def _columns(view: MasterFileView, header: Sequence[RawCell]) -> dict[str, int]:
    position = {_text(raw): index for index, raw in enumerate(header)}
    columns = {}
    for key, title in headers().items():
        if title not in position:
            raise SchemaMismatch(
                f"Die Spalte „{title}“ fehlt in der Übersicht. Bitte beim Landkreis eine neu abgeglichene "
                "Übersicht anfordern.",
                file=view.label,
                sheet=header[0].sheet if header else None,
            )
        columns[key] = position[title]
    return columns


@dataclass
class _RowReader:
    """Reads the Übersicht's rows, collecting a finding per bad cell."""

    district: str
    columns: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    def read(self, cells: Sequence[RawCell], row: int) -> MasterRow | None:
        raw = {key: cells[index] for key, index in self.columns.items() if index < len(cells)}
        if all(is_blank(cell.value) for cell in raw.values()):
            return None
        name = _text(raw.get("name")) or "?"
        ags = self._ags(raw["ags"], name)
        status = _text(raw.get("status"))
        if status not in {s.value for s in Status}:
            self._bad(Code.AUSWAHL, name, raw.get("status"), f"der Status „{status}“ ist unbekannt")
        return MasterRow(
            ags=ags,
            name=name,
            status=status,
            row=row,
            persons=self._count(raw.get("persons"), name),
            allowance_eur=self._money(raw.get("allowance_eur"), name),
            im_fte=self._fte(raw.get("im_fte"), name),
        )

    def _bad(self, code: Code, name: str, raw: RawCell | None, what: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(_problem(code, f"{name}: {what}.", raw, severity))

    def _ags(self, raw: RawCell, name: str) -> str:
        """An 8-digit AGS, once per master. One whose key names another district is a warning, not a refusal:
        the state then finds it in both districts' masters and reports the two together."""
        try:
            ags = to_ags(raw.value) if not is_blank(raw.value) else ""
        except Unreadable as error:
            self._bad(Code.TYP, name, raw, error.message)
            return ""
        if not (len(ags) == 8 and ags.isdigit()):
            self._bad(Code.TYP, name, raw, f"„{ags}“ ist kein achtstelliger Gemeindeschlüssel")
        elif ags in self.seen:
            self._bad(
                Code.MELDUNG_DOPPELT, name, raw, f"der Gemeindeschlüssel {ags} steht schon in Zelle {self.seen[ags]}"
            )
        elif not ags.startswith(self.district):
            self._bad(
                Code.AGS_UNBEKANNT,
                name,
                raw,
                f"der Gemeindeschlüssel {ags} gehört nicht zum Kreisschlüssel {self.district}",
                Severity.WARNING,
            )
        self.seen.setdefault(ags, raw.cell)
        return ags

    def _count(self, raw: RawCell | None, name: str) -> int | None:
        if raw is None or is_blank(raw.value):
            return None
        try:
            value = to_int(raw.value)
        except Unreadable as error:
            self._bad(Code.TYP, name, raw, f"Personen: {error.message}")
            return None
        if value < 0:
            self._bad(Code.ZAHL_NEGATIV, name, raw, "die Zahl der Personen ist negativ")
            return None
        return value

    def _money(self, raw: RawCell | None, name: str) -> Decimal | None:
        amount = self._decimal(raw, name, "Pro-Kopf-Pauschale")
        if amount is not None and amount != amount.quantize(CENT):
            self._bad(Code.TYP, name, raw, f"der Betrag {amount} ist nicht auf den Cent genau")
            return None
        return amount.quantize(CENT) if amount is not None else None

    def _fte(self, raw: RawCell | None, name: str) -> Decimal | None:
        return self._decimal(raw, name, "VZÄ")

    def _decimal(self, raw: RawCell | None, name: str, what: str) -> Decimal | None:
        if raw is None or is_blank(raw.value):
            return None
        try:
            value = to_decimal(raw.value)
        except Unreadable as error:
            self._bad(Code.TYP, name, raw, f"{what}: {error.message}")
            return None
        if value < 0:
            self._bad(Code.BETRAG_NEGATIV, name, raw, f"{what} ist negativ")
            return None
        return value


def _stated_totals(
    totals: Sequence[RawCell], columns: dict[str, int], sums: MasterFigures
) -> tuple[MasterFigures, list[Finding]]:
    """The totals row's cached values, each compared with the sum of the rows (money and FTE to the cent)."""
    stated: dict[str, Any] = {}
    findings = []
    shown = {"persons": format_number, "allowance_eur": format_eur, "im_fte": lambda v: format_number(v, 2)}
    for key in SUMMED:
        raw = totals[columns[key]]
        expected = getattr(sums, key)
        try:
            value = to_decimal(raw.value) if not is_blank(raw.value) else None
        except Unreadable:
            value = None
        stated[key] = value if value is not None else expected
        if value is None or value.quantize(FTE_STEP) != Decimal(expected).quantize(FTE_STEP):
            text = shown[key](value) if value is not None else "leer"
            findings.append(
                _problem(
                    Code.SUMME_ABWEICHEND,
                    f"Die Summe „{headers()[key]}“ in Zelle {raw.cell} ({text}) ist nicht die Summe der Zeilen "
                    f"({shown[key](expected)}): die Übersicht wurde nach dem Abgleich verändert. Bitte beim Landkreis "
                    "eine neu abgeglichene Übersicht anfordern.",
                    raw,
                )
            )
    figures = MasterFigures(
        persons=int(stated["persons"]),
        allowance_eur=Decimal(stated["allowance_eur"]).quantize(CENT),
        im_fte=Decimal(stated["im_fte"]),
    )
    return figures, findings


def _check_shape(label: str, header: Ranges, rows: Ranges, totals: Ranges) -> None:
    """Header and totals one row each, all three on one sheet, as wide as each other, rows under the header."""
    sheets = {ranged[0][0].sheet for ranged in (header, rows, totals)}
    widths = {len(row) for ranged in (header, rows, totals) for row in ranged}
    ordered = _row_of(header[0]) < _row_of(rows[0]) <= _row_of(rows[-1]) < _row_of(totals[0])
    if len(header) != 1 or len(totals) != 1 or len(sheets) != 1 or len(widths) != 1 or not ordered:
        raise SchemaMismatch(
            "Die Bereiche der Übersicht (Kopf, Zeilen, Summen) passen nicht zusammen; sie wurde verändert. Bitte "
            "beim Landkreis eine neu abgeglichene Übersicht anfordern.",
            file=label,
            sheet=header[0][0].sheet,
        )


def read_master(view: MasterFileView) -> MasterReading:
    """A district master's reading. Raises SchemaMismatch (German, with the place) when the workbook is no
    district master of this schema version, WorkbookUnreadable when it is no readable workbook."""
    binding = _Binding(view)
    binding.refuse_foreign(view.label)
    header, rows, totals = _range(view, HEADER_NAME), _range(view, ROWS_NAME), _range(view, TOTALS_NAME)
    _check_shape(view.label, header, rows, totals)
    columns = _columns(view, header[0])
    district = binding.district()
    reader = _RowReader(district, columns)
    read = [reader.read(cells, row=_row_of(cells)) for cells in rows]
    master_rows = tuple(row for row in read if row is not None)
    stated, total_problems = _stated_totals(totals[0], columns, MasterFigures.of_rows(master_rows))
    return MasterReading(
        district=district,
        district_name=binding.values["district_name"],
        stichtag=binding.stichtag(),
        rules=binding.values["rules"],
        run=binding.values["run"],
        finished=binding.finished(),
        sheet=header[0][0].sheet,
        columns=columns,
        totals_row=_row_of(totals[0]),
        rows=master_rows,
        totals=stated,
        findings=tuple(binding.findings + reader.findings + total_problems),
        approval=binding.approval(view),
    )


def _row_of(cells: Sequence[RawCell]) -> int:
    return parse_a1(cells[0].cell)[0]
