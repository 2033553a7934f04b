"""The stand-in answers in the shapes Google's real responses have (as gspread's recorded traffic shows)."""

from __future__ import annotations

import json
from pathlib import Path

import requests
from google_standin.fixture import StandInSession
from google_standin.model import load_xlsx

RECORDED = json.loads(
    (Path(__file__).parents[2] / "google_standin" / "recorded_shapes.json").read_text(encoding="utf-8")
)


def key_paths(value, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= key_paths(inner, path)
    elif isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        for item in value:
            paths |= key_paths(item, prefix + "[]")
    return paths


def test_responses_have_the_recorded_shapes(standin, repo):
    world = standin.fresh()
    book = world.add(load_xlsx(repo / "sample_workbooks" / "08327002_Aldingen.xlsx"))
    session = StandInSession(standin.url)
    base = "https://sheets.googleapis.com/v4/spreadsheets/" + book.spreadsheet_id
    answers = {
        "values.batchGet": session.get(
            base + "/values:batchGet", params={"ranges": ["Meldung!A:A", "pakt_persons_total"]}
        ).json(),
        "spreadsheets.get": session.get(base, params={"includeGridData": "false"}).json(),
        "files.list": session.get(
            "https://www.googleapis.com/drive/v3/files",
            params={"q": 'mimeType="application/vnd.google-apps.spreadsheet"', "pageSize": 1000},
        ).json(),
        "batchUpdate.addSheet": session.post(
            base + ":batchUpdate",
            json={
                "requests": [
                    {
                        "addSheet": {
                            "properties": {
                                "title": "Neu",
                                "sheetType": "GRID",
                                "gridProperties": {"rowCount": 10, "columnCount": 10},
                            }
                        }
                    }
                ]
            },
        ).json(),
        "error": session.get("https://sheets.googleapis.com/v4/spreadsheets/gibt-es-nicht").json(),
    }
    for name, answer in answers.items():
        missing = set(RECORDED[name]) - key_paths(answer)
        assert not missing, (name, missing)
    first = answers["values.batchGet"]["valueRanges"][0]
    assert first["range"] == "Meldung!A1:A1000"  # an open column comes back bounded by the grid, as Google does
    assert answers["values.batchGet"]["valueRanges"][1] == {
        "range": "Meldung!B14",
        "majorDimension": "ROWS",
        "values": [["44"]],
    }


def test_requests_without_a_bearer_token_are_refused(standin):
    response = requests.get(standin.url + "/drive/v3/files", params={"q": "x"})
    assert response.status_code == 401 and response.json()["error"]["status"] == "UNAUTHENTICATED"


def test_batch_update_is_all_or_nothing_and_holds_masks_and_drop_downs_to_googles_reference(standin):
    """What Google's reference says a batchUpdate refuses, the stand-in refuses, leaving the sheet untouched."""
    from google_standin.discovery import VIOLATIONS

    world = standin.fresh()
    book = world.empty("Übersicht")
    session = StandInSession(standin.url)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{book.spreadsheet_id}:batchUpdate"
    write = {
        "updateCells": {
            "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": "vorher"}}]}],
            "fields": "userEnteredValue",
        }
    }

    def drop_down(*values: str, rows: int = 5) -> dict:
        return {
            "setDataValidation": {
                "range": {
                    "sheetId": 0,
                    "startRowIndex": 1,
                    "endRowIndex": rows,
                    "startColumnIndex": 0,
                    "endColumnIndex": 1,
                },
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]}},
            }
        }

    refused = {
        "formula in a list": drop_down("geprüft", "=A1"),
        "empty list": drop_down(),
        "beyond the grid": drop_down("geprüft", rows=5000),
        "condition data validation lacks": {
            "setDataValidation": {
                "range": {"sheetId": 0},
                "rule": {"condition": {"type": "TEXT_STARTS_WITH", "values": [{"userEnteredValue": "a"}]}},
            }
        },
        "too many values": {
            "setDataValidation": {
                "range": {"sheetId": 0},
                "rule": {"condition": {"type": "TEXT_IS_URL", "values": [{"userEnteredValue": "a"}]}},
            }
        },
        "no fields": {"updateCells": {"range": {"sheetId": 0}}},
        "unknown field": {"updateCells": {"range": {"sheetId": 0}, "fields": "userEnteredValue,farbe"}},
    }
    for why, request in refused.items():
        answer = session.post(url, json={"requests": [write, request]})
        assert answer.status_code == 400, why
        assert book.sheets[0].values == [] and not book.sheets[0].validations, why
    assert len(VIOLATIONS) == 1 and "farbe" in VIOLATIONS[0]  # only the unknown field breaks the schema itself
    VIOLATIONS.clear()
    assert session.post(url, json={"requests": [write, drop_down("geprüft", "freigegeben")]}).status_code == 200
    assert book.sheets[0].values == [["vorher"]] and len(book.sheets[0].validations) == 4
