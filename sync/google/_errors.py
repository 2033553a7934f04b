"""Google's failures told apart and said in German: what failed, the real cause, and what IT should do.

Google answers every refusal with 403 or 404, whatever the cause: a sheet not
shared, an API not enabled in the Cloud project, a token without the scope, a
rate limit (Drive says that with 403, not 429). The cause is in the body:
Sheets puts it in `error.status` and an ErrorInfo `reason` under
`error.details`, Drive in `error.errors[].reason`. `cause_of` reads both, so a
municipality is asked to share its sheet only when that is what is wrong.
"""

from __future__ import annotations

import enum
from typing import Any

import requests
from google.auth import exceptions as auth
from gspread.exceptions import APIError

from pakt.schemas import GoogleUnavailable, describe_os_error

GOOGLE_FAILURES = (APIError, requests.RequestException, auth.GoogleAuthError, OSError, ValueError)
"""What talking to Google can raise: API answers, the network, token refresh, the key file."""

RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED", "quotaExceeded"})
DISABLED_REASONS = frozenset({"SERVICE_DISABLED", "accessNotConfigured", "API_DISABLED"})
SCOPE_REASONS = frozenset({"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"})


class Cause(enum.Enum):
    """Why Google refused, as far as its answer tells."""

    NOT_FOUND = "not_found"
    NOT_SHARED = "not_shared"
    API_DISABLED = "api_disabled"
    SCOPE_MISSING = "scope_missing"
    RATE_LIMITED = "rate_limited"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    UNAUTHENTICATED = "unauthenticated"
    UNAVAILABLE = "unavailable"
    OTHER = "other"

    @property
    def run_level(self) -> bool:
        """A cause every request shares (the project, the credentials): the run's failure, not one sheet's."""
        return self in (Cause.API_DISABLED, Cause.SCOPE_MISSING, Cause.UNAUTHENTICATED)


def http_status(error: APIError) -> int:
    """The HTTP status of a failed request. gspread gives Google's HTML error pages (502, 503) the code -1;
    the response knows better."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return int(status) if status is not None else int(error.code)


def _body(error: APIError) -> dict[str, Any]:
    response = getattr(error, "response", None)
    try:
        body = response.json() if response is not None else {}
    except ValueError:  # an HTML error page
        return {}
    inner = body.get("error") if isinstance(body, dict) else None
    return inner if isinstance(inner, dict) else {}


def reasons_of(error: APIError) -> frozenset[str]:
    """Every reason Google gave: Drive's errors[].reason and the ErrorInfo reasons of Sheets and Drive."""
    body = _body(error)
    found = {e.get("reason") for e in body.get("errors", []) if isinstance(e, dict)}
    found |= {d.get("reason") for d in body.get("details", []) if isinstance(d, dict)}
    return frozenset(r for r in found if isinstance(r, str))


def service_of(error: APIError) -> str:
    """Which API refused: 'Drive' or 'Sheets' (from the ErrorInfo, else from the URL)."""
    for detail in _body(error).get("details", []):
        service = (detail.get("metadata") or {}).get("service", "") if isinstance(detail, dict) else ""
        if service:
            return "Drive" if "drive" in service else "Sheets"
    request = getattr(getattr(error, "response", None), "request", None)
    url = getattr(request, "url", "") or ""
    return "Drive" if "/drive/" in url else "Sheets"


def cause_of(error: APIError) -> Cause:
    status, reasons = http_status(error), reasons_of(error)
    text = str(_body(error).get("message", ""))
    if reasons & RATE_REASONS or status == 429:
        return Cause.RATE_LIMITED
    if reasons & DISABLED_REASONS or "has not been used in project" in text:
        return Cause.API_DISABLED
    if reasons & SCOPE_REASONS or "insufficient authentication scopes" in text:
        return Cause.SCOPE_MISSING
    if status == 401:
        return Cause.UNAUTHENTICATED
    if status == 403:
        return Cause.NOT_SHARED
    if status == 404:
        return Cause.NOT_FOUND
    if status == 400 and (
        "not supported for this document" in text or _body(error).get("status") == "FAILED_PRECONDITION"
    ):
        return Cause.NOT_A_SPREADSHEET
    if status >= 500 or status == -1:
        return Cause.UNAVAILABLE
    return Cause.OTHER


def retryable(error: APIError) -> bool:
    """Worth asking again: rate limits (Drive's 403 ones too), timeouts and Google's server errors."""
    return http_status(error) in (408, 429, 500, 502, 503, 504) or cause_of(error) is Cause.RATE_LIMITED


def _api_reason(error: APIError) -> str:
    cause, status, service = cause_of(error), http_status(error), service_of(error)
    if cause is Cause.API_DISABLED:
        return (
            f"die Google-{service}-API ist im Google-Cloud-Projekt des Dienstkontos nicht aktiviert; IT: in der "
            f"Cloud Console unter „APIs und Dienste“ die Google {service} API aktivieren"
        )
    if cause is Cause.SCOPE_MISSING:
        return (
            "die Zugangsdaten haben nicht die nötige Berechtigung (Scope); IT: Dienstkonto-Schlüssel verwenden "
            "oder die Anmeldung mit den Scopes aus dem Betriebshandbuch (docs/betrieb.md) erneuern (gcloud auth application-default login "
            "--scopes=…)"
        )
    if cause is Cause.UNAUTHENTICATED:
        return "Google hat die Anmeldung abgelehnt (Schlüssel ungültig oder widerrufen)"
    if cause is Cause.RATE_LIMITED:
        return "das Kontingent von Google ist für den Moment erschöpft"
    if cause is Cause.NOT_SHARED:
        return "Google verweigert den Zugriff (die Tabelle ist nicht für das Dienstkonto freigegeben)"
    if cause is Cause.NOT_FOUND:
        return "Google kennt die Tabelle nicht (gelöscht, nicht freigegeben oder falsche Adresse)"
    if cause is Cause.UNAVAILABLE:
        return f"Google ist gestört (Fehler {status}); der nächste Abgleich versucht es erneut"
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
