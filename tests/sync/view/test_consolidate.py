"""Consolidation is pure: statuses, totals to the cent, the fair share of positions, what changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from stored_versions import checked_submissions, stored_version

from pakt.sync import Annotation, Received, Status, consolidate
from pakt.sync.view._consolidate import describe_changes, snapshot_rows


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
