"""The district's head count of integration managers counts a person once however the pseudonym is spelt: IM-07
of Aldingen, Denkingen and Frittlingen stays one person when Aldingen writes it with a non-breaking hyphen,
an en dash, a Cyrillic М, a combining grapheme joiner, a Hangul filler, a Braille blank, tag or Mongolian
variation characters; a lookalike within one submission is a warning at its cell in the Prüfbericht."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import make_broken
from corpus.damage import rebuilt
from master_reading import overview, table

SPELLINGS = {
    "geschütztes Minus": "IM\u201107",
    "Halbgeviertstrich": "IM\u201307",
    "kyrillisches М": "I\u041c-07",
    "Grapheme Joiner": "IM-\u034f07",
    "Hangul-Füller": "IM\u3164-07",
    "Braille-Leerzeichen": "IM-07\u2800",
    "Tag-Zeichen": "IM-07\U000e0001\U000e0049",
    "mongolischer Variationsselektor": "IM\u180b-07",
}
HEADS = 14
"""Distinct managers of the sample district."""


def _respelt(aldingen: bytes, spelling: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(aldingen)) as archive:
        strings = archive.read("xl/sharedStrings.xml")
    assert strings.count(b"<t>IM-07</t>") == 1
    return rebuilt(aldingen, {"xl/sharedStrings.xml": strings.replace(b"<t>IM-07</t>", f"<t>{spelling}</t>".encode())})


def test_a_manager_counts_once_in_the_district_however_aldingen_spells_the_pseudonym(district):
    assert district.sync().view.totals.im_heads == HEADS
    aldingen = make_broken.submission()
    counted = {}
    for label, spelling in SPELLINGS.items():
        district.workbook("Aldingen").write_bytes(_respelt(aldingen, spelling))
        result = district.sync()
        row = next(r for r in result.view.rows if r.municipality.name == "Aldingen")
        assert row.submission is not None and spelling in {m.pseudonym for m in row.submission.managers}, label
        _, totals = overview(result.master)
        counted[label] = (result.view.totals.im_heads, totals["IM (Personen)"])
    assert counted == {label: (HEADS, HEADS) for label in SPELLINGS}


def test_a_lookalike_in_one_submission_is_a_warning_at_its_cell_and_one_person(district):
    def lookalike(rows):
        return [*rows, {**rows[0], "pseudonym": "I\u041c-07", "fte": Decimal("0.10")}]

    district.workbook("Aldingen").write_bytes(make_broken.submission(managers=lookalike))
    result = district.sync()
    row = next(r for r in result.view.rows if r.municipality.name == "Aldingen")
    assert row.status.value != "fehlerhaft"
    assert {"IM-07", "I\u041c-07"} <= {m.pseudonym for m in row.submission.managers}
    assert result.view.totals.im_heads == HEADS
    report, _ = table(result.master, "Prüfbericht", "Schwere")
    (line,) = [line for line in report if line["Code"] == "KUERZEL_AEHNLICH"]
    assert (line["Schwere"], line["Blatt"]) == ("Warnung", "Integrationsmanager")
    assert line["Zelle"] and f"(Integrationsmanager!{line['Zelle']}) sieht aus wie „IM-07“" in line["Meldung"]
