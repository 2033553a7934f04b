"""The master as people read and print it: LibreOffice renders every sheet to PDF, and the text a reader sees
there (pdftotext) is whole: no `###`, no cut header or totals label, no text drawn over other text, every page
with its district, sheet and "Seite x von y", the Übersicht's header on every page of a 1,101-municipality
district, and names in the order a German reader expects."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePath

import libreoffice
import pytest
from stored_versions import checked_submissions, stored_version

from pakt.schemas import (
    Code,
    District,
    Finding,
    Municipality,
    Registry,
    ReportingRound,
    Severity,
    Submission,
    format_eur,
    format_number,
    german_sort_key,
)
from pakt.sync import OVERVIEW_COLUMNS, Received, RunRecord, Status, consolidate
from pakt.sync.master._layout import STATUS_MEANING, RunStamp
from pakt.sync.master._sheets import master_grids, report_grid, staff_grid
from pakt.sync.master._xlsx import build_master
from pakt.sync.sources._source import Place
from pakt.sync.store._store import VersionRecord
from pakt.sync.view._payments import payment_plan

STICHTAG = date(2018, 6, 30)
STAND = datetime(2018, 8, 6, 14, 30)
SHEETS = ("Übersicht", "Integrationsmanager", "Prüfbericht", "Auszahlung", "Zeitreihe", "Verlauf", "Auswertung")
LONG_MESSAGE = (
    "Personen in Anschlussunterbringung fehlt. Bitte eine ganze Zahl ab 0 eintragen; wenn in der Gemeinde zum "
    "Stichtag niemand in Anschlussunterbringung wohnt, bitte 0 eintragen und nicht leer lassen, damit der "
    "Landkreis die Meldung als vollständig werten kann. Ende der langen Meldung."
)


# -- reading the PDF as a reader would ---------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Page:
    text: str
    words: tuple[Word, ...]

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    @property
    def sheet(self) -> str:
        """The sheet named in the page header (district, sheet, Stichtag)."""
        return re.split(r"\s{2,}", self.lines[0])[1]

    @property
    def tokens(self) -> list[str]:
        return self.text.split()


def rendered(master: Path, out: Path) -> list[Page]:
    pdf = libreoffice.convert(master, "pdf", out)
    texts = libreoffice.pdf_text(pdf).split("\f")
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = []
    for text, page in zip(texts, boxes.split("<page ")[1:], strict=False):
        words = tuple(
            Word(html.unescape(found[4]), *map(float, found[:4]))
            for found in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
            )
        )
        pages.append(Page(text, words))
    return pages


def by_sheet(pages: list[Page]) -> dict[str, list[Page]]:
    sheets: dict[str, list[Page]] = {}
    for page in pages:
        sheets.setdefault(page.sheet, []).append(page)
    return sheets


def overlapping(page: Page) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (a header running into a row, wrapped text over the next row).
    The boxes of two lines of one cell touch a little (a line is less tall than its font's box): a third
    of a line's height counts as over."""
    found = []
    words = sorted(page.words, key=lambda w: w.top)
    for i, word in enumerate(words):
        for other in words[i + 1 :]:
            if other.top >= word.bottom:
                break
            across = min(word.right, other.right) - max(word.left, other.left)
            down = min(word.bottom, other.bottom) - max(word.top, other.top)
            if across > 1 and down > min(word.bottom - word.top, other.bottom - other.top) / 3:
                found.append((word.text, other.text))
    return found


def in_order(words: list[str], tokens: list[str]) -> bool:
    """Whether `words` appear in `tokens` in this order (other columns' words may stand between)."""
    remaining = iter(tokens)
    return all(any(token == word for token in remaining) for word in words)


def check_every_page(pages: list[Page], stand: str) -> None:
    """What holds on every page of a master: numbered through the workbook, with district, sheet, Stichtag and
    Stand; the sheets in order; no `###` and no text drawn over other text."""
    assert [page.sheet for page in pages] == sorted((page.sheet for page in pages), key=SHEETS.index)
    for number, page in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in page.lines[-1] and stand in page.lines[-1]
        assert "Stichtag 30.06.2018" in page.lines[0]
        assert "###" not in page.text and "Err:" not in page.text
        if page.sheet != "Auswertung":  # a chart's slanted labels have boxes that touch
            assert not overlapping(page), (page.sheet, overlapping(page)[:5])


