"""Benchmark of reading a district's .ods submissions: `pakt sync` on ODS beside xlsx, the usual way, the floor.

    python bench/ods_benchmark.py                          # 35 forms: 11 s (26 s the first time, when the
                                                           # forms are generated and LibreOffice converts them)
    python bench/ods_benchmark.py --sizes 35 1101          # and every municipality of Baden-Württemberg: 80 s
                                                           # (the first time LibreOffice converts 1,101 forms:
                                                           # about five minutes more on two cores)
    python bench/ods_benchmark.py --sizes 3 --repeats 1 --work DIR   # the smoke run

The submissions are those of bench/sync_benchmark.py (its `prepare`: one plausible, valid and different form
per municipality, written by Pakt as xlsx, kept under --work/n<count>, shared with that benchmark). The same
forms as .ods are what LibreOffice writes when a clerk saves them: `soffice --headless --convert-to ods` over
the xlsx files, in batches, one office per core at a time, each with a throw-away profile, kept under
--work/n<count>-ods with the same registry. (The Tuttlingen samples cannot simply be copied up to 1,101: every
copy carries its municipality's key, and `pakt sync` takes a second form of the same municipality as a
duplicate, MELDUNG_DOPPELT, not as a submission.)

Then, on the same files and in this same run, it starts each of these as a fresh process and times it from
the outside, start-up included, with the peak memory of the process and all its children:

    ods floor      the physical floor: every .ods file's bytes read and its content.xml inflated (zlib), nothing
                   parsed, in one process
    xlsx floor     the same for the xlsx files: the workbook, sheet, shared-string and table parts inflated
    ods calamine   the strongest usual way: python-calamine (Rust) opening every .ods file and taking the named
                   cells and the staff table by their known positions (calamine resolves no names: the
                   positions are read once from one form's names beforehand), in one process; no checks
    ods cold       `pakt sync` over the .ods folder with an empty state store: every file read by name,
                   checked, stored, the master written
    xlsx cold      the same over the xlsx folder
    ods warm       `pakt sync` again over the .ods folder, nothing changed
    xlsx warm      the same over the xlsx folder
    python         `python -c pass`, the interpreter alone: the floor of any command's start-up

Each figure is the median of --repeats rounds taken in alternation, so a slow moment of the machine hits all
alike; before the rounds one cold run of each folder warms the bytecode and page caches and checks that both
formats give the same district figures. The helpers of sync_benchmark (generating, timing a process) are
imported only where this parent process uses them, so that the floor and calamine processes start as lean as a
usual script would (that module's imports cost a fresh process about 30 ms). This is a benchmark, not a test:
it reports.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONVERT_PER_RUN = 100
"""Forms per LibreOffice run: each run starts an office (3-4 s), and one that dies takes only its batch along."""
XLSX_CELL_PARTS = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/", "xl/tables/")
"""The parts of an xlsx form that hold its names and cells (what content.xml holds in an .ods file)."""


# -- the district in both formats -----------------------------------------------------------------


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise SystemExit("LibreOffice fehlt: apt-get install libreoffice-calc-nogui (siehe .ci/run).")
    return found


def _converted(source: Path, out_dir: Path) -> bool:
    """Whether LibreOffice has saved `source` as a whole .ods package in out_dir (an office ended in the middle
    of a file leaves a torn one, which is removed)."""
    made = out_dir / f"{source.stem}.ods"
    if not made.exists():
        return False
    try:
        whole = zipfile.ZipFile(made).testzip() is None
    except (zipfile.BadZipFile, OSError):
        whole = False
    if not whole:
        made.unlink()
    return whole


def _convert(sources: list[Path], out_dir: Path) -> None:
    """The xlsx forms as .ods, as LibreOffice saves them: headless runs of CONVERT_PER_RUN files, one per core
    at a time, each core's office with its own throw-away profile (two offices must never share one). What a
    run did not save (an office that died, or was ended, leaves the rest of its files undone) is converted
    again, twice at most."""
    from concurrent.futures import ThreadPoolExecutor  # here: the measured phases of this script need no threads

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="pakt-ods-bench-") as scratch:
        profiles: queue.SimpleQueue[Path] = queue.SimpleQueue()
        for k in range(cores):
            profiles.put(Path(scratch) / f"profile-{k}")

        def run(files: list[Path]) -> str:
            profile = profiles.get()
            try:
                command = [
                    _soffice(),
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--convert-to",
                    "ods",
                    "--outdir",
                    str(out_dir),
                    *map(str, files),
                ]
                done = subprocess.run(command, capture_output=True, text=True, timeout=120 + 5 * len(files))
                return "" if done.returncode == 0 else f"({done.returncode}) {done.stderr[-1000:]}"
            finally:
                profiles.put(profile)

        todo = [source for source in sources if not _converted(source, out_dir)]
        for _ in range(3):
            if not todo:
                return
            print(f"LibreOffice speichert {len(todo)} Mappen als .ods …", file=sys.stderr, flush=True)
            batches = [todo[i : i + CONVERT_PER_RUN] for i in range(0, len(todo), CONVERT_PER_RUN)]
            with ThreadPoolExecutor(min(cores, len(batches))) as pool:
                errors = [error for error in pool.map(run, batches) if error]
            todo = [source for source in todo if not _converted(source, out_dir)]
        if todo:
            said = f": {errors[-1]}" if errors else ""
            raise SystemExit(f"LibreOffice hat {len(todo)} von {len(sources)} Mappen nicht als .ods gespeichert{said}")


def prepare_ods(xlsx_root: Path, root: Path, count: int) -> Path:
    """The xlsx district under xlsx_root converted to .ods under root (once; reused while it is unchanged; a
    conversion that was cut off goes on where it stopped)."""
    from sync_benchmark import GENERATOR_VERSION, _cells_read_by_pakt

    marker, begun = root / "generated.json", root / "converting.json"
    stamp = {"count": count, "version": GENERATOR_VERSION, "from": "soffice --convert-to ods"}
    if marker.exists() and json.loads(marker.read_text()) == stamp:
        return root
    if not (begun.exists() and json.loads(begun.read_text()) == stamp):
        shutil.rmtree(root, ignore_errors=True)
    folder = root / "meldungen"
    folder.mkdir(parents=True, exist_ok=True)
    begun.write_text(json.dumps(stamp))
    sources = sorted((xlsx_root / "meldungen").glob("*.xlsx"))
    _convert(sources, folder)
    made = sorted(folder.glob("*.ods"))
    if [p.stem for p in made] != [p.stem for p in sources]:
        raise SystemExit(f"Im Ordner {folder} liegen andere .ods-Mappen als die {len(sources)} xlsx-Mappen.")
    shutil.copy(xlsx_root / "pakt.toml", root / "pakt.toml")
    (root / "cells.json").write_text(json.dumps(_cells_read_by_pakt(made[0])))  # the .ods form's own names
    marker.write_text(json.dumps(stamp))
    begun.unlink()
    return root


# -- the floor and the usual way, each run as a whole process ---------------------------------------------


def _inflate(data: bytes, info: zipfile.ZipInfo) -> int:
    """One zip member inflated straight from the file's bytes (no CRC check, nothing parsed); its length."""
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    raw = data[start : start + info.compress_size]
    return len(zlib.decompress(raw, -15)) if info.compress_type == zipfile.ZIP_DEFLATED else len(raw)


