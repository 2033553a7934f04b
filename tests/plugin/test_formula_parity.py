"""One golden table, five ways in: Python, HTTP as Office.js sends, HTTP as Pakt's Apps Script sends,
the Excel loader under Node, the Apps Script file under Node. All must give the same cells."""

from __future__ import annotations

import json
import subprocess
import tomllib
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from office_typings import ensure_typings

import pakt.plugin.udfs as udfs
from pakt.plugin._appsscript import xlwings_client
from pakt.plugin._context import configure
from pakt.plugin._manifest import MIN_EXCEL_API

GOLDEN = tomllib.loads((Path(__file__).parents[1] / "golden" / "formulas.toml").read_text(encoding="utf-8"))["case"]
NODE = Path(__file__).parent / "node"
PAKT_JS = Path(udfs.__file__).parent / "appsscript" / "Pakt.js"
EPOCH = datetime(1899, 12, 30)

pytestmark = pytest.mark.node


def _is_date(value) -> bool:
    return isinstance(value, dict) and "date" in value


def _python_arg(value):
    return date.fromisoformat(value["date"]) if _is_date(value) else value


def _serial(value):
    if _is_date(value):
        return (datetime.fromisoformat(value["date"]) - EPOCH).days
    return value


def _matrix(value):
    return value if isinstance(value, list) else [[value]]


@pytest.fixture(scope="module")
def cases_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "cases.json"
    path.write_text(json.dumps(GOLDEN, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_python_functions(case, registry):
    configure(registry)
    result = getattr(udfs, case["func"])(*[_python_arg(a) for a in case["args"]])
    assert result == case["expected"]


@pytest.mark.parametrize("client", ["Office.js", "Google Apps Script"])
def test_http_endpoint_as_each_client_sends(client, live_server):
    for case in GOLDEN:
        body = {
            "client": client,
            "version": "0.37.8",
            "runtime": "1.4",
            "func_name": case["func"],
            "args": [_matrix(_serial(a)) for a in case["args"]],
            "caller_address": "",
            "culture_info_name": "de-DE",
            "date_format": "TT.MM.JJJJ",
            "session_id": "parity",
        }
        response = httpx.post(
            live_server.url + "/xlwings/custom-functions-call",
            json=body,
            headers=live_server.headers(live_server.aldingen),
        )
        assert response.status_code == 200, (case["name"], response.text)
        assert response.json()["result"] == case["expected"], case["name"]


def run_loader(server, cases_file, level: str, culture: str = "de-DE|dd.MM.yyyy") -> dict:
    ensure_typings()
    done = subprocess.run(
        ["node", str(NODE / "officejs_functions.js"), server.url, server.aldingen, str(cases_file), level, culture],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_excel_loader_under_node(live_server, cases_file):
    results = run_loader(live_server, cases_file, "")["results"]
    for case in GOLDEN:
        assert results[case["name"]] == case["expected"], case["name"]


def test_excel_loader_takes_culture_and_runtime_from_office(live_server, cases_file):
    newest = run_loader(live_server, cases_file, "", "de-AT|dd.MM.yy")
    assert {(b["culture_info_name"], b["date_format"], b["runtime"]) for b in newest["bodies"]} == {
        ("de-AT", "dd.MM.yy", "1.4")
    }
    # ExcelApi 1.7 has no culture API: the document language, a plain pattern, and every result the same
    oldest = run_loader(live_server, cases_file, MIN_EXCEL_API, "de-CH|dd.MM.yyyy")
    assert {(b["culture_info_name"], b["date_format"]) for b in oldest["bodies"]} == {("de-CH", "dd.MM.yyyy")}
    assert oldest["results"] == newest["results"]
    used = {u["member"]: u["requirement"] for u in oldest["used"]}
    assert "Excel.Application.cultureInfo" not in used and "CustomFunctions.<namespace>.associate" in used


def test_apps_script_file_under_node(live_server, cases_file):
    done = subprocess.run(
        [
            "node",
            str(NODE / "appsscript.js"),
            "formulas",
            live_server.url,
            live_server.aldingen,
            str(cases_file),
            str(PAKT_JS),
            str(xlwings_client()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    outcome = json.loads(done.stdout)
    for case in GOLDEN:
        assert outcome["results"][case["name"]] == case["expected"], case["name"]
    assert outcome["fetches"] == len(GOLDEN), "each case fetched once"
    assert outcome["repeated"] == GOLDEN[0]["expected"], "a repeated call is answered from the cache"