def shown_whole(word: str, tokens: set[str]) -> bool:
    """Whether `word` stands among `tokens` whole, or broken after hyphens into pieces that all do
    ("Pro-Kopf-Pauschale" as "Pro-Kopf-" and "Pauschale"): a cut word ("Integrationsma") does not."""
    if word in tokens:
        return True
    return any(
        word[: cut + 1] in tokens and shown_whole(word[cut + 1 :], tokens)
        for cut, char in enumerate(word[:-1])
        if char == "-"
    )


def check_header(page: Page) -> None:
    """The Übersicht's header stands on the page whole, above the first municipality."""
    top = page.tokens.index("AGS")
    first_row = next(i for i, token in enumerate(page.tokens) if re.fullmatch(r"\d{8}", token))
    block = set(page.tokens[top:first_row])
    for column in OVERVIEW_COLUMNS:
        assert all(shown_whole(word, block) for word in column.header.split()), (column.header, sorted(block))


# -- a district built in Python ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_submissions(registry, sample_paths):
    found = checked_submissions(registry, sample_paths)
    return [found[m.ags] for m in registry.municipalities]


def _version(number: int, ags: str, valid: bool = True, findings: tuple = ()) -> VersionRecord:
    return stored_version(number, ags, valid, STICHTAG, findings, seen_at=datetime(2018, 7, 10, 9, 0))


def big_district(samples, rules, count: int, name: str):
    """A district of `count` municipalities (the sample's submissions again and again, four times the persons),
    some missing, unsubmitted, late or broken with a long message, consolidated as a sync would."""
    municipalities, received, submissions = [], {}, {}
    for number in range(count):
        sample = samples[number % len(samples)]
        repeat = number // len(samples)
        ags = f"08{number + 1:06d}"
        place = sample.header.name if repeat == 0 else f"{sample.header.name} {repeat + 1}"
        municipalities.append(Municipality(ags=ags, name=place, im_mode=sample.management.mode))
        if number % 97 == 5:
            continue  # missing
        sign_off = sample.sign_off.model_copy(
            update={
                "submitted": number % 89 != 7,
                "date": date(2018, 8, 3) if number % 83 == 11 else sample.sign_off.date,
            }
        )
        submission = sample.model_copy(
            update={
                "header": sample.header.model_copy(update={"ags": ags, "name": place}),
                "persons": sample.persons.model_copy(update={"total": sample.persons.total * 4}),
                "sign_off": sign_off,
            }
        )
        valid = _version(2 * number + 1, ags)
        submissions[valid.id] = submission
        newest = valid
        if number % 79 == 13:
            finding = Finding(
                code=Code.PFLICHTFELD,
                severity=Severity.ERROR,
                message=LONG_MESSAGE,
                sheet="Meldung",
                cell="C12",
                ags=ags,
                municipality=place,
                file=f"/share/{ags}.xlsx",
            )
            newest = _version(2 * number + 2, ags, valid=False, findings=(finding,))
        received[ags] = Received(newest, valid)
    registry = Registry(
        district=District(name=name, key="08"),
        round=ReportingRound(stichtag=STICHTAG, deadline=date(2018, 7, 31), rules="pfi-2017-2019"),
        municipalities=tuple(municipalities),
    )
    return consolidate(registry, rules, received, submissions, {}, today=date(2018, 7, 20))


def write_master(view, folder: Path) -> Path:
    stamp = RunStamp(1, datetime(2018, 8, 6, 14, 29), STAND)
    run = RunRecord(id=1, started_at=stamp.started_at, finished_at=stamp.finished_at)
    changes = ["Erster Abgleich: alle Gemeinden neu übernommen."]
    series = {STICHTAG: {row.municipality.ags: row.figures for row in view.rows if row.figures is not None}}
    payments = payment_plan(view, view.rules.tranches(STICHTAG), [])
    grids = master_grids(view, stamp, [run], changes, lambda key: Place(PurePath(key).name), series, payments)
    master = folder / "Uebersicht.xlsx"
    master.write_bytes(build_master(grids, view, stamp, folder))
    return master


