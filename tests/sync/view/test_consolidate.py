"""Consolidation is pure: statuses, totals to the cent, the fair share of positions, what changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from stored_versions import checked_submissions, stored_version

from pakt.schemas import Code, Severity, Submission
from pakt.sync import Annotation, Received, Status, consolidate
from pakt.sync.store._records import Decision, DistrictFigures
from pakt.sync.view._consolidate import (
    DistrictView,
    approved_totals,
    describe_changes,
    district_figures,
    snapshot_rows,
)

ALDINGEN, BALGHEIM, TUTTLINGEN = "08327002", "08327004", "08327066"


@pytest.fixture(scope="module")
def submissions(registry, sample_paths):
    return checked_submissions(registry, sample_paths)


def district(registry, rules, submissions, **changes):
    received, subs = {}, {}
    for number, m in enumerate(registry.municipalities, start=1):
        received[m.ags] = Received(stored_version(number, m.ags), stored_version(number, m.ags))
        subs[number] = submissions[m.ags]
    for ags, (entry, sub) in changes.items():
        if entry is None:
            received.pop(ags)
        else:
            received[ags] = entry
            if sub is not None and entry.valid is not None:
                subs[entry.valid.id] = sub
    return consolidate(registry, rules, received, subs, {}, [])


def test_every_registered_municipality_has_a_row_and_totals_are_the_row_sums(registry, rules, submissions):
    view = district(registry, rules, submissions)
    assert len(view.rows) == 35 and all(row.status is Status.EINGEREICHT for row in view.rows)
    assert view.totals.allowance_eur == sum(row.figures.allowance_eur for row in view.rows)
    assert view.totals.persons == sum(row.figures.persons for row in view.rows)
    assert sum(row.allocated_fte for row in view.rows) == view.totals.im_fte == Decimal("11.00")


def test_missing_municipality_is_listed_as_fehlt(registry, rules, submissions):
    view = district(registry, rules, submissions, **{"08327004": (None, None)})
    row = next(r for r in view.rows if r.municipality.ags == "08327004")
    assert row.status is Status.FEHLT and row.figures is None and row.allocated_fte is None
    assert view.missing == 1 and view.received == 34


def test_late_and_unreleased_submissions(registry, rules, submissions):
    late = submissions["08327002"].model_copy(
        update={"sign_off": submissions["08327002"].sign_off.model_copy(update={"date": date(2018, 8, 2)})}
    )
    draft = submissions["08327004"].model_copy(
        update={"sign_off": submissions["08327004"].sign_off.model_copy(update={"submitted": False})}
    )
    view = district(
        registry,
        rules,
        submissions,
        **{
            "08327002": (Received(stored_version(101, "08327002"), stored_version(101, "08327002")), late),
            "08327004": (Received(stored_version(102, "08327004"), stored_version(102, "08327004")), draft),
        },
    )
    statuses = {row.municipality.ags: row.status for row in view.rows}
    assert statuses["08327002"] is Status.VERSPAETET and statuses["08327004"] is Status.EINGEGANGEN


def test_broken_newer_version_keeps_the_valid_figures(registry, rules, submissions):
    broken = stored_version(201, "08327002", valid=False)
    view = district(
        registry,
        rules,
        submissions,
        **{"08327002": (Received(broken, stored_version(1, "08327002")), submissions["08327002"])},
    )
    row = next(r for r in view.rows if r.municipality.ags == "08327002")
    assert row.status is Status.FEHLERHAFT and row.figures.persons == 44 and row.newer_broken is broken
    assert view.invalid == 1 and view.received == 35


def test_broken_without_any_valid_version_has_no_figures(registry, rules, submissions):
    view = district(
        registry,
        rules,
        submissions,
        **{"08327002": (Received(stored_version(201, "08327002", valid=False), None), None)},
    )
    row = next(r for r in view.rows if r.municipality.ags == "08327002")
    assert row.status is Status.FEHLERHAFT and row.figures is None
    assert "Meldung fehlerhaft" in row.remark


def test_annotations_ride_along(registry, rules, submissions):
    view = consolidate(registry, rules, {}, {}, {"08327002": Annotation("Rückruf", "2018-08-15")})
    row = next(r for r in view.rows if r.municipality.ags == "08327002")
    assert row.annotation.note == "Rückruf" and row.status is Status.FEHLT


def test_changes_between_runs_are_described_in_german(registry, rules, submissions):
    before = snapshot_rows(district(registry, rules, submissions, **{"08327004": (None, None)}))
    after = snapshot_rows(district(registry, rules, submissions))
    assert describe_changes(before, after) == ["Balgheim: Status fehlt → eingereicht."]
    assert describe_changes({}, after) == ["Erster Abgleich: alle Gemeinden neu übernommen."]
    assert describe_changes(after, after) == []


# -- decisions: what is approved, what is rejected ---------------------------------------------------


def _decision(number: int, ags: str, version: int, decision: str, reason: str = "") -> Decision:
    return Decision(number, ags, version, decision, reason, "M. Keller", datetime(2018, 7, 20, 10, 0))


def decided(registry, rules, submissions, rejected_newer: Submission | None = None) -> DistrictView:
    """Balgheim and Tuttlingen approved, Aldingen rejected; with `rejected_newer`, Aldingen's approved version 1
    is frozen and the rejection is of a newer version 101 holding `rejected_newer`."""
    received, subs, approvals = {}, {}, {}
    for number, m in enumerate(registry.municipalities, start=1):
        received[m.ags] = Received(stored_version(number, m.ags), stored_version(number, m.ags))
        subs[number] = submissions[m.ags]
    for ags in (BALGHEIM, TUTTLINGEN):
        version = received[ags].valid
        approvals[version.id] = _decision(version.id, ags, version.id, "freigegeben")
        received[ags] = replace(received[ags], approved=version, decision=approvals[version.id])
    first = received[ALDINGEN].valid
    if rejected_newer is None:
        no = _decision(500, ALDINGEN, first.id, "zurückgewiesen", "Altersgruppen fehlen")
        received[ALDINGEN] = replace(received[ALDINGEN], decision=no)
    else:
        newer = stored_version(101, ALDINGEN)
        subs[newer.id] = rejected_newer
        approvals[first.id] = _decision(first.id, ALDINGEN, first.id, "freigegeben")
        no = _decision(500, ALDINGEN, newer.id, "zurückgewiesen", "Altersgruppen fehlen")
        received[ALDINGEN] = Received(newer, newer, approved=first, decision=no)
    return consolidate(registry, rules, received, subs, {}, [], approvals=approvals)


def _by_ags(view: DistrictView) -> dict:
    return {row.municipality.ags: row for row in view.rows}


def test_a_rejection_is_a_status_of_its_own_counted_as_reported_never_as_approved(registry, rules, submissions):
    view = decided(registry, rules, submissions)
    rows = _by_ags(view)
    aldingen = rows[ALDINGEN]
    assert aldingen.status is Status.ZURUECKGEWIESEN and not aldingen.approved
    assert aldingen.remark == (
        "Zurückgewiesen am 20.07.2018 von M. Keller: Altersgruppen fehlen. Die Gemeinde muss die Meldung korrigieren "
        "und neu einreichen."
    )
    assert aldingen.figures.persons == 44  # shown as reported
    assert view.totals.persons == sum(row.figures.persons for row in view.rows)  # in the reported totals
    approved = approved_totals(view)
    assert approved.municipalities == 2
    assert approved.persons == rows[BALGHEIM].figures.persons + rows[TUTTLINGEN].figures.persons
    assert approved.allowance_eur == rows[BALGHEIM].figures.allowance_eur + rows[TUTTLINGEN].figures.allowance_eur
    lines = [line for line in view.report if line.finding.code is Code.MELDUNG_ZURUECKGEWIESEN]
    assert len(lines) == 1 and lines[0].ags == ALDINGEN and lines[0].finding.severity is Severity.WARNING
    assert "Altersgruppen fehlen" in lines[0].finding.message and lines[0].finding.file == "/share/08327002.xlsx"
    figures = district_figures(view)
    assert (figures.approved, figures.rejected, figures.approved_persons) == (2, 1, approved.persons)
    assert DistrictFigures.from_json(figures.to_json()) == figures
    assert snapshot_rows(view)[ALDINGEN]["status"] == "zurückgewiesen"


def test_a_rejected_newer_version_leaves_the_approved_one_in_the_approved_totals(registry, rules, submissions):
    newer = submissions[ALDINGEN].model_copy(
        update={"persons": submissions[ALDINGEN].persons.model_copy(update={"total": 50})}
    )
    view = decided(registry, rules, submissions, rejected_newer=newer)
    rows = _by_ags(view)
    aldingen = rows[ALDINGEN]
    assert aldingen.status is Status.ZURUECKGEWIESEN and aldingen.approved
    assert aldingen.figures.persons == 44 and aldingen.used.id == 1  # the frozen version, not the rejected one
    assert "In den freigegebenen Summen steht weiter die früher freigegebene Fassung." in aldingen.remark
    approved = approved_totals(view)
    assert approved.municipalities == 3
    assert approved.allowance_eur == sum(rows[a].figures.allowance_eur for a in (ALDINGEN, BALGHEIM, TUTTLINGEN))


def test_figures_stored_before_approvals_were_counted_still_read():
    old = {
        "municipalities": 35, "received": 35, "missing": 0, "invalid": 0, "persons": 828,
        "allowance_eur": "1014300.00", "im_heads": 14, "im_fte": 11.0, "self_managed": 17,
    }  # fmt: skip
    figures = DistrictFigures.from_json(old)
    assert (figures.approved, figures.approved_persons, figures.rejected) == (0, 0, 0)
    assert figures.approved_allowance_eur == Decimal("0.00")
