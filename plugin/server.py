"""The Pakt add-in server (FastAPI on xlwings.server): manifest, task pane, formulas, scripts.

    GET  /manifest.xml                          Office add-in manifest (public)
    GET  /taskpane.html, /static/...            task pane page, script, styles, icons (public)
    GET  /functions.json, /functions.js         formula metadata and loader for Excel (token)
    POST /xlwings/custom-functions-call         one formula call, as Excel's Office.js or our Apps Script sends it (token)
    GET  /xlwings/custom-scripts-meta           the scripts (token)
    POST /xlwings/custom-scripts-call/{script}  Prüfen, Einreichen, Aktualisieren on the sent workbook (token)

Every call but the manifest, the task pane and static files needs a token. A
municipality's token may run Prüfen and Einreichen only on the workbook bound
to its own AGS; Aktualisieren needs a district token. Bodies larger than the
configured limit are refused before they are read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pakt.schemas import PaktError, Registry

from . import scripts as scripts_module
from . import udfs
from ._book_view import BookView
from ._context import build_context, use
from ._icons import icon_png
from ._loader import loader_js
from ._manifest import manifest_xml
from ._refresh import Refresh
from ._tokens import Principal, Role, TokenStore, bearer
from ._xlwings import (
    XLWINGS_VERSION,
    Book,
    custom_functions_call,
    custom_functions_meta,
    custom_scripts_call,
    custom_scripts_meta,
)

STATIC = Path(__file__).parent / "static"
SCRIPTS = {"pruefen": Role.GEMEINDE, "einreichen": Role.GEMEINDE, "aktualisieren": Role.LANDKREIS}
DEFAULT_MAX_BODY_BYTES = 5_000_000


@dataclass(frozen=True)
class ServerConfig:
    """What district IT configures (the public URL, the district, the token store, the body limit), and the
    refresh port that the package root plugs the sync service into (without it, Aktualisieren is refused)."""

    base_url: str
    registry: Registry | None
    tokens: TokenStore
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    refresh: Refresh | None = None


class FunctionCall(BaseModel):
    """A formula call as Excel's Office.js client (or Pakt's Apps Script) posts it."""

    model_config = ConfigDict(extra="allow")

    client: Literal["Office.js", "Google Apps Script"]
    func_name: str
    args: list[Any]
    version: str = XLWINGS_VERSION
    runtime: str = "1.4"
    caller_address: str = ""
    culture_info_name: str = "de-DE"
    date_format: str = "TT.MM.JJJJ"
    session_id: str = ""


class SheetPayload(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    values: list[list[Any]]


class BookPayload(BaseModel):
    """A workbook as xlwings' Office.js and Apps Script clients send it."""

    model_config = ConfigDict(extra="allow")

    client: Literal["Office.js", "Google Apps Script"]
    version: str
    book: dict[str, Any]
    names: list[dict[str, Any]] = Field(default_factory=list)
    sheets: list[SheetPayload] = Field(min_length=1)


