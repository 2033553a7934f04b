"""`pakt remind`'s work: sync, find who needs a reminder, and write or send one German mail per municipality.

    remind(registry, RemindOptions(...)) -> RemindResult

A sync runs first, so the reminders reflect the files as they are now (a clerk who fixed her workbook an hour
ago gets no reminder). Without `[mail] smtp_host` the reminders are written as .eml files into a folder; with
it they are sent through the district's server. A dry run composes and reports everything and neither writes
nor sends a mail (the sync itself still runs and writes the master, as `pakt sync` would).

Exit codes (docs/betrieb.md, Exit-Codes):

    0  every reminder written or sent, or nobody needs one
    1  some municipality got no reminder: no address known, or the server refused its recipient; the others
       were written or sent
    2  the configuration cannot be used (pakt.toml, the password's environment variable)
    7  the mail server cannot be used (unreachable, no STARTTLS, certificate or login refused); what was sent
       before is reported
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from pakt.schemas import ConfigError, EnvironmentFailure, PaktError, Registry, Submission, counted, format_date

from ..files._paths import master_path, state_path
from ..run._run import SyncOptions, SyncResult, run_sync
from ..store._store import StateStore
from ._mail_out import SmtpOutbox, next_eml_path, tls_context, write_eml
from ._reminder_text import compose_reminder
from ._reminders import ReminderCase, reminder_cases

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

    @property
    def unaddressed(self) -> tuple[ReminderCase, ...]:
        return tuple(case for case in self.cases if case.recipient is None)

    @property
    def exit_code(self) -> int:
        if self.failure is not None:
            return self.failure.exit_code
        if self.unaddressed or self.refused:
            return EXIT_UNADDRESSED
        return self.sync.exit_code

    def lines(self) -> list[str]:
        """The German report: one line per municipality, then a summary; a dry run shows each mail in full."""
        lines = [f"Warnung beim Abgleich: {failure.message}" for failure in self.sync.failures]
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
        lines.append(self._summary())
        return lines

    def _summary(self) -> str:
        if not self.cases:
            return self.not_needed or "Keine Gemeinde braucht eine Erinnerung."
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
        left = len(self.cases) - len(self.unaddressed) - len(self.delivered) - len(self.refused)
        if self.failure is not None and left:
            extra.append(f"{counted(left, 'Erinnerung', 'Erinnerungen')} wegen des Fehlers nicht versandt")
        return f"{what}; {', '.join(extra)}." if extra else f"{what}."


def _shown(message: EmailMessage, where: str, medium: str) -> list[str]:
    """A composed mail as the dry run shows it: headers, then the text, indented."""
    target = f"Datei: {where}" if medium == EML else f"An: {where}"
    text = message.get_content().rstrip("\n").splitlines()
    return [f"    {target}", f"    Betreff: {message['Subject']}", *(f"    | {line}".rstrip() for line in text), ""]


class _EarlierSubmissions:
    """The newest valid submission of any round, from the state store, opened only when a case needs it."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.store: StateStore | None = None

    def __call__(self, ags: str) -> tuple[Submission, date] | None:
        if self.store is None:
            self.store = StateStore(self.state)
        version = self.store.latest_valid_any_round(ags)
        submission = version.submission() if version else None
        return (submission, version.seen_at.date()) if submission and version else None

    def __enter__(self) -> _EarlierSubmissions:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.store is not None:
            self.store.close()


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
    with _EarlierSubmissions(state_path(registry, master_path(registry, options.master))) as earlier:
        cases = reminder_cases(sync.view, today, earlier, options.ags)
    base = RemindResult(
        sync=sync,
        medium=medium,
        out=options.out,
        server=f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else None,
        dry_run=options.dry_run,
        cases=tuple(cases),
        not_needed=_not_needed(sync, options.ags),
    )
    now = options.now()
    composed = [(case, compose_reminder(case, registry, today, now)) for case in cases if case.recipient is not None]
    if options.dry_run:
        return _dry_run(base, composed)
    if medium == EML:
        return _write_files(base, composed)
    assert context is not None
    return _send(base, composed, SmtpOutbox(settings, context, password))


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


def _write_files(base: RemindResult, composed: list[tuple[ReminderCase, EmailMessage]]) -> RemindResult:
    delivered = tuple(
        Delivery(case=case, message=message, where=str(write_eml(message, base.out, case.municipality)), done=True)
        for case, message in composed
    )
    return _with(base, delivered=delivered)


def _send(base: RemindResult, composed: list[tuple[ReminderCase, EmailMessage]], outbox: SmtpOutbox) -> RemindResult:
    """Send over one connection; a refused recipient skips that reminder, a failing server stops the rest."""
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
                else:
                    refused.append((case, reason))
    except EnvironmentFailure as failure:
        return _with(base, delivered=tuple(delivered), refused=tuple(refused), failure=failure)
    return _with(base, delivered=tuple(delivered), refused=tuple(refused))


def _with(base: RemindResult, **changes: object) -> RemindResult:
    return replace(base, **changes)
