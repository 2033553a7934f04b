"""The distribution as a stranger installs it: `python -m build`, then the wheel alone in a fresh venv.

The wheel must install exactly one import package, `pakt` (no generic `schemas`, `sync` or `plugin`
that another project on the index could shadow), and `pakt sync` from that venv must give the
sample district's figures. Dependencies come from the package index (or pip's cache).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _tracked_copy(repo: Path, target: Path) -> Path:
    """The committed files only, as a fresh clone has them (no build leftovers, no local state)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = repo / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(repo: Path, tmp_path_factory) -> Path:
    source = _tracked_copy(repo, tmp_path_factory.mktemp("clone"))
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (found,) = dist.glob("pakt_integration-*.whl")
    return found


def test_the_wheel_installs_only_the_pakt_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        listed = [line.split(",")[0] for line in archive.read(record).decode().splitlines() if line]
    top_level = {path.split("/")[0] for path in listed if ".dist-info/" not in path}
    assert top_level == {"pakt"}
    assert {
        "pakt/schemas/rules/pfi-2017-2019.toml",
        "pakt/plugin/static/taskpane.js",
        "pakt/plugin/libreoffice/Addons.xcu",
        "pakt/plugin/libreoffice/META-INF/manifest.xml",
        "pakt/plugin/libreoffice/pythonpath/pakt_libreoffice/_commands.py",
        "pakt/sync/__init__.py",
        "pakt/sync/run/_run.py",
        "pakt/sync/state/_run.py",
        "pakt/cli.py",
    } <= set(listed)


def test_the_wheel_alone_syncs_the_sample_district(wheel, repo, tmp_path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True, timeout=900
    )
    assert install.returncode == 0, install.stderr[-3000:]
    where = subprocess.run(
        [str(python), "-c", "import pakt.sync, pakt.plugin; print(pakt.sync.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert where.startswith(str(environment))
    district = tmp_path / "landkreis"
    shutil.copytree(repo / "sample_workbooks", district / "sample_workbooks", ignore=shutil.ignore_patterns("*.py"))
    shutil.copy(repo / "pakt.toml", district / "pakt.toml")
    done = subprocess.run(
        [str(environment / "bin" / "pakt"), "sync", "--config", str(district / "pakt.toml"), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert (figures["municipalities"], figures["received"], figures["persons"]) == (35, 35, 828)
    assert figures["allowance_eur"] == "1014300.00"
    assert (figures["im_heads"], figures["im_fte"], figures["self_managed"]) == (14, 11.0, 17)
