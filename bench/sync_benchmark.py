"""Benchmark of `pakt sync` against the usual way (pandas.read_excel over every file, then to_excel).

    python bench/sync_benchmark.py                       # 35, 1,101 and 10,000 workbooks (slow: minutes)
    python bench/sync_benchmark.py --sizes 35 --work DIR # the CI smoke run

For each size it generates the submission workbooks once (kept under --work),
then, on the same files and in this same run, times in fresh processes:

    cold      pakt sync with an empty state store (every file read)
    warm      pakt sync again, nothing changed (median of 5 runs, each in a fresh process)
    baseline  pandas.read_excel(engine="openpyxl") of the three data sheets of every file,
              concatenated and written with to_excel

and prints seconds, files per second, peak memory (RSS of the process and its
workers) and the ratios baseline/cold and cold/warm. Targets from the issue:
cold >= 10x faster than the baseline, warm >= 100x faster than cold, 10,000
cold under 60 s on two cores. This is a benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STICHTAG = date(2018, 6, 30)
GENERATOR_VERSION = "3"
DATA_SHEETS = ["Meldung", "Integrationsmanager", "Kosten"]


# -- the generated district ------------------------------------------------------------------


def _municipalities(count: int):
    from pakt.schemas import ImMode, Municipality

    return [
        Municipality(
            ags=f"08{number:06d}",
            name=f"Gemeinde {number:05d}",
            im_mode=ImMode.SELBST if number % 2 else ImMode.LANDKREIS,
        )
        for number in range(1, count + 1)
    ]


def _values(number: int) -> tuple[dict, list[dict]]:
    """Raw cell values of one generated submission: plausible, valid and different from its neighbours."""
    from pakt.schemas import largest_remainder

    chance = random.Random(number)
    persons = chance.randint(0, 240)
    ages = largest_remainder(
        {"under_3": 8, "from_3_to_5": 9, "from_6_to_17": 25, "from_18_to_26": 21, "from_27_to_64": 35, "from_65": 2},
        persons,
    )
    steps = max(1, round(persons / 75 / 0.05)) if persons else 0
    managers = []
    for k in range(min(3, (steps + 19) // 20)):
        share = min(20, steps - 20 * k)
        managers.append(
            {
                "pseudonym": f"IM-{number}-{k + 1}",
                "fte": Decimal(share) * Decimal("0.05"),
                "start_date": date(2017, 9, 1) + timedelta(days=chance.randint(0, 250)),
                "employer": chance.choice(["Gemeinde", "Landkreis", "freier Träger"]),
            }
        )
    allowance = Decimal(persons) * Decimal("1225.00")
    values = {
        ("header", "contact_person"): f"Sachbearbeitung {number}",
        ("header", "email"): f"integration{number}@gemeinde.example",
        ("header", "phone"): f"07461 {1000 + number % 9000}",
        ("persons", "total"): persons,
        ("material_costs", "office_eur"): Decimal(chance.randint(0, 300000)) / 100,
        ("material_costs", "travel_eur"): Decimal(chance.randint(0, 90000)) / 100,
        ("funds_use", "child_care_eur"): (allowance * Decimal("0.4")).quantize(Decimal("0.01")),
        ("funds_use", "social_care_eur"): (allowance * Decimal("0.3")).quantize(Decimal("0.01")),
        ("sign_off", "name"): f"Sachbearbeitung {number}",
        ("sign_off", "date"): STICHTAG + timedelta(days=1 + number % 25),
        ("sign_off", "submitted"): True,
    }
    values.update({("persons", "by_age", key): n for key, n in ages.items()})
    return values, managers


def _write_one(args: tuple[Path, int]) -> None:
    from pakt.plugin import Binding, workbook_filename, write_workbook
    from pakt.schemas import District, load_rules

    folder, number = args
    municipality = _municipalities(number)[-1]
    binding = Binding(
        District(name="Baden-Württemberg (Benchmark)", key="08"), load_rules("pfi-2017-2019"), STICHTAG, municipality
    )
    values, managers = _values(number)
    write_workbook(folder / workbook_filename(municipality), binding, values, managers)


def _registry_text(count: int) -> str:
    lines = [
        '[district]\nname = "Baden-Württemberg (Benchmark)"\nkey = "08"\n',
        f'[round]\nstichtag = {STICHTAG.isoformat()}\ndeadline = 2018-07-31\nrules = "pfi-2017-2019"\n',
        '[master]\npath = "master/Uebersicht.xlsx"\n',
        '[sources]\nfolders = ["meldungen"]\n',
    ]
    for m in _municipalities(count):
        lines.append(f'[[municipalities]]\nags = "{m.ags}"\nname = "{m.name}"\nim_mode = "{m.im_mode.value}"\n')
    return "\n".join(lines)


def prepare(root: Path, count: int) -> Path:
    """Generate `count` submission workbooks under root (once; reused while the generator is unchanged)."""
    marker = root / "generated.json"
    if marker.exists() and json.loads(marker.read_text()) == {"count": count, "version": GENERATOR_VERSION}:
        return root
    folder = root / "meldungen"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "pakt.toml").write_text(_registry_text(count), encoding="utf-8")
    jobs = [(folder, number) for number in range(1, count + 1)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_write_one, jobs, chunksize=50))
    marker.write_text(json.dumps({"count": count, "version": GENERATOR_VERSION}))
    return root


# -- the phases, each measured in a fresh process ---------------------------------------------


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def phase_sync(root: Path, fresh: bool) -> dict:
    from pakt.schemas import load_registry
    from pakt.sync import SyncOptions, run_sync

    registry = load_registry(root / "pakt.toml")
    if fresh:
        for leftover in (root / "master").glob("*"):
            leftover.unlink()
    started = time.perf_counter()
    result = run_sync(registry, SyncOptions())
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "read": result.read,
        "unchanged": result.unchanged,
        "peak_mb": _peak_mb(),
        "received": result.figures.received,
    }


def phase_baseline(root: Path) -> dict:
    import pandas as pd

    files = sorted((root / "meldungen").glob("*.xlsx"))
    started = time.perf_counter()
    frames = {name: [] for name in DATA_SHEETS}
    for path in files:
        sheets = pd.read_excel(path, sheet_name=DATA_SHEETS, engine="openpyxl", header=None)
        for name, frame in sheets.items():
            frame.insert(0, "Datei", path.name)
            frames[name].append(frame)
    out = root / "baseline.xlsx"
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, parts in frames.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=name, index=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "read": len(files), "peak_mb": _peak_mb()}


WARM_REPEATS = 5
"""A warm sync changes nothing, so it can be repeated; its figure is the median of these fresh-process runs."""


def _median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def measure(root: Path, phase: str) -> dict:
    """Run one phase in a fresh Python, so time and peak memory are its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--work", str(root)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report --------------------------------------------------------------------------------


