"""When the machine fails (disk full, a read-only folder, a damaged store, missing credentials, an unreadable
file), `pakt sync` says so in German with its documented exit code, never a traceback, the previous master
stays intact, and the next run after the repair writes it.

Disk full and read-only folders are real: a small tmpfs (mounted when the tests run as root) or file modes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import threading
import uuid
from pathlib import Path

import make_broken
import pytest

from pakt.schemas import EnvironmentFailure, MasterNotWritten, StoreUnavailable

pytestmark = pytest.mark.slow

ROOT = os.geteuid() == 0


AS_FILE_OWNERS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
"""Run as root without root's power to read every file (file modes then hold, as for any user)."""


def run_cli(root: Path, *args: str, honour_modes: bool = False) -> subprocess.CompletedProcess:
    prefix = AS_FILE_OWNERS if honour_modes and ROOT else []
    return subprocess.run([*prefix, "pakt", "sync", *args], cwd=root, capture_output=True, text=True, timeout=300)


def assert_german_failure(done: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str = "2m"):
    """A real file system of `size` at `where` (root only)."""
    if not ROOT or shutil.which("mount") is None:
        pytest.skip("Ein echtes volles Dateisystem braucht root (mount -t tmpfs); als normaler Benutzer übersprungen.")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"tmpfs konnte nicht eingehängt werden: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> None:
    """Use up every free byte of the file system `folder` is on."""
    with open(folder / f"voll-{uuid.uuid4().hex}", "wb") as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()


def use_master_folder(district, folder: Path, state: Path | None = None) -> None:
    text = district.config.read_text(encoding="utf-8")
    master = folder / "Pakt_Uebersicht.xlsx"
    settings = f'path = "{master}"\n' + (f'state = "{state}"\n' if state else "")
    old = 'path = "master/Pakt_Uebersicht_Landkreis_Tuttlingen.xlsx"\n'
    district.config.write_text(text.replace(old, settings, 1), encoding="utf-8")


def change_persons(district, name: str = "Aldingen", persons: int = 45) -> None:
    path = district.workbook(name)
    path.write_bytes(
        make_broken.submission({("persons", "total"): persons, ("persons", "by_age", "from_27_to_64"): persons - 29})
    )


def test_a_full_disk_under_the_master_leaves_it_intact_and_the_next_run_writes_it(district, tmp_path):
    with small_tmpfs(tmp_path / "voll") as disk:
        use_master_folder(district, disk, state=tmp_path / "zustand" / "pakt.sqlite")
        assert run_cli(district.root).returncode == 0
        master = disk / "Pakt_Uebersicht.xlsx"
        before = master.read_bytes()
        change_persons(district)
        fill(disk)
        done = run_cli(district.root)
        assert_german_failure(done, MasterNotWritten.exit_code, "kein Platz", "unverändert")
        assert master.read_bytes() == before
        assert not list(disk.glob(".*.tmp"))
        for filler in disk.glob("voll-*"):
            filler.unlink()
        again = run_cli(district.root, "--json")
        assert again.returncode == 0 and '"persons": 829' in again.stdout
        assert master.read_bytes() != before


