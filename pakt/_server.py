"""The add-in server, composed: the plugin's FastAPI app with the sync service plugged into Aktualisieren.

The only place where both faces meet for the server: tokens live in the sync
service's state store, and Aktualisieren runs a sync.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from pakt.plugin import TokenStore
from pakt.plugin.server import ServerConfig, create_app
from pakt.schemas import Registry, load_registry
from pakt.sync import master_path, refresh_overview, state_path

CONFIG_VARIABLE = "PAKT_SERVE_CONFIG"
URL_VARIABLE = "PAKT_SERVE_URL"


def token_store(registry: Registry) -> TokenStore:
    """The district's access keys, hashed, in its state store."""
    return TokenStore(state_path(registry, master_path(registry)))


def district_app(registry: Registry, base_url: str, **settings: object) -> FastAPI:
    """The add-in server for one district, with Aktualisieren wired to the sync service."""
    return create_app(ServerConfig(base_url, registry, token_store(registry), refresh=refresh_overview, **settings))


def app_from_environment() -> FastAPI:
    """The app for `pakt serve` (uvicorn imports it once per worker process)."""
    registry = load_registry(Path(os.environ[CONFIG_VARIABLE]))
    return district_app(registry, os.environ[URL_VARIABLE])
