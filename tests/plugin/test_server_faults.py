"""The add-in server under hostile or broken conditions: every malformed body gets a German 400, a call too
large for anyone is refused before it is computed, a call too slow ends with its worker, the key store
survives a recreated state store, a re-pointed binding is refused, and no answer repeats the Host header."""

from __future__ import annotations

import asyncio
import json
import shutil

import httpx
import pytest
from live_server import running_server
from payloads import BROKEN_NAMES, apps_script_payload, officejs_payload

from pakt._server import keys_path
from pakt.plugin._context import build_context
from pakt.plugin._formula_calls import LARGE_CALL_BYTES, MAX_CELLS_PER_CALL, CallRefused, FormulaRunner
from pakt.sync import master_path, state_path

CALL = "/xlwings/custom-functions-call"
ALDINGEN = "sample_workbooks/08327002_Aldingen.xlsx"


@pytest.fixture(scope="module")
def roomy_server(repo, tmp_path_factory):
    """A server with the default 5 MB body limit, so a 2.4-million-cell call reaches the cell cap."""
    with running_server(repo, tmp_path_factory.mktemp("roomy") / "landkreis", max_body_bytes=5_000_000) as server:
        yield server


def call_body(name: str, *args) -> dict:
    return {"client": "Office.js", "version": "0.37.8", "runtime": "1.4", "func_name": name, "args": list(args),
            "caller_address": "[Mappe.xlsx]Meldung!C20", "culture_info_name": "de-DE", "date_format": "TT.MM.JJJJ"}  # fmt: skip


def post(server, path: str, token: str, content: bytes | None = None, json_body=None) -> httpx.Response:
    headers = {**server.headers(token), "Content-Type": "application/json"}
    return httpx.post(server.url + path, content=content, json=json_body, headers=headers, timeout=120)


def test_a_call_with_millions_of_cells_is_refused_before_it_is_computed(roomy_server):
    row = "[[" + ",".join(["1"] * 2_400_000) + "]]"
    body = json.dumps(call_body("pauschale", [[0]])).replace("[[[0]]]", f"[{row}]").encode()
    assert len(body) < 5_000_000
    response = post(roomy_server, CALL, roomy_server.aldingen, content=body)
    assert response.status_code == 413
    assert "Zu viele Zellen" in response.text and "2.400.000" in response.text


LARGE_COLUMN = [[n % 300] for n in range(20_000)]
"""About 160 KB as JSON: past LARGE_CALL_BYTES, so the worker reads and checks the body, not the server."""


@pytest.mark.parametrize(
    ("body", "status", "german"),
    [
        (call_body("gibt_es_nicht", LARGE_COLUMN), 400, "Unbekannte Pakt-Formel „gibt_es_nicht“."),
        (call_body("pauschale", [*LARGE_COLUMN, [{"a": 1}]]), 400, "Ungültiger Formelaufruf: Feld args.0.20000.0"),
        ({**call_body("pauschale", LARGE_COLUMN), "client": "Excel"}, 400, "Ungültiger Formelaufruf: Feld client"),
        (call_body("pauschale", LARGE_COLUMN, LARGE_COLUMN, LARGE_COLUMN), 413, "60.000 statt höchstens 50.000"),
    ],
    ids=["unknown-formula", "object-in-a-cell", "unknown-client", "too-many-cells"],
)
def test_a_large_call_is_checked_in_the_worker_with_the_same_german_answers(roomy_server, body, status, german):
    content = json.dumps(body).encode()
    assert len(content) > LARGE_CALL_BYTES
    response = post(roomy_server, CALL, roomy_server.aldingen, content=content)
    assert response.status_code == status and german in response.text, response.text


def test_a_large_legitimate_call_is_computed_in_a_worker_and_small_calls_go_on(roomy_server):
    column = [[n % 300] for n in range(20_000)]
    with httpx.Client(timeout=120) as client:
        headers = roomy_server.headers(roomy_server.aldingen)
        large = client.post(roomy_server.url + CALL, json=call_body("pauschale", column), headers=headers)
        small = client.post(roomy_server.url + CALL, json=call_body("pauschale", [[2]]), headers=headers)
    assert large.status_code == 200, large.text
    assert large.json()["result"][:3] == [[0.0], [1225.0], [2450.0]] and len(large.json()["result"]) == 20_000
    assert small.json() == {"result": [[2450.0]]}


