"""`pakt payments`: the payment list of the next tranche for the district's finance office, never issued twice.

    sync ─► plan ─► issue (store: the list and its lines, one transaction) ─► files (csv, xlsx, sepa) ─► complete
                                                                                                          │
                                                          the masters show the lines as angewiesen  ◄── sync

The list is recorded before any file is written (store/_ledger.py); its files are written from the recorded
lines alone. A command that dies or finds the disk full after the list was issued leaves it unfinished: the
next `pakt payments` writes that list's files again, under the recorded name, byte for byte, and issues
nothing new. The finance office therefore holds at most one list for any line.

Only approved figures are paid. A Nachtrag (differences after the last tranche) is due on the day given with
`--faellig` or in `[payments] nachtrag_faellig`; without one it is not issued. An earlier round's open lines
are paid with `--stichtag`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from pakt.schemas import ConfigError, PaktError, Registry, format_date

from ..files._failpoints import failpoint
from ..files._paths import master_path, state_path
from ..files._run_lock import RunLock
from ..run._round_plans import round_plan
from ..run._run import SyncOptions, run_sync
from ..store._ledger import (
    IssuedLine,
    IssuedList,
    complete_list,
    issue_list,
    issued_at_path,
    unfinished_lists,
)
from ..store._store import StateStore
from ..view._payments import SUPPLEMENT, PaymentLine, next_list
from ._payment_files import list_files, missing_ibans, sepa_lines, write_file_once


@dataclass(frozen=True)
class PaymentList:
    """What `pakt payments` issued (or, in a dry run, would issue)."""

    tranche: str
    lines: list[PaymentLine]
    withheld: list[PaymentLine]
    """Lines of the same tranche that are not payable: the district has not approved those figures."""
    path: Path | None
    stichtag: date | None = None
    files: tuple[Path, ...] = ()
    resumed: bool = False
    """The list had been issued before and its files were missing: written now, nothing new issued."""
    already: bool = False
    """The list at this path was issued and written before: nothing to do."""
    not_transferred: tuple[PaymentLine, ...] = ()
    """Lines a SEPA file cannot carry (a Rückforderung, or no IBAN): the finance office settles them apart."""

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def withheld_names(self) -> list[str]:
        """Each municipality once, in the list's order."""
        return list(dict.fromkeys(line.name for line in self.withheld))


def _as_payment_line(line: IssuedLine, status: str) -> PaymentLine:
    return PaymentLine(line.ags, line.name, line.tranche, line.due, line.kind, line.amount, status, line.purpose)


def _write_files(store: StateStore, registry: Registry, issued: IssuedList, when) -> tuple[Path, ...]:
    """Write every file of an issued list (those already there must be equal), then mark it complete."""
    files = list_files(issued, registry.payments)
    for path, data in files.items():
        write_file_once(path, data)
        failpoint("payments-file-written")
    complete_list(store, issued, when)
    return tuple(files)


def _report(issued: IssuedList, files: tuple[Path, ...], registry: Registry, **flags) -> PaymentList:
    status = f"angewiesen am {format_date(issued.issued_at.date())}"
    lines = [_as_payment_line(line, status) for line in issued.lines]
    untransferred: tuple[PaymentLine, ...] = ()
    if registry.payments.sepa:
        _, apart = sepa_lines(issued)
        untransferred = tuple(_as_payment_line(line, status) for line in apart)
    return PaymentList(
        issued.tranche, lines, [], Path(issued.path), issued.stichtag, files, not_transferred=untransferred, **flags
    )


def _issued_line(registry: Registry, line: PaymentLine, supplement_due: date | None) -> IssuedLine:
    municipality = registry.municipality(line.ags)
    due = supplement_due if line.tranche == SUPPLEMENT else line.due
    return IssuedLine(
        line.ags, line.name, line.tranche, due, line.kind, line.amount, line.purpose,
        (municipality.kreditor or "") if municipality else "", (municipality.iban or "") if municipality else "",
    )  # fmt: skip


