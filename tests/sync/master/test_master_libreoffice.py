"""LibreOffice recalculates the written master: its total formulas give exactly what the service computed."""

from __future__ import annotations

from decimal import Decimal

import libreoffice
import pytest
from master_reading import sheet_rows

from pakt.schemas import to_a1

pytestmark = pytest.mark.libreoffice


def test_totals_recalculate_to_the_service_figures(district, tmp_path):
    result = district.sync()
    recalculated = libreoffice.recalc(result.master, tmp_path)
    rows = sheet_rows(result.master, "Übersicht")
    header_row = next(i for i, row in enumerate(rows) if row and row[0] == "AGS")
    header = rows[header_row]
    totals_row = header_row + 1 + len(result.view.rows)

    def total(column: str) -> dict | None:
        """The recalculated formula cell of a total (None where the total is a value: distinct people)."""
        return recalculated["Übersicht"].get(to_a1(totals_row, header.index(column)))

    totals = result.view.totals
    assert all(cell["error"] == 0 for sheet in recalculated.values() for cell in sheet.values())
    assert total("Personen")["value"] == totals.persons
    assert Decimal(str(round(total("Pro-Kopf-Pauschale")["value"], 2))) == totals.allowance_eur
    assert total("Pro-Kopf-Pauschale")["text"] == "1.014.300,00 €"
    assert total("IM (Personen)") is None and rows[totals_row][header.index("IM (Personen)")] == totals.im_heads == 14
    assert round(total("IM (VZÄ)")["value"], 2) == float(totals.im_fte) == 11.0
    assert round(total("VZÄ-Anteil nach Personen")["value"], 2) == 11.0
    assert round(total("Fallzahl (Personen je VZÄ)")["value"], 1) == float(totals.caseload)
    assert Decimal(str(round(total("Sachkosten")["value"], 2))) == totals.material_costs_eur
    assert Decimal(str(round(total("Verwendung der Pauschale")["value"], 2))) == totals.funds_use_eur
    assert total("Status")["text"] == "35 von 35 gemeldet"
    assert total("Integrationsmanagement")["text"] == f"{totals.self_managed} selbst"
    completeness = {
        c["formula"].split('"')[-2]: c["value"]
        for c in recalculated["Auswertung"].values()
        if "COUNTIF" in c["formula"]
    }
    assert completeness["eingereicht"] == 35 and completeness["fehlt"] == 0


def test_master_renders_to_pdf_with_its_sheets(district, tmp_path):
    result = district.sync()
    text = libreoffice.pdf_text(libreoffice.convert(result.master, "pdf", tmp_path))
    for heading in (
        "Pakt für Integration – Übersicht Landkreis Tuttlingen",
        "Integrationsmanager im Landkreis",
        "Prüfbericht",
        "Verlauf der Abgleiche",
        "Auswertung",
    ):
        assert heading in text
    for error in ("#NAME?", "#REF!", "#WERT!", "#VALUE!", "Err:", "#DIV/0!"):
        assert error not in text
