"""Validation of a read submission: blocking errors and plausibility warnings, as findings.

`check` runs every rule and returns all findings at once; it builds a
`Submission` only when nothing blocks. Each rule is a small function named
after what it checks. Field constraints come from the models themselves
(through pydantic), so the limits a clerk sees in the template's drop-downs
and range checks are the limits enforced here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ._arithmetic import caseload, funds_use_total, median, per_head_allowance
from ._errors import ConfigError, SchemaMismatch
from ._fields import FieldSpec, Kind
from ._findings import Code, Finding, error, warning
from ._german import counted, format_date, format_decimal, format_eur, format_number
from ._layout import SHEET_BINDING, field_by_path, input_fields, staff_columns
from ._lookalike import comparison_key, person_key
from ._normalize import as_enum_value
from ._reader import Draft, Entry
from ._registry import Registry
from ._rules import RuleSet, load_rules
from ._submission import Submission


@dataclass(frozen=True)
class CheckContext:
    """What validation needs beyond the workbook itself."""

    rules: RuleSet
    registry: Registry | None = None
    previous: Submission | None = None
    median_caseload: Decimal | None = None

    @property
    def caseload_factor(self) -> Decimal:
        return self.registry.plausibility.caseload_factor if self.registry else Decimal("2")

    @property
    def jump_ratio(self) -> Decimal:
        return self.registry.plausibility.jump_ratio if self.registry else Decimal("0.5")


@dataclass(frozen=True)
class Checked:
    """A validated submission: the model when nothing blocks, and every finding."""

    label: str
    ags: str | None
    municipality: str | None
    submission: Submission | None
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self.findings)

    def with_findings(self, findings: Iterable[Finding]) -> Checked:
        """A copy with `findings` added, each stamped with this submission's file, AGS and municipality."""
        stamp = {"ags": self.ags, "municipality": self.municipality, "file": self.label}
        added = tuple(f.model_copy(update=stamp) for f in findings)
        return Checked(self.label, self.ags, self.municipality, self.submission, self.findings + added)


# --- field constraints, read off the models ---------------------------------------------


def _shown(value: Any, spec: FieldSpec) -> str:
    if spec.kind is Kind.MONEY:
        return format_eur(value)
    if isinstance(value, Decimal):
        return format_decimal(value)
    return f"„{as_enum_value(value)}“" if isinstance(value, str) else str(value)


def _constraint_finding(label: str, spec: FieldSpec, detail: dict, entry: Entry) -> Finding:
    kind, kind_of_error, value = spec.kind, detail["type"], entry.value
    shown = _shown(value, spec)
    if kind is Kind.FTE:
        return error(
            Code.VZA_BEREICH,
            f"{label}: {shown} ist kein gültiger Stellenanteil. Bitte {spec.expectation()} eintragen.",
            entry.sheet,
            entry.cell,
        )
    if kind is Kind.MONEY and kind_of_error == "greater_than_equal":
        return error(
            Code.BETRAG_NEGATIV,
            f"{label}: {shown} ist negativ. Bitte {spec.expectation()} eintragen.",
            entry.sheet,
            entry.cell,
        )
    if kind is Kind.COUNT and kind_of_error == "greater_than_equal":
        return error(
            Code.ZAHL_NEGATIV,
            f"{label}: {shown} ist negativ. Bitte {spec.expectation()} eintragen.",
            entry.sheet,
            entry.cell,
        )
    if kind_of_error == "decimal_max_places":
        return error(
            Code.TYP,
            f"{label}: {shown} hat zu viele Nachkommastellen (höchstens {detail['ctx']['decimal_places']}).",
            entry.sheet,
            entry.cell,
        )
    if kind_of_error in ("string_pattern_mismatch", "string_too_short", "string_too_long"):
        return error(
            Code.TYP,
            f"{label}: {shown} hat nicht die erwartete Form. Bitte {spec.expectation()} eintragen.",
            entry.sheet,
            entry.cell,
        )
    limit = next(iter(detail.get("ctx", {}).values()), "")
    return error(
        Code.WERT_UNGUELTIG,
        f"{label}: {shown} liegt außerhalb des Erlaubten (Grenze {limit}).",
        entry.sheet,
        entry.cell,
    )


