"""Generate the sample district: Landkreis Tuttlingen's 35 submissions, the blank template, pakt.toml.

Deterministic: the same code writes the same bytes, so the committed files can
be checked against this script (tests/test_sample_district.py does).

    python sample_workbooks/generate.py            # rewrite the committed files
    python sample_workbooks/generate.py --out DIR  # write a copy elsewhere

The figures reproduce the press article the project started from: 14
integration managers on 11.0 full-time positions, 17 of 35 municipalities
running integration management themselves, and a per-head allowance of
about one million euros (persons x 1,225 EUR). The AGS keys are illustrative.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pakt.plugin import Binding, workbook_filename, write_workbook
from pakt.schemas import (
    CENT,
    District,
    ImMode,
    Municipality,
    largest_remainder,
    load_rules,
    per_head_allowance,
    share_fte,
)

REPO = Path(__file__).resolve().parents[1]
DISTRICT = District(name="Landkreis Tuttlingen", key="08327")
STICHTAG = date(2018, 6, 30)
DEADLINE = date(2018, 7, 31)
RULES_ID = "pfi-2017-2019"
TEMPLATE_FOLDER = "vorlage"

# (name, mode, persons in follow-up accommodation on the Stichtag)
MUNICIPALITIES: list[tuple[str, ImMode, int]] = [
    ("Aldingen", ImMode.SELBST, 44),
    ("Balgheim", ImMode.LANDKREIS, 6),
    ("Bärenthal", ImMode.LANDKREIS, 3),
    ("Böttingen", ImMode.LANDKREIS, 9),
    ("Bubsheim", ImMode.LANDKREIS, 7),
    ("Buchheim", ImMode.LANDKREIS, 4),
    ("Deilingen", ImMode.LANDKREIS, 10),
    ("Denkingen", ImMode.SELBST, 15),
    ("Dürbheim", ImMode.LANDKREIS, 9),
    ("Durchhausen", ImMode.LANDKREIS, 6),
    ("Egesheim", ImMode.LANDKREIS, 3),
    ("Emmingen-Liptingen", ImMode.SELBST, 27),
    ("Fridingen an der Donau", ImMode.SELBST, 18),
    ("Frittlingen", ImMode.SELBST, 14),
    ("Geisingen", ImMode.SELBST, 37),
    ("Gosheim", ImMode.SELBST, 23),
    ("Gunningen", ImMode.LANDKREIS, 4),
    ("Hausen ob Verena", ImMode.LANDKREIS, 5),
    ("Immendingen", ImMode.SELBST, 38),
    ("Irndorf", ImMode.LANDKREIS, 0),
    ("Kolbingen", ImMode.LANDKREIS, 7),
    ("Königsheim", ImMode.LANDKREIS, 3),
    ("Mahlstetten", ImMode.LANDKREIS, 4),
    ("Mühlheim an der Donau", ImMode.SELBST, 21),
    ("Neuhausen ob Eck", ImMode.SELBST, 22),
    ("Reichenbach am Heuberg", ImMode.LANDKREIS, 2),
    ("Renquishausen", ImMode.LANDKREIS, 4),
    ("Rietheim-Weilheim", ImMode.SELBST, 16),
    ("Seitingen-Oberflacht", ImMode.SELBST, 15),
    ("Spaichingen", ImMode.SELBST, 76),
    ("Talheim", ImMode.LANDKREIS, 8),
    ("Trossingen", ImMode.SELBST, 98),
    ("Tuttlingen", ImMode.SELBST, 226),
    ("Wehingen", ImMode.SELBST, 20),
    ("Wurmlingen", ImMode.SELBST, 24),
]


@dataclass(frozen=True)
class Manager:
    """An integration manager: contract FTE shared over the municipalities served, by persons."""

    pseudonym: str
    employer: str
    fte: Decimal
    start: date
    serves: tuple[str, ...]


_LANDKREIS_SERVED = [name for name, mode, persons in MUNICIPALITIES if mode is ImMode.LANDKREIS and persons]

MANAGERS = [
    Manager("IM-01", "Gemeinde", Decimal("1.00"), date(2017, 9, 1), ("Tuttlingen",)),
    Manager("IM-02", "Gemeinde", Decimal("1.00"), date(2017, 10, 1), ("Tuttlingen",)),
    Manager("IM-03", "Gemeinde", Decimal("1.00"), date(2018, 1, 15), ("Tuttlingen",)),
    Manager("IM-04", "Gemeinde", Decimal("1.00"), date(2017, 11, 1), ("Trossingen",)),
    Manager("IM-05", "freier Träger", Decimal("0.50"), date(2018, 2, 1), ("Trossingen",)),
    Manager("IM-06", "Gemeinde", Decimal("1.00"), date(2017, 12, 1), ("Spaichingen",)),
    Manager("IM-07", "freier Träger", Decimal("1.00"), date(2018, 1, 1), ("Aldingen", "Denkingen", "Frittlingen")),
    Manager("IM-08", "Gemeinde", Decimal("1.00"), date(2018, 3, 1), ("Immendingen", "Geisingen")),
    Manager("IM-09", "freier Träger", Decimal("0.50"), date(2018, 4, 3), ("Emmingen-Liptingen", "Neuhausen ob Eck")),
    Manager(
        "IM-10",
        "Gemeinde",
        Decimal("0.50"),
        date(2018, 4, 16),
        ("Wurmlingen", "Seitingen-Oberflacht", "Rietheim-Weilheim"),
    ),
    Manager("IM-11", "freier Träger", Decimal("0.50"), date(2018, 5, 2), ("Gosheim", "Wehingen")),
    Manager(
        "IM-12", "Gemeinde", Decimal("0.50"), date(2018, 5, 15), ("Mühlheim an der Donau", "Fridingen an der Donau")
    ),
    Manager("IM-13", "Landkreis", Decimal("1.00"), date(2018, 4, 3), tuple(_LANDKREIS_SERVED[:10])),
    Manager("IM-14", "Landkreis", Decimal("0.50"), date(2018, 5, 2), tuple(_LANDKREIS_SERVED[10:])),
]

AGE_WEIGHTS = (8, 9, 25, 21, 35, 2)
AGE_PATHS = ("under_3", "from_3_to_5", "from_6_to_17", "from_18_to_26", "from_27_to_64", "from_65")
CONTACTS = (
    "Anna Maier",
    "Bernd Keller",
    "Claudia Hahn",
    "Dieter Moser",
    "Elke Kaiser",
    "Frank Sauter",
    "Gabi Rebholz",
    "Hans Schäfer",
    "Ines Hermle",
    "Jürgen Stehle",
    "Karin Butsch",
    "Lukas Efinger",
)
FUNDS_SHARES = {
    "child_care_eur": Decimal("0.30"),
    "social_care_eur": Decimal("0.25"),
    "administration_eur": Decimal("0.15"),
    "volunteer_groups_eur": Decimal("0.10"),
    "other_eur": Decimal("0.05"),
}


def municipalities() -> list[Municipality]:
    """The registry entries, with illustrative AGS keys 08327002, 08327004, …"""
    return [
        Municipality(ags=f"{DISTRICT.key}{(index + 1) * 2:03d}", name=name, im_mode=mode)
        for index, (name, mode, _) in enumerate(MUNICIPALITIES)
    ]


def manager_rows() -> dict[str, list[dict[str, Any]]]:
    """Staff table rows per municipality: each manager's FTE shared out by persons, in 0.05 steps."""
    persons = {name: count for name, _, count in MUNICIPALITIES}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in MUNICIPALITIES}
    for manager in MANAGERS:
        shares = share_fte({name: persons[name] for name in manager.serves}, manager.fte)
        for name, fte in shares.items():
            if fte > 0:
                rows[name].append(
                    {
                        "pseudonym": manager.pseudonym,
                        "fte": fte,
                        "start_date": manager.start,
                        "employer": manager.employer,
                    }
                )
    return rows


