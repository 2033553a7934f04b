"""Shared fixtures: the sample district, rules, and builders of real workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from districts import District, copy_district
from pakt.schemas import Registry, RuleSet, load_registry, load_rules

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(REPO / "pakt.toml")


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules("pfi-2017-2019")


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    return sorted((REPO / "sample_workbooks").glob("*.xlsx"))


@pytest.fixture
def write_submission(tmp_path: Path):
    """Write Aldingen's sample submission with single cells overridden; returns the file's path."""
    import make_broken

    counter = iter(range(10_000))

    def write(values=None, managers=None, municipality=None, name: str | None = None) -> Path:
        path = tmp_path / (name or f"meldung_{next(counter)}.xlsx")
        path.write_bytes(make_broken.submission(values, managers, municipality))
        return path

    return write


@pytest.fixture
def district(repo: Path, tmp_path: Path) -> District:
    """A private copy of the sample district per test, so syncs can change files freely."""
    return copy_district(repo, tmp_path / "landkreis")
