"""Links follow the files: a workbook moved on the share is linked where it is now, and the registry's
stale path is reported."""

from __future__ import annotations

import openpyxl
from master_reading import table

ALDINGEN = "08327002"


def _links(master) -> dict[str, str]:
    """The hyperlink target of each municipality's Quelle cell in the Übersicht."""
    sheet = openpyxl.load_workbook(master)["Übersicht"]
    header = [cell.value for cell in sheet[5]]
    source = header.index("Quelle")
    links = {row[0].value: row[source].hyperlink for row in sheet.iter_rows(min_row=6) if row[source].hyperlink}
    return {ags: link.target.replace("\\", "/") for ags, link in links.items()}  # XlsxWriter writes Windows paths


def test_a_moved_workbook_is_linked_at_its_new_place_and_the_stale_path_is_reported(district):
    district.sync()
    assert _links(district.master)[ALDINGEN].endswith("sample_workbooks/08327002_Aldingen.xlsx")
    moved_to = district.folder / "Rücklauf"
    moved_to.mkdir()
    district.workbook("Aldingen").rename(moved_to / "08327002_Aldingen.xlsx")

    result = district.sync(full=True)
    assert result.master_written and result.to_json()["received"] == 35
    assert _links(district.master)[ALDINGEN] == "../sample_workbooks/Rücklauf/08327002_Aldingen.xlsx"
    staff, _ = table(district.master, "Integrationsmanager", "AGS")
    assert all(line["Quelle"].startswith("08327002_Aldingen.xlsx") for line in staff if line["AGS"] == ALDINGEN)
    stale = [p for p in result.problems if p.code.value == "MAPPE_VERSCHOBEN"]
    assert len(stale) == 1 and stale[0].ags == ALDINGEN
    assert "sample_workbooks/08327002_Aldingen.xlsx gibt es nicht mehr" in stale[0].message
    assert "Rücklauf/08327002_Aldingen.xlsx gefunden" in stale[0].message
