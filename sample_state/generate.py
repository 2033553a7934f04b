"""Generate a sample state: Baden-Württemberg's 44 districts, each with a district master, for tests and the benchmark.

THE FIGURES ARE INVENTED. Persons, allowances, staff, costs, dates and which
municipality is missing or wrong are made up with a seeded random generator;
they are no real reports of any district. Only the district list is a fact.

Facts (not invented): the 44 districts (35 Landkreise, 9 Stadtkreise), their
5-digit keys (Kreisschlüssel) and the number of municipalities in each, summing
to the state's 1,101. Source: Statistisches Bundesamt (Destatis),
Gemeindeverzeichnis-Informationssystem GV-ISys, "Alle politisch selbständigen
Gemeinden mit ausgewählten Merkmalen", Gebietsstand 31.12.2019 (file
AuszugGV4QAktuell, 4th quarter): 1,103 municipal records for Land 08, less the
two uninhabited municipality-free areas (Gutsbezirk Münsingen in 08415,
Gemeindefreier Grundbesitz Rheinau in 08317), leaves 1,101. Press releases of
the Statistisches Landesamt Baden-Württemberg count the same 1,101 municipalities
on 31.03.2016, 30.09.2018 and 31.03.2024, so the total holds for the sample's
Stichtag (30.06.2018) too; the counts per district are those of 31.12.2019.

Municipality names and keys are made up too ("Gemeinde 08425001", AGS
08425001 …), except that a Stadtkreis's one municipality is the city itself
(Stuttgart, 08111000) and Landkreis Tuttlingen (08327) is the sample district
exactly: its 35 municipalities from the repository's pakt.toml, its master a
real `pakt sync` of a copy of sample_workbooks/ (1,014,300.00 EUR).

The other 43 masters are built without workbooks, in Python, from invented
submissions and Pakt's own functions: `consolidate` makes each district's view
(the rules compute every allowance), `master_grids` its sheets and
`build_master` the file, binding sheet and defined names included. That takes
about two seconds; writing and syncing 1,066 workbooks instead would take half a
minute or more (measured on two cores: 36 ms to write one workbook, 9.4 s for
`pakt sync` to read 1,101).

    python sample_state/generate.py --out DIR            # write the state into DIR
    python sample_state/generate.py --out DIR --seed 7   # other invented figures

Writes into DIR:

    pakt.toml                            the state registry (44 [[districts]]), saying the figures are invented
    landkreise/<key>_<name>.xlsx         the 44 district masters
    expected.json                        the generated totals per district and for the state
"""

from __future__ import annotations

import argparse
import enum
import hashlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from pakt.schemas import (
    CENT,
    FTE_STEP,
    Code,
    District,
    Finding,
    ImMode,
    MunicipalFigures,
    Municipality,
    Registry,
    ReportingRound,
    RuleSet,
    Severity,
    Submission,
    district_totals,
    field_by_path,
    format_number,
    largest_remainder,
    load_registry,
    load_rules,
    per_head_allowance,
    share_fte,
    spelt_out,
)
from pakt.sync import (
    DistrictView,
    Place,
    Received,
    RunCounts,
    RunRecord,
    RunStamp,
    RunSummary,
    SyncOptions,
    VersionRecord,
    consolidate,
    run_sync,
)

REPO = Path(__file__).resolve().parents[1]

SEED = 2018
"""The default seed: the same seed writes the same figures."""

STATE_NAME = "Baden-Württemberg"
STATE_KEY = "08"
STICHTAG = date(2018, 6, 30)
DISTRICT_DEADLINE = date(2018, 7, 31)
"""When municipalities report to their district (the sample district's deadline)."""
STATE_DEADLINE = date(2018, 9, 30)
"""When districts report to the state."""
RULES_ID = "pfi-2017-2019"
WRITTEN_AT = datetime(2018, 8, 13, 8, 0)
"""When the invented districts ran their sync (after their deadline, so a missing report is overdue)."""

MASTERS_FOLDER = "landkreise"
STATE_MASTER = "master/Pakt_Uebersicht_Baden-Wuerttemberg.xlsx"
EXPECTED_FILE = "expected.json"
SAMPLE_KEY = "08327"
"""Landkreis Tuttlingen: the sample district, synced for real."""

