"""Google's failures in German: what failed, why, and what district IT should do.

Used where a failure concerns the whole run (the Drive listing, the Google
master, the credentials) rather than one municipality's sheet.
"""

from __future__ import annotations

import requests
from google.auth import exceptions as auth
from gspread.exceptions import APIError

from pakt.schemas import GoogleUnavailable, describe_os_error

GOOGLE_FAILURES = (APIError, requests.RequestException, auth.GoogleAuthError, OSError, ValueError)
"""What talking to Google can raise: API answers, the network, token refresh, the key file."""


def _api_reason(error: APIError) -> str:
    status = error.response.status_code if error.response is not None else error.code
    if status == 401:
        return "Google hat die Anmeldung abgelehnt (Schlüssel ungültig oder widerrufen)"
    if status == 403:
        return "Google verweigert den Zugriff (fehlende Freigabe, API nicht aktiviert oder Kontingent erschöpft)"
    if status == 404:
        return "Google kennt die Tabelle nicht (gelöscht oder falsche Adresse)"
    if status == 429:
        return "das Kontingent von Google ist für den Moment erschöpft"
    return f"Google hat mit Fehler {status} geantwortet"


def google_unavailable(error: Exception, what: str, then: str = "") -> GoogleUnavailable:
    """The German error for a failure while doing `what` (e.g. "die Liste der Tabellen abrufen"), and what
    follows from it for the run (`then`)."""
    if isinstance(error, APIError):
        reason = _api_reason(error)
    elif isinstance(error, auth.DefaultCredentialsError):
        reason = (
            "keine Zugangsdaten für Google gefunden; bitte in pakt.toml unter [google] credentials die "
            "Schlüsseldatei des Dienstkontos angeben"
        )
    elif isinstance(error, auth.RefreshError):
        reason = "die Anmeldung bei Google ist fehlgeschlagen (Schlüssel ungültig, gesperrt oder Uhrzeit falsch)"
    elif isinstance(error, (auth.TransportError, requests.RequestException)):
        reason = "Google ist nicht erreichbar (Netzwerk, Proxy oder Zeitüberschreitung)"
    elif isinstance(error, OSError):
        reason = f"die Schlüsseldatei kann nicht gelesen werden: {describe_os_error(error)} ({error.filename})"
    elif isinstance(error, (auth.GoogleAuthError, ValueError)):
        reason = "die Schlüsseldatei ist kein gültiger Schlüssel eines Dienstkontos"
    else:
        reason = type(error).__name__
    return GoogleUnavailable(f"Pakt konnte bei Google {what} nicht: {reason}." + (f" {then}" if then else ""))
