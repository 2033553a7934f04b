"""The hostile-input corpus: real workbooks of other projects' test suites, generated damage of our own
submission and special files. Every one is refused or reported in German, within its time and memory
budget, never with a traceback; mixed into the sample district, they change none of its figures.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import pytest
from corpus.damage import SHEET_KOSTEN, flip, part_span, special_files, valid_submission, write_damaged
from corpus.real_world import real_world_workbooks
from master_reading import sheet_rows

from pakt.schemas import PaktError, read_draft
from pakt.sync import XlsxFileView

pytestmark = pytest.mark.slow

SECONDS_PER_FILE = 10.0
PEAK_BYTES_PER_FILE = 500 * 1024 * 1024
ENGLISH = ("Traceback", "Error", "error:", "Exception", " not ", "File is", "No such")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("korpus")
    files = write_damaged(folder / "beschaedigt")
    files += special_files(folder / "besonders")
    foreign = folder / "fremd"
    foreign.mkdir()
    for index, (_, path) in enumerate(real_world_workbooks()):
        target = foreign / f"{index:03d}_{path.name}"
        shutil.copy(path, target)
        files.append(target)
    return files


MEASURED = """
import json, resource, subprocess, sys, time
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                  "seconds": time.monotonic() - started, "peak": peak}))
"""
"""Runs a command and reports its exit code, output, wall time and peak memory (its worker processes
included: they are its children, and it waits for them)."""


def _validate(path: Path) -> tuple[Path, int, str, str, float, int]:
    """`pakt validate --json FILE` as its own process, measured."""
    done = subprocess.run([sys.executable, "-c", MEASURED, "pakt", "validate", "--json", str(path)],
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    measured = json.loads(done.stdout)
    return path, measured["code"], measured["out"], measured["err"], measured["seconds"], measured["peak"]


def test_the_corpus_holds_at_least_two_hundred_files(corpus):
    assert len(corpus) >= 200


def test_every_corpus_file_is_refused_or_reported_in_german_within_its_budget(corpus):
    with ThreadPoolExecutor(2) as pool:
        for path, code, out, err, seconds, peak in pool.map(_validate, corpus):
            assert seconds < SECONDS_PER_FILE, f"{path.name}: {seconds:.1f} s"
            assert peak < PEAK_BYTES_PER_FILE, f"{path.name}: {peak / 1024 / 1024:.0f} MB"
            assert code in (1, 2), f"{path.name}: exit {code}\n{err}"
            assert "Traceback" not in err, f"{path.name}: {err}"
            findings = json.loads(out)
            assert findings, path.name
            for finding in findings:
                assert finding["file"] == str(path), finding
                assert not any(word in finding["message"] for word in ENGLISH), finding["message"]


def test_the_district_syncs_with_the_whole_corpus_in_its_folder(district, corpus):
    foreign = district.folder / "fremd"
    foreign.mkdir()
    for index, path in enumerate(corpus):
        target = foreign / f"{index:03d}_{path.name}"
        if path.is_symlink() or not path.is_file():
            continue
        shutil.copy(path, target)
    special_files(foreign / "besonders")
    done = subprocess.run(["pakt", "sync", "--json"], cwd=district.root, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["received"], result["persons"], result["allowance_eur"]) == (35, 828, "1014300.00")
    assert (result["im_heads"], result["im_fte"]) == (14, 11.0)
    reported = {p["file"] for p in result["problems"]}
    listed = {str(p) for p in foreign.rglob("*") if p.suffix == ".xlsx" and p.is_file() and not p.is_symlink()}
    assert listed <= reported, sorted(listed - reported)[:5]
    report = sheet_rows(district.master, "Prüfbericht")
    named = {row[3] for row in report if len(row) > 3}
    assert {Path(p).name for p in listed} <= named
    again = json.loads(subprocess.run(["pakt", "sync", "--json"], cwd=district.root, capture_output=True, text=True,
                                      timeout=900).stdout)  # fmt: skip
    assert again["read"] == 0 and not again["master_written"]


def _values(data: bytes) -> tuple | None:
    try:
        draft = read_draft(XlsxFileView("flip.xlsx", data))
    except PaktError:
        return None
    fields = tuple(sorted((path, repr(entry.raw)) for path, entry in draft.fields.items()))
    staff = tuple(tuple(sorted((k, repr(e.raw)) for k, e in row.items())) for row in draft.managers)
    return fields, staff, tuple(sorted(draft.binding.items()))


def test_every_single_bit_flip_of_a_part_is_refused_or_reads_exactly_the_same(tmp_path):
    """Every bit of the Kosten sheet's entry (local header, name and packed data) flipped in turn."""
    data = valid_submission()
    original = _values(data)
    start, end = part_span(data, SHEET_KOSTEN)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert SHEET_KOSTEN in archive.namelist()
    changed = [
        bit for bit in range(start * 8, end * 8) if (seen := _values(flip(data, bit))) is not None and seen != original
    ]
    assert not changed, f"{len(changed)} flips were taken for other data, e.g. bit {changed[0]}"