INVENTED_NOTE = "Erfundene Beispielzahlen (sample_state/generate.py), keine echten Meldungen."
"""What every invented master's Verlauf says, and expected.json too (German: district staff read it)."""


# -- the facts ---------------------------------------------------------------------------------


class DistrictType(enum.StrEnum):
    LANDKREIS = "Landkreis"
    STADTKREIS = "Stadtkreis"


@dataclass(frozen=True)
class DistrictFact:
    """One district of Baden-Württemberg as the Gemeindeverzeichnis lists it (see the module docstring)."""

    key: str
    name: str
    """The district's name as its registry and master carry it ("Landkreis Böblingen", "Alb-Donau-Kreis")."""
    type: DistrictType
    municipalities: int

    @property
    def city(self) -> str:
        """A Stadtkreis's one municipality: the city."""
        return self.name.removeprefix(f"{DistrictType.STADTKREIS} ")

    @property
    def master(self) -> str:
        """Where its master lies in the state folder, relative to the state registry."""
        return f"{MASTERS_FOLDER}/{self.key}_{file_slug(self.name)}.xlsx"


def _stadtkreis(key: str, city: str) -> DistrictFact:
    return DistrictFact(key, f"{DistrictType.STADTKREIS} {city}", DistrictType.STADTKREIS, 1)


def _landkreis(key: str, name: str, municipalities: int) -> DistrictFact:
    return DistrictFact(key, name, DistrictType.LANDKREIS, municipalities)


DISTRICTS: tuple[DistrictFact, ...] = (
    _stadtkreis("08111", "Stuttgart"),
    _landkreis("08115", "Landkreis Böblingen", 26),
    _landkreis("08116", "Landkreis Esslingen", 44),
    _landkreis("08117", "Landkreis Göppingen", 38),
    _landkreis("08118", "Landkreis Ludwigsburg", 39),
    _landkreis("08119", "Rems-Murr-Kreis", 31),
    _stadtkreis("08121", "Heilbronn"),
    _landkreis("08125", "Landkreis Heilbronn", 46),
    _landkreis("08126", "Hohenlohekreis", 16),
    _landkreis("08127", "Landkreis Schwäbisch Hall", 30),
    _landkreis("08128", "Main-Tauber-Kreis", 18),
    _landkreis("08135", "Landkreis Heidenheim", 11),
    _landkreis("08136", "Ostalbkreis", 42),
    _stadtkreis("08211", "Baden-Baden"),
    _stadtkreis("08212", "Karlsruhe"),
    _landkreis("08215", "Landkreis Karlsruhe", 32),
    _landkreis("08216", "Landkreis Rastatt", 23),
    _stadtkreis("08221", "Heidelberg"),
    _stadtkreis("08222", "Mannheim"),
    _landkreis("08225", "Neckar-Odenwald-Kreis", 27),
    _landkreis("08226", "Rhein-Neckar-Kreis", 54),
    _stadtkreis("08231", "Pforzheim"),
    _landkreis("08235", "Landkreis Calw", 25),
    _landkreis("08236", "Enzkreis", 28),
    _landkreis("08237", "Landkreis Freudenstadt", 16),
    _stadtkreis("08311", "Freiburg im Breisgau"),
    _landkreis("08315", "Landkreis Breisgau-Hochschwarzwald", 50),
    _landkreis("08316", "Landkreis Emmendingen", 24),
    _landkreis("08317", "Ortenaukreis", 51),
    _landkreis("08325", "Landkreis Rottweil", 21),
    _landkreis("08326", "Schwarzwald-Baar-Kreis", 20),
    _landkreis("08327", "Landkreis Tuttlingen", 35),
    _landkreis("08335", "Landkreis Konstanz", 25),
    _landkreis("08336", "Landkreis Lörrach", 35),
    _landkreis("08337", "Landkreis Waldshut", 32),
    _landkreis("08415", "Landkreis Reutlingen", 26),
    _landkreis("08416", "Landkreis Tübingen", 15),
    _landkreis("08417", "Zollernalbkreis", 25),
    _stadtkreis("08421", "Ulm"),
    _landkreis("08425", "Alb-Donau-Kreis", 55),
    _landkreis("08426", "Landkreis Biberach", 45),
    _landkreis("08435", "Bodenseekreis", 23),
    _landkreis("08436", "Landkreis Ravensburg", 39),
    _landkreis("08437", "Landkreis Sigmaringen", 25),
)
"""Baden-Württemberg's 44 districts by key, with their municipality counts (Gebietsstand 31.12.2019)."""

