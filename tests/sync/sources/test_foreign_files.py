"""No submission is passed over in silence: a file of another format (.xls, .numbers, .csv, .pdf) or a broken
workbook that its name or content ties to a municipality is a Fehler on that municipality's row, in the master
and in the reminder, saying in German what to do; a file of nobody's stays a Hinweis; a municipality whose
valid workbook lies beside such a file keeps it."""

from __future__ import annotations

import os
import subprocess

import make_broken
import pytest
from libreoffice import convert
from loopback_smtp import PASSWORD, USER, running_mailserver
from master_reading import overview, table

from pakt.sync import Status

ALDINGEN, BALGHEIM, BAERENTHAL, BUBSHEIM = "08327002", "08327004", "08327006", "08327010"
PASSWORD_VARIABLE = "PAKT_TEST_SMTP_PASSWORT"

XLS_ADVICE = (
    "Die Meldung liegt als Excel-97-Datei (.xls) vor; Pakt liest nur .xlsx und .ods. Bitte in Excel oder "
    "LibreOffice öffnen und als .xlsx oder .ods speichern („Speichern unter“)."
)
OLE_HEADER = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + bytes.fromhex("3e000300feff0900") + bytes(488)
"""The first sector of a compound file (what every .xls is): signature, minor and major version, byte order,
sector shift; an old Excel's file as far as the name and the first bytes tell."""


def _row(result, ags: str):
    return next(r for r in result.view.rows if r.municipality.ags == ags)


def _replace_workbook(district, name: str, file_name: str, data: bytes):
    """The clerk saves her form in another format and the xlsx is gone (renamed, or never there)."""
    district.workbook(name).unlink()
    path = district.folder / file_name
    path.write_bytes(data)
    return path


def _report_lines(master, ags: str) -> list[dict]:
    report, _ = table(master, "Prüfbericht", "Schwere")
    return [line for line in report if line["AGS"] == ags]