def _check_constraints(label: str, spec: FieldSpec, entry: Entry) -> Iterator[Finding]:
    if not entry.present:
        return
    try:
        spec.validator.validate_python(entry.value)
    except ValidationError as exc:
        yield _constraint_finding(label, spec, exc.errors()[0], entry)


def check_field_constraints(draft: Draft) -> Iterator[Finding]:
    for spec_field in input_fields():
        yield from _check_constraints(spec_field.label, spec_field.spec, draft.fields[spec_field.path])
    for row in draft.managers:
        for column in staff_columns():
            if column.field in row:
                yield from _check_constraints(column.label, column.spec, row[column.field])


# --- rules across fields ----------------------------------------------------------------


def check_age_breakdown(draft: Draft) -> Iterator[Finding]:
    total = draft.entry("persons", "total")
    groups = [e for path, e in draft.fields.items() if path[:2] == ("persons", "by_age")]
    if not total.present or not all(g.readable for g in groups):
        return
    added = sum(g.value or 0 for g in groups)
    if added != total.value:
        yield error(
            Code.SUMME_ALTERSGRUPPEN,
            f"Die Altersgruppen ergeben zusammen {counted(added, 'Person', 'Personen')}, insgesamt sind "
            f"{total.value} eingetragen. "
            "Bitte die Aufschlüsselung an die Gesamtzahl anpassen.",
            total.sheet,
            total.cell,
        )


def _dates(draft: Draft) -> Iterator[tuple[str, Entry]]:
    for spec_field in input_fields():
        if spec_field.spec.kind is Kind.DATE:
            yield spec_field.label, draft.fields[spec_field.path]
    for row in draft.managers:
        for column in staff_columns():
            if column.spec.kind is Kind.DATE and column.field in row:
                yield column.label, row[column.field]


def check_dates_in_period(draft: Draft, rules: RuleSet) -> Iterator[Finding]:
    for label, entry in _dates(draft):
        if entry.present and not rules.covers(entry.value):
            yield error(
                Code.DATUM_ZEITRAUM,
                f"{label}: {format_date(entry.value)} liegt außerhalb des Förderzeitraums "
                f"{rules.period_text()} ({rules.name}). Bitte ein Datum in diesem Zeitraum eintragen.",
                entry.sheet,
                entry.cell,
            )


def check_ags_binding(draft: Draft) -> Iterator[Finding]:
    header_ags = draft.entry("header", "ags")
    bound = draft.binding.get("ags")
    if bound and header_ags.present and header_ags.value != bound:
        yield error(
            Code.AGS_BINDUNG,
            f"Gemeindeschlüssel {header_ags.value} passt nicht zu dieser Mappe; sie wurde für {bound} ausgestellt. "
            "Bitte die Mappe der eigenen Gemeinde verwenden oder den Schlüssel zurücksetzen.",
            header_ags.sheet,
            header_ags.cell,
        )


def check_registry(draft: Draft, registry: Registry) -> Iterator[Finding]:
    header_ags = draft.entry("header", "ags")
    ags = draft.ags
    if not ags:
        return
    municipality = registry.municipality(ags)
    if municipality is None:
        yield error(
            Code.AGS_UNBEKANNT,
            f"Gemeindeschlüssel {ags} steht nicht im Gemeindeverzeichnis ({registry.district.name}). "
            "Bitte beim Landkreis die richtige Mappe anfordern.",
            header_ags.sheet,
            header_ags.cell,
        )
        return
    name = draft.entry("header", "name")
    if name.present and name.value != municipality.name:
        yield warning(
            Code.NAME_ABWEICHEND,
            f"Gemeinde „{name.value}“ weicht vom Verzeichnis ab („{municipality.name}“).",
            name.sheet,
            name.cell,
        )
    mode = draft.entry("management", "mode")
    if mode.present and mode.value != municipality.im_mode:
        yield warning(
            Code.MODUS_ABWEICHEND,
            f"Integrationsmanagement „{mode.value.value}“ weicht vom Verzeichnis des Landkreises ab "
            f"(„{municipality.im_mode.value}“). Bitte mit dem Landkreis klären.",
            mode.sheet,
            mode.cell,
        )


