"""Templates for a new reporting round: the Stichtag in every file name, and what the municipality reported
last time pre-filled where it saves typing (contact, staff list), never its figures or its sign-off."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from pakt.plugin import write_templates
from pakt.schemas import CheckContext, Registry, Submission, check, input_fields, read_draft, rules_for
from pakt.sync import open_workbook_file

NEXT_STICHTAG, NEXT_DEADLINE = date(2019, 6, 30), date(2019, 7, 31)
CLERK_FIGURES = [f.path for f in input_fields() if f.path[0] in ("persons", "material_costs", "funds_use", "sign_off")]


def _text(sheet) -> str:
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


@pytest.fixture(scope="module")
def last_round(repo, registry) -> dict[str, Submission]:
    """The last valid submissions of Aldingen and Tuttlingen (two sample workbooks, as the store keeps them)."""
    submissions = {}
    for name in ("08327002_Aldingen.xlsx", "08327066_Tuttlingen.xlsx"):
        draft = read_draft(open_workbook_file(repo / "sample_workbooks" / name))
        submission = check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry)).submission
        assert submission is not None and submission.managers and submission.persons.total > 0
        submissions[submission.header.ags] = submission
    return submissions


@pytest.fixture(scope="module")
def next_round(registry) -> Registry:
    """The sample registry with the next round's Stichtag and deadline (what `pakt round start` declares)."""
    return registry.model_copy(
        update={"round": registry.round.model_copy(update={"stichtag": NEXT_STICHTAG, "deadline": NEXT_DEADLINE})}
    )


@pytest.fixture(scope="module")
def written(next_round, last_round, tmp_path_factory):
    out = tmp_path_factory.mktemp("runde-2019")
    return out, write_templates(next_round, out, previous=last_round, with_stichtag=True)


def test_every_file_name_carries_the_stichtag_and_the_blank_template_is_written(written, next_round):
    out, paths = written
    assert len(paths) == len(next_round.municipalities) + 1
    assert paths[0] == out / "Pakt_Meldung_Vorlage_2019-06-30.xlsx"
    assert out / "08327002_Aldingen_2019-06-30.xlsx" in paths
    assert out / "08327006_Baerenthal_2019-06-30.xlsx" in paths
    assert sorted(out.iterdir()) == sorted(paths)
    blank = read_draft(open_workbook_file(paths[0]))
    assert blank.binding["ags"] == "" and blank.value("header", "stichtag") == NEXT_STICHTAG
    assert blank.value("header", "contact_person") is None and blank.managers == []


def test_a_prefilled_template_reads_back_with_last_rounds_contact_and_staff_and_no_figures(written, last_round):
    out, _ = written
    before = last_round["08327002"]
    draft = read_draft(open_workbook_file(out / "08327002_Aldingen_2019-06-30.xlsx"))
    assert draft.binding["ags"] == "08327002" and draft.value("header", "stichtag") == NEXT_STICHTAG
    assert draft.value("header", "contact_person") == before.header.contact_person
    assert draft.value("header", "email") == before.header.email
    assert draft.value("header", "phone") == before.header.phone
    staff = [{column: entry.value for column, entry in row.items()} for row in draft.managers]
    assert staff == [manager.model_dump() for manager in before.managers]
    assert all(draft.value(*path) is None for path in CLERK_FIGURES), "figures and sign-off are the round's own"
    problems = {(f.code.value, f.cell) for f in draft.findings}
    assert problems == {("PFLICHTFELD", draft.entry("persons", "total").cell)}  # only the persons are missing


def test_the_form_says_what_was_taken_over_and_shows_the_new_deadline(written):
    out, _ = written
    book = openpyxl.load_workbook(out / "08327066_Tuttlingen_2019-06-30.xlsx")
    assert "aus der letzten Meldung übernommen: bitte prüfen" in _text(book["Hinweise"])
    assert "Abgabefrist 31.07.2019" in _text(book["Hinweise"]) and "Stichtag 30.06.2019" in _text(book["Hinweise"])
    assert "aus der letzten Meldung übernommen" in _text(book["Integrationsmanager"])


def test_a_municipality_without_a_last_submission_gets_a_blank_form(written):
    out, _ = written
    draft = read_draft(open_workbook_file(out / "08327004_Balgheim_2019-06-30.xlsx"))
    assert draft.value("header", "contact_person") is None and draft.managers == []
    book = openpyxl.load_workbook(out / "08327004_Balgheim_2019-06-30.xlsx")
    assert "übernommen" not in _text(book["Hinweise"]) + _text(book["Integrationsmanager"])


def test_without_the_new_options_the_names_are_as_before(registry, tmp_path):
    paths = write_templates(registry, tmp_path)
    assert paths[0].name == "Pakt_Meldung_Vorlage.xlsx" and paths[1].name == "08327002_Aldingen.xlsx"
