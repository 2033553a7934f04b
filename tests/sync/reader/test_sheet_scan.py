"""The fast scan of a sheet reads exactly what the streaming reader reads, and steps aside where it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from pakt.schemas import read_draft
from pakt.sync import open_workbook_file
from pakt.sync.reader import _sheet_scan as sheet_scan

SAMPLES = sorted((Path(__file__).resolve().parents[3] / "sample_workbooks").glob("*.xlsx"))


def _everything(path: Path) -> tuple:
    draft = read_draft(open_workbook_file(path))
    fields = {p: (f.raw, f.sheet, f.cell) for p, f in draft.fields.items()}
    return (
        fields,
        [[(c.value, c.sheet, c.cell) for c in row] for row in getattr(draft, "staff_rows", [])],
        draft.managers,
    )


@pytest.mark.parametrize("path", SAMPLES[:6], ids=lambda p: p.name)
def test_the_scan_reads_what_the_streaming_reader_reads(path, monkeypatch):
    fast = _everything(path)
    monkeypatch.setattr(sheet_scan, "scannable", lambda data: False)
    assert _everything(path) == fast


SHEET = b"""<?xml version="1.0"?><worksheet xmlns="x"><dimension ref="A1:C3"/><sheetData>
<row r="1"><c r="A1" s="2"/><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><r><t>Gr&#252;n</t></r>
<r><t xml:space="preserve"> &amp; Blau</t></r><rPh><t>x</t></rPh></is></c></row>
<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2" t="str"><v>a &lt; b</v></c></row></sheetData></worksheet>"""


def test_cells_are_picked_by_address_with_their_type_and_text():
    found = sheet_scan.wanted_cells(SHEET, frozenset({"A1", "B1", "C1", "A2", "B2"}))
    assert found == {
        "B1": ("s", "0", "1"),
        "C1": ("inlineStr", "0", "Grün & Blau"),
        "A2": ("n", "0", "2"),
        "B2": ("str", "0", "a < b"),
    }
    assert sheet_scan.dimension(SHEET) == "A1:C3"
    reordered = SHEET.replace(b'<c r="B2" t="str">', b'<c t="str" r="B2">')  # the address not first: the long way
    assert sheet_scan.wanted_cells(reordered, frozenset({"B2", "C1"})) == {k: found[k] for k in ("B2", "C1")}


def test_a_few_cells_of_many_are_cut_out_by_address_with_the_same_result():
    """Where few of a sheet's cells are wanted (a form's single fields), the scan cuts the part at each cell
    instead of matching every one; the result is the same, empty styled cells included."""
    every = sheet_scan.wanted_cells(SHEET, frozenset({"A1", "B1", "C1", "A2", "B2"}))
    for wanted in ({"C1", "B2"}, {"A1", "A2"}, {"B1"}, {"Z9"}):
        assert sheet_scan.wanted_cells(SHEET, frozenset(wanted)) == {a: every[a] for a in wanted if a in every}
    prefixed = SHEET.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")  # a prefix: matched cell by cell
    assert sheet_scan.wanted_cells(prefixed, frozenset({"C1"})) == {"C1": every["C1"]}


def test_a_sheet_the_scan_cannot_read_exactly_goes_the_streaming_way():
    assert sheet_scan.wanted_cells(SHEET.replace(b'<c r="A2">', b"<c>"), frozenset({"A2"})) is None
    assert not sheet_scan.scannable(SHEET.replace(b'r="B2"', b"r='B2'"))
    assert not sheet_scan.scannable(SHEET.replace(b"<v>2</v>", b"<v><![CDATA[2]]></v>"))
    assert not sheet_scan.scannable(SHEET.replace(b's="2"', b's="2>"'))
    assert sheet_scan.scannable(SHEET)


def test_shared_strings_by_index_without_phonetic_runs():
    data = b"<sst><si><t>eins</t></si><si/><si><r><t>zw</t></r><r><t>ei</t></r><rPh><t>z</t></rPh></si></sst>"
    assert sheet_scan.shared_strings(data, {0, 2}) == {0: "eins", 2: "zwei"}
    plain = data.replace(b"<si/>", b"<si><t>zwischen</t></si>")  # no empty items: split at C speed
    assert sheet_scan.shared_strings(plain, {0, 1, 2, 7}) == {0: "eins", 1: "zwischen", 2: "zwei"}