def _slug(name: str) -> str:
    return workbook_filename(Municipality(ags="00000000", name=name, im_mode=ImMode.SELBST))[9:-5].lower()


def submission_values(index: int, municipality: Municipality, persons: int, fte: Decimal) -> dict[tuple[str, ...], Any]:
    """The raw cell values of one sample submission."""
    rotated = AGE_WEIGHTS[index % 3 :] + AGE_WEIGHTS[: index % 3] if index % 5 == 0 else AGE_WEIGHTS
    ages = largest_remainder(dict(zip(AGE_PATHS, rotated, strict=False)), persons)
    allowance = per_head_allowance(persons, STICHTAG, load_rules(RULES_ID))
    contact = CONTACTS[index % len(CONTACTS)]
    values: dict[tuple[str, ...], Any] = {
        ("header", "contact_person"): contact,
        ("header", "email"): f"integration@{_slug(municipality.name)}.example",
        ("header", "phone"): f"07461 {9100 + index * 7}",
        ("persons", "total"): persons,
        ("material_costs", "office_eur"): (fte * Decimal("1850.00") + (index if fte else 0)).quantize(CENT),
        ("material_costs", "travel_eur"): (Decimal("23.40") * persons if fte else Decimal(0)).quantize(CENT),
        ("material_costs", "training_eur"): (fte * Decimal("420.50")).quantize(CENT),
        ("material_costs", "other_eur"): Decimal(index * 3) + Decimal("0.99") if fte else Decimal("0.00"),
        ("sign_off", "name"): contact,
        ("sign_off", "date"): STICHTAG + timedelta(days=3 + index % 24),
        ("sign_off", "submitted"): True,
    }
    values.update({("persons", "by_age", key): count for key, count in ages.items()})
    values.update({("funds_use", key): (allowance * share).quantize(CENT) for key, share in FUNDS_SHARES.items()})
    return values


