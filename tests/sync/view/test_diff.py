"""Two versions of a submission compared field by field, in the words of the form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pakt.schemas import CheckContext, check, read_draft, rules_for
from pakt.sync import open_workbook_file
from pakt.sync.view._diff import change_summary, submission_changes


@pytest.fixture(scope="module")
def submissions(registry, repo):
    draft = read_draft(open_workbook_file(repo / "sample_workbooks" / "08327002_Aldingen.xlsx"))
    return {draft.ags: check(draft, CheckContext(rules=rules_for(draft, registry), registry=registry)).submission}


def test_fields_and_managers_are_compared_by_meaning(submissions):
    old = submissions["08327002"]
    first, *rest = old.managers
    new = old.model_copy(
        update={
            "material_costs": old.material_costs.model_copy(update={"office_eur": Decimal("1234.50")}),
            "managers": (*rest, first.model_copy(update={"fte": Decimal("0.25")})),  # moved to the end, and changed
        }
    )
    changes = [change.line() for change in submission_changes(old, new)]
    assert changes == [
        f"Sachkosten › Büro: {_eur(old.material_costs.office_eur)} → 1.234,50 €",
        f"Integrationsmanager {first.pseudonym} › Stellenanteil (VZÄ): {str(first.fte).replace('.', ',')} → 0,25",
    ]
    dropped = old.model_copy(update={"managers": tuple(rest)})
    assert [c.line() for c in submission_changes(old, dropped)] == [
        f"Integrationsmanager {first.pseudonym}: {str(first.fte).replace('.', ',')} VZÄ → nicht mehr gemeldet"
    ]
    assert submission_changes(old, old) == [] and change_summary(old, old) == ""


def _eur(value: Decimal) -> str:
    from pakt.schemas import format_eur

    return format_eur(value)
