"""Google's error answers, per API, as Google sends them.

Sheets v4 answers {"error": {code, message, status, details: [ErrorInfo]}} (the
shape gspread's recorded traffic shows for 403 and 404; the ErrorInfo with its
`reason` is what Google documents for a disabled API, a missing scope and rate
limits). Drive v3 answers {"error": {code, message, errors: [{domain, reason,
message}]}} (Drive's error guide: notFound, userRateLimitExceeded,
insufficientPermissions...). Google's front end answers 502 and 503 with an
HTML page, not JSON.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse, JSONResponse, Response

STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request is missing required authentication credential.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
    "of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
SERVICES = {"sheets": "sheets.googleapis.com", "drive": "drive.googleapis.com"}
NAMES = {"sheets": "Google Sheets API", "drive": "Google Drive API"}

HTML_PAGE = """<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <title>Error {code} (Server Error)!!1</title>
  <p><b>{code}.</b> <ins>That's an error.</ins>
  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That's all we know.</ins>
"""


class ApiError(Exception):
    """Raised inside a route: answered as Google answers it."""

    def __init__(self, code: int, message: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.reason = code, message, reason


def _error_info(api: str, reason: str) -> dict:
    return {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": {"service": SERVICES[api], "consumer": "projects/481516234200"},
    }


DRIVE_REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded",
                 500: "backendError", 503: "backendError"}  # fmt: skip
DRIVE_DOMAINS = {"userRateLimitExceeded": "usageLimits", "rateLimitExceeded": "usageLimits",
                 "accessNotConfigured": "usageLimits"}  # fmt: skip
INFO_REASONS = {"SERVICE_DISABLED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "RATE_LIMIT_EXCEEDED"}


def error(api: str, code: int, message: str | None = None, reason: str | None = None) -> JSONResponse:
    """Google's JSON error for `api` ("sheets" or "drive")."""
    text = message or MESSAGES.get(code, "Error")
    body: dict = {"code": code, "message": text}
    if api == "drive":
        drive_reason = reason if reason and reason not in INFO_REASONS else DRIVE_REASONS.get(code, "error")
        if reason == "SERVICE_DISABLED":
            drive_reason = "accessNotConfigured"
        if reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
            drive_reason = "insufficientPermissions"
        body["errors"] = [
            {"message": text, "domain": DRIVE_DOMAINS.get(drive_reason, "global"), "reason": drive_reason}
        ]
        if reason in INFO_REASONS or code == 401:
            body["status"] = STATUS.get(code, "UNKNOWN")
        if reason in INFO_REASONS:
            body["details"] = [_error_info(api, reason)]
    else:
        body["status"] = STATUS.get(code, "UNKNOWN")
        if reason in INFO_REASONS:
            body["details"] = [_error_info(api, reason)]
    return JSONResponse({"error": body}, status_code=code)


def disabled(api: str) -> JSONResponse:
    return error(
        api,
        403,
        f"{NAMES[api]} has not been used in project 481516234200 before or it is disabled. Enable it by visiting "
        f"https://console.developers.google.com/apis/api/{SERVICES[api]}/overview?project=481516234200 then retry.",
        "SERVICE_DISABLED",
    )


def scope_missing(api: str) -> JSONResponse:
    return error(api, 403, "Request had insufficient authentication scopes.", "ACCESS_TOKEN_SCOPE_INSUFFICIENT")


def html_page(code: int) -> Response:
    return HTMLResponse(HTML_PAGE.format(code=code), status_code=code)
