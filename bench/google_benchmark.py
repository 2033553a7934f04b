"""Benchmark of Pakt's Google Sheets sync: requests per API, and the least time Google's quotas allow for them.

    python bench/google_benchmark.py [--sizes 35 1101] [--work DIR]

For each size, the generated submission workbooks (see sync_benchmark.py) are
loaded into the stand-in as spreadsheets, as Google's import makes them. In the
same run it counts the requests that arrive there, per API, for:

    cold   pakt sync with an empty state store (every sheet exported once through Drive)
    warm   pakt sync again, nothing changed
    naive  for each spreadsheet: open it (spreadsheets.get), then get_all_values() on every worksheet,
           the usual gspread loop
    values the way Pakt read until November 2026: one Sheets values.batchGet per changed sheet (computed
           from the cold run's counts: the same sheets, each one Sheets read instead of one Drive export)

and prints, beside the stand-in's wall time (no network here), the *quota floor*:
the least wall time Google's published per-minute, per-user limits allow for
those requests, whatever the client does (N requests under a limit of L a
minute need floor((N-1)/L) full minutes of waiting). Limits used: Sheets API
60 read and 60 write requests per minute per user (Sheets usage limits);
Drive API 12,000 requests per minute per user (the per-user figure for
projects from before May 2026; Drive now meters in quota units, 325,000 a
minute per user, which allows more). Target: a cold sync of 1,101 sheets that
the quotas allow in under 2 minutes, a warm one in seconds.
"""

from __future__ import annotations

import argparse
import math
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

PER_MINUTE = {"drive": 12_000, "sheets_read": 60, "sheets_write": 60}
"""Google's per-user, per-minute limits (see the module docstring)."""


def quota_floor_s(counts: dict[str, int]) -> float:
    """The least wall time the per-minute limits allow for these requests."""
    return max(60.0 * math.floor(max(n - 1, 0) / PER_MINUTE[kind]) for kind, n in counts.items())


def _registry(root: Path, ids: dict[str, str], master_id: str, files: Path) -> Path:
    text = (files / "pakt.toml").read_text(encoding="utf-8")
    text = text.replace('folders = ["meldungen"]', "folders = []")
    for ags, sheet_id in ids.items():
        text = text.replace(f'ags = "{ags}"\n', f'ags = "{ags}"\nworkbook = "gsheet:{sheet_id}"\n')
    text = text.replace("[master]\n", f'[master]\ngoogle = "gsheet:{master_id}"\n')
    text += "\n[google]\nreads_per_minute = 1000000\nwrites_per_minute = 1000000\ndrive_per_minute = 1000000\n"
    path = root / "pakt.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _naive(url: str, ids: list[str]) -> None:
    client = gspread.Client(auth=None, session=StandInSession(url, "naiv"))
    for sheet_id in ids:
        spreadsheet = client.open_by_key(sheet_id)
        for worksheet in spreadsheet.worksheets():
            worksheet.get_all_values()


def _seen(world) -> dict[str, int]:
    """Requests as they arrived at the stand-in, by kind."""
    return {kind: world.count(kind, None) for kind in ("drive", "sheets_read", "sheets_write")}


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _line(count: int, phase: str, seen: dict[str, int], seconds: float | None, note: str) -> None:
    measured = f"{seconds:>8.2f}" if seconds is not None else f"{'-':>8}"
    print(
        f"{count:>7} | {phase:<6} | {seen['drive']:>6} | {seen['sheets_read']:>12} | {seen['sheets_write']:>6} | "
        f"{measured} | {_minutes(quota_floor_s(seen)):>11} | {note}"
    )


def run(sizes: list[int], work: Path) -> None:
    standin, server, thread = start()
    print(
        f"{'sheets':>7} | {'phase':<6} | {'Drive':>6} | {'Sheets reads':>12} | {'writes':>6} | {'seconds':>8} | "
        f"{'quota floor':>11} | note"
    )
    print("-" * 100)
    try:
        for count in sizes:
            files = sync_benchmark.prepare(work / f"n{count}", count)
            world = standin.fresh(reads_per_window=10**9, writes_per_window=10**9, drive_per_window=10**9)
            ids = {}
            for path in sorted((files / "meldungen").glob("*.xlsx")):
                ids[path.name[:8]] = world.add(load_xlsx(path)).spreadsheet_id
            master = world.empty("Übersicht")
            root = Path(tempfile.mkdtemp(prefix="pakt-google-"))
            registry = load_registry(_registry(root, ids, master.spreadsheet_id, files))
            cold: dict[str, int] = {}
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
                if phase == "cold":
                    cold = seen
                _line(count, phase, seen, seconds, note)
            exported = cold["drive"] - math.ceil((count + 1) / 1000)
            values = {"drive": cold["drive"] - exported, "sheets_read": cold["sheets_read"] + exported,
                      "sheets_write": cold["sheets_write"]}  # fmt: skip
            _line(count, "values", values, None, "one values.batchGet per sheet instead of an export")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Google Sheets sync: requests per API and the quota floor, cold and warm, beside a naive loop."
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[35, 1101])
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    args = parser.parse_args(argv)
    run(args.sizes, args.work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
