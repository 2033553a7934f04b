"""`pakt remind`'s work: sync, find who needs a reminder, and write or send one German mail per municipality.

    remind(registry, RemindOptions(...)) -> RemindResult

A sync runs first, so the reminders reflect the files as they are now (a clerk who fixed her workbook an hour
ago gets no reminder). Without `[mail] smtp_host` the reminders are written as .eml files into a folder; with
it they are sent through the district's server. A dry run composes and reports everything and neither writes
nor sends a mail nor records one (the sync itself still runs and writes the master, as `pakt sync` would).

Every reminder written or sent is kept in the state store (store/_reminder_log.py) the moment it went out. A
municipality reminded of the same thing (`ReminderSent.same_reason`) in this round less than `[mail]
repeat_days` days ago is left alone and reported as such, unless `again` (`--again`): a daily job does not
send the same reminder every day. Once a reminder went out, a second, incremental run brings the masters up
to date, so that they show it ("Erinnert am") at once: a master always shows what the store holds.

Exit codes (docs/betrieb.md, Exit-Codes), the first that applies:

    7  the mail server cannot be used (unreachable, no STARTTLS, certificate or login refused); what was sent
       before is reported and kept; 4 instead when a reminder that went out could not be recorded in the state
       store (nothing more is sent then)
    1  some municipality got no reminder: no address known, or the server refused its recipient; the others
       were written or sent
    3-7  the sync before the reminders ended with that code (3 the master not written, 5 Google not usable):
       the reminders were still written or sent, from the view that sync computed; or the run after them,
       which brings the masters up to date, failed (3-7; they show the reminders after the next run then)
    0  every reminder written or sent, or nobody needs one (or was reminded of it lately)

Before anything is composed, these end the command with their code and remind nobody: 2 the configuration
cannot be used (pakt.toml, the password's environment variable, the CA file); 4 the state store cannot be
opened; 6 another run of the district did not finish in time; 3-7 the sync failed as a whole.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from pakt.schemas import ConfigError, EnvironmentFailure, PaktError, Registry, counted, format_date

from ..files._paths import master_path, state_path
from ..run._run import SyncOptions, SyncResult, run_sync
from ..store._reminder_log import (
    SENT,
    WRITTEN,
    ReminderSent,
    last_reminders_by_reason,
    reason_key,
    record_reminder,
)
from ..store._store import StateStore, store_unavailable
from ._mail_out import SmtpOutbox, next_eml_path, tls_context, write_eml
from ._reminder_text import compose_reminder
from ._reminders import NamedContact, ReminderCase, named_contact, reminder_cases

EXIT_UNADDRESSED = 1
"""Some municipality to remind got no reminder (no address, or its recipient refused): the others went out."""

EML = "eml"
SMTP = "smtp"


@dataclass
class RemindOptions:
    """Where the .eml files go, whether to only try, whom to remind, and what day it is."""

    out: Path = Path("erinnerungen")
    dry_run: bool = False
    ags: str | None = None
    """Remind only this municipality (when it needs a reminder)."""
    master: Path | None = None
    today: date | None = None
    """The day the deadline is judged against; None: today."""
    now: Callable[[], datetime] = datetime.now
    lock_wait_s: float = 300.0
    again: bool = False
    """Remind also whom the log says was reminded of the same thing less than `[mail] repeat_days` ago."""


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """A reminder left out because the same one went out lately: the case, and the last reminder of it."""

    case: ReminderCase
    last: ReminderSent
    again_from: date
    """The first day a run reminds of it again without `--again`."""


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One reminder composed and, unless a dry run, written to `where` (a file) or sent to `where` (an address)."""

    case: ReminderCase
    message: EmailMessage
    where: str
    done: bool