@pytest.mark.parametrize(
    ("file_name", "data", "advice"),
    [
        ("08327004_Balgheim.xls", OLE_HEADER, XLS_ADVICE),
        ("Meldung Balgheim.numbers", b"PK\x03\x04" + bytes(60), "Bitte in Numbers öffnen und über „Ablage“"),
        ("Balgheim.csv", "Personen;6\r\n".encode("cp1252"), "Eine CSV-Datei enthält nur die Werte eines Blatts"),
        ("export.csv", f"AGS;{BALGHEIM}\r\nPersonen;6\r\n".encode("cp1252"), "CSV-Datei (.csv)"),  # by content
        ("BALGHEIM_2018.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "Aus einer PDF-Datei lassen sich keine Werte"),
    ],
    ids=["xls", "numbers", "csv", "csv-by-content", "pdf"],
)
def test_a_file_of_another_format_is_an_error_on_its_municipalitys_row(district, file_name, data, advice):
    path = _replace_workbook(district, "Balgheim", file_name, data)

    result = district.sync()

    row = _row(result, BALGHEIM)
    assert row.status is Status.FEHLERHAFT and not row.absent
    assert advice in row.remark and path.name in row.remark
    assert "Eine gültige Fassung liegt nicht vor." in row.remark
    assert BALGHEIM in {p.ags for p in result.problems if p.code.value == "DATEIFORMAT"}
    assert result.to_json()["missing"] == 0 and result.to_json()["invalid"] == 1
    rows, _ = overview(result.master)
    assert rows[BALGHEIM]["Status"] == "fehlerhaft" and advice in rows[BALGHEIM]["Hinweis"]
    (line,) = [line for line in _report_lines(result.master, BALGHEIM) if line["Code"] == "DATEIFORMAT"]
    assert line["Schwere"] == "Fehler" and line["Datei"] == path.name and advice in line["Meldung"]


def test_the_last_valid_version_stays_counted_beside_a_newer_file_of_another_format(district):
    first = district.sync()
    before = _row(first, BALGHEIM).figures

    _replace_workbook(district, "Balgheim", "08327004_Balgheim.xls", OLE_HEADER)
    result = district.sync()

    row = _row(result, BALGHEIM)
    assert row.status is Status.FEHLERHAFT and row.figures == before
    assert XLS_ADVICE in row.remark and "Gezeigt wird die gültige Fassung vom" in row.remark
    assert result.view.totals.persons == first.view.totals.persons


def test_a_file_of_another_format_at_the_registrys_path_is_read_even_outside_the_folders(district):
    text = district.config.read_text(encoding="utf-8")
    registered = 'workbook = "sample_workbooks/08327004_Balgheim.xlsx"'
    assert registered in text
    district.config.write_text(text.replace(registered, 'workbook = "gemeinden/meldung.xls"'), encoding="utf-8")
    (district.root / "gemeinden").mkdir()
    (district.root / "gemeinden" / "meldung.xls").write_bytes(OLE_HEADER)
    district.workbook("Balgheim").unlink()

    result = district.sync()

    row = _row(result, BALGHEIM)
    assert row.status is Status.FEHLERHAFT and XLS_ADVICE in row.remark and "meldung.xls" in row.remark


def test_a_broken_xlsx_named_after_a_municipality_is_an_error_on_its_row(district):
    _replace_workbook(district, "Bubsheim", "Bubsheim neu.xlsx", make_broken.truncated())

    result = district.sync()

    row = _row(result, BUBSHEIM)
    assert row.status is Status.FEHLERHAFT and not row.absent
    assert row.remark.startswith("Die neueste Datei Bubsheim neu.xlsx kann nicht übernommen werden:")
    (problem,) = [p for p in result.problems if p.file.endswith("Bubsheim neu.xlsx")]
    assert problem.code.value == "DATEI_UNLESBAR" and problem.ags == BUBSHEIM and problem.municipality == "Bubsheim"


def test_a_file_of_another_format_named_after_nobody_stays_a_note(district):
    for name in ("protokoll.pdf", "Aldingen und Balgheim.pdf", "fotos.jpg"):
        (district.folder / name).write_bytes(b"%PDF-1.4\n" if name.endswith(".pdf") else b"\xff\xd8\xff")
    (district.folder / "liste.csv").write_text(f"{ALDINGEN};Aldingen\n{BALGHEIM};Balgheim\n", encoding="utf-8")

    result = district.sync()

    assert result.to_json()["received"] == 35 and result.to_json()["invalid"] == 0
    for name in ("protokoll.pdf", "Aldingen und Balgheim.pdf", "fotos.jpg", "liste.csv"):
        (problem,) = [p for p in result.problems if p.file.endswith("/" + name)]
        assert problem.severity.value == "Hinweis" and problem.code.value == "DATEI_UEBERSPRUNGEN"
        assert problem.ags is None and "keiner Gemeinde zuzuordnen" in problem.message


def test_a_valid_workbook_with_a_stray_pdf_and_a_broken_copy_beside_it_keeps_its_valid_version(district):
    first = district.sync()
    (district.folder / "08327002_Aldingen_unterschrieben.pdf").write_bytes(b"%PDF-1.4\n")
    (district.folder / "Kopie von Aldingen.xlsx").write_bytes(make_broken.truncated())

    result = district.sync()

    row = _row(result, ALDINGEN)
    assert row.status is _row(first, ALDINGEN).status and row.figures == _row(first, ALDINGEN).figures
    assert row.remark == ""
    problems = {p.file.rsplit("/", 1)[-1]: p for p in result.problems if p.ags == ALDINGEN}
    pdf, copy = problems["08327002_Aldingen_unterschrieben.pdf"], problems["Kopie von Aldingen.xlsx"]
    assert pdf.severity.value == "Hinweis" and "Neben der gültigen Meldung 08327002_Aldingen.xlsx" in pdf.message
    assert copy.severity.value == "Warnung" and "diese Mappe, die sich nicht lesen lässt" in copy.message
    lines = _report_lines(result.master, ALDINGEN)
    assert {line["Datei"] for line in lines} >= {"08327002_Aldingen_unterschrieben.pdf", "Kopie von Aldingen.xlsx"}


@pytest.mark.libreoffice
def test_a_form_that_libreoffice_saved_as_xls_is_tied_by_its_content_and_a_pdf_by_its_name(district, tmp_path):
    """A real .xls and a real PDF of the form, as LibreOffice writes them: the .xls carries no name of anyone
    in its file name, its AGS inside ties it; the PDF's text is not searchable, its name ties it."""
    work = tmp_path / "lo"
    work.mkdir()
    balgheim = district.registry().municipality(BALGHEIM)
    form = work / "Meldung.xlsx"
    form.write_bytes(make_broken.submission(municipality=balgheim))
    xls = convert(form, "xls", work)
    assert xls.read_bytes()[:8] == OLE_HEADER[:8]
    bubsheim = work / "Bubsheim.xlsx"
    bubsheim.write_bytes(make_broken.submission(municipality=district.registry().municipality(BUBSHEIM)))
    pdf = convert(bubsheim, "pdf", work)
    _replace_workbook(district, "Balgheim", "Meldung.xls", xls.read_bytes())
    _replace_workbook(district, "Bubsheim", "Bubsheim.pdf", pdf.read_bytes())

    result = district.sync()

    assert _row(result, BALGHEIM).status is Status.FEHLERHAFT and XLS_ADVICE in _row(result, BALGHEIM).remark
    assert _row(result, BUBSHEIM).status is Status.FEHLERHAFT and "PDF-Datei (.pdf)" in _row(result, BUBSHEIM).remark


def _with_mail(district, mailbox) -> None:
    settings = {
        "sender": "pakt@landkreis-tuttlingen.example",
        "smtp_host": mailbox.host,
        "smtp_port": mailbox.port,
        "username": USER,
        "password_env": PASSWORD_VARIABLE,
        "ca_file": str(mailbox.certificate),
        "timeout_s": 10.0,
    }
    text = district.config.read_text(encoding="utf-8") + "\n[mail]\n"
    text += "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in settings.items())
    district.config.write_text(text, encoding="utf-8")


def test_the_reminder_for_a_municipality_whose_file_has_another_format_says_what_to_do(district, tmp_path):
    district.sync()  # the store knows whom Balgheim's earlier workbook names
    _replace_workbook(district, "Balgheim", "08327004_Balgheim.xls", OLE_HEADER)
    with running_mailserver(tmp_path) as mailbox:
        _with_mail(district, mailbox)
        done = subprocess.run(
            ["pakt", "remind", "--ags", BALGHEIM],
            cwd=district.root,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, PASSWORD_VARIABLE: PASSWORD},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        (mail,) = mailbox.received
    assert "Meldung fehlerhaft – Balgheim" in str(mail.message["Subject"])
    body = " ".join(mail.message.get_content().split())
    assert f"- Datei 08327004_Balgheim.xls: {XLS_ADVICE}" in body
    assert "Bitte gehen Sie wie oben beschrieben vor." in body
    assert "Bis zur Korrektur verwenden wir Ihre gültige Fassung vom" in body
    assert "keine Meldemappe eingegangen" not in body and "korrigieren Sie die genannten Zellen" not in body


def test_a_registered_google_file_that_is_a_pdf_is_an_error_on_its_row(google_district):
    sheet = google_district.sheet_of("Aldingen")
    sheet.mime_type, sheet.title, sheet.upload = "application/pdf", "08327002_Aldingen.pdf", b"%PDF-1.4\n"
    sheet.touch()

    result = google_district.sync()

    row = _row(result, ALDINGEN)
    assert row.status is Status.FEHLERHAFT and not row.absent
    assert "„08327002_Aldingen.pdf“ ist weder eine Google-Tabelle noch eine Excel-Datei" in row.remark
    assert "Als Google Tabellen speichern" in row.remark
    again = google_district.sync(need_view=True)
    assert again.read == 0 and _row(again, ALDINGEN).status is Status.FEHLERHAFT  # kept with the file's stamp
