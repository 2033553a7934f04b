"""Credentials through google-auth: a service-account key file, narrow scopes for sources, write only for the master."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import AuthorizedSession

from pakt.schemas import load_registry
from pakt.sync._google_client import MASTER_SCOPES, SOURCE_SCOPES, credentials_session, service_account_email


def test_service_account_key_gives_sessions_with_the_narrowest_scopes(tmp_path, repo):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = {
        "type": "service_account",
        "project_id": "landkreis-tuttlingen",
        "private_key_id": "1",
        "private_key": private.decode(),
        "client_email": "pakt@landkreis-tuttlingen.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    (tmp_path / "dienstkonto.json").write_text(json.dumps(key), encoding="utf-8")
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