def run(sizes: list[int], work: Path) -> list[dict]:
    rows = []
    for count in sizes:
        root = prepare(work / f"n{count}", count)
        cold = measure(root, "cold")
        warm = _median_run([measure(root, "warm") for _ in range(WARM_REPEATS)])
        baseline = measure(root, "baseline")
        assert cold["read"] == count and warm["unchanged"] == count and cold["received"] == count
        rows.append({"size": count, "cold": cold, "warm": warm, "baseline": baseline})
        print_row(rows[-1])
    return rows


def print_header() -> None:
    print(f"cores: {os.cpu_count()}, Python {sys.version.split()[0]}")
    print(f"{'files':>7} | {'phase':<9} | {'seconds':>9} | {'files/s':>10} | {'peak MB':>8} | ratio")
    print("-" * 70)


def print_row(row: dict) -> None:
    count = row["size"]
    cold, warm, baseline = row["cold"], row["warm"], row["baseline"]
    ratios = {
        "baseline": f"{baseline['seconds'] / cold['seconds']:.1f}x slower than cold",
        "cold": f"{baseline['seconds'] / cold['seconds']:.1f}x faster than baseline",
        "warm": f"{cold['seconds'] / warm['seconds']:.0f}x faster than cold",
    }
    for name in ("baseline", "cold", "warm"):
        figures = row[name]
        rate = count / figures["seconds"] if figures["seconds"] else float("inf")
        print(
            f"{count:>7} | {name:<9} | {figures['seconds']:>9.3f} | {rate:>10.0f} | {figures['peak_mb']:>8.0f} | {ratios[name]}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of pakt sync against pandas.read_excel + to_excel.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[35, 1101, 10000])
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    parser.add_argument("--phase", choices=["cold", "warm", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        figures = phase_baseline(args.work) if args.phase == "baseline" else phase_sync(args.work, args.phase == "cold")
        print(json.dumps(figures))
        return 0
    print_header()
    run(args.sizes, args.work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