def _sync_first(registry: Registry, options: SyncOptions):
    """The run before a list: the list is issued only from a view the masters show (its exit code otherwise)."""
    result = run_sync(registry, replace(options, need_view=True))
    if result.exit_code:
        failure = result.failures[0]
        raise type(failure)(
            f"{failure.message} Vor einer Zahlungsliste muss die Übersicht aktuell sein; es wurde nichts angewiesen."
        )
    return result


def write_payment_list(
    registry: Registry,
    out: Path | None,
    options: SyncOptions | None = None,
    stichtag: date | None = None,
    due: date | None = None,
) -> PaymentList:
    """Sync, then issue the next tranche's list of round `stichtag` (default: the running one) to `out` and write
    its files; None: a dry run that issues and writes nothing. A list issued before whose files are missing is
    written first, and nothing else. PaktError when there is nothing to pay."""
    options = options or SyncOptions()
    state = state_path(registry, master_path(registry, options.master))
    with RunLock(state.with_name(state.name + ".payments.lock"), options.lock_wait_s):  # one list at a time
        return _issue(registry, out, options, stichtag, due)


def _issue(
    registry: Registry, out: Path | None, options: SyncOptions, stichtag: date | None, due: date | None
) -> PaymentList:
    result = _sync_first(registry, options)
    out = out.resolve() if out is not None else None
    with StateStore(result.state) as store:
        if out is not None:
            done = _finish_unfinished(store, registry, options)
            if done is not None:
                return done
            if out.exists():
                return _already_issued(store, registry, out)
        plan, tranches, stichtag = round_plan(registry, store, result.view, stichtag)
        paid = store.paid_lines(stichtag)
        tranche, lines = next_list(plan, tranches, paid)
        withheld = [line for line in plan if line.tranche == tranche and line.status == "nicht freigegeben"]
        if not lines:
            waiting = f": {len(withheld)} Zeilen warten auf die Freigabe (pakt approve)." if withheld else "."
            raise PaktError(f"Für „{tranche}“ zum Stichtag {format_date(stichtag)} ist nichts anzuweisen{waiting}")
        supplement_due = due or registry.payments.nachtrag_faellig
        if tranche == SUPPLEMENT and supplement_due is None:
            raise PaktError(
                "Der Nachtrag braucht ein Fälligkeitsdatum: bitte mit --faellig TT.MM.JJJJ angeben oder in "
                "pakt.toml unter [payments] nachtrag_faellig eintragen."
            )
        to_issue = [_issued_line(registry, line, supplement_due) for line in lines]
        if registry.payments.sepa and (missing := missing_ibans(to_issue)):
            raise ConfigError(
                f"Für die SEPA-Datei fehlt die IBAN von {', '.join(missing)}; bitte in pakt.toml bei der Gemeinde "
                "eintragen (iban = „DE…“). Es wurde nichts angewiesen."
            )
        if out is None:
            return PaymentList(tranche, lines, withheld, None, stichtag)
        issued = issue_list(
            store, stichtag, tranche, str(out), to_issue, options.now(),
        )  # fmt: skip
        failpoint("payments-issued")
        files = _write_files(store, registry, issued, options.now())
    _sync_after(registry, options)
    return replace(_report(issued, files, registry), withheld=withheld)


def _finish_unfinished(store: StateStore, registry: Registry, options: SyncOptions) -> PaymentList | None:
    """A list issued earlier whose files were not all written: write them now (and only them)."""
    pending = unfinished_lists(store)
    if not pending:
        return None
    issued = pending[0]
    files = _write_files(store, registry, issued, options.now())
    _sync_after(registry, options)
    return _report(issued, files, registry, resumed=True)


def _already_issued(store: StateStore, registry: Registry, out: Path) -> PaymentList:
    issued = issued_at_path(store, str(out))
    if issued is None:
        raise PaktError(f"Die Datei {out} gibt es schon; eine Zahlungsliste wird nie überschrieben.")
    return _report(issued, tuple(list_files(issued, registry.payments)), registry, already=True)


def _sync_after(registry: Registry, options: SyncOptions) -> None:
    """The masters show the issued lines as angewiesen (a failure here leaves that to the next run)."""
    failpoint("payments-written")
    run_sync(registry, SyncOptions(master=options.master, now=options.now, google_sessions=options.google_sessions))
