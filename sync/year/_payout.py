"""`pakt payments`: the payment list of the next tranche for the district's finance office.

The list is a CSV file as German spreadsheet programs and finance software
read it: semicolons, decimal comma, dates as TT.MM.JJJJ, UTF-8 with a byte
order mark (so Excel recognises the umlauts). It holds only payable lines
(approved figures). Once written, its lines are recorded in the state store
as what was paid; the tranche is closed and a later correction goes into the
next one. A list file is never overwritten.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pakt.schemas import PaktError, Registry, format_date

from ..run._run import SyncOptions, run_sync
from ..store._store import StateStore
from ..view._payments import PaymentLine, next_list, payment_plan

CSV_HEADER = ("AGS", "Gemeinde", "Betrag", "Fällig am", "Art", "Auszahlung", "Verwendungszweck")


@dataclass(frozen=True)
class PaymentList:
    """What `pakt payments` wrote (or, in a dry run, would write)."""

    tranche: str
    lines: list[PaymentLine]
    withheld: list[PaymentLine]
    """Lines of the same tranche that are not payable: the district has not approved those figures."""
    path: Path | None

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def payment_csv(lines: list[PaymentLine]) -> bytes:
    """The list as bytes: UTF-8 with BOM, semicolons, CRLF, decimal comma."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        due = format_date(line.due) if line.due else ""
        writer.writerow((line.ags, line.name, _amount(line.amount), due, line.kind, line.tranche, line.purpose))
    return text.getvalue().encode("utf-8-sig")


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (atomically: a crash leaves none or the whole list)."""
    if path.exists():
        raise PaktError(f"Die Datei {path} gibt es schon; eine Zahlungsliste wird nie überschrieben.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".pakt-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)  # fails if the file appeared meanwhile: never replaces a list
    except FileExistsError as error:
        raise PaktError(f"Die Datei {path} gibt es schon; eine Zahlungsliste wird nie überschrieben.") from error
    finally:
        os.unlink(temporary)


def write_payment_list(registry: Registry, out: Path | None, options: SyncOptions | None = None) -> PaymentList:
    """Sync, then write the next tranche's payment list to `out` and record it as paid (None: a dry run
    that writes and records nothing). PaktError when there is nothing to pay."""
    if out is not None and out.exists():
        raise PaktError(f"Die Datei {out} gibt es schon; eine Zahlungsliste wird nie überschrieben.")
    options = options or SyncOptions()
    options.need_view = True
    result = run_sync(registry, options)
    stichtag = registry.round.stichtag
    tranches = result.view.rules.tranches(stichtag)
    with StateStore(result.state) as store:
        paid = store.paid_lines(stichtag)
        plan = payment_plan(result.view, tranches, paid)
        tranche, lines = next_list(plan, tranches, paid)
        withheld = [line for line in plan if line.tranche == tranche and line.status == "nicht freigegeben"]
        if not lines:
            raise PaktError(
                f"Für „{tranche}“ ist nichts anzuweisen"
                + (f": {len(withheld)} Zeilen warten auf die Freigabe (pakt approve)." if withheld else ".")
            )
        if out is not None:
            _write_new(out, payment_csv(lines))
            with store.transaction():
                store.record_paid(stichtag, lines, options.now(), str(out))
    if out is not None:
        run_sync(registry, SyncOptions(master=options.master))  # the master shows the lines as angewiesen
    return PaymentList(tranche, lines, withheld, out)