# -- the sample district, synced -------------------------------------------------------------------


@pytest.mark.libreoffice
def test_the_sample_master_prints_whole_one_page_a_sheet(district, tmp_path):
    result = district.sync()
    pages = rendered(result.master, tmp_path)
    check_every_page(pages, f"Stand {result.stamp.finished_at:%d.%m.%Y %H:%M}")
    sheets = by_sheet(pages)
    assert {sheet: len(found) for sheet, found in sheets.items()} == {
        "Übersicht": 1,
        "Integrationsmanager": 1,
        "Prüfbericht": 1,
        "Auszahlung": 1,
        "Zeitreihe": 1,
        "Verlauf": 1,
        "Auswertung": 2,
    }

    overview = sheets["Übersicht"][0]
    check_header(overview)
    totals = next(line for line in overview.lines if "gesamt" in line)
    for label in ("Landkreis Tuttlingen gesamt", "35 von 35 gemeldet", "17 selbst", "1.014.300,00 €", "862.155,00 €"):
        assert label in totals
    text = " ".join(overview.tokens)
    assert "IM (Personen): " in text and "(14 Personen), die Zeilen ergeben zusammen 37." in text
    for status in Status:  # every colour named and explained, on one line each
        assert any(line.startswith(status.value) and line.endswith(STATUS_MEANING[status]) for line in overview.lines)

    staff = " ".join(sheets["Integrationsmanager"][0].tokens)
    assert "Landkreis Tuttlingen gesamt 14 Personen 11,00" in staff
    payments = " ".join(sheets["Auszahlung"][0].tokens)
    assert "Summe aller Auszahlungen 1.014.300,00 €" in payments
    assert "Pakt fuer Integration Pro-Kopf-Pauschale Auszahlung 2018 Stichtag 30.06.2018 AGS 08327070" in payments
    series = " ".join(sheets["Zeitreihe"][0].tokens)
    assert "Landkreis Tuttlingen gesamt 828 1.014.300,00 € 11,00" in series

    charts = " ".join(" ".join(page.tokens) for page in sheets["Auswertung"])
    assert f"Gemeinden nach Status am {result.stamp.finished_at:%d.%m.%Y}" in charts
    assert "Personen in Anschlussunterbringung je Gemeinde, Stichtag 30.06.2018" in charts
    assert "Pro-Kopf-Pauschale in Euro je Gemeinde, Stichtag 30.06.2018" in charts
    assert "300.000 €" in charts and "250.000 €" in charts and "300000" not in charts  # German thousands


# -- a district of 1,101 municipalities --------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_1101_municipality_master_repeats_its_header_on_every_page(sample_submissions, rules, tmp_path):
    view = big_district(sample_submissions, rules, 1101, "Baden-Württemberg, alle Gemeinden")
    assert view.totals.allowance_eur >= Decimal("100000000")  # a nine-digit sum
    pages = rendered(write_master(view, tmp_path), tmp_path)
    check_every_page(pages, "Stand 06.08.2018 14:30")
    sheets = by_sheet(pages)
    assert list(sheets) == list(SHEETS)
    assert len(sheets["Auswertung"]) == 3  # two charts, then the 40 municipalities they show

    overview = sheets["Übersicht"]
    assert len(overview) > 2
    for page in overview:  # page 2 and every later one start with the header row
        check_header(page)
    shown = [token for page in overview for token in page.tokens if re.fullmatch(r"08\d{6}", token)]
    assert shown == sorted(row.municipality.ags for row in view.rows)  # every row once, by AGS
    last = overview[-1]
    totals = next(line for line in last.lines if " gesamt " in line)
    reported = len(view.rows) - view.missing
    assert "Baden-Württemberg, alle Gemeinden gesamt" in totals and f"{reported} von 1101 gemeldet" in totals
    allowance = format_eur(view.totals.allowance_eur)
    assert allowance in totals  # nine digits, no ###
    assert f"Summe aller Auszahlungen {allowance}" in " ".join(sheets["Auszahlung"][0].tokens)
    assert f"gesamt {format_number(view.totals.persons)} {allowance}" in " ".join(sheets["Zeitreihe"][-1].tokens)
    assert all(STATUS_MEANING[status] in last.text for status in Status)

    broken = [row for row in view.rows if row.status is Status.FEHLERHAFT]
    report = sheets["Prüfbericht"]
    assert sum(page.tokens.count("PFLICHTFELD") for page in report) == len(broken) > 10
    for page in report:  # every long message whole, one under the other, none over the next row
        messages = page.tokens.count("PFLICHTFELD")
        assert messages and in_order(LONG_MESSAGE.split() * messages, page.tokens)