class BodyLimit:
    """ASGI middleware: refuse request bodies over `max_bytes` (413) without reading them whole."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: dict, receive: Any, send: Any) -> None:
        megabytes = self.max_bytes / 1_000_000
        response = PlainTextResponse(f"Die Anfrage ist zu groß (höchstens {megabytes:g} MB).", status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def create_app(config: ServerConfig) -> FastAPI:
    """The add-in server for one district."""
    context = build_context(config.registry, config.refresh)
    app = FastAPI(title="Pakt", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[_origin(config.base_url)],
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    district = config.registry.district if config.registry else None
    meta = custom_functions_meta(udfs)
    known_functions = {f["id"].lower() for f in meta["functions"]}

    @app.exception_handler(HTTPException)
    async def german_errors(request: Request, exc: HTTPException) -> PlainTextResponse:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    async def principal(request: Request) -> Principal:
        found = config.tokens.verify(bearer(request.headers.get("authorization")))
        if found is None:
            raise HTTPException(
                401, "Anmeldung fehlt: kein gültiger Zugangsschlüssel. Bitte den Schlüssel vom Landratsamt eintragen."
            )
        return found

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/taskpane.html")

    @app.get("/manifest.xml")
    def manifest() -> Response:
        name, key = (district.name, district.key) if district else ("Pakt", "00000")
        return Response(manifest_xml(config.base_url, name, key), media_type="application/xml")

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane() -> str:
        return (
            (STATIC / "taskpane.html")
            .read_text(encoding="utf-8")
            .replace("{{district}}", district.name if district else "")
        )

    @app.get("/static/icon-{size}.png")
    def icon(size: int) -> Response:
        if size not in (16, 32, 64, 80):
            raise HTTPException(404, "Kein solches Symbol.")
        return Response(icon_png(size), media_type="image/png")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/functions.json")
    def functions_meta(who: Principal = Depends(principal)) -> dict:
        return meta

    @app.get("/functions.js")
    def functions_code() -> Response:
        return Response(loader_js(meta, config.base_url), media_type="application/javascript")

    @app.post("/xlwings/custom-functions-call")
    async def function_call(request: Request, who: Principal = Depends(principal)) -> JSONResponse:
        try:
            call = FunctionCall.model_validate(await request.json())
        except (ValidationError, ValueError) as exc:
            raise HTTPException(400, f"Ungültiger Formelaufruf: {_first_error(exc)}") from exc
        if call.func_name.lower() not in known_functions:
            raise HTTPException(400, f"Unbekannte Pakt-Formel „{call.func_name}“.")
        if call.client != "Office.js" and call.version != XLWINGS_VERSION:
            raise HTTPException(400, _version_message(call.version))
        data = call.model_dump()
        data["func_name"] = call.func_name.lower()
        with use(context):
            result = await custom_functions_call(data, udfs)
        return JSONResponse({"result": result})

    @app.get("/xlwings/custom-scripts-meta")
    def scripts_meta(who: Principal = Depends(principal)) -> list:
        return custom_scripts_meta(scripts_module)

    @app.post("/xlwings/custom-scripts-call/{script}")
    async def script_call(script: str, request: Request, who: Principal = Depends(principal)) -> JSONResponse:
        if script not in SCRIPTS:
            raise HTTPException(404, f"Unbekannte Pakt-Aktion „{script}“.")
        try:
            payload = BookPayload.model_validate(await request.json())
        except (ValidationError, ValueError) as exc:
            raise HTTPException(400, f"Die Mappe kam unvollständig an: {_first_error(exc)}") from exc
        if payload.client == "Google Apps Script" and payload.version != XLWINGS_VERSION:
            raise HTTPException(400, _version_message(payload.version))
        book = Book(json=payload.model_dump())
        _authorize(who, script, book)
        try:
            with use(context):
                await asyncio.to_thread(_run_script, script, book)
        except PaktError as exc:
            raise HTTPException(400, exc.message) from exc
        return JSONResponse(book.json())

    return app


def _run_script(script: str, book: Book) -> None:
    asyncio.run(custom_scripts_call(scripts_module, script, typehint_to_value={Book: book}))


def _bound_ags(book: Book) -> str | None:
    cell = BookView(book).named_cell("pakt_bind_ags")
    return str(cell.value).strip() if cell is not None and cell.value not in (None, "") else None


def _authorize(who: Principal, script: str, book: Book) -> None:
    if SCRIPTS[script] is Role.LANDKREIS and who.role is not Role.LANDKREIS:
        raise HTTPException(
            403, "Aktualisieren ist dem Landratsamt vorbehalten; dieser Zugangsschlüssel gehört einer Gemeinde."
        )
    if script == "aktualisieren":
        return
    ags = _bound_ags(book)
    if not who.may_use_workbook_of(ags):
        bound = f"für {ags}" if ags else "an keine Gemeinde gebunden"
        raise HTTPException(
            403,
            f"Dieser Zugangsschlüssel gehört zu {who.label} ({who.ags}); die Mappe ist {bound}. Bitte die eigene Meldemappe verwenden.",
        )


def _version_message(version: str) -> str:
    return (
        f"Die Pakt-Skripte in dieser Tabelle sind veraltet (xlwings {version}, Server {XLWINGS_VERSION}). "
        "Bitte die Apps-Script-Dateien neu einspielen (pakt appsscript)."
    )


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        what = "fehlt" if first["type"] == "missing" else "hat einen ungültigen Wert"
        return f"Feld {'.'.join(str(p) for p in first['loc'])} {what}"
    return "kein gültiges JSON"
