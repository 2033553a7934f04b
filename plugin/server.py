"""The Pakt add-in server (FastAPI on xlwings.server): manifest, task pane, formulas, scripts.

    GET  /manifest.xml                          Office add-in manifest (public)
    GET  /taskpane.html, /static/...            task pane page, script, styles, icons (public)
    GET  /functions.json, /functions.js         formula metadata and loader for Excel (public)
    POST /xlwings/custom-functions-call         one formula call, as Excel's Office.js or our Apps Script sends it (token)
    GET  /xlwings/custom-scripts-meta           the scripts (token)
    POST /xlwings/custom-scripts-call/{script}  Prüfen, Einreichen, Aktualisieren on the sent workbook (token)

What Excel loads by itself (manifest, task pane, functions metadata and
loader) is public: Excel sends no key for it, and it holds no secret. Every
call that computes or changes something needs a token. A
municipality's token may run Prüfen and Einreichen only on the workbook bound
to its own AGS, and only while that binding is the template's own (a name
re-pointed at another cell is refused); Aktualisieren needs a district token.
Bodies larger than the configured limit are refused before they are read, a
formula call with too many cells before it is computed; every malformed body
gets a German 400, a missing or damaged key store a German 503, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from pakt.schemas import EnvironmentFailure, PaktError, Registry, StoreUnavailable

from . import scripts as scripts_module
from . import udfs
from ._binding import BindingBroken, bound_ags
from ._book_payload import BookPayload, payload_problem
from ._book_view import BookView
from ._call_checks import (
    CALL,
    CallRefused,
    answer_json,
    checked_call,
    parsed_json,
    version_message,
)
from ._context import build_context, use
from ._formula_calls import LARGE_CALL_BYTES, FormulaRunner
from ._icons import icon_png
from ._loader import loader_js
from ._manifest import ICON_SIZES, manifest_version, manifest_xml
from ._origins import OriginPolicy, check_public_url, origin_of
from ._refresh import Refresh
from ._tokens import Principal, Role, TokenStore, bearer
from ._xlwings import (
    XLWINGS_VERSION,
    Book,
    custom_functions_meta,
    custom_scripts_call,
    custom_scripts_meta,
)

log = logging.getLogger("pakt.server")

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
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
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


async def _json_body(request: Request, what: str) -> Any:
    """The request's JSON, or a German 400 for anything else (not JSON, not UTF-8, nested too deep)."""
    try:
        return parsed_json(await request.body(), what)
    except CallRefused as exc:
        raise HTTPException(exc.status, exc.message) from exc