def test_a_call_over_the_time_limit_ends_with_its_worker(registry):
    runner = FormulaRunner(build_context(registry), time_limit_s=0.01)
    column = [[n % 300] for n in range(MAX_CELLS_PER_CALL - 1)]
    try:
        with pytest.raises(CallRefused, match="dauert zu lange") as refused:
            asyncio.run(runner.call(call_body("im_verteilung", column, [[11]])))
        assert refused.value.status == 503
        runner.time_limit_s = 120
        assert asyncio.run(runner.call(call_body("pauschale", [[1]] * 3000))) == [[1225.0]] * 3000  # a fresh worker
    finally:
        runner.close()


@pytest.mark.parametrize(
    ("body", "german"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "kein gültiges JSON"),
        (b"\xff\xfe kein Text", "kein gültiges JSON"),
        (json.dumps(call_body("pauschale", "zwölf")).encode(), "Ungültiger Formelaufruf"),
        (json.dumps(call_body("pauschale", [[{"a": 1}]])).encode(), "Ungültiger Formelaufruf"),
        (json.dumps({"client": "Office.js"}).encode(), "Feld func_name fehlt"),
    ],
    # short names: pytest hands the test's name to processes it starts (PYTEST_CURRENT_TEST), and the 200 KB
    # of brackets as a name are more than Linux lets an environment variable carry (the call worker failed)
    ids=["nested-too-deep", "not-utf8", "text-for-a-matrix", "object-in-a-cell", "no-formula"],
)
def test_malformed_formula_calls_get_a_german_400(live_server, body, german):
    response = post(live_server, CALL, live_server.aldingen, content=body)
    assert response.status_code == 400 and german in response.text, response.text


def test_absurd_numbers_give_german_text_in_the_cell(live_server):
    response = post(
        live_server, CALL, live_server.aldingen, json_body=call_body("im_anteil", [[12]], [[828]], [[1e30]])
    )
    assert response.status_code == 200
    assert response.json()["result"][0][0].startswith("Fehler: Stellen im Landkreis") and "zu groß" in response.text


@pytest.mark.parametrize(
    ("change", "german"),
    [
        (lambda p: p["book"].pop("name"), "Feld book.name fehlt"),
        (lambda p: p["names"].append({"name": "x", "sheet_index": 99, "address": "A1"}), "nicht mitgeschickt"),
        (lambda p: p["sheets"][0].update(values="Text"), "ungültigen Wert"),
    ],
)
def test_malformed_workbooks_get_a_german_400(live_server, repo, change, german):
    payload = apps_script_payload(repo / ALDINGEN)
    change(payload)
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, json_body=payload)
    assert response.status_code == 400 and german in response.text


SCRIPTS_WITH_KEYS = [("pruefen", "aldingen"), ("einreichen", "aldingen"), ("aktualisieren", "landkreis")]


@pytest.mark.parametrize(("script", "key"), SCRIPTS_WITH_KEYS, ids=[s for s, _ in SCRIPTS_WITH_KEYS])
@pytest.mark.parametrize("shape", list(BROKEN_NAMES))
def test_names_that_lack_fields_or_carry_wrong_types_get_a_german_400(live_server, repo, script, key, shape):
    """Every button's endpoint refuses a body whose defined names (or tables) are not what Excel or Google sends,
    before xlwings builds its Book, with a German 400 naming the field; never a 500."""
    change, german = BROKEN_NAMES[shape]
    payload = officejs_payload(repo / ALDINGEN)
    change(payload)
    response = post(live_server, f"/xlwings/custom-scripts-call/{script}", getattr(live_server, key), json_body=payload)
    assert response.status_code == 400, response.text[:300]
    assert response.text.startswith("Die Mappe kam unvollständig an: ") and german in response.text, response.text[:300]
    assert len(response.text) < 400  # a huge value is not echoed back