@dataclass(frozen=True, kw_only=True)
class RemindResult:
    """What `pakt remind` did, for the report and the exit code."""

    sync: SyncResult
    medium: str
    """EML (files in `out`) or SMTP (the district's server)."""
    out: Path
    server: str | None
    dry_run: bool
    cases: tuple[ReminderCase, ...]
    delivered: tuple[Delivery, ...] = ()
    refused: tuple[tuple[ReminderCase, str], ...] = ()
    failure: EnvironmentFailure | None = None
    """The mail server failed: reminders after `delivered` were not sent."""
    not_needed: str = field(default="", repr=False)
    """With --ags, why that municipality needs no reminder (German)."""
    skipped: tuple[Skipped, ...] = ()
    """Reminded of the same thing lately (within `[mail] repeat_days`): not reminded again."""
    after: tuple[EnvironmentFailure, ...] = ()
    """What failed in the run after the reminders, which brings the masters up to date (they show them next
    time, then)."""

    @property
    def unaddressed(self) -> tuple[ReminderCase, ...]:
        return tuple(case for case in self.cases if case.recipient is None)

    @property
    def exit_code(self) -> int:
        if self.failure is not None:
            return self.failure.exit_code
        if self.unaddressed or self.refused:
            return EXIT_UNADDRESSED
        return self.sync.exit_code or (self.after[0].exit_code if self.after else 0)

    def lines(self) -> list[str]:
        """The German report: one line per municipality, then a summary; a dry run shows each mail in full."""
        lines = [f"Warnung beim Abgleich: {failure.message}" for failure in self.sync.failures]
        lines += [f"Warnung beim Abgleich nach den Erinnerungen: {failure.message}" for failure in self.after]
        verb = "geschrieben" if self.medium == EML else "versandt"
        for delivery in self.delivered:
            case = delivery.case
            recipient = delivery.message["To"]
            found_in = case.recipient.found_in if case.recipient else ""
            passed_over = f"; nicht verwendbar: {', '.join(case.unusable_addresses)}" if case.unusable_addresses else ""
            head = f"{case.who}, Meldung {case.word}: Erinnerung an {recipient} (Adresse aus: {found_in}{passed_over})"
            if not delivery.done:
                lines.append(f"{head} – Probelauf, nicht {verb}.")
                lines += _shown(delivery.message, delivery.where, self.medium)
            elif self.medium == EML:
                lines.append(f"{head} geschrieben: {delivery.where}")
            else:
                lines.append(f"{head} versandt.")
        for case in self.unaddressed:
            known = (
                f"keine verwendbare Adresse (nicht verwendbar: {', '.join(case.unusable_addresses)})"
                if case.unusable_addresses
                else "keine Adresse bekannt (weder im Gemeindeverzeichnis noch in einer Meldung)"
            )
            lines.append(
                f"{case.who}, Meldung {case.word}: keine Erinnerung – {known}. Bitte contact und email bei "
                "der Gemeinde in pakt.toml eintragen."
            )
        for case, reason in self.refused:
            lines.append(f"{case.who}: Erinnerung nicht versandt – {reason}.")
        for skipped in self.skipped:
            lines.append(
                f"{skipped.case.who}, Meldung {skipped.case.word}: nicht erneut erinnert – zuletzt erinnert "
                f"{skipped.last.describe()}; wieder ab {format_date(skipped.again_from)} oder sofort mit --again."
            )
        lines.append(self._summary())
        return lines

    def _summary(self) -> str:
        if not self.cases:
            return self.not_needed or "Keine Gemeinde braucht eine Erinnerung."
        if len(self.skipped) == len(self.cases):
            return (
                f"Keine neue Erinnerung: {counted(len(self.skipped), 'Gemeinde wurde', 'Gemeinden wurden')} "
                "vor kurzem aus demselben Grund erinnert (erneut mit --again)."
            )
        done = sum(1 for d in self.delivered if d.done)
        if self.dry_run:
            where = f"in {self.out}" if self.medium == EML else f"über {self.server}"
            what = f"Probelauf: {counted(len(self.delivered), 'Erinnerung', 'Erinnerungen')} verfasst, nichts {where} geschrieben oder versandt"
        elif self.medium == EML:
            what = f"{counted(done, 'Erinnerung', 'Erinnerungen')} geschrieben nach {self.out}"
        else:
            what = f"{counted(done, 'Erinnerung', 'Erinnerungen')} versandt über {self.server}"
        extra = []
        if self.unaddressed:
            extra.append(f"{counted(len(self.unaddressed), 'Gemeinde', 'Gemeinden')} ohne Adresse")
        if self.refused:
            extra.append(f"{counted(len(self.refused), 'Empfänger', 'Empfänger')} abgelehnt")
        if self.skipped:
            extra.append(f"{counted(len(self.skipped), 'Gemeinde', 'Gemeinden')} vor kurzem schon erinnert")
        left = len(self.cases) - len(self.unaddressed) - len(self.delivered) - len(self.refused) - len(self.skipped)
        if self.failure is not None and left:
            verb = "geschrieben" if self.medium == EML else "versandt"
            extra.append(f"{counted(left, 'Erinnerung', 'Erinnerungen')} wegen des Fehlers nicht {verb}")
        return f"{what}; {', '.join(extra)}." if extra else f"{what}."