def registry_toml(entries: list[Municipality]) -> str:
    """The sample pakt.toml, pointing at the sample workbooks."""
    lines = [
        "# Registry of the sample district, written by sample_workbooks/generate.py.",
        "# A real district supplies its own: municipalities, keys and where their workbooks live.",
        "",
        "[district]",
        f'name = "{DISTRICT.name}"',
        f'key = "{DISTRICT.key}"',
        "",
        "[round]",
        f"stichtag = {STICHTAG.isoformat()}",
        f"deadline = {DEADLINE.isoformat()}",
        f'rules = "{RULES_ID}"',
        "",
        "[master]",
        'path = "master/Pakt_Uebersicht_Landkreis_Tuttlingen.xlsx"',
        "",
        "[sources]",
        'folders = ["sample_workbooks"]',
        f'exclude = ["{TEMPLATE_FOLDER}"]',
        "",
    ]
    for municipality in entries:
        lines += [
            "[[municipalities]]",
            f'ags = "{municipality.ags}"',
            f'name = "{municipality.name}"',
            f'im_mode = "{municipality.im_mode.value}"',
            f'workbook = "sample_workbooks/{workbook_filename(municipality)}"',
            "",
        ]
    return "\n".join(lines)


def generate(root: Path) -> list[Path]:
    """Write pakt.toml, the blank template and the 35 submissions under `root`."""
    rules = load_rules(RULES_ID)
    folder = root / "sample_workbooks"
    entries = municipalities()
    staff = manager_rows()
    written = [root / "pakt.toml"]
    written[0].write_text(registry_toml(entries), encoding="utf-8")
    blank = Binding(DISTRICT, rules, STICHTAG, None, deadline=DEADLINE)
    written.append(write_workbook(folder / TEMPLATE_FOLDER / workbook_filename(None), blank))
    for index, (municipality, (_, _, persons)) in enumerate(zip(entries, MUNICIPALITIES, strict=False)):
        rows = staff[municipality.name]
        fte = sum((row["fte"] for row in rows), Decimal("0"))
        values = submission_values(index, municipality, persons, fte)
        binding = Binding(DISTRICT, rules, STICHTAG, municipality, deadline=DEADLINE)
        written.append(write_workbook(folder / workbook_filename(municipality), binding, values, rows))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO, help="folder to write pakt.toml and sample_workbooks/ into")
    args = parser.parse_args(argv)
    written = generate(args.out)
    print(f"{len(written)} Dateien geschrieben nach {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
