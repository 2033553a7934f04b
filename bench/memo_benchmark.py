"""What each of Pakt's memos earns: the CPU a cold sync of a district spends with it and without it.

    python bench/memo_benchmark.py                     # 1,101 workbooks, 4 alternating rounds (a few minutes)
    python bench/memo_benchmark.py --count 35 --rounds 1 --work DIR   # the smoke run

A memo (a cache of a pure function or of a part already read) is kept only where it saves at least 1% of a
run a district sees; the comment beside each one quotes the figure this script prints. Two jobs are measured
in this process, as CPU time (`time.process_time`, which a busy neighbour on the VM disturbs less than the
clock), the minimum of alternating rounds:

    read     every workbook read and checked as a sync's worker does (`Reader`), one after the other
    master   the parent's part of a cold `pakt sync`: store, consolidate, write the master (the reading runs
             in worker processes, which this clock does not see)

Each memo is switched off by replacing it for the round (the lru_cache'd functions by their plain versions,
the reader's memos by a memory that forgets), so the code measured is the code that runs. A cold `pakt sync`
of 1,101 workbooks takes about 8 s of CPU in all (read in the workers, plus the master part); the shares
printed are of that. This is a benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sync_benchmark import prepare

REPO = Path(__file__).resolve().parents[1]


class _Forgetful(dict):
    """A memo that remembers nothing: every part is read as if it were the first."""

    def get(self, key, default=None):
        return default

    def __setitem__(self, key, value) -> None:
        pass


def _plain_functions(module_name: str) -> Callable[[], None]:
    """Every lru_cache'd function of `module_name` swapped for its plain self, wherever it was imported to."""
    undo = []
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("pakt"):
            continue
        for name, value in list(vars(module).items()):
            plain = getattr(value, "__wrapped__", None)
            if plain is not None and hasattr(value, "cache_info") and value.__module__ == module_name:
                setattr(module, name, plain)
                undo.append((module, name, value))
    return lambda: [setattr(module, name, value) for module, name, value in undo] and None


def _forget(attribute: str) -> Callable[[], None]:
    import pakt.sync.reader._workbook_file as workbook_file

    kept = getattr(workbook_file, attribute)
    setattr(workbook_file, attribute, _Forgetful())
    return lambda: setattr(workbook_file, attribute, kept)


def _no_inflated_parts() -> Callable[[], None]:
    import pakt.sync.reader._workbook_file as workbook_file

    kept = workbook_file.MAX_INFLATED_BYTES
    workbook_file.MAX_INFLATED_BYTES = -1
    return lambda: setattr(workbook_file, "MAX_INFLATED_BYTES", kept)


MEMOS: dict[str, tuple[str, Callable[[], Callable[[], None]]]] = {
    "inflated parts": ("read", _no_inflated_parts),
    "parts read before": ("read", lambda: _forget("_READ_BEFORE")),
    "A1 addresses (read)": ("read", lambda: _plain_functions("pakt.schemas._a1")),
    "A1 addresses (master)": ("master", lambda: _plain_functions("pakt.schemas._a1")),
    "text measures": ("master", lambda: _plain_functions("pakt.sync.master._layout")),
}
"""Each memo: the job it serves and how to switch it off for a round (returns how to switch it on again)."""


def _clear_reader_memos() -> None:
    import pakt.sync.reader._workbook_file as workbook_file

    for memo in (workbook_file._INFLATED, workbook_file._READ_BEFORE):
        memo.clear()


def _jobs(root: Path) -> dict[str, Callable[[], float]]:
    from pakt.schemas import load_registry
    from pakt.sync import SyncOptions, run_sync
    from pakt.sync.sources._folder_reading import Reader
    from pakt.sync.sources._source import SourceEntry

    registry = load_registry(root / "pakt.toml")
    reader = Reader(registry, 0.0)
    entries = [
        SourceEntry(str(path), path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted((root / "meldungen").glob("*.xlsx"))
    ]

    def read() -> float:
        _clear_reader_memos()
        start = time.process_time()
        for entry in entries:
            reader(entry)
        return time.process_time() - start

    def master() -> float:
        shutil.rmtree(root / "master", ignore_errors=True)
        start = time.process_time()
        run_sync(registry, SyncOptions(master=root / "master" / "master.xlsx"))
        return time.process_time() - start

    return {"read": read, "master": master}


def measure(root: Path, rounds: int, memos: list[str]) -> dict[str, dict[str, float]]:
    """Minimum CPU seconds per job, with every memo on ("all memos") and with each one off, in alternation."""
    chosen = {memo: MEMOS[memo] for memo in memos}
    jobs = {name: job for name, job in _jobs(root).items() if any(j == name for j, _ in chosen.values())}
    for job in jobs.values():
        job()  # imports and first-use costs out of the way
    variants = [("all memos", job, None) for job in jobs] + [(memo, job, off) for memo, (job, off) in chosen.items()]
    seconds: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for memo, job, off in variants:
            switch_on = off() if off else (lambda: None)
            try:
                seconds.setdefault((memo, job), []).append(jobs[job]())
            finally:
                switch_on()
    return {job: {memo: min(s) for (memo, j), s in seconds.items() if j == job} for job in jobs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What each memo of Pakt saves of a cold sync's CPU.")
    parser.add_argument("--count", type=int, default=1101, help="workbooks in the district (default 1,101)")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds; the minimum counts")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    parser.add_argument("--memos", nargs="+", choices=list(MEMOS), default=list(MEMOS), help="only these memos")
    args = parser.parse_args(argv)
    root = prepare(args.work / f"n{args.count}", args.count)
    figures = measure(root, args.rounds, args.memos)
    total = sum(by_memo["all memos"] for by_memo in figures.values())
    print(f"{args.count} workbooks, CPU seconds, minimum of {args.rounds} alternating rounds")
    print(f"{'job':6} | {'without':22} | {'seconds':>8} | {'saves':>8} | of the jobs measured ({total:.2f} s CPU)")
    for job, by_memo in figures.items():
        base = by_memo["all memos"]
        print(f"{job:6} | {'(all memos on)':22} | {base:8.3f} | {'':8} |")
        for memo, value in by_memo.items():
            if memo != "all memos":
                print(f"{job:6} | {memo:22} | {value:8.3f} | {value - base:+8.3f} | {(value - base) / total:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