def phase_floor(root: Path) -> None:
    """Every form's bytes read and the parts with its cells inflated, in one process (the physical floor)."""
    files = sorted(p for p in (root / "meldungen").iterdir() if p.suffix in (".ods", ".xlsx"))
    inflated = 0
    for path in files:
        data = path.read_bytes()
        for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
            if info.filename == "content.xml" or info.filename.startswith(XLSX_CELL_PARTS):
                inflated += _inflate(data, info)
    print(json.dumps({"files": len(files), "inflated_bytes": inflated}))


def _calamine_one(path: Path, cells: dict[str, list[list[int]]]) -> int:
    """The wanted cells of one form by position, as sync_benchmark's floor reads an xlsx form (not imported from
    there: its module's imports would cost this process 30 ms of start-up that no usual script pays)."""
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    kept = 0
    for sheet, positions in cells.items():
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for row, col in positions:
            if row < len(rows) and col < len(rows[row]):
                kept += rows[row][col] not in ("", None)
    return kept


def phase_calamine(root: Path) -> None:
    """python-calamine taking the named cells of every .ods form by their known positions, in one process."""
    cells = json.loads((root / "cells.json").read_text())
    files = sorted((root / "meldungen").glob("*.ods"))
    kept = sum(_calamine_one(path, cells) for path in files)
    if files and not kept:
        raise SystemExit("python-calamine hat in keiner .ods-Mappe einen Wert an den bekannten Stellen gefunden.")
    print(json.dumps({"files": len(files), "cells": kept}))


# -- measuring ---------------------------------------------------------------------------------


FIGURES = ("municipalities", "received", "invalid", "persons", "allowance_eur", "im_heads", "im_fte")
"""What a cold run of either folder must agree on: the same forms, the same district figures."""