STATE_MUNICIPALITIES = 1_101


def file_slug(name: str) -> str:
    """A name as a file name part: "Landkreis Lörrach" -> "Landkreis_Loerrach" (hyphens stay)."""
    return spelt_out(name).replace(" ", "_")


# -- what generation returns (and expected.json holds) -----------------------------------------


@dataclass(frozen=True, kw_only=True)
class DistrictExpected:
    """One district's figures as its master shows them."""

    key: str
    name: str
    master: str
    """Relative to the state folder."""
    municipalities: int
    received: int
    """Municipalities whose figures are in the totals."""
    missing: int
    invalid: int
    persons: int
    allowance_eur: Decimal

    @classmethod
    def of(cls, fact: DistrictFact, view: DistrictView) -> DistrictExpected:
        return cls(
            key=fact.key,
            name=fact.name,
            master=fact.master,
            municipalities=len(view.rows),
            received=view.received,
            missing=view.missing,
            invalid=view.invalid,
            persons=view.totals.persons,
            allowance_eur=view.totals.allowance_eur,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "master": self.master,
            "municipalities": self.municipalities,
            "received": self.received,
            "missing": self.missing,
            "invalid": self.invalid,
            "persons": self.persons,
            "allowance_eur": f"{self.allowance_eur:.2f}",
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DistrictExpected:
        return cls(**{**data, "allowance_eur": Decimal(data["allowance_eur"])})


@dataclass(frozen=True, kw_only=True)
class StateExpected:
    """The state's generated figures: every district's, and their totals."""

    seed: int
    stichtag: date
    note: str
    districts: tuple[DistrictExpected, ...]
    municipalities: int
    received: int
    missing: int
    invalid: int
    persons: int
    allowance_eur: Decimal

    def district(self, key: str) -> DistrictExpected:
        return next(d for d in self.districts if d.key == key)

    def to_json(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "seed": self.seed,
            "stichtag": self.stichtag.isoformat(),
            "total": {
                "districts": len(self.districts),
                "municipalities": self.municipalities,
                "received": self.received,
                "missing": self.missing,
                "invalid": self.invalid,
                "persons": self.persons,
                "allowance_eur": f"{self.allowance_eur:.2f}",
            },
            "districts": [d.to_json() for d in self.districts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StateExpected:
        total = data["total"]
        return cls(
            seed=data["seed"],
            stichtag=date.fromisoformat(data["stichtag"]),
            note=data["note"],
            districts=tuple(DistrictExpected.from_json(d) for d in data["districts"]),
            municipalities=total["municipalities"],
            received=total["received"],
            missing=total["missing"],
            invalid=total["invalid"],
            persons=total["persons"],
            allowance_eur=Decimal(total["allowance_eur"]),
        )


@dataclass(frozen=True, kw_only=True)
class SampleState:
    """What `generate` wrote, and how long it took."""

    root: Path
    registry: Path
    masters: tuple[Path, ...]
    expected: StateExpected
    sample_seconds: float
    """The real sync of the sample district (Landkreis Tuttlingen)."""
    invented_seconds: float
    """The 43 invented masters."""

    @property
    def seconds(self) -> float:
        return self.sample_seconds + self.invented_seconds


# -- the sample district, synced for real --------------------------------------------------------


def sync_sample_district(repo: Path, master: Path, now: datetime = WRITTEN_AT) -> DistrictView:
    """Sync a private copy of the sample district (pakt.toml and sample_workbooks/) into `master`."""
    with tempfile.TemporaryDirectory(prefix="pakt-stichprobe-") as work:
        copy = Path(work)
        shutil.copytree(
            repo / "sample_workbooks", copy / "sample_workbooks", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copy(repo / "pakt.toml", copy / "pakt.toml")
        written = copy / "master" / master.name
        result = run_sync(load_registry(copy / "pakt.toml"), SyncOptions(master=written, now=lambda: now))
        if result.view is None or not result.master_written or result.failures:
            raise RuntimeError(f"Der Abgleich des Beispielkreises ist gescheitert: {result.failures}")
        master.write_bytes(written.read_bytes())
        return result.view


# -- an invented district ------------------------------------------------------------------------


class Outcome(enum.Enum):
    """What an invented municipality sent in."""

    SUBMITTED = "eingereicht"
    LATE = "nach der Frist eingereicht"
    MISSING = "nichts"
    BROKEN_AFTER_VALID = "eine gültige, dann eine fehlerhafte Fassung"
    BROKEN_ONLY = "nur eine fehlerhafte Fassung"


AGE_WEIGHTS = {
    "under_3": 8,
    "from_3_to_5": 9,
    "from_6_to_17": 25,
    "from_18_to_26": 21,
    "from_27_to_64": 35,
    "from_65": 2,
}
FUNDS_SHARES = {
    "child_care_eur": Decimal("0.30"),
    "social_care_eur": Decimal("0.25"),
    "administration_eur": Decimal("0.15"),
    "volunteer_groups_eur": Decimal("0.10"),
}
PERSONS_PER_FTE = 80
"""About how many persons one full-time integration manager looks after."""
DISTRICT_MANAGER_SERVES = 8
"""Municipalities that delegated integration management share one district-employed manager per this many."""


@dataclass
class _Invented:
    municipality: Municipality
    persons: int
    outcome: Outcome = Outcome.SUBMITTED
    managers: list[dict[str, Any]] | None = None


def _persons(rng: random.Random, fact: DistrictFact) -> int:
    """Persons in follow-up accommodation: 0 to a few hundred, a few thousand in a Stadtkreis."""
    if fact.type is DistrictType.STADTKREIS:
        return rng.randint(350, 2_600)
    if rng.random() < 0.05:
        return 0
    return min(450, int(rng.lognormvariate(2.6, 1.0)))


def _municipalities(rng: random.Random, fact: DistrictFact) -> list[_Invented]:
    if fact.type is DistrictType.STADTKREIS:
        city = Municipality(ags=f"{fact.key}000", name=fact.city, im_mode=ImMode.SELBST)
        return [_Invented(city, _persons(rng, fact))]
    invented = []
    for number in range(1, fact.municipalities + 1):
        persons = _persons(rng, fact)
        own = rng.random() < (0.85 if persons >= 40 else 0.35)  # the bigger ones tend to employ their own
        ags = f"{fact.key}{number:03d}"
        mode = ImMode.SELBST if own else ImMode.LANDKREIS
        invented.append(_Invented(Municipality(ags=ags, name=f"Gemeinde {ags}", im_mode=mode), persons))
    return invented


def _assign_outcomes(rng: random.Random, invented: list[_Invented], outcomes: Sequence[Outcome]) -> None:
    for chosen, outcome in zip(rng.sample(invented, len(outcomes)), outcomes, strict=True):
        chosen.outcome = outcome


def _landkreis_outcomes(rng: random.Random) -> list[Outcome]:
    """A few municipalities per Landkreis that did not simply submit: one or two missing, one or two broken,
    perhaps one late."""
    outcomes = [Outcome.MISSING, Outcome.BROKEN_AFTER_VALID]
    if rng.random() < 0.4:
        outcomes.append(Outcome.MISSING)
    if rng.random() < 0.3:
        outcomes.append(Outcome.BROKEN_ONLY)
    if rng.random() < 0.5:
        outcomes.append(Outcome.LATE)
    return outcomes


def _fte_rows(fte: Decimal) -> list[Decimal]:
    """A municipality's own FTE as staff rows of at most one full position each."""
    rows = []
    while fte > 0:
        rows.append(min(fte, Decimal("1.00")))
        fte -= rows[-1]
    return rows


def _steps(persons: int) -> Decimal:
    """FTE for this many persons, in 0.05 steps, at least one step."""
    return max(1, round(persons / PERSONS_PER_FTE / float(FTE_STEP))) * FTE_STEP


def _assign_managers(rng: random.Random, fact: DistrictFact, invented: list[_Invented]) -> None:
    """Own staff for the municipalities that run integration management themselves; district-employed managers,
    each shared by persons over a group, for those that delegated it."""
    counter = iter(range(1, 10_000))

    def start() -> date:
        return date(2017, 9, 1) + timedelta(days=rng.randint(0, 250))

    delegated = []
    for entry in invented:
        entry.managers = []
        if entry.persons == 0:
            continue
        if entry.municipality.im_mode is ImMode.LANDKREIS:
            delegated.append(entry)
            continue
        employer = rng.choice(["Gemeinde", "Gemeinde", "freier Träger"])
        for fte in _fte_rows(_steps(entry.persons)):
            pseudonym = f"IM-{next(counter):02d}"
            entry.managers.append({"pseudonym": pseudonym, "fte": fte, "start_date": start(), "employer": employer})
    for first in range(0, len(delegated), DISTRICT_MANAGER_SERVES):
        group = delegated[first : first + DISTRICT_MANAGER_SERVES]
        fte = min(Decimal("1.00"), max(Decimal("0.50"), _steps(sum(e.persons for e in group))))
        pseudonym, began = f"IM-{next(counter):02d}", start()
        shares = share_fte({e.municipality.ags: e.persons for e in group}, fte)
        for entry in group:
            if shares[entry.municipality.ags] > 0:
                share = shares[entry.municipality.ags]
                entry.managers.append(
                    {"pseudonym": pseudonym, "fte": share, "start_date": began, "employer": "Landkreis"}
                )


def _submission(entry: _Invented, rules: RuleSet, signed: date, number: int) -> Submission:
    municipality, persons = entry.municipality, entry.persons
    allowance = per_head_allowance(persons, STICHTAG, rules)
    fte = sum((m["fte"] for m in entry.managers), Decimal("0.00"))
    contact = f"Sachbearbeitung {municipality.ags}"
    return Submission.model_validate(
        {
            "header": {
                "ags": municipality.ags,
                "name": municipality.name,
                "stichtag": STICHTAG,
                "contact_person": contact,
                "email": f"integration@gemeinde-{municipality.ags}.example",
                "phone": f"0{7000 + number % 1000} {1000 + number}",
            },
            "persons": {"total": persons, "by_age": largest_remainder(AGE_WEIGHTS, persons)},
            "management": {"mode": municipality.im_mode},
            "managers": entry.managers,
            "material_costs": {
                "office_eur": (fte * Decimal("1850.00")).quantize(CENT),
                "travel_eur": (Decimal("23.40") * persons if fte else Decimal(0)).quantize(CENT),
                "training_eur": (fte * Decimal("420.50")).quantize(CENT),
            },
            "funds_use": {key: (allowance * share).quantize(CENT) for key, share in FUNDS_SHARES.items()},
            "sign_off": {"name": contact, "date": signed, "submitted": True},
        }
    )


_BROKEN = (("persons", "total"), ("header", "contact_person"), ("header", "email"))
"""Inputs an invented broken version left empty."""


def _blocking(municipality: Municipality, path: str, number: int) -> tuple[Finding, ...]:
    """The error an invented broken version has: a required input left empty (worded as Pakt words it)."""
    field = field_by_path(_BROKEN[number % len(_BROKEN)])
    message = f"{field.label} fehlt. Bitte {field.spec.expectation()} eintragen."
    return (
        Finding(
            code=Code.PFLICHTFELD,
            severity=Severity.ERROR,
            message=message,
            sheet=field.sheet,
            ags=municipality.ags,
            municipality=municipality.name,
            file=path,
        ),
    )


class _Versions:
    """Stored versions of an invented district, numbered as a state store would number them."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.count = 0

    def make(self, municipality: Municipality, seen_at: datetime, valid: bool) -> VersionRecord:
        self.count += 1
        path = f"{MASTERS_FOLDER}/{municipality.ags}_erfunden.xlsx"  # no such file: the Quelle column says so
        digest = hashlib.sha256(f"{self.seed}:{municipality.ags}:{self.count}".encode()).hexdigest()
        return VersionRecord(
            id=self.count,
            ags=municipality.ags,
            stichtag=STICHTAG,
            sha256=digest,
            path=path,
            seen_at=seen_at,
            run_id=1,
            valid=valid,
            findings=() if valid else _blocking(municipality, path, self.count),
            locations={"fields": {}},
            submission_json=None,
        )


def _received(
    entry: _Invented, versions: _Versions, rules: RuleSet, rng: random.Random, submissions: dict[int, Submission]
) -> Received | None:
    outcome = entry.outcome
    if outcome is Outcome.MISSING:
        return None
    municipality = entry.municipality
    number = int(municipality.ags[2:])
    if outcome is Outcome.LATE:
        signed = DISTRICT_DEADLINE + timedelta(days=rng.randint(1, 10))
    else:
        signed = STICHTAG + timedelta(days=rng.randint(2, 28))
    seen = datetime.combine(signed + timedelta(days=1), datetime.min.time()) + timedelta(hours=rng.randint(7, 17))
    if outcome is Outcome.BROKEN_ONLY:
        return Received(versions.make(municipality, seen, valid=False), None)
    valid = versions.make(municipality, seen, valid=True)
    submissions[valid.id] = _submission(entry, rules, signed, number)
    if outcome is Outcome.BROKEN_AFTER_VALID:
        broken = versions.make(municipality, min(seen + timedelta(days=5), WRITTEN_AT - timedelta(hours=1)), False)
        return Received(broken, valid)
    return Received(valid, valid)


def invented_view(
    fact: DistrictFact, invented: list[_Invented], rules: RuleSet, seed: int, rng: random.Random, today: date
) -> DistrictView:
    """The district view of invented submissions, consolidated as a sync would consolidate them."""
    registry = Registry(
        district=District(name=fact.name, key=fact.key),
        round=ReportingRound(stichtag=STICHTAG, deadline=DISTRICT_DEADLINE, rules=RULES_ID),
        municipalities=tuple(entry.municipality for entry in invented),
    )
    _assign_managers(rng, fact, invented)
    versions, submissions, received = _Versions(seed), {}, {}
    for entry in invented:
        found = _received(entry, versions, rules, rng, submissions)
        if found is not None:
            received[entry.municipality.ags] = found
    return consolidate(registry, rules, received, submissions, {}, today=today)


def write_invented_master(view: DistrictView, stamp: RunStamp, master: Path) -> None:
    """The master of an invented district, written by Pakt's own writer (binding sheet and names included)."""
    from pakt.sync.master._sheets import master_grids
    from pakt.sync.master._xlsx import build_master
    from pakt.sync.view._consolidate import district_figures

    missing = tuple(row.municipality.name for row in view.rows if row.absent)
    versions = sum((row.used is not None) + (row.newer_broken is not None) for row in view.rows)
    read = sum(1 for row in view.rows if not row.absent)
    summary = RunSummary(
        counts=RunCounts(read=read, unchanged=0, new_versions=versions, master_note="neu geschrieben"),
        figures=district_figures(view),
        missing_names=missing,
    )
    changes = (INVENTED_NOTE,)
    run = RunRecord(
        id=stamp.run_id,
        started_at=stamp.started_at,
        finished_at=stamp.finished_at,
        summary=summary,
        changes=changes,
        master_path=str(master),
    )

    def places(key: str) -> Place:
        return Place(PurePath(key).name)  # no file behind it: nothing to link to

    grids = master_grids(view, stamp, [run], changes, places)
    master.write_bytes(build_master(grids, view, stamp, master.parent))


# -- the state ---------------------------------------------------------------------------------


def registry_toml(districts: Sequence[DistrictFact], seed: int) -> str:
    """The state registry: the districts and where their masters lie."""
    lines = [
        f"# Sample state registry, written by sample_state/generate.py (seed {seed}).",
        "# THE FIGURES ARE INVENTED: the district masters below hold made-up submissions, no real reports",
        "# (erfundene Beispielzahlen). Only the districts, their keys and municipality counts are facts",
        "# (Destatis GV-ISys, Gebietsstand 31.12.2019); Landkreis Tuttlingen is the sample district.",
        "[district]",
        f'name = "{STATE_NAME}"',
        f'key = "{STATE_KEY}"',
        "[round]",
        f"stichtag = {STICHTAG.isoformat()}",
        f"deadline = {STATE_DEADLINE.isoformat()}",
        f'rules = "{RULES_ID}"',
        "[master]",
        f'path = "{STATE_MASTER}"',
        "[sources]",
        f'folders = ["{MASTERS_FOLDER}"]',
    ]
    for fact in districts:
        lines += ["", "[[districts]]", f'key = "{fact.key}"', f'name = "{fact.name}"', f'master = "{fact.master}"']
    return "\n".join(lines) + "\n"


def _state_expected(seed: int, districts: list[DistrictExpected], figures: list[MunicipalFigures]) -> StateExpected:
    totals = district_totals(figures)
    return StateExpected(
        seed=seed,
        stichtag=STICHTAG,
        note=INVENTED_NOTE,
        districts=tuple(districts),
        municipalities=sum(d.municipalities for d in districts),
        received=totals.municipalities,
        missing=sum(d.missing for d in districts),
        invalid=sum(d.invalid for d in districts),
        persons=totals.persons,
        allowance_eur=totals.allowance_eur,
    )


def generate(root: Path, seed: int = SEED, repo: Path = REPO) -> SampleState:
    """Write the sample state under `root`: pakt.toml, the 44 district masters, expected.json.

    The same seed writes the same figures. `repo` holds the sample district (pakt.toml, sample_workbooks/).
    """
    rules = load_rules(RULES_ID)
    folder = root / MASTERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    sample = next(fact for fact in DISTRICTS if fact.key == SAMPLE_KEY)

    started = time.perf_counter()
    sample_view = sync_sample_district(repo, root / sample.master)
    sample_seconds = time.perf_counter() - started

    started = time.perf_counter()
    views: dict[str, DistrictView] = {SAMPLE_KEY: sample_view}
    rng = random.Random(f"pakt-sample-state-{seed}")
    stadtkreise = [fact for fact in DISTRICTS if fact.type is DistrictType.STADTKREIS]
    city_outcomes = dict(
        zip(rng.sample(stadtkreise, 3), (Outcome.MISSING, Outcome.BROKEN_AFTER_VALID, Outcome.LATE), strict=True)
    )
    for index, fact in enumerate(DISTRICTS):
        if fact.key == SAMPLE_KEY:
            continue
        district_rng = random.Random(f"pakt-sample-state-{seed}-{fact.key}")
        invented = _municipalities(district_rng, fact)
        if fact.type is DistrictType.LANDKREIS:
            _assign_outcomes(district_rng, invented, _landkreis_outcomes(district_rng))
        elif fact in city_outcomes:
            invented[0].outcome = city_outcomes[fact]
        begun = WRITTEN_AT + timedelta(minutes=7 * index)
        stamp = RunStamp(1, begun, begun + timedelta(seconds=2 + index % 5))
        view = invented_view(fact, invented, rules, seed, district_rng, stamp.finished_at.date())
        write_invented_master(view, stamp, root / fact.master)
        views[fact.key] = view
    invented_seconds = time.perf_counter() - started

    expected = _state_expected(
        seed,
        [DistrictExpected.of(fact, views[fact.key]) for fact in DISTRICTS],
        [row.figures for fact in DISTRICTS for row in views[fact.key].rows if row.figures is not None],
    )
    registry = root / "pakt.toml"
    registry.write_text(registry_toml(DISTRICTS, seed), encoding="utf-8")
    (root / EXPECTED_FILE).write_text(
        json.dumps(expected.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return SampleState(
        root=root,
        registry=registry,
        masters=tuple(root / fact.master for fact in DISTRICTS),
        expected=expected,
        sample_seconds=sample_seconds,
        invented_seconds=invented_seconds,
    )


def read_expected(root: Path) -> StateExpected:
    """expected.json of a generated state."""
    return StateExpected.from_json(json.loads((root / EXPECTED_FILE).read_text(encoding="utf-8")))


def _seconds(value: float) -> str:
    return f"{format_number(Decimal(str(value)), 1)} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Ordner, in den pakt.toml und landkreise/ kommen")
    parser.add_argument("--seed", type=int, default=SEED, help=f"Startwert der erfundenen Zahlen (Vorgabe {SEED})")
    args = parser.parse_args(argv)
    state = generate(args.out, args.seed)
    expected = state.expected
    print(
        f"{len(state.masters)} Kreis-Übersichten mit {format_number(expected.municipalities)} Gemeinden nach "
        f"{args.out} geschrieben (erfundene Zahlen, Startwert {args.seed}): {_seconds(state.seconds)}, davon "
        f"Abgleich des Beispielkreises {_seconds(state.sample_seconds)}, 43 erfundene Kreise "
        f"{_seconds(state.invented_seconds)}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