def _shown(message: EmailMessage, where: str, medium: str) -> list[str]:
    """A composed mail as the dry run shows it: headers, then the text, indented."""
    target = f"Datei: {where}" if medium == EML else f"An: {where}"
    text = message.get_content().rstrip("\n").splitlines()
    return [f"    {target}", f"    Betreff: {message['Subject']}", *(f"    | {line}".rstrip() for line in text), ""]


def _earlier(store: StateStore) -> Callable[[str], NamedContact | None]:
    """The newest stored version of any round that names an address, valid or not (the store keeps what an
    invalid version's header names): asked only for a case that found no address before."""

    def named(ags: str) -> NamedContact | None:
        return next((found for version in reversed(store.versions_of(ags)) if (found := named_contact(version))), None)

    return named


def _due(
    cases: list[ReminderCase], log: StateStore, stichtag: date, today: date, repeat_days: int, again: bool
) -> tuple[list[ReminderCase], list[Skipped]]:
    """The cases to remind now, and those reminded of the same thing in this round less than `repeat_days` days
    ago (by calendar day: a weekly job on Mondays with 7 reminds every Monday)."""
    if again or repeat_days == 0:
        return cases, []
    last = last_reminders_by_reason(log, stichtag)
    due, skipped = [], []
    for case in cases:
        sent = last.get((case.municipality.ags, reason_key(case.reason.value, case.word, case.about)))
        if case.recipient is not None and sent is not None:
            again_from = sent.sent_at.date() + timedelta(days=repeat_days)
            if today < again_from:
                skipped.append(Skipped(case=case, last=sent, again_from=again_from))
                continue
        due.append(case)
    return due, skipped


def _password(registry: Registry) -> str | None:
    """The mail server's password from the environment variable `[mail] password_env` names."""
    settings = registry.mail
    if not settings.username:
        return None
    name = settings.password_env or ""
    password = os.environ.get(name)
    if not password:
        raise ConfigError(
            f"Das Passwort für den Mailserver fehlt: die Umgebungsvariable {name} (password_env im Abschnitt [mail]) "
            "ist nicht gesetzt oder leer."
        )
    return password


def remind(registry: Registry, options: RemindOptions | None = None) -> RemindResult:
    """Sync, then write or send one reminder per municipality that is missing, overdue or invalid."""
    options = options or RemindOptions()
    if options.ags is not None and registry.municipality(options.ags) is None:
        raise PaktError(f"Gemeindeschlüssel {options.ags} steht nicht im Gemeindeverzeichnis.")
    settings = registry.mail
    medium = SMTP if settings.smtp_host else EML
    password = _password(registry) if medium == SMTP and not options.dry_run else None
    ca_file = registry.resolve(settings.ca_file) if settings.ca_file else None
    context = tls_context(ca_file) if medium == SMTP else None
    sync = run_sync(
        registry, SyncOptions(master=options.master, need_view=True, now=options.now, lock_wait_s=options.lock_wait_s)
    )
    assert sync.view is not None, "need_view asks the run for the view"
    today = options.today or options.now().date()
    stichtag = registry.round.stichtag
    with StateStore(state_path(registry, master_path(registry, options.master))) as store:
        try:
            cases = reminder_cases(sync.view, today, _earlier(store), options.ags)
            due, skipped = _due(cases, store, stichtag, today, settings.repeat_days, options.again)
        except sqlite3.Error as error:
            raise store_unavailable(store.path, error) from error
        base = RemindResult(
            sync=sync,
            medium=medium,
            out=options.out,
            server=f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else None,
            dry_run=options.dry_run,
            cases=tuple(cases),
            not_needed=_not_needed(sync, options.ags),
            skipped=tuple(skipped),
        )
        now = options.now()
        composed = [(case, compose_reminder(case, registry, today, now)) for case in due if case.recipient is not None]
        if options.dry_run:
            return _dry_run(base, composed)
        keep = _Keeper(store, stichtag, options.now)
        if medium == EML:
            result = _write_files(base, composed, keep)
        else:
            assert context is not None
            result = _send(base, composed, SmtpOutbox(settings, context, password), keep)
    return _masters_brought_up_to_date(registry, options, result)


