"""Benchmark of Pakt's Google Sheets sync against a naive gspread loop, on the stand-in of Google's APIs.

    python bench/google_benchmark.py [--sizes 35 1101] [--work DIR]

For each size, the generated submission workbooks (see sync_benchmark.py) are
loaded into the stand-in as spreadsheets, as Google's import makes them. In the
same run it counts API requests and wall time for:

    cold   pakt sync with an empty state store
    warm   pakt sync again, nothing changed
    naive  for each spreadsheet: open it (spreadsheets.get), then get_all_values()
           on every worksheet, the usual gspread loop

Targets: warm = 1 Drive listing and 0 Sheets reads per 1,000 spreadsheets;
cold = 1 Sheets read per spreadsheet; the naive loop >= 3x as many requests.
The stand-in's quota is lifted here: counts are the point. Against Google,
60 reads per minute make a cold sync of 1,101 sheets last about 18 minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO / "tests", REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import gspread  # noqa: E402
import sync_benchmark  # noqa: E402
from google_standin.fixture import StandInSession, start  # noqa: E402
from google_standin.model import load_xlsx  # noqa: E402

from pakt.schemas import load_registry  # noqa: E402
from pakt.sync import SyncOptions, run_sync  # noqa: E402


def _registry(root: Path, ids: dict[str, str], master_id: str, files: Path) -> Path:
    text = (files / "pakt.toml").read_text(encoding="utf-8")
    text = text.replace('folders = ["meldungen"]', "folders = []")
    for ags, sheet_id in ids.items():
        text = text.replace(f'ags = "{ags}"\n', f'ags = "{ags}"\nworkbook = "gsheet:{sheet_id}"\n')
    text = text.replace("[master]\n", f'[master]\ngoogle = "gsheet:{master_id}"\n')
    text += "\n[google]\nreads_per_minute = 1000000\nwrites_per_minute = 1000000\n"
    path = root / "pakt.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _naive(url: str, ids: list[str]) -> float:
    client = gspread.Client(auth=None, session=StandInSession(url, "naiv"))
    started = time.perf_counter()
    for sheet_id in ids:
        spreadsheet = client.open_by_key(sheet_id)
        for worksheet in spreadsheet.worksheets():
            worksheet.get_all_values()
    return time.perf_counter() - started


def _seen(world) -> dict[str, int]:
    """Requests as they arrived at the stand-in, by kind."""
    return {kind: world.count(kind, None) for kind in ("drive", "sheets_read", "sheets_write")}


def run(sizes: list[int], work: Path) -> None:
    standin, server, thread = start()
    print(
        f"{'sheets':>7} | {'phase':<6} | {'Drive':>6} | {'Sheets reads':>12} | {'writes':>6} | {'all':>6} | {'seconds':>8} | note"
    )
    print("-" * 88)
    try:
        for count in sizes:
            files = sync_benchmark.prepare(work / f"n{count}", count)
            world = standin.fresh(reads_per_window=10**9, writes_per_window=10**9)
            ids = {}
            for path in sorted((files / "meldungen").glob("*.xlsx")):
                ids[path.name[:8]] = world.add(load_xlsx(path)).spreadsheet_id
            master = world.empty("Übersicht")
            root = Path(tempfile.mkdtemp(prefix="pakt-google-"))
            registry = load_registry(_registry(root, ids, master.spreadsheet_id, files))
            totals = {}
            for phase in ("cold", "warm", "naive"):
                world.reset_log()
                started = time.perf_counter()
                if phase == "naive":
                    _naive(standin.url, list(ids.values()))
                    note = "open + get_all_values per worksheet"
                else:
                    result = run_sync(registry, SyncOptions(google_sessions=standin.sessions()))
                    note = f"{result.read} read, {result.unchanged} unchanged"
                seconds = time.perf_counter() - started
                seen = _seen(world)
                totals[phase] = sum(seen.values())
                if phase == "naive":
                    note += f"; {totals['naive'] / totals['cold']:.1f}x the requests of a cold sync"
                print(
                    f"{count:>7} | {phase:<6} | {seen['drive']:>6} | {seen['sheets_read']:>12} | {seen['sheets_write']:>6} | {totals[phase]:>6} | {seconds:>8.2f} | {note}"
                )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Google Sheets sync: API requests, cold and warm, against a naive gspread loop."
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[35, 1101])
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    args = parser.parse_args(argv)
    run(args.sizes, args.work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