# -- German order, at the grids ------------------------------------------------------------------


def test_lists_of_names_are_in_german_order(sample_submissions, rules):
    view = big_district(sample_submissions, rules, 160, "Landkreis Tuttlingen")
    staff = staff_grid(view, lambda key: Place(PurePath(key).name))
    names = [row[1].value for row in staff.rows[staff.first_data_row : staff.first_data_row + staff.data_rows]]
    assert names == sorted(names, key=german_sort_key)
    assert names.index("Bärenthal") < names.index("Bubsheim") < names.index("Dürbheim") < names.index("Durchhausen")
    assert names.index("Königsheim") > names.index("Kolbingen")
    assert (
        names.index("Mühlheim an der Donau") < names.index("Mühlheim an der Donau 2") < names.index("Neuhausen ob Eck")
    )
    report = report_grid(view)
    lines = report.rows[report.first_data_row : report.first_data_row + report.data_rows]
    errors = [row[1].value for row in lines if row[0].value == "Fehler"]
    assert len(errors) > 1 and errors == sorted(errors, key=german_sort_key)


def test_a_workbook_not_yet_submitted_shows_no_sign_off_date(sample_submissions, rules):
    view = big_district(sample_submissions, rules, 100, "Landkreis Tuttlingen")
    overview = master_grids(view, RunStamp(1, STAND, STAND), [], [], lambda key: Place(PurePath(key).name))[0]
    header = [cell.value for cell in overview.header]
    rows = overview.rows[overview.first_data_row : overview.first_data_row + overview.data_rows]
    waiting = [row for row in rows if row[header.index("Status")].value == Status.EINGEGANGEN.value]
    assert waiting and all(row[header.index("Freigegeben am")].value is None for row in waiting)
    submitted = [row for row in rows if row[header.index("Status")].value == Status.EINGEREICHT.value]
    assert all(isinstance(row[header.index("Freigegeben am")].value, date) for row in submitted)


# -- a large district's master, in memory -------------------------------------------------------------


def test_a_large_master_is_built_one_sheet_at_a_time_from_a_view_without_whole_submissions(
    sample_submissions, rules, tmp_path, monkeypatch
):
    """What keeps a run of 10,000 files under 256 MiB (bench/sync_benchmark.py): the district view keeps of
    each submission only what the master shows beyond the figures, and the writer holds one sheet's grid at a
    time. Either undone, a large district's run grows by tens of megabytes without any other sign."""
    import gc
    import weakref

    import pakt.sync.master._sheets as master_sheets

    view = big_district(sample_submissions, rules, 300, "Landkreis Tuttlingen")
    held, stack = set(), [view]
    while stack:
        found = stack.pop()
        if id(found) not in held and not isinstance(found, type):
            held.add(id(found))
            assert not isinstance(found, Submission), "the district view holds a whole submission"
            stack.extend(gc.get_referents(found))

    built: list[weakref.ref] = []
    alive_while_building: list[int] = []
    fit = master_sheets.fit_widths

    def noting(grid):
        alive_while_building.append(sum(ref() is not None for ref in built))
        fitted = fit(grid)
        built.append(weakref.ref(fitted))
        return fitted

    monkeypatch.setattr(master_sheets, "fit_widths", noting)
    master = write_master(view, tmp_path)
    assert len(built) == 6 and alive_while_building == [0] * 6
    assert master.stat().st_size > 0
