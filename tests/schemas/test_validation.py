"""Validation rules on real workbooks written by the template generator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pakt.schemas import CheckContext, Code, Severity, check, read_draft, rules_for
from pakt.sync import open_workbook_file


def checked(path, registry=None, **context):
    draft = read_draft(open_workbook_file(path))
    return check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry, **context))


def codes(result) -> list[tuple[str, str, str | None]]:
    return [(f.code.value, f.sheet, f.cell) for f in result.findings]


def test_a_sample_submission_is_clean_and_becomes_a_model(write_submission, registry):
    result = checked(write_submission(), registry)
    assert result.findings == ()
    assert result.submission.header.ags == "08327002"
    assert result.submission.persons.total == 44
    assert result.submission.im_fte == Decimal("0.60")


def test_all_problems_are_reported_at_once(write_submission, registry):
    path = write_submission(
        {("persons", "total"): "viele", ("material_costs", "office_eur"): -1, ("header", "email"): None},
        managers=lambda rows: [{**rows[0], "fte": 0}],
    )
    result = checked(path, registry)
    assert result.blocking and result.submission is None
    assert set(codes(result)) == {
        ("TYP", "Meldung", "B14"),
        ("BETRAG_NEGATIV", "Kosten", "B6"),
        ("PFLICHTFELD", "Meldung", "B10"),
        ("VZA_BEREICH", "Integrationsmanager", "B6"),
    }


def test_findings_carry_municipality_file_and_german_message(write_submission, registry):
    result = checked(write_submission({("persons", "total"): None}), registry)
    (finding,) = result.findings
    assert finding.ags == "08327002" and finding.municipality == "Aldingen"
    assert finding.severity is Severity.ERROR
    assert finding.line().startswith(
        "Aldingen (08327002)  Meldung!B14  Fehler: Personen in Anschlussunterbringung fehlt."
    )


def test_without_registry_the_bound_rules_still_apply(write_submission):
    result = checked(write_submission(managers=lambda rows: [{**rows[0], "start_date": date(2020, 1, 2)}]))
    assert codes(result) == [("DATUM_ZEITRAUM", "Integrationsmanager", "C6")]


def test_municipality_name_and_mode_differing_from_the_registry_only_warn(write_submission, registry):
    result = checked(
        write_submission({("header", "name"): "Aldingen am See", ("management", "mode"): "landkreis"}), registry
    )
    assert not result.blocking and result.submission is not None
    assert {f.code for f in result.findings} == {Code.NAME_ABWEICHEND, Code.MODUS_ABWEICHEND}


def test_caseload_far_above_the_district_median_warns(write_submission, registry):
    result = checked(write_submission(), registry, median_caseload=Decimal("30.0"))
    (finding,) = result.findings
    assert finding.code is Code.FALLZAHL_HOCH and finding.severity is Severity.WARNING
    assert "Fallzahl 73,3 Personen je Vollzeitstelle" in finding.message and "(30,0)" in finding.message


def test_caseload_near_the_median_does_not_warn(write_submission, registry):
    assert checked(write_submission(), registry, median_caseload=Decimal("75.0")).findings == ()


@pytest.mark.parametrize("before, warns", [(25, True), (30, False), (100, True)])
def test_jump_of_more_than_half_against_the_previous_submission_warns(write_submission, registry, before, warns):
    previous = checked(write_submission(_persons(before)), registry).submission
    result = checked(write_submission(), registry, previous=previous)
    assert (Code.SPRUNG_PERSONEN in {f.code for f in result.findings}) is warns


def _persons(total: int) -> dict:
    """Values with a consistent age breakdown for `total` persons."""
    return {
        ("persons", "total"): total,
        **{
            ("persons", "by_age", key): 0
            for key in ("under_3", "from_3_to_5", "from_6_to_17", "from_18_to_26", "from_65")
        },
        ("persons", "by_age", "from_27_to_64"): total,
        ("funds_use", "child_care_eur"): 0,
        ("funds_use", "social_care_eur"): 0,
        ("funds_use", "administration_eur"): 0,
        ("funds_use", "volunteer_groups_eur"): 0,
        ("funds_use", "other_eur"): 0,
    }


def test_unsubmitted_workbook_needs_no_sign_off(write_submission, registry):
    result = checked(
        write_submission({("sign_off", "name"): None, ("sign_off", "date"): None, ("sign_off", "submitted"): "nein"}),
        registry,
    )
    assert result.findings == ()
    assert result.submission.sign_off.submitted is False
