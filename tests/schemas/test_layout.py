"""The schema is the spec: every input has a unique name, a German label and hint, and a kind."""

from __future__ import annotations

from pakt.schemas import (
    BINDING_FIELDS,
    Kind,
    Submission,
    input_fields,
    sheets_in_order,
    staff_columns,
)


def test_every_leaf_of_the_model_is_an_input_with_a_unique_name():
    fields = input_fields()
    names = [f.name for f in fields]
    assert len(names) == len(set(names))
    assert all(name.startswith("pakt_") for name in names)
    assert {f.path[0] for f in fields} == set(Submission.model_fields) - {"schema_version", "managers"}


def test_every_input_speaks_german_to_the_clerk():
    for item in [*input_fields(), *staff_columns()]:
        assert item.label and item.hint, item
        assert item.spec.expectation()


def test_sheets_and_binding():
    assert sheets_in_order() == ("Hinweise", "Meldung", "Integrationsmanager", "Kosten")
    assert {b.key for b in BINDING_FIELDS} >= {"template", "ags", "schema_version", "rules"}


def test_staff_table_columns_come_from_the_model():
    assert [c.label for c in staff_columns()] == ["Kürzel", "Stellenanteil (VZÄ)", "Beginn", "Arbeitgeber"]
    assert [c.spec.kind for c in staff_columns()] == [Kind.TEXT, Kind.FTE, Kind.DATE, Kind.CHOICE]