def test_a_full_temporary_folder_leaves_the_master_intact_and_says_where(district, tmp_path):
    """The master is put together in the machine's temporary folder (its rows spill there); when that is full,
    the run says so in German, naming the folder, and the master stays as it was."""
    with small_tmpfs(tmp_path / "tmp", size="1m") as temporary:
        assert run_cli(district.root).returncode == 0
        master = next((district.root / "master").glob("*.xlsx"))
        before = master.read_bytes()
        change_persons(district)
        room = temporary / "platz"
        room.write_bytes(b"\0" * 16384)
        fill(temporary)
        room.unlink()  # a few pages left: Python's check of the folder passes, the master's rows do not fit
        env = {**os.environ, "TMPDIR": str(temporary)}
        done = subprocess.run(["pakt", "sync"], cwd=district.root, capture_output=True, text=True, env=env, timeout=300)
        assert_german_failure(done, MasterNotWritten.exit_code, "temporären Ordner", "unverändert", str(temporary))
        assert master.read_bytes() == before
        again = subprocess.run(
            ["pakt", "sync", "--json"], cwd=district.root, capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0 and '"persons": 829' in again.stdout


def test_a_full_disk_under_the_state_store_is_a_german_error(district, tmp_path):
    with small_tmpfs(tmp_path / "voll") as disk:
        use_master_folder(district, tmp_path / "master", state=disk / "pakt.sqlite")
        assert run_cli(district.root).returncode == 0
        change_persons(district)
        fill(disk)
        done = run_cli(district.root)
        assert_german_failure(done, StoreUnavailable.exit_code, "Zustandsspeicher", "kein Platz")


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` read-only: remounted read-only (root, who ignores file modes), else mode 0555."""
    if ROOT:
        with small_tmpfs(folder, "8m"):
            yield lambda: subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return
    yield lambda: folder.chmod(0o555)
    folder.chmod(0o755)


def test_a_read_only_master_folder_is_a_german_error_and_the_master_stays(district, tmp_path):
    with read_only(tmp_path / "nur-lesen") as protect:
        use_master_folder(district, tmp_path / "nur-lesen", state=tmp_path / "zustand" / "pakt.sqlite")
        assert run_cli(district.root).returncode == 0
        master = tmp_path / "nur-lesen" / "Pakt_Uebersicht.xlsx"
        before = master.read_bytes()
        change_persons(district)
        protect()
        done = run_cli(district.root)
        assert_german_failure(done, MasterNotWritten.exit_code, "Übersicht", "nicht geschrieben")
        assert master.read_bytes() == before


def test_a_damaged_state_store_is_a_german_error_and_the_master_stays(district):
    first = district.sync()
    before = first.master.read_bytes()
    first.state.write_bytes(b"Das ist keine Datenbank, sondern Text. " * 200)
    done = run_cli(district.root)
    assert_german_failure(done, StoreUnavailable.exit_code, "Zustandsspeicher", "Sicherung")
    assert first.master.read_bytes() == before


def test_missing_google_credentials_are_a_german_error_and_the_files_still_sync(district):
    text = district.config.read_text(encoding="utf-8")
    text = text.replace(
        'workbook = "sample_workbooks/08327002_Aldingen.xlsx"', 'workbook = "gsheet:1AbCdEfGhIjKlMnOpQrStUvWxYz012345"'
    )
    text += '\n[google]\ncredentials = "dienstkonto-fehlt.json"\n'
    district.config.write_text(text, encoding="utf-8")
    (district.folder / "08327002_Aldingen.xlsx").unlink()
    done = run_cli(district.root, "--json")
    assert_german_failure(done, 5, "Schlüsseldatei", "Nicht gefunden")
    assert '"received": 34' in done.stdout


def test_a_file_that_cannot_be_read_is_a_finding_and_the_rest_is_synced(district, tmp_path):
    first = district.sync()
    secret = district.workbook("Aldingen")
    change_persons(district)
    secret.chmod(0)
    if ROOT and shutil.which("setpriv") is None:
        pytest.skip("Als root liest jeder Prozess jede Datei; ohne setpriv lässt sich das nicht abschalten.")
    done = run_cli(district.root, "--json", honour_modes=True)
    assert done.returncode == 0, done.stderr
    assert '"received": 35' in done.stdout and '"persons": 828' in done.stdout  # Aldingen's last valid version
    problems = json.loads(done.stdout)["problems"]
    assert any(
        p["file"] == str(secret) and "kann nicht gelesen werden: Keine Berechtigung" in p["message"] for p in problems
    )
    secret.chmod(0o644)
    assert first.master.exists()


def test_files_with_personal_data_are_readable_by_their_owner_only(district):
    old = os.umask(0o022)
    try:
        result = district.sync()
    finally:
        os.umask(old)
    for path in (result.master, result.state):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_configured_group_may_read_them(district):
    import grp

    group = grp.getgrgid(os.getgid()).gr_name
    text = district.config.read_text(encoding="utf-8").replace("[master]\n", f'[master]\ngroup = "{group}"\n', 1)
    district.config.write_text(text, encoding="utf-8")
    result = district.sync()
    for path in (result.master, result.state):
        assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.stat().st_gid == os.getgid()


def test_a_key_file_others_can_read_gets_a_german_warning(district):
    key = district.root / "dienstkonto.json"
    key.write_text('{"client_email": "pakt@beispiel.iam.gserviceaccount.com"}', encoding="utf-8")
    key.chmod(0o644)
    district.config.write_text(district.config.read_text(encoding="utf-8") + '\n[google]\ncredentials = "dienstkonto.json"\n',
                               encoding="utf-8")  # fmt: skip
    done = run_cli(district.root)
    assert done.returncode == 0 and "für alle Benutzer dieses Rechners lesbar" in done.stderr


def test_two_runs_at_once_take_turns_and_the_master_stays_in_its_place(district):
    district.sync()
    change_persons(district)
    results, errors = [], []

    def one() -> None:
        try:
            results.append(district.sync(full=True))
        except EnvironmentFailure as exc:  # pragma: no cover - the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 4
    assert all(r.master == district.master and not r.failures for r in results)
    assert not list(district.master.parent.glob("*neue Fassung*")) and not list(district.master.parent.glob(".*.tmp"))
