"""The files of an issued payment list, written from the ledger's recorded lines alone.

Three forms of the same lines, beside each other:

- `NAME.csv` for finance software: UTF-8 with BOM, semicolons, CRLF, decimal comma, dates TT.MM.JJJJ. A
  spreadsheet program that opens it by double-click turns the AGS into a number and drops its leading zero;
- `NAME.xlsx` for people: the AGS, Kreditor and IBAN as text, amounts as numbers with two decimals, a total;
- `NAME.xml`, where the district pays by bank file (`[payments] sepa = true`): a SEPA credit transfer
  (pain.001.001.03, built with sepaxml), one transfer per payable line, executed on its due day (or the
  day of issue, if that has passed); a Rückforderung is no transfer and stays out of it (the CSV and xlsx
  list it, the terminal says so). A list of Rückforderungen only has no SEPA file.

Every byte follows from the recorded list (its id, time and lines), so a rerun after a failure writes the
same files again. Each file is written atomically and never replaces a different file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal
from pathlib import Path

from pakt.schemas import PaktError, PaymentSettings, format_date

from ..store._ledger import IssuedLine, IssuedList

CSV_HEADER = ("AGS", "Gemeinde", "Betrag", "Fällig am", "Art", "Auszahlung", "Verwendungszweck", "Kreditor", "IBAN")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def list_csv(lines: tuple[IssuedLine, ...]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        due = format_date(line.due) if line.due else ""
        writer.writerow(
            (line.ags, line.name, _amount(line.amount), due, line.kind, line.tranche, line.purpose, line.kreditor,
             line.iban)
        )  # fmt: skip
    return text.getvalue().encode("utf-8-sig")


def list_xlsx(issued: IssuedList) -> bytes:
    """The list as a workbook people open: text where a number would lose digits, a total under it."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": issued.issued_at, "title": f"Zahlungsliste {issued.tranche}"})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("Zahlungsliste")
    for col, name in enumerate(CSV_HEADER):
        sheet.write_string(0, col, name, bold)
    for row, line in enumerate(issued.lines, start=1):
        sheet.write_string(row, 0, line.ags, text)
        sheet.write_string(row, 1, line.name)
        sheet.write_number(row, 2, float(line.amount), money)
        if line.due:
            sheet.write_datetime(row, 3, line.due, day)
        sheet.write_string(row, 4, line.kind)
        sheet.write_string(row, 5, line.tranche)
        sheet.write_string(row, 6, line.purpose)
        sheet.write_string(row, 7, line.kreditor, text)
        sheet.write_string(row, 8, line.iban, text)
    last = len(issued.lines)
    sheet.write_string(last + 1, 1, "Summe", bold)
    sheet.write_formula(last + 1, 2, f"=SUM(C2:C{last + 1})", money, float(issued.total))
    for col, width in enumerate((10, 30, 14, 11, 14, 18, 90, 12, 26)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def sepa_lines(issued: IssuedList) -> tuple[list[IssuedLine], list[IssuedLine]]:
    """The lines a bank file can carry (positive amounts to an account) and the ones it cannot."""
    carried = [line for line in issued.lines if line.amount > 0 and line.iban]
    return carried, [line for line in issued.lines if line not in carried]


def missing_ibans(lines: list[IssuedLine]) -> list[str]:
    """Municipalities a bank file would have to pay but cannot: a transfer without an IBAN."""
    return list(dict.fromkeys(line.name for line in lines if line.amount > 0 and not line.iban))


def list_sepa(issued: IssuedList, settings: PaymentSettings) -> bytes | None:
    """A pain.001 credit transfer of the list's transfers, its ids and time taken from the issued list; None
    for a list without any (only Rückforderungen)."""
    from sepaxml import SepaTransfer

    carried, _ = sepa_lines(issued)
    if not carried:
        return None
    config = {
        "name": settings.debtor_name, "IBAN": settings.debtor_iban, "BIC": settings.debtor_bic, "batch": True,
        "currency": "EUR",
    }  # fmt: skip
    transfer = SepaTransfer(config, clean=True)
    for number, line in enumerate(carried, start=1):
        transfer.add_payment(
            {
                "name": line.name, "IBAN": line.iban, "amount": int(line.amount * 100),
                "execution_date": max(line.due or issued.issued_at.date(), issued.issued_at.date()),
                "description": line.purpose,
                "endtoend_id": f"PAKT-{issued.id}-{number}",
            }
        )  # fmt: skip
    xml = transfer.export(validate=True).decode("utf-8")
    xml = re.sub(r"<MsgId>[^<]*</MsgId>", f"<MsgId>PAKT-{issued.stichtag:%Y%m%d}-{issued.id}</MsgId>", xml)
    xml = re.sub(r"<CreDtTm>[^<]*</CreDtTm>", f"<CreDtTm>{issued.issued_at:%Y-%m-%dT%H:%M:%S}</CreDtTm>", xml)
    batches = iter(range(1, 1000))
    xml = re.sub(r"<PmtInfId>[^<]*</PmtInfId>", lambda _: f"<PmtInfId>PAKT-{issued.id}-{next(batches)}</PmtInfId>", xml)
    return xml.encode("utf-8")


def list_files(issued: IssuedList, settings: PaymentSettings) -> dict[Path, bytes]:
    """Every file of the list, by path: the CSV at the recorded name, the xlsx (and the SEPA file) beside it."""
    csv_path = Path(issued.path)
    files = {csv_path: list_csv(issued.lines), csv_path.with_suffix(".xlsx"): list_xlsx(issued)}
    if settings.sepa and (sepa := list_sepa(issued, settings)) is not None:
        files[csv_path.with_suffix(".xml")] = sepa
    return files


def write_file_once(path: Path, data: bytes) -> bool:
    """Write `path` atomically, never replacing a different file (the caller holds the payments lock). False
    when it already holds `data`. The temporary file has a fixed name, so a killed write leaves nothing that
    the next one does not clear; on a share that cannot link (SMB), the file is renamed into place."""
    if path.exists():
        if path.read_bytes() == data:
            return False
        raise PaktError(
            f"Die Datei {path} gibt es schon mit anderem Inhalt; eine Zahlungsliste wird nie überschrieben."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.pakt-neu")
    temporary.unlink(missing_ok=True)
    with open(temporary, "xb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    try:
        os.link(temporary, path)  # fails if the file appeared meanwhile: never replaces a list
    except FileExistsError as error:
        raise PaktError(f"Die Datei {path} gibt es schon; eine Zahlungsliste wird nie überschrieben.") from error
    except OSError:  # no hard links here: the lock keeps others out, so a rename cannot replace a list
        if path.exists():
            raise PaktError(f"Die Datei {path} gibt es schon; eine Zahlungsliste wird nie überschrieben.") from None
        os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)
    return True