def check_rules_binding(draft: Draft, rules: RuleSet) -> Iterator[Finding]:
    bound = draft.binding.get("rules")
    if bound and bound != rules.id:
        cell = draft.binding_cells["rules"]
        yield error(
            Code.REGELN_ABWEICHEND,
            f"Die Mappe gehört zum Förderzeitraum „{bound}“, gemeldet wird für „{rules.id}“ ({rules.name}). "
            "Bitte die Vorlage für den aktuellen Förderzeitraum verwenden.",
            cell.sheet,
            cell.cell,
        )


def check_sign_off(draft: Draft) -> Iterator[Finding]:
    if draft.value("sign_off", "submitted") is not True:
        return
    for name in ("name", "date"):
        entry = draft.entry("sign_off", name)
        if entry.value is None and entry.readable:
            label = field_by_path(("sign_off", name)).label
            yield error(
                Code.FREIGABE_UNVOLLSTAENDIG,
                f"Die Meldung ist als eingereicht markiert, aber „{label}“ fehlt. Bitte ergänzen.",
                entry.sheet,
                entry.cell,
            )


def check_unique_pseudonyms(draft: Draft) -> Iterator[Finding]:
    """Each person once: a pseudonym written as another one (same exact key) blocks, as before; one that a reader
    takes for another but that is written differently (same person key: a Cyrillic letter, 0 for O) is a
    warning naming both cells, and the district counts one person for both."""
    seen: dict[str, Entry] = {}
    lookalikes: dict[str, Entry] = {}
    for row in draft.managers:
        entry = row.get("pseudonym")
        if entry is None or not entry.present:
            continue
        key, person = comparison_key(entry.value), person_key(entry.value)
        if key in seen:
            yield error(
                Code.KUERZEL_DOPPELT,
                f"Das Kürzel „{entry.value}“ steht schon in Zelle {seen[key].cell}. "
                "Jede Person nur einmal eintragen; mehrere Anteile bitte zusammenrechnen.",
                entry.sheet,
                entry.cell,
            )
            continue
        seen[key] = entry
        if person in lookalikes:
            yield _lookalike_pseudonym(lookalikes[person], entry)
        else:
            lookalikes[person] = entry


def _lookalike_pseudonym(first: Entry, second: Entry) -> Finding:
    return warning(
        Code.KUERZEL_AEHNLICH,
        f"Das Kürzel „{second.value}“ ({second.sheet}!{second.cell}) sieht aus wie „{first.value}“ "
        f"({first.sheet}!{first.cell}), ist aber mit anderen Zeichen geschrieben (etwa einem kyrillischen "
        "Buchstaben, einer Null statt O oder einem anderen Bindestrich). Der Landkreis zählt beide als eine "
        "Person. Ist es dieselbe Person, bitte nur einmal eintragen und die Anteile zusammenrechnen; sonst ein "
        "deutlich anderes Kürzel wählen.",
        second.sheet,
        second.cell,
    )


# --- plausibility -----------------------------------------------------------------------


def warn_funds_above_allowance(draft: Draft, submission: Submission, rules: RuleSet) -> Iterator[Finding]:
    allowance = per_head_allowance(submission.persons.total, submission.header.stichtag, rules)
    used = funds_use_total(submission.funds_use)
    if used > allowance:
        first = next(f for f in input_fields() if f.path[0] == "funds_use")
        entry = draft.fields[first.path]
        yield warning(
            Code.MITTEL_UEBER_PAUSCHALE,
            f"Die gemeldete Verwendung ({format_eur(used)}) übersteigt die Pro-Kopf-Pauschale von "
            f"{format_eur(allowance)} für {counted(submission.persons.total, 'Person', 'Personen')}. "
            "Bitte die Beträge prüfen.",
            entry.sheet,
            entry.cell,
        )


def warn_caseload_far_above_median(
    submission: Submission, where: tuple[str, str | None], context: CheckContext
) -> Iterator[Finding]:
    own = caseload(submission.persons.total, submission.im_fte)
    reference = context.median_caseload
    if own is None or not reference:
        return
    if own > reference * context.caseload_factor:
        yield warning(
            Code.FALLZAHL_HOCH,
            f"Fallzahl {format_number(own, 1)} Personen je Vollzeitstelle liegt weit über dem Median des "
            f"Landkreises ({format_number(reference, 1)}). Bitte Personenzahl und Stellenanteile prüfen.",
            *where,
        )


