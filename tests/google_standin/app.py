"""The stand-in's HTTP face: the subset of Sheets API v4, Drive API v3 and Google's token endpoint Pakt uses.

    GET  /v4/spreadsheets/{id}                    spreadsheets.get (ranges, includeGridData, fields)
    GET  /v4/spreadsheets/{id}/values:batchGet    values.batchGet
    GET  /v4/spreadsheets/{id}/values/{range}     values.get
    POST /v4/spreadsheets/{id}/values:batchUpdate values.batchUpdate (RAW, USER_ENTERED)
    POST /v4/spreadsheets/{id}:batchUpdate        batchUpdate (addSheet, updateCells, setDataValidation, ...)
    GET  /drive/v3/files                          files.list (q, corpora, shared drives, pageToken)
    GET  /drive/v3/files/{id}                     files.get (metadata; alt=media downloads an uploaded file)
    GET  /drive/v3/files/{id}/export              files.export (xlsx)
    POST /token                                   the OAuth token endpoint (service-account JWT grant)

Every request is checked against Google's discovery documents (discovery.py),
and so is every JSON answer; `fields` masks are honoured and checked. Errors are
Google's per API (errors.py). Reads and writes count against a per-user quota
per window; faults a test injects answer first.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from . import discovery
from .errors import ApiError, disabled, error, html_page, scope_missing
from .export import export_xlsx
from .model import GOOGLE_SHEET, XLSX, Formula, Logged, Spreadsheet, World
from .sheets import batch_update, grid_range, spreadsheet_answer, value_range

TOKEN_LIFETIME_S = 3600


def _kind(method: str, path: str) -> str:
    if path.startswith("/drive/"):
        return "drive"
    return "sheets_read" if method == "GET" else "sheets_write"


def _api(path: str) -> str:
    return "drive" if path.startswith("/drive/") else "sheets"


def _modified(book: Spreadsheet) -> str:
    return book.modified.strftime("%Y-%m-%dT%H:%M:%S.") + f"{book.modified.microsecond // 1000:03d}Z"


def _file(book: Spreadsheet) -> dict:
    return {
        "kind": "drive#file",
        "id": book.spreadsheet_id,
        "name": book.title,
        "mimeType": book.mime_type,
        "createdTime": "2018-01-02T08:00:00.000Z",
        "modifiedTime": _modified(book),
        "version": str(book.version),
        "trashed": book.trashed,
        **({"driveId": book.drive_id} if book.drive_id else {}),
    }


def _mime_types(query: str) -> set[str]:
    wanted = {m for m in (GOOGLE_SHEET, XLSX) if m in query}
    if not wanted:
        raise ApiError(400, "Invalid Value", "invalid")
    return wanted


def _decode_assertion(assertion: str) -> dict:
    payload = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class _Checked:
    """The discovery method of a request, its `fields` mask, and the check of its answer."""

    def __init__(self, method: discovery.Method, mask: dict[str, Any]) -> None:
        self.method, self.mask = method, mask

    def answer(self, data: Any, status: int = 200) -> JSONResponse:
        response = self.method.spec.get("response")
        if response:
            for problem in discovery.check_value(self.method.api, response, data, self.method.id):
                discovery.record(f"answer of {self.method.id}: {problem}")
        return JSONResponse(discovery.apply_mask(data, self.mask), status_code=status)


def create_app(world: World) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def authorise(request: Request, method: discovery.Method) -> Response | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return error(_api(request.url.path), 401)
        token = header[7:]
        if token.startswith("stand-in-"):  # a test session: every scope
            return None
        issued = world.tokens.get(token)
        if issued is None or issued[2] < time.time():
            return error(_api(request.url.path), 401, "Request had invalid authentication credentials.")
        if not issued[1] & method.scopes:
            return scope_missing(method.api)
        return None

    async def check(request: Request, method: discovery.Method) -> tuple[Response | None, dict[str, Any]]:
        problems = discovery.check_query(method, list(request.query_params.multi_items()))
        mask = discovery.parse_mask(request.query_params.get("fields", ""))
        response = method.spec.get("response")
        if response and mask:
            problems += discovery.check_mask(method.api, response, mask)
        if method.spec.get("request") and request.method in ("POST", "PUT", "PATCH"):
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                body, problems = None, [*problems, "Invalid JSON payload received."]
            if body is not None:
                problems += discovery.check_value(method.api, method.spec["request"], body, "")
        if problems:
            for problem in problems:
                discovery.record(f"request to {method.id}: {problem}")
            return error(method.api, 400, "Invalid JSON payload received. " + problems[0]), mask
        return None, mask

    @app.middleware("http")
    async def google_front_end(request: Request, call_next):
        path = unquote(request.url.path)
        kind = _kind(request.method, path)
        if path == "/token":
            return await call_next(request)
        method = discovery.method_for(request.method, path)
        if method is None:
            discovery.record(f"no {request.method} {path} in Google's discovery documents")
            response = error(_api(path), 404, f"The stand-in knows no {request.method} {path}.")
        elif (refused := authorise(request, method)) is not None:
            response = refused
        elif method.api in world.disabled_apis:
            response = disabled(method.api)
        elif (fault := world.take_fault(path + "?" + request.url.query)) is not None:
            response = await _fault(fault, method.api)
        elif world.over_quota(request.headers.get("authorization", ""), kind):
            response = (
                error(method.api, 429, reason="RATE_LIMIT_EXCEEDED")
                if method.api == "sheets"
                else error("drive", 403, "User rate limit exceeded.", "userRateLimitExceeded")
            )
        else:
            refused, mask = await check(request, method)
            if refused is not None:
                response = refused
            else:
                request.state.checked = _Checked(method, mask)
                try:
                    response = await call_next(request)
                except ApiError as exc:
                    response = error(method.api, exc.code, exc.message, exc.reason)
        with world.lock:
            world.log.append(Logged(request.method, path, kind, response.status_code))
        return response

    async def _fault(fault, api: str) -> Response:
        if fault.status == "timeout":
            await asyncio.sleep(world.hang_s)
            return error(api, 503)
        status = int(fault.status)
        response = html_page(status) if fault.html else error(api, status, reason=fault.reason)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    def sheets_book(spreadsheet_id: str) -> Spreadsheet:
        found = world.spreadsheets.get(spreadsheet_id)
        if found is None or found.trashed:
            raise ApiError(404)
        if not world.visible(found):
            raise ApiError(403)
        if found.mime_type != GOOGLE_SHEET:
            raise ApiError(400, "This operation is not supported for this document")
        return found

    def drive_file(file_id: str, all_drives: bool) -> Spreadsheet:
        found = world.spreadsheets.get(file_id)
        if found is None or not world.visible(found) or (found.drive_id is not None and not all_drives):
            raise ApiError(404, f"File not found: {file_id}.", "notFound")
        return found

    def checked(request: Request) -> _Checked:
        return request.state.checked

    # -- Sheets ----------------------------------------------------------------------------------

    @app.get("/v4/spreadsheets/{spreadsheet_id}/values:batchGet")
    def values_batch_get(spreadsheet_id: str, request: Request) -> Response:
        with world.lock:
            target = sheets_book(spreadsheet_id)
            params = request.query_params
            option = params.get("valueRenderOption", "FORMATTED_VALUE")
            dates = params.get("dateTimeRenderOption", "SERIAL_NUMBER")
            ranges = params.getlist("ranges")
            return checked(request).answer(
                {
                    "spreadsheetId": spreadsheet_id,
                    "valueRanges": [value_range(target, r, option, dates) for r in ranges],
                }
            )

    @app.get("/v4/spreadsheets/{spreadsheet_id}/values/{cell_range:path}")
    def values_get(spreadsheet_id: str, cell_range: str, request: Request) -> Response:
        with world.lock:
            params = request.query_params
            return checked(request).answer(
                value_range(
                    sheets_book(spreadsheet_id),
                    unquote(cell_range),
                    params.get("valueRenderOption", "FORMATTED_VALUE"),
                    params.get("dateTimeRenderOption", "SERIAL_NUMBER"),
                )
            )

    @app.post("/v4/spreadsheets/{spreadsheet_id}/values:batchUpdate")
    async def values_batch_update(spreadsheet_id: str, request: Request) -> Response:
        body = json.loads(await request.body())
        with world.lock:
            target = sheets_book(spreadsheet_id)
            cells = 0
            for data in body.get("data", []):
                sheet, r1, c1, _, _ = grid_range(target, data["range"])
                user_entered = body.get("valueInputOption") == "USER_ENTERED"
                for i, row in enumerate(data.get("values", [])):
                    for j, value in enumerate(row):
                        typed_formula = user_entered and isinstance(value, str) and value.startswith("=")
                        sheet.set(r1 + i, c1 + j, Formula(value) if typed_formula else value)
                        cells += 1
            target.touch()
            return checked(request).answer(
                {"spreadsheetId": spreadsheet_id, "totalUpdatedCells": cells, "responses": []}
            )

    @app.post("/v4/spreadsheets/{spreadsheet_id}:batchUpdate")
    async def spreadsheets_batch_update(spreadsheet_id: str, request: Request) -> Response:
        body = json.loads(await request.body())
        with world.lock:
            target = sheets_book(spreadsheet_id)
            replies = batch_update(target, body.get("requests", []))
            target.touch()
            return checked(request).answer({"spreadsheetId": spreadsheet_id, "replies": replies})

    @app.get("/v4/spreadsheets/{spreadsheet_id}")
    def spreadsheets_get(spreadsheet_id: str, request: Request) -> Response:
        with world.lock:
            params = request.query_params
            grid = params.get("includeGridData", "false").lower() == "true"
            return checked(request).answer(
                spreadsheet_answer(sheets_book(spreadsheet_id), params.getlist("ranges"), grid)
            )

    # -- Drive -----------------------------------------------------------------------------------

    @app.get("/drive/v3/files")
    def files_list(request: Request) -> Response:
        params = request.query_params
        corpora = params.get("corpora", "user")
        all_drives = params.get("includeItemsFromAllDrives", "false").lower() == "true"
        supports = params.get("supportsAllDrives", "false").lower() == "true"
        if corpora in ("allDrives", "drive") and not (all_drives and supports):
            raise ApiError(
                403,
                "The includeItemsFromAllDrives parameter must be set to true when corpora is set to allDrives or drive.",
                "teamDriveIncludeItemsRequired",
            )
        wanted = _mime_types(params.get("q", ""))
        untrashed = "trashed=false" in params.get("q", "").replace(" ", "")
        size = min(int(params.get("pageSize", "100")), 1000)
        start = int(params.get("pageToken", "0") or 0)
        with world.lock:
            visible = [
                b
                for b in world.spreadsheets.values()
                if b.mime_type in wanted
                and world.listed(b, corpora, params.get("driveId"))
                and not (untrashed and b.trashed)
            ]
            page = visible[start : start + size]
            body: dict[str, Any] = {
                "kind": "drive#fileList",
                "incompleteSearch": False,
                "files": [_file(b) for b in page],
            }
            if start + size < len(visible):
                body["nextPageToken"] = str(start + size)
            return checked(request).answer(body)

    @app.get("/drive/v3/files/{file_id}/export")
    def files_export(file_id: str, request: Request) -> Response:
        with world.lock:
            book = drive_file(file_id, all_drives=True)
            if request.query_params.get("mimeType") != XLSX:
                raise ApiError(400, "The requested conversion is not supported.", "badRequest")
            if book.mime_type != GOOGLE_SHEET:
                raise ApiError(403, "Export only supports Docs Editors files.", "fileNotExportable")
            data = export_xlsx(book)
        return Response(data, media_type=XLSX, headers={"Content-Disposition": "attachment"})

    @app.get("/drive/v3/files/{file_id}")
    def files_get(file_id: str, request: Request) -> Response:
        params = request.query_params
        with world.lock:
            book = drive_file(file_id, params.get("supportsAllDrives", "false").lower() == "true")
            if params.get("alt") == "media":
                if book.upload is None:
                    raise ApiError(
                        403,
                        "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                        "fileNotDownloadable",
                    )
                return Response(book.upload, media_type=book.mime_type)
            return checked(request).answer(_file(book))

    # -- the token endpoint ----------------------------------------------------------------------

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if world.token_faults:
            fault = world.token_faults.popleft()
            if fault == "invalid_grant":
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, status_code=400
                )
            return (
                html_page(int(fault))
                if int(fault) >= 500
                else JSONResponse({"error": "invalid_request"}, status_code=int(fault))
            )
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        claims = _decode_assertion(str(form.get("assertion", "")))
        access = "ya29.stand-in-" + secrets.token_urlsafe(16)
        scopes = frozenset(str(claims.get("scope", "")).split())
        with world.lock:
            world.tokens[access] = (str(claims.get("iss", "")), scopes, time.time() + TOKEN_LIFETIME_S)
        return JSONResponse({"access_token": access, "expires_in": TOKEN_LIFETIME_S, "token_type": "Bearer"})

    @app.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(rest: str) -> Response:
        return error("sheets", 404, f"The stand-in does not implement /{rest}.")

    return app
