"""Shared fixtures: the sample district, rules, builders of real workbooks, the live add-in server and the
stand-in of Google's APIs (both on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from districts import District, copy_district
from google_districts import GoogleDistrict, load_samples, make_district
from google_standin.fixture import start
from live_server import LiveServer, running_server

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


@pytest.fixture(scope="session")
def live_server(repo: Path, tmp_path_factory) -> LiveServer:
    """The add-in server as `pakt serve` composes it, for a copy of the sample district."""
    with running_server(repo, tmp_path_factory.mktemp("server") / "landkreis") as server:
        yield server


@pytest.fixture(scope="session")
def standin():
    """The stand-in of Google's Sheets and Drive APIs; `standin.fresh()` gives each test an empty world."""
    handle, server, thread = start()
    yield handle
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def loaded_samples(repo: Path) -> dict:
    return load_samples(repo)


@pytest.fixture
def google_district(tmp_path: Path, standin, loaded_samples: dict, repo: Path) -> GoogleDistrict:
    """The sample district kept in Google Sheets (the stand-in), with a Google master."""
    return make_district(tmp_path, standin, loaded_samples, repo)


@pytest.fixture(autouse=True)
def google_contract():
    """Every request the stand-in of Google received and every answer it gave in a test kept to Google's
    discovery documents (see google_standin/discovery.py)."""
    from google_standin.discovery import VIOLATIONS

    VIOLATIONS.clear()
    yield
    assert not VIOLATIONS, "broke Google's contract: " + VIOLATIONS[0]


def pytest_terminal_summary(terminalreporter) -> None:
    """What the state machine of the year played (tests/sync/year/test_year_machine.py): printed in CI's log."""
    import sys
    from collections import Counter

    for module in list(sys.modules.values()):
        played = getattr(module, "STEPS_RUN", None)
        if isinstance(played, Counter) and played:
            events = ", ".join(
                f"{name} {count}" for name, count in sorted(played.items()) if name not in ("steps", "examples")
            )
            terminalreporter.write_line(
                f"Jahr als Zustandsmaschine: {played['steps']} Schritte in {played['examples']} Abläufen ({events})"
            )