def create_app(config: ServerConfig) -> FastAPI:
    """The add-in server for one district."""
    config = replace(config, base_url=check_public_url(config.base_url))
    context = build_context(config.registry, config.refresh)
    meta = functions_meta()
    known_functions = frozenset(f["id"].lower() for f in meta["functions"])
    runner = FormulaRunner(context, known_functions=known_functions)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        runner.close()

    app = FastAPI(title="Pakt", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.router.redirect_slashes = False  # a redirect would name the Host header the client sent
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(OriginPolicy, own_origin=origin_of(config.base_url))
    district = config.registry.district if config.registry else None
    version = manifest_version(meta)

    @app.exception_handler(HTTPException)
    async def german_errors(request: Request, exc: HTTPException) -> PlainTextResponse:
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> PlainTextResponse:
        log.exception("Unerwarteter Fehler bei %s", request.url.path)
        return PlainTextResponse(
            "Interner Fehler des Pakt-Servers. Bitte später erneut versuchen; das Landratsamt findet ihn im Protokoll.",
            status_code=500,
        )

    async def principal(request: Request) -> Principal:
        token = bearer(request.headers.get("authorization"))
        found = config.tokens.remembered(token)
        if found is None:
            try:
                found = await asyncio.to_thread(config.tokens.verify, token)
            except StoreUnavailable as exc:
                raise HTTPException(503, exc.message) from exc
        if found is None:
            raise HTTPException(
                401, "Anmeldung fehlt: kein gültiger Zugangsschlüssel. Bitte den Schlüssel vom Landratsamt eintragen."
            )
        return found

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("taskpane.html")  # relative: the server may sit under a sub-path

    @app.get("/manifest.xml")
    def manifest() -> Response:
        name, key = (district.name, district.key) if district else ("Pakt", "00000")
        return Response(manifest_xml(config.base_url, name, key, version), media_type="application/xml")

    @app.get("/taskpane.html", response_class=HTMLResponse)
    def taskpane() -> str:
        return (
            (STATIC / "taskpane.html")
            .read_text(encoding="utf-8")
            .replace("{{district}}", district.name if district else "")
        )

    @app.get("/static/icon-{size}.png")
    def icon(size: int) -> Response:
        if size not in ICON_SIZES:
            raise HTTPException(404, "Kein solches Symbol.")
        return Response(icon_png(size), media_type="image/png")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/functions.json")
    def functions_json() -> dict:
        return meta

    @app.get("/functions.js")
    def functions_code() -> Response:
        return Response(loader_js(meta, config.base_url), media_type="application/javascript")

    @app.post("/xlwings/custom-functions-call")
    async def function_call(request: Request, who: Principal = Depends(principal)) -> Response:
        raw = await request.body()
        try:
            if len(raw) > LARGE_CALL_BYTES:
                return Response(await runner.answer(raw), media_type="application/json")
            data, cells = checked_call(parsed_json(raw, CALL), known_functions)
            answer = answer_json(await runner.call(data, cells))
        except CallRefused as exc:
            raise HTTPException(exc.status, exc.message) from exc
        return Response(answer, media_type="application/json")

    @app.get("/api/key")
    async def key(who: Principal = Depends(principal)) -> dict:
        """Whom a key speaks for: lets a task pane or IT check a key without computing anything (and is the
        formula benchmark's floor: the same authentication as a call, no formula work)."""
        return {"role": who.role.value, "name": who.label, "ags": who.ags}

    @app.get("/xlwings/custom-scripts-meta")
    def scripts_meta(who: Principal = Depends(principal)) -> list:
        return custom_scripts_meta(scripts_module)

    @app.post("/xlwings/custom-scripts-call/{script}")
    async def script_call(script: str, request: Request, who: Principal = Depends(principal)) -> JSONResponse:
        if script not in SCRIPTS:
            raise HTTPException(404, f"Unbekannte Pakt-Aktion „{script}“.")
        body = await _json_body(request, "Die Mappe kam nicht an")
        try:
            payload = BookPayload.model_validate(body)
        except ValidationError as exc:
            raise HTTPException(400, f"Die Mappe kam unvollständig an: {payload_problem(exc, body)}") from exc
        if payload.client == "Google Apps Script" and payload.version != XLWINGS_VERSION:
            raise HTTPException(400, version_message(payload.version))
        try:
            book = Book(json=payload.model_dump())
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            raise HTTPException(400, "Die Mappe kam in einer Form an, die Pakt nicht lesen kann.") from exc
        _authorize(who, script, book, config.registry)
        try:
            with use(replace(context, client=payload.client)):
                await asyncio.to_thread(_run_script, script, book)
        except EnvironmentFailure as exc:
            raise HTTPException(503, exc.message) from exc
        except PaktError as exc:
            raise HTTPException(400, exc.message) from exc
        return JSONResponse(book.json())

    return app


def functions_meta() -> dict:
    """The PAKT formulas' metadata for Excel. xlwings registers them as classic desktop UDFs instead when it
    was imported on Windows without XLWINGS_ON_SERVER=true (then the metadata lacks what Excel needs): the
    server refuses to start with that rather than serve no formulas."""
    try:
        meta = custom_functions_meta(udfs)
    except (KeyError, AttributeError):
        meta = {"functions": []}
    if not meta["functions"]:
        raise EnvironmentFailure(
            "Die Pakt-Formeln wurden als Desktop-Formeln des xlwings-Add-ins geladen, nicht für den Server. "
            "Bitte den Server mit „pakt serve“ starten (oder XLWINGS_ON_SERVER=true setzen, bevor Python startet)."
        )
    return meta


def _run_script(script: str, book: Book) -> None:
    asyncio.run(custom_scripts_call(scripts_module, script, typehint_to_value={Book: book}))


def _authorize(who: Principal, script: str, book: Book, registry: Registry | None) -> None:
    if SCRIPTS[script] is Role.LANDKREIS and who.role is not Role.LANDKREIS:
        raise HTTPException(
            403, "Aktualisieren ist dem Landratsamt vorbehalten; dieser Zugangsschlüssel gehört einer Gemeinde."
        )
    if script == "aktualisieren" or who.role is Role.LANDKREIS:
        return
    try:
        ags = bound_ags(BookView(book), registry)
    except BindingBroken as exc:
        raise HTTPException(403, exc.message) from exc
    if not who.may_use_workbook_of(ags):
        raise HTTPException(
            403,
            f"Dieser Zugangsschlüssel gehört zu {who.label} ({who.ags}); die Mappe ist für {ags}. "
            "Bitte die eigene Meldemappe verwenden.",
        )
