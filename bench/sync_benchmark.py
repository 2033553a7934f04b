"""Benchmark of `pakt` as a district runs it: whole commands against the usual way and the physical floor.

    python bench/sync_benchmark.py                        # 35, 1,101 and 10,000 workbooks (minutes)
    python bench/sync_benchmark.py --sizes 35 --work DIR  # the CI smoke run
    python bench/sync_benchmark.py --state                # the state roll-up of 44 district masters

For each size it generates the submission workbooks once (kept under --work).
Then, on the same files and in this same run, it starts each of these as a
fresh process and times it from the outside, start-up included, with the peak
memory of the process and all its children (sampled from /proc):

    floor     python-calamine (Rust) reading the cells Pakt reads (every defined name and the staff table) of
              every file, in as many processes as there are cores, and nothing else: no checks, no master
    cold      `pakt sync` with an empty state store: every file read, checked, stored, the master written
    warm      `pakt sync` again, nothing changed
    status    `pakt status`
    help      `pakt --help`
    python    `python -c pass`, the interpreter alone: the floor of any command's start-up
    pandas    the usual way done well: pandas.read_excel(engine="calamine") of the three data sheets of
              every file in one process, concatenated, written with to_excel's default writer; no checks,
              no history, no links, only sheet dumps
    openpyxl  the same with engine="openpyxl" (the usual way as most guides show it; sizes up to 1,101)

With --state it measures the state roll-up the same way, on the sample state
(sample_state/generate.py: Baden-Württemberg's 44 district masters, 1,101
municipalities, figures invented; generated once under --work/state):

    floor     python-calamine reading the Übersicht rows of the 44 masters in one process, nothing else
    cold      `pakt sync` on the state registry with an empty state store: every master read, checked, the
              state master written
    warm      `pakt sync` again, nothing changed
    pandas    pandas.read_excel(engine="calamine") of the 44 masters' Übersicht sheets, concatenated, written
              with to_excel's default writer
    generate  `python sample_state/generate.py`: the sample district synced, the other 43 masters built

When `pakt sync` cannot roll a state up (yet), cold and warm say so instead of a figure.

Each figure is the median of --repeats runs taken in alternation (floor, cold,
pandas, floor, cold, ...), so a slow moment of the machine hits all alike.
Python writes no bytecode cache here when PYTHONDONTWRITEBYTECODE is set; the
benchmark unsets it for its processes, as on a district's machine, and warms
the cache once before measuring. This is a benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STICHTAG = date(2018, 6, 30)
GENERATOR_VERSION = "3"
DATA_SHEETS = ["Meldung", "Integrationsmanager", "Kosten"]
OPENPYXL_UP_TO = 1_101
"""openpyxl reads about 30 files a second; beyond this size its line would only add minutes."""


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


def _cells_read_by_pakt(sample: Path) -> dict[str, list[list[int]]]:
    """Per sheet, the (row, column) of every cell Pakt reads: its defined names and the staff range."""
    from pakt.schemas import parse_a1, parse_reference
    from pakt.sync import open_workbook_file

    cells: dict[str, set[tuple[int, int]]] = {}
    for reference in open_workbook_file(sample).defined_names().values():
        parsed = parse_reference(reference)
        if parsed is None:
            continue
        sheet, first, last = parsed
        (top, left), (bottom, right) = parse_a1(first), parse_a1(last)
        bottom = max(bottom, top + 40) if bottom > top else bottom  # a staff table grows: read 40 rows
        for row in range(top, bottom + 1):
            for col in range(left, right + 1):
                cells.setdefault(sheet, set()).add((row, col))
    return {sheet: sorted([r, c] for r, c in found) for sheet, found in cells.items()}


def prepare(root: Path, count: int) -> Path:
    """Generate `count` submission workbooks under root (once; reused while the generator is unchanged)."""
    marker = root / "generated.json"
    cells = root / "cells.json"
    if marker.exists() and json.loads(marker.read_text()) == {"count": count, "version": GENERATOR_VERSION}:
        if not cells.exists():
            cells.write_text(json.dumps(_cells_read_by_pakt(next((root / "meldungen").glob("*.xlsx")))))
        return root
    folder = root / "meldungen"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "pakt.toml").write_text(_registry_text(count), encoding="utf-8")
    jobs = [(folder, number) for number in range(1, count + 1)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_write_one, jobs, chunksize=50))
    cells.write_text(json.dumps(_cells_read_by_pakt(next(folder.glob("*.xlsx")))))
    marker.write_text(json.dumps({"count": count, "version": GENERATOR_VERSION}))
    return root


# -- the competitors, each run as a whole process ---------------------------------------------


def _floor_one(args: tuple[str, dict]) -> int:
    import python_calamine

    path, cells = args
    book = python_calamine.CalamineWorkbook.from_path(path)
    kept = 0
    for sheet, positions in cells.items():
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for row, col in positions:
            if row < len(rows) and col < len(rows[row]):
                kept += rows[row][col] not in ("", None)
    return kept


def phase_floor(root: Path) -> None:
    """python-calamine reading the same cells in one process per core (the physical floor)."""
    cells = json.loads((root / "cells.json").read_text())
    jobs = [(str(path), cells) for path in sorted((root / "meldungen").glob("*.xlsx"))]
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        kept = sum(pool.map(_floor_one, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    print(json.dumps({"files": len(jobs), "cells": kept}))


def phase_pandas(root: Path, engine: str) -> None:
    """The usual way: read the three data sheets of every file, concatenate, write with the default writer."""
    import pandas as pd

    files = sorted((root / "meldungen").glob("*.xlsx"))
    frames: dict[str, list] = {name: [] for name in DATA_SHEETS}
    for path in files:
        for name, frame in pd.read_excel(path, sheet_name=DATA_SHEETS, engine=engine, header=None).items():
            frame.insert(0, "Datei", path.name)
            frames[name].append(frame)
    with pd.ExcelWriter(root / f"baseline-{engine}.xlsx") as writer:
        for name, parts in frames.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=name, index=False)
    print(json.dumps({"files": len(files)}))


# -- measuring ---------------------------------------------------------------------------------


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (0 when it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class ProcessFailed(SystemExit):
    """A measured command did not succeed (uncaught, it ends the benchmark with the command's error)."""

    def __init__(self, command: list[str], code: int, stderr: str) -> None:
        super().__init__(f"{' '.join(command)} ended with {code}:\n{stderr[-2000:]}")
        self.stderr = stderr

    @property
    def reason(self) -> str:
        """The last line the command wrote to stderr (for a German Pakt error: its message)."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else "(no message)"


SAMPLE_EVERY_S = 0.02
"""How often the process tree's memory is sampled: rarely enough that the sampling does not slow what it
measures on two cores (every 5 ms cost the measured command a fifth of a core)."""


def run_process(command: list[str], cwd: Path) -> dict:
    """Wall time from start to exit and peak memory of the process tree; the command must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(SAMPLE_EVERY_S):
            peaks[0] = max(peaks[0], _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    peak = peaks[0]
    if process.returncode != 0:
        raise ProcessFailed(command, process.returncode, err)
    return {"seconds": seconds, "peak_mb": peak / 1024, "stdout": out}


def _pakt() -> list[str]:
    found = shutil.which("pakt", path=str(Path(sys.executable).parent)) or shutil.which("pakt")
    if found is None:
        raise SystemExit("Der Befehl pakt ist nicht installiert (pip install -e '.[dev]').")
    return [found]


def _fresh(root: Path) -> None:
    for leftover in (root / "master").glob("*"):
        leftover.unlink()


def _phases(root: Path, count: int) -> dict[str, Callable[[], dict]]:
    me = [sys.executable, __file__, "--work", str(root), "--phase"]
    pakt = _pakt()

    def cold() -> dict:
        _fresh(root)
        figures = run_process([*pakt, "sync", "--json"], root)
        summary = json.loads(figures.pop("stdout"))
        assert summary["read"] == count and summary["received"] == count, summary
        return figures

    def warm() -> dict:
        figures = run_process([*pakt, "sync", "--json"], root)
        summary = json.loads(figures.pop("stdout"))
        assert summary["read"] == 0 and summary["unchanged"] == count, summary
        return figures

    phases = {
        "floor": lambda: run_process([*me, "floor"], root),
        "cold": cold,
        "pandas": lambda: run_process([*me, "pandas"], root),
        "warm": warm,
        "status": lambda: run_process([*pakt, "status"], root),
        "help": lambda: run_process([*pakt, "--help"], root),
        "python": lambda: run_process([sys.executable, "-c", "pass"], root),
    }
    if count <= OPENPYXL_UP_TO:
        phases["openpyxl"] = lambda: run_process([*me, "openpyxl"], root)
    return phases


def measure(root: Path, count: int, repeats: int) -> dict[str, dict]:
    """Medians of `repeats` rounds, each round running every phase once in the same order."""
    phases = _phases(root, count)
    phases["cold"]()  # bytecode caches and the page cache warm, as on any second day
    runs: dict[str, list[dict]] = {name: [] for name in phases}
    for _ in range(repeats):
        for name, phase in phases.items():
            runs[name].append(phase())
    return {
        name: {
            "seconds": statistics.median(r["seconds"] for r in found),
            "peak_mb": statistics.median(r["peak_mb"] for r in found),
        }
        for name, found in runs.items()
    }


# -- the state roll-up -----------------------------------------------------------------------

STATE_DISTRICTS = 44
STATE_MUNICIPALITIES = 1_101
STATE_GENERATOR = REPO / "sample_state" / "generate.py"
STATE_PHASES = ("floor", "cold", "pandas", "warm", "generate")


def _sample_state():
    """sample_state/generate.py, loaded by its path (sample_workbooks/generate.py owns the module name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample_state_generate", STATE_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def prepare_state(root: Path) -> Path:
    """Generate the sample state under root (once; reused while the generator's source is unchanged)."""
    marker = root / "generated.json"
    stamp = {"generator": hashlib.sha256(STATE_GENERATOR.read_bytes()).hexdigest()}
    if marker.exists() and json.loads(marker.read_text()) == stamp and (root / "pakt.toml").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    state = _sample_state().generate(root)
    print(
        f"state: {len(state.masters)} district masters generated in {state.seconds:.2f} s "
        f"(sample district synced in {state.sample_seconds:.2f} s, 43 invented in {state.invented_seconds:.2f} s)"
    )
    marker.write_text(json.dumps(stamp))
    return root


def _state_masters(root: Path) -> list[Path]:
    return sorted((root / "landkreise").glob("*.xlsx"))


def phase_state_floor(root: Path) -> None:
    """python-calamine reading the Übersicht rows of every district master, in one process (the floor)."""
    import python_calamine

    masters = _state_masters(root)
    rows = 0
    for path in masters:
        values = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Übersicht").to_python()
        header = next(i for i, row in enumerate(values) if row and row[0] == "AGS")
        rows += sum(1 for row in values[header + 1 :] if row and row[0] not in ("", None))
    print(json.dumps({"files": len(masters), "rows": rows}))


def phase_state_pandas(root: Path) -> None:
    """The usual way: every master's Übersicht read with pandas, concatenated, written with the default writer."""
    import pandas as pd

    masters = _state_masters(root)
    frames = []
    for path in masters:
        frame = pd.read_excel(path, sheet_name="Übersicht", engine="calamine", header=None)
        frame.insert(0, "Datei", path.name)
        frames.append(frame)
    pd.concat(frames, ignore_index=True).to_excel(root / "baseline-state.xlsx", sheet_name="Übersicht", index=False)
    print(json.dumps({"files": len(masters)}))


def _state_summary(figures: dict, cold: bool) -> dict:
    """The run's figures without its output; a cold run must have read, a warm one nothing."""
    summary = json.loads(figures.pop("stdout"))
    read = summary.get("read")
    if read is not None:
        assert (read > 0) if cold else (read == 0), summary
    return figures


def _state_phases(root: Path) -> dict[str, Callable[[], dict]]:
    me = [sys.executable, __file__, "--work", str(root), "--phase"]
    pakt = _pakt()
    regenerated = root.parent / f"{root.name}-regenerated"

    def cold() -> dict:
        _fresh(root)
        return _state_summary(run_process([*pakt, "sync", "--json"], root), cold=True)

    def warm() -> dict:
        return _state_summary(run_process([*pakt, "sync", "--json"], root), cold=False)

    def generate() -> dict:
        shutil.rmtree(regenerated, ignore_errors=True)
        return run_process([sys.executable, str(STATE_GENERATOR), "--out", str(regenerated)], root)

    return {
        "floor": lambda: run_process([*me, "state-floor"], root),
        "cold": cold,
        "pandas": lambda: run_process([*me, "state-pandas"], root),
        "warm": warm,
        "generate": generate,
    }


def measure_state(root: Path, repeats: int) -> tuple[dict[str, dict], str | None]:
    """Medians of the state phases, and why cold and warm were not measured (None when they were)."""
    phases = _state_phases(root)
    try:
        phases["cold"]()  # caches warm, and: can `pakt sync` roll a state up at all?
    except ProcessFailed as failed:
        phases.pop("cold"), phases.pop("warm")
        unavailable = failed.reason
    else:
        unavailable = None
    runs: dict[str, list[dict]] = {name: [] for name in phases}
    for _ in range(repeats):
        for name, phase in phases.items():
            runs[name].append(phase())
    shutil.rmtree(root.parent / f"{root.name}-regenerated", ignore_errors=True)
    figures = {
        name: {
            "seconds": statistics.median(r["seconds"] for r in found),
            "peak_mb": statistics.median(r["peak_mb"] for r in found),
        }
        for name, found in runs.items()
    }
    return figures, unavailable


# -- the report --------------------------------------------------------------------------------

NOTES = {
    "floor": "python-calamine, same cells, {cores} processes",
    "cold": "{floor:.1f}x the floor; {pandas:.1f}x faster than pandas (calamine)",
    "warm": "{cold_warm:.0f}x faster than cold",
    "status": "",
    "help": "{help:.1f}x the interpreter's start-up",
    "python": "python -c pass: the start-up floor of any Python command",
    "pandas": "pandas, calamine engine, default writer",
    "openpyxl": "pandas, openpyxl engine; {openpyxl:.1f}x slower than cold",
}


def print_header() -> None:
    print(f"cores: {os.cpu_count()}, Python {sys.version.split()[0]}; whole processes, start-up included")
    print(f"{'files':>7} | {'what':<9} | {'seconds':>8} | {'files/s':>8} | {'peak MiB':>8} | note")
    print("-" * 96)


def print_rows(count: int, figures: dict[str, dict]) -> None:
    seconds = {name: f["seconds"] for name, f in figures.items()}
    ratios = {
        "cores": os.cpu_count(),
        "floor": seconds["cold"] / seconds["floor"],
        "pandas": seconds["pandas"] / seconds["cold"],
        "cold_warm": seconds["cold"] / seconds["warm"],
        "openpyxl": seconds.get("openpyxl", 0.0) / seconds["cold"],
        "help": seconds["help"] / seconds["python"],
    }
    for name, found in figures.items():
        rate = f"{count / found['seconds']:>8.0f}" if name in ("floor", "cold", "pandas", "openpyxl") else " " * 8
        note = NOTES[name].format(**ratios)
        print(f"{count:>7} | {name:<9} | {found['seconds']:>8.3f} | {rate} | {found['peak_mb']:>8.0f} | {note}")


STATE_NOTES = {
    "floor": "python-calamine, Übersicht rows of the 44 masters, 1 process",
    "cold": "{floor:.1f}x the floor; {pandas:.1f}x faster than pandas (calamine)",
    "warm": "{cold_warm:.0f}x faster than cold",
    "pandas": "pandas, calamine engine, 44 Übersicht sheets, default writer",
    "generate": "sample_state/generate.py: sample district synced, 43 masters built",
}


def print_state_rows(figures: dict[str, dict], unavailable: str | None) -> None:
    print(
        f"state roll-up: {STATE_DISTRICTS} district masters, {STATE_MUNICIPALITIES:,} municipalities "
        "(sample_state, figures invented); files = district masters"
    )
    seconds = {name: f["seconds"] for name, f in figures.items()}
    ratios = {}
    if unavailable is None:
        ratios = {
            "floor": seconds["cold"] / seconds["floor"],
            "pandas": seconds["pandas"] / seconds["cold"],
            "cold_warm": seconds["cold"] / seconds["warm"],
        }
    for name in STATE_PHASES:
        found = figures.get(name)
        if found is None:
            note = f"not measured: `pakt sync` on the state registry failed: {unavailable}"
            print(f"{STATE_DISTRICTS:>7} | {name:<9} | {'n/a':>8} | {'':>8} | {'n/a':>8} | {note}")
            continue
        rate = f"{STATE_DISTRICTS / found['seconds']:>8.0f}" if name in ("floor", "cold", "pandas") else " " * 8
        note = STATE_NOTES[name].format(**ratios)
        print(
            f"{STATE_DISTRICTS:>7} | {name:<9} | {found['seconds']:>8.3f} | {rate} | {found['peak_mb']:>8.0f} | {note}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of pakt as whole commands against pandas and calamine.")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="district sizes in workbooks (default 35 1101 10000; none with --state)"
    )
    parser.add_argument("--state", action="store_true", help="also the state roll-up of 44 district masters")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per size (medians); 1 for sizes over 5,000")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    parser.add_argument(
        "--phase", choices=["floor", "pandas", "openpyxl", "state-floor", "state-pandas"], help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.phase in ("floor", "state-floor"):
        (phase_floor if args.phase == "floor" else phase_state_floor)(args.work)
        return 0
    if args.phase == "state-pandas":
        phase_state_pandas(args.work)
        return 0
    if args.phase:
        phase_pandas(args.work, "calamine" if args.phase == "pandas" else "openpyxl")
        return 0
    sizes = args.sizes if args.sizes is not None else ([] if args.state else [35, 1101, 10000])
    print_header()
    for count in sizes:
        root = prepare(args.work / f"n{count}", count)
        print_rows(count, measure(root, count, args.repeats if count <= 5_000 else 1))
    if args.state:
        print_state_rows(*measure_state(prepare_state(args.work / "state"), args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
