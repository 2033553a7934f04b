"""The Excel stand-in fails where Excel fails (Microsoft's documentation and typings as the reference), or the
task-pane tests built on it prove nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from office_typings import ensure_typings

NODE = Path(__file__).parent / "node"

pytestmark = pytest.mark.node


@pytest.fixture(scope="module")
def probes() -> dict:
    ensure_typings()
    done = subprocess.run(
        ["node", str(NODE / "standin_probes.js")], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout)


def test_writes_take_effect_at_sync_and_unloaded_properties_throw(probes):
    assert probes["write_waits_for_sync"] == {"ok": ["a", "b"]}
    assert probes["unloaded_property"]["code"] == "PropertyNotLoaded"


@pytest.mark.parametrize(
    ("probe", "code"),
    [
        ("fill_on_protected_sheet", "AccessDenied"),
        ("note_on_protected_sheet", "AccessDenied"),
        ("value_into_locked_cell", "AccessDenied"),
        ("protect_a_protected_sheet", "InvalidOperation"),
        ("second_note_on_a_cell", "InvalidArgument"),
    ],
)
def test_protected_sheets_and_notes_refuse_what_excel_refuses(probes, probe, code):
    assert probes[probe]["code"] == code


def test_what_protection_permits_goes_through(probes):
    assert probes["value_into_unlocked_cell"] == {"ok": True}
    assert probes["fill_after_unprotect"] == {"ok": "#FFC7CE"}


def test_a_failing_batch_keeps_what_ran_before_and_drops_the_rest(probes):
    assert probes["batch_stops_at_the_first_failure"] == {"ok": ["vorher", ""]}


def test_an_older_excel_refuses_newer_members_at_sync(probes):
    assert probes["notes_on_excel_2024"]["code"] == "ApiNotFound"
    assert probes["requirement_sets_answered_by_level"] == {"ok": [True, False, True]}


def test_select_takes_effect_at_sync_and_activates_the_sheet(probes):
    assert probes["select_takes_effect_at_sync"] == {"ok": [None, {"sheet": "Offen", "address": "A2:B3"}, "Offen"]}
    # the template's protection keeps selectionMode "Normal": a locked cell can be selected
    assert probes["select_a_locked_cell_of_a_protected_sheet"] == {"ok": {"sheet": "Meldung", "address": "B1"}}
    assert probes["select_on_the_oldest_excel"] == {"ok": {"sheet": "Meldung", "address": "B2"}}


def test_a_missing_sheet_fails_the_batch_as_in_excel(probes):
    assert probes["get_item_of_a_missing_sheet"]["code"] == "ItemNotFound"


def test_members_outside_microsofts_typings_and_read_only_ones_are_errors(probes):
    assert probes["member_not_in_the_typings"]["code"] == "TypeError"
    assert probes["assign_a_read_only_property"]["code"] == "TypeError"


def test_the_typings_are_microsofts_own_pinned_release():
    table = ensure_typings()
    assert table["packages"] == {
        "@types/office-js": "1.0.612",
        "@types/office-runtime": "1.0.40",
        "@types/custom-functions-runtime": "1.6.13",
    }
    excel = table["namespaces"]["Excel"]
    assert excel["NoteCollection"]["members"]["add"]["requirement"]["version"] == "1.18"
    assert excel["Worksheet"]["members"]["getRangeByIndexes"]["requirement"]["version"] == "1.7"


def test_the_members_that_select_a_finding_are_held_to_microsofts_typings(probes):
    """What the task pane's list uses to select a cell goes through the typed stand-in (a member the typings lack
    would be a TypeError) with the requirement @types/office-js publishes: ExcelApi 1.1, so every Excel the
    manifest admits (ExcelApi 1.7 and later) has it."""
    excel = ensure_typings()["namespaces"]["Excel"]
    used = {u["member"]: u["requirement"] for u in probes["members_of_a_selection"]["ok"]}
    assert set(used) == {"Excel.Range.select", "Excel.Worksheet.activate", "Excel.WorksheetCollection.getItem"}
    for member, requirement in used.items():
        _, owner, name = member.split(".")
        published = excel[owner]["members"][name]
        assert published["kind"] == "method" and published["requirement"] == requirement
        assert requirement == {"set": "ExcelApi", "version": "1.1", "params": {}}
