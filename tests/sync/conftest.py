"""Sync tests: the shared `district` fixture (tests/conftest.py) and the Google stand-in on loopback."""

from __future__ import annotations

import pytest

from google_standin.fixture import start


@pytest.fixture(scope="session")
def standin():
    """The stand-in of Google's Sheets and Drive APIs; `standin.fresh()` gives each test an empty world."""
    handle, server, thread = start()
    yield handle
    server.should_exit = True
    thread.join(timeout=10)