def _masters_brought_up_to_date(registry: Registry, options: RemindOptions, result: RemindResult) -> RemindResult:
    """After reminders were recorded, an incremental run (no file is read again) rewrites the masters so that
    they show them; its failure is reported beside the reminders, which went out all the same."""
    if not any(delivery.done for delivery in result.delivered):
        return result
    try:
        after = run_sync(registry, SyncOptions(master=options.master, now=options.now, lock_wait_s=options.lock_wait_s))
    except EnvironmentFailure as failure:
        return _with(result, after=(failure,))
    return _with(result, after=after.failures)


class _Keeper:
    """Records each reminder in the state store right after it went out."""

    def __init__(self, store: StateStore, stichtag: date, now: Callable[[], datetime]) -> None:
        self.store, self.stichtag, self.now = store, stichtag, now

    def __call__(self, delivery: Delivery, medium: str) -> None:
        case, message = delivery.case, delivery.message
        assert case.recipient is not None, "only addressed cases are composed"
        sent = ReminderSent(
            stichtag=self.stichtag,
            ags=case.municipality.ags,
            reason=case.reason.value,
            word=case.word,
            about=case.about,
            gaps=tuple(gap.line() for gap in case.gaps),
            address=case.recipient.email,
            medium=medium,
            place=delivery.where,
            message_id=str(message["Message-ID"]),
            sent_at=self.now(),
        )
        try:
            record_reminder(self.store, sent)
        except sqlite3.Error as error:
            raise store_unavailable(self.store.path, error) from error


def _not_needed(sync: SyncResult, ags: str | None) -> str:
    if ags is None or sync.view is None:
        return ""
    row = next(row for row in sync.view.rows if row.municipality.ags == ags)
    when = ""
    if row.submitted_on is not None:
        when = f", eingereicht am {format_date(row.submitted_on)}"
    return f"{row.municipality.name} ({ags}) braucht keine Erinnerung: Meldung {row.status.value}{when}."


def _dry_run(base: RemindResult, composed: list[tuple[ReminderCase, EmailMessage]]) -> RemindResult:
    delivered = []
    for case, message in composed:
        where = str(next_eml_path(base.out, case.municipality)) if base.medium == EML else str(message["To"])
        delivered.append(Delivery(case=case, message=message, where=where, done=False))
    return _with(base, delivered=tuple(delivered))


def _write_files(base: RemindResult, composed: list[tuple[ReminderCase, EmailMessage]], keep: _Keeper) -> RemindResult:
    """Write one .eml file per reminder, each recorded as written; a store that fails stops the rest."""
    delivered: list[Delivery] = []
    try:
        for case, message in composed:
            where = str(write_eml(message, base.out, case.municipality))
            delivered.append(Delivery(case=case, message=message, where=where, done=True))
            keep(delivered[-1], WRITTEN)
    except EnvironmentFailure as failure:
        return _with(base, delivered=tuple(delivered), failure=failure)
    return _with(base, delivered=tuple(delivered))


def _send(
    base: RemindResult, composed: list[tuple[ReminderCase, EmailMessage]], outbox: SmtpOutbox, keep: _Keeper
) -> RemindResult:
    """Send over one connection, each reminder recorded as sent; a refused recipient skips that reminder, a
    failing server (or state store) stops the rest."""
    delivered: list[Delivery] = []
    refused: list[tuple[ReminderCase, str]] = []
    if not composed:
        return base
    try:
        with outbox:
            for case, message in composed:
                reason = outbox.send(message)
                if reason is None:
                    delivered.append(Delivery(case=case, message=message, where=str(message["To"]), done=True))
                    keep(delivered[-1], SENT)
                else:
                    refused.append((case, reason))
    except EnvironmentFailure as failure:
        return _with(base, delivered=tuple(delivered), refused=tuple(refused), failure=failure)
    return _with(base, delivered=tuple(delivered), refused=tuple(refused))


def _with(base: RemindResult, **changes: object) -> RemindResult:
    return replace(base, **changes)
