"""Credentials through google-auth: a service-account key file, narrow scopes for sources, write only for the master."""

from __future__ import annotations

from google.auth.transport.requests import AuthorizedSession
from google_standin.fixture import service_account_key

from pakt.schemas import load_registry
from pakt.sync.google._client import MASTER_SCOPES, SOURCE_SCOPES, credentials_session, service_account_email


def test_service_account_key_gives_sessions_with_the_narrowest_scopes(tmp_path, repo):
    service_account_key(tmp_path / "dienstkonto.json", "https://oauth2.googleapis.com/token")
    text = (repo / "pakt.toml").read_text(encoding="utf-8") + '\n[google]\ncredentials = "dienstkonto.json"\n'
    (tmp_path / "pakt.toml").write_text(text, encoding="utf-8")
    registry = load_registry(tmp_path / "pakt.toml")
    make = credentials_session(registry)
    sources, master = make(SOURCE_SCOPES), make(MASTER_SCOPES)
    assert isinstance(sources, AuthorizedSession) and isinstance(master, AuthorizedSession)
    assert set(sources.credentials.scopes) == {
        "https://www.googleapis.com/auth/spreadsheets.readonly",
        "https://www.googleapis.com/auth/drive.readonly",
    }
    assert set(master.credentials.scopes) == {"https://www.googleapis.com/auth/spreadsheets"}
    assert service_account_email(registry) == "pakt@landkreis-tuttlingen.iam.gserviceaccount.com"
