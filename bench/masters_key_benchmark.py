"""What deciding "the master is current" costs: a decision, then a run, on the benchmark district.

    python bench/masters_key_benchmark.py [--work DIR] [--count 1101] [--repeats 3]

Each round records a decision on one municipality (geprüft, geprüft again, freigegeben, freigegeben again,
…: a new decision shows in the master and rewrites it, the same one again shows nowhere new), then runs a sync in this process and prints
the whole run beside the time spent building and digesting the sheets for the masters key.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sync_benchmark import prepare

from pakt.schemas import load_registry
from pakt.sync import SyncOptions, decide, master_path, run_sync, state_path
from pakt.sync.run import _run as run_module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parent / "work" / "key")
    parser.add_argument("--count", type=int, default=1101)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    root = prepare(args.work, args.count)
    registry = load_registry(root / "pakt.toml")
    run_sync(registry, SyncOptions())
    spent: list[float] = []
    original = run_module._Run._masters_key

    def timed(self, *inputs):
        started = time.perf_counter()
        key = original(self, *inputs)
        spent.append(time.perf_counter() - started)
        return key

    run_module._Run._masters_key = timed
    state = state_path(registry, master_path(registry))
    ags = registry.municipalities[0].ags
    for round_number in range(args.repeats * 4):
        decision = "freigegeben" if round_number % 4 >= 2 else "geprüft"
        decide(registry, state, [ags], decision, "", "Benchmark", datetime.now())
        started = time.perf_counter()
        result = run_sync(registry, SyncOptions())
        whole = time.perf_counter() - started
        written = "rewritten" if result.master_written else "not rewritten"
        print(f"{args.count} workbooks, {decision:<11} master {written:<13} run {whole:5.2f} s, key {spent[-1]:5.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