def test_a_broken_address_is_refused_with_the_name_it_belongs_to(live_server, repo):
    payload = apps_script_payload(repo / ALDINGEN)
    bind = next(n for n in payload["names"] if n["name"] == "pakt_bind_ags")
    bind["address"] = "Meldung!B4"
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, json_body=payload)
    assert response.status_code == 400
    assert response.text.endswith("hat einen ungültigen Wert (benannter Bereich „pakt_bind_ags“)")


@pytest.mark.parametrize(("script", "key"), SCRIPTS_WITH_KEYS, ids=[s for s, _ in SCRIPTS_WITH_KEYS])
def test_names_nested_past_what_json_can_carry_get_a_german_400(live_server, repo, script, key):
    body = json.dumps(apps_script_payload(repo / ALDINGEN)).replace('"names": [', '"names": [' + "[" * 100_000, 1)
    content = body.replace('"sheets": [', "]" * 100_000 + ', "sheets": [', 1).encode()
    response = post(live_server, f"/xlwings/custom-scripts-call/{script}", getattr(live_server, key), content=content)
    assert response.status_code == 400 and response.text == "Die Mappe kam nicht an: kein gültiges JSON."


def test_whole_rows_columns_and_ranges_are_addresses_a_name_may_have(live_server, repo):
    """What Excel and Google send for a name over a range, a whole column or whole rows still passes."""
    payload = officejs_payload(repo / ALDINGEN)
    payload["names"] += [
        {**payload["names"][0], "name": name, "address": address}
        for name, address in (("Bereich", "A1:C3"), ("Spalten", "A:C"), ("Zeilen", "2:5"), ("Ecke", "$XFD$1048576"))
    ]
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.aldingen, json_body=payload)
    assert response.status_code == 200, response.text


def test_a_re_pointed_binding_is_refused(live_server, repo):
    """Aldingen's clerk points pakt_bind_ags at a cell holding Balgheim's key and presses Prüfen with Balgheim's key."""
    payload = apps_script_payload(repo / ALDINGEN)
    meldung = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == "Meldung")
    payload["sheets"][meldung]["values"][0][2] = "08327004"
    for name in payload["names"]:
        if name["name"] == "pakt_bind_ags":
            name.update(sheet_index=meldung, address="C1")
    response = post(live_server, "/xlwings/custom-scripts-call/pruefen", live_server.balgheim, json_body=payload)
    assert response.status_code == 403
    assert "Bindung der Mappe an ihre Gemeinde wurde verändert" in response.text and "Meldung!C1" in response.text


def test_no_answer_repeats_the_host_header(live_server):
    response = httpx.get(live_server.url + "/static", headers={"Host": "angreifer.example"}, follow_redirects=False)
    assert "angreifer.example" not in response.headers.get("location", "") and "angreifer" not in response.text


def test_recreating_the_state_store_keeps_every_key_and_a_lost_key_store_is_a_german_503(repo, tmp_path):
    with running_server(repo, tmp_path / "landkreis") as server:
        registry = server.district.registry()
        state = state_path(registry, master_path(registry))
        server.district.sync()
        state.unlink()
        server.district.sync()  # a new, empty state store
        answer = post(server, CALL, server.aldingen, json_body=call_body("pauschale", [[2]]))
        assert answer.status_code == 200 and answer.json() == {"result": [[2450.0]]}
        keys = keys_path(registry)
        shutil.move(keys, keys.with_suffix(".bak"))
        lost = post(server, CALL, server.balgheim, json_body=call_body("pauschale", [[2]]))
        assert lost.status_code == 503 and "Schlüsselspeicher" in lost.text and "fehlt" in lost.text
        assert httpx.get(server.url + "/manifest.xml").status_code == 200
        shutil.move(keys.with_suffix(".bak"), keys)
        again = post(server, CALL, server.balgheim, json_body=call_body("pauschale", [[2]]))
        assert again.status_code == 200