def _phases(xlsx_root: Path, ods_root: Path, count: int, seen: dict[str, dict]) -> dict[str, Callable[[], dict]]:
    from sync_benchmark import _fresh, _pakt, run_process

    me = [sys.executable, __file__, "--phase"]
    pakt = _pakt()

    def cold(root: Path, label: str) -> Callable[[], dict]:
        def run() -> dict:
            _fresh(root)
            figures = run_process([*pakt, "sync", "--json"], root)
            summary = json.loads(figures.pop("stdout"))
            assert summary["read"] == count and summary["received"] == count, summary
            seen[label] = {key: summary[key] for key in FIGURES}
            return figures

        return run

    def warm(root: Path) -> Callable[[], dict]:
        def run() -> dict:
            figures = run_process([*pakt, "sync", "--json"], root)
            summary = json.loads(figures.pop("stdout"))
            assert summary["read"] == 0 and summary["unchanged"] == count, summary
            return figures

        return run

    return {
        "ods floor": lambda: run_process([*me, "floor", "--work", str(ods_root)], ods_root),
        "xlsx floor": lambda: run_process([*me, "floor", "--work", str(xlsx_root)], xlsx_root),
        "ods calamine": lambda: run_process([*me, "calamine", "--work", str(ods_root)], ods_root),
        "ods cold": cold(ods_root, "ods"),
        "xlsx cold": cold(xlsx_root, "xlsx"),
        "ods warm": warm(ods_root),
        "xlsx warm": warm(xlsx_root),
        "python": lambda: run_process([sys.executable, "-c", "pass"], ods_root),
    }


def measure(xlsx_root: Path, ods_root: Path, count: int, repeats: int) -> dict[str, dict]:
    """Medians of `repeats` rounds, each round running every phase once in the same order."""
    seen: dict[str, dict] = {}
    phases = _phases(xlsx_root, ods_root, count, seen)
    phases["ods cold"](), phases["xlsx cold"]()  # caches warm, as on any second day
    if seen["ods"] != seen["xlsx"] or seen["ods"]["invalid"]:
        raise SystemExit(f"Die .ods-Mappen ergeben andere Zahlen als die xlsx-Mappen: {seen}")
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


# -- the report --------------------------------------------------------------------------------

NOTES = {
    "ods floor": "bytes read, content.xml inflated (zlib), nothing parsed; 1 process",
    "xlsx floor": "bytes read, workbook, sheet, string and table parts inflated, nothing parsed; 1 process",
    "ods calamine": "python-calamine, named cells at known positions (resolves no names); 1 process; "
    "{calamine_floor:.1f}x the ods floor",
    "ods cold": "{ods_floor:.1f}x the ods floor; {ods_calamine:.1f}x calamine; {ods_xlsx:.2f}x xlsx cold",
    "xlsx cold": "{xlsx_floor:.1f}x the xlsx floor",
    "ods warm": "{ods_warm:.0f}x faster than ods cold",
    "xlsx warm": "{xlsx_warm:.0f}x faster than xlsx cold",
    "python": "python -c pass: the start-up floor of any Python command",
}
RATED = frozenset({"ods floor", "xlsx floor", "ods calamine", "ods cold", "xlsx cold"})
"""The lines that read every file (a warm run reads none: files/s would mean nothing)."""


def print_header() -> None:
    print(f"cores: {os.cpu_count()}, Python {sys.version.split()[0]}; whole processes, start-up included")
    print(f"{'files':>7} | {'what':<12} | {'seconds':>8} | {'files/s':>8} | {'peak MiB':>8} | note")
    print("-" * 110)


def print_rows(count: int, figures: dict[str, dict]) -> None:
    s = {name: f["seconds"] for name, f in figures.items()}
    ratios = {
        "calamine_floor": s["ods calamine"] / s["ods floor"],
        "ods_floor": s["ods cold"] / s["ods floor"],
        "ods_calamine": s["ods cold"] / s["ods calamine"],
        "ods_xlsx": s["ods cold"] / s["xlsx cold"],
        "xlsx_floor": s["xlsx cold"] / s["xlsx floor"],
        "ods_warm": s["ods cold"] / s["ods warm"],
        "xlsx_warm": s["xlsx cold"] / s["xlsx warm"],
    }
    for name, found in figures.items():
        rate = f"{count / found['seconds']:>8.0f}" if name in RATED else " " * 8
        note = NOTES[name].format(**ratios)
        print(f"{count:>7} | {name:<12} | {found['seconds']:>8.3f} | {rate} | {found['peak_mb']:>8.0f} | {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark of reading .ods submissions beside xlsx, as whole commands."
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[35], help="district sizes in forms (default 35)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds per size (medians)")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    parser.add_argument("--phase", choices=["floor", "calamine"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        (phase_floor if args.phase == "floor" else phase_calamine)(args.work)
        return 0
    from sync_benchmark import prepare

    print_header()
    for count in args.sizes:
        xlsx_root = prepare(args.work / f"n{count}", count)
        ods_root = prepare_ods(xlsx_root, args.work / f"n{count}-ods", count)
        print_rows(count, measure(xlsx_root, ods_root, count, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