def warn_jump_against_previous(
    submission: Submission, where: tuple[str, str | None], context: CheckContext
) -> Iterator[Finding]:
    previous = context.previous
    if previous is None or previous.persons.total == 0:
        return
    before, now = previous.persons.total, submission.persons.total
    change = Decimal(abs(now - before)) / Decimal(before)
    if change > context.jump_ratio:
        yield warning(
            Code.SPRUNG_PERSONEN,
            f"Die Personenzahl {now} weicht um {format_number(change * 100, 0)} % von der letzten Meldung ab "
            f"({before} zum {format_date(previous.header.stichtag)}). Bitte prüfen.",
            *where,
        )


def district_warnings(submission: Submission, where: tuple[str, str | None], context: CheckContext) -> list[Finding]:
    """The warnings that need the rest of the district: caseload against the median, jump against before.

    `where` is the sheet and cell of the persons total, where both warnings point.
    """
    return [
        *warn_caseload_far_above_median(submission, where, context),
        *warn_jump_against_previous(submission, where, context),
    ]


# --- putting it together ----------------------------------------------------------------


def _nested(draft: Draft) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path, entry in draft.fields.items():
        if entry.value is None:
            continue
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = entry.value
    data.setdefault("persons", {}).setdefault("by_age", {})
    data["managers"] = [{key: e.value for key, e in row.items()} for row in draft.managers]
    data["schema_version"] = draft.binding.get("schema_version") or data.get("schema_version")
    return data


def _build(draft: Draft) -> tuple[Submission | None, list[Finding]]:
    try:
        return Submission.model_validate(_nested(draft)), []
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, [error(Code.WERT_UNGUELTIG, f"Die Meldung ist unvollständig ({where}).")]


def _blocking_rules(draft: Draft, context: CheckContext) -> Iterable[Finding]:
    yield from check_field_constraints(draft)
    yield from check_age_breakdown(draft)
    yield from check_dates_in_period(draft, context.rules)
    yield from check_ags_binding(draft)
    yield from check_rules_binding(draft, context.rules)
    if context.registry is not None:
        yield from check_registry(draft, context.registry)
    yield from check_sign_off(draft)
    yield from check_unique_pseudonyms(draft)


def _plausibility(draft: Draft, submission: Submission, context: CheckContext) -> Iterable[Finding]:
    yield from warn_funds_above_allowance(draft, submission, context.rules)
    total = draft.entry("persons", "total")
    yield from district_warnings(submission, (total.sheet, total.cell), context)


def _municipality_name(draft: Draft, registry: Registry | None) -> str | None:
    known = registry.municipality(draft.ags) if registry and draft.ags else None
    return known.name if known else draft.value("header", "name")


def check(draft: Draft, context: CheckContext) -> Checked:
    """Validate a draft: every finding at once, and the Submission when nothing blocks."""
    findings = [*draft.findings, *_blocking_rules(draft, context)]
    submission = None
    if not any(f.blocking for f in findings):
        submission, problems = _build(draft)
        findings += problems
    if submission is not None:
        findings += _plausibility(draft, submission, context)
    checked = Checked(draft.label, draft.ags, _municipality_name(draft, context.registry), submission, ())
    return checked.with_findings(findings)


def rules_for(draft: Draft, registry: Registry | None) -> RuleSet:
    """The rules to validate against: the registry's round, else the period the workbook is bound to."""
    if registry is not None:
        return load_rules(registry.round.rules, registry.base_dir)
    bound = draft.binding.get("rules", "")
    try:
        return load_rules(bound)
    except ConfigError as exc:
        raise SchemaMismatch(
            f"Die Mappe nennt den unbekannten Förderzeitraum „{bound}“. {exc.message}",
            file=draft.label,
            sheet=SHEET_BINDING,
        ) from exc


def draft_caseload(draft: Draft) -> Decimal | None:
    """Caseload from a draft's readable values, for the district median."""
    persons = draft.value("persons", "total")
    fte_values = [row["fte"].value for row in draft.managers if "fte" in row and row["fte"].present]
    if not isinstance(persons, int) or not fte_values:
        return None
    return caseload(persons, sum(fte_values, Decimal("0")))


def median_caseload(drafts: Iterable[Draft]) -> Decimal | None:
    """Median caseload over the drafts that report staff."""
    values = [c for c in (draft_caseload(d) for d in drafts) if c is not None]
    return median(values)
