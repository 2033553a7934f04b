"""Where reminders go: .eml files in a folder, or the district's mail server over STARTTLS. Adapters only.

An .eml file is a draft district staff open in their own mail program (Outlook opens it as unsent, thanks to
`X-Unsent: 1`) and send from their own mailbox; a file written earlier is never overwritten, a later reminder
for the same municipality gets a counter. The SMTP path speaks to the district's server with smtplib: STARTTLS
before anything else (certificates checked against the system's authorities and, optionally, the district's own
CA), a login only over the encrypted connection, one connection for all reminders of a run.

Every way the server can fail becomes an EnvironmentFailure with a German message naming the server and the
reason; a server that refuses one recipient refuses only that reminder.
"""

from __future__ import annotations

import copy
import email.policy
import itertools
import smtplib
import socket
import ssl
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from pakt.schemas import (
    ConfigError,
    EnvironmentFailure,
    MailSettings,
    Municipality,
    describe_os_error,
    file_name_part,
    format_decimal,
)

EML_SUFFIX = ".eml"
_ADVICE = "Bitte den Abschnitt [mail] in pakt.toml und das Netzwerk prüfen."


def eml_name(municipality: Municipality, counter: int = 1) -> str:
    """'08327006_Baerenthal_Erinnerung.eml', then '…_Erinnerung_2.eml': every file share accepts the name."""
    suffix = "" if counter == 1 else f"_{counter}"
    return f"{municipality.ags}_{file_name_part(municipality.name)}_Erinnerung{suffix}{EML_SUFFIX}"


def next_eml_path(folder: Path, municipality: Municipality) -> Path:
    """The name the next reminder file for a municipality gets (what a dry run reports)."""
    return next(
        path
        for path in (folder / eml_name(municipality, n) for n in itertools.count(1))
        if not path.exists() and not path.is_symlink()
    )


def write_eml(message: EmailMessage, folder: Path, municipality: Municipality) -> Path:
    """Write the reminder as an unsent draft; returns its path. Exclusive creation: nothing is ever overwritten,
    not even by a second `pakt remind` running at the same moment."""
    draft = copy.copy(message)
    draft["X-Unsent"] = "1"
    data = draft.as_bytes(policy=email.policy.SMTP)  # CRLF, as mail programs expect of an .eml file
    folder.mkdir(parents=True, exist_ok=True)
    for counter in itertools.count(1):
        path = folder / eml_name(municipality, counter)
        try:
            handle = path.open("xb")
        except FileExistsError:
            continue
        try:
            with handle:
                handle.write(data)
        except OSError:
            path.unlink(missing_ok=True)  # no half a reminder left behind for staff to send
            raise
        return path
    raise AssertionError("unreachable")


class NoStartTls(smtplib.SMTPException):
    """The server does not offer STARTTLS: we do not send in the clear."""


def _server_text(error: smtplib.SMTPResponseException) -> str:
    text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
    return f"{error.smtp_code} {' '.join(text.split())}".strip()


def _reason(error: BaseException, settings: MailSettings) -> str:
    """Why the server could not be used, in German (the server's own reply quoted where it gave one)."""
    if isinstance(error, NoStartTls):
        return "er bietet kein STARTTLS an, und unverschlüsselt wird nicht gesendet"
    if isinstance(error, socket.gaierror):
        return "der Rechnername ist unbekannt"
    if isinstance(error, TimeoutError | socket.timeout):
        seconds = format_decimal(Decimal(str(settings.timeout_s)).normalize())
        return f"keine Antwort innerhalb von {seconds} {'Sekunde' if settings.timeout_s == 1 else 'Sekunden'}"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"sein Zertifikat wird nicht anerkannt ({error.verify_message}); ein eigenes Zertifikat der Verwaltung "
            "bitte als ca_file angeben"
        )
    if isinstance(error, ssl.SSLError):
        return f"die verschlüsselte Verbindung kam nicht zustande ({error.reason or error})"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"die Anmeldung als {settings.username} wurde abgelehnt (Antwort: {_server_text(error)})"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"der Absender {settings.sender} wurde abgelehnt (Antwort: {_server_text(error)})"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if isinstance(error.__context__, OSError):  # smtplib says "disconnected" for a timeout or a reset, too
            return _reason(error.__context__, settings)
        return "der Server hat die Verbindung getrennt"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"Antwort des Servers: {_server_text(error)}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "der Server bietet keine Anmeldung (AUTH) an"
    if isinstance(error, OSError):
        return describe_os_error(error)
    return f"SMTP-Fehler ({type(error).__name__})"


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Certificates checked against the system's authorities and, when given, the district's own CA; checked
    before the run, so a wrong path is a configuration error and not a server that seems to fail."""
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except ssl.SSLError as error:
        what = f"kein lesbares PEM-Zertifikat ({error.reason or error})"
    except OSError as error:
        what = describe_os_error(error)
    raise ConfigError(
        f"Die Zertifikatsdatei {ca_file} (ca_file im Abschnitt [mail]) kann nicht benutzt werden: {what}."
    )


class SmtpOutbox:
    """One connection to the district's mail server for all reminders of a run.

        with SmtpOutbox(settings, tls_context(ca_file), password) as outbox:
            outbox.send(message)

    A failure of the server raises EnvironmentFailure (German, with server and reason); a refused recipient
    returns the reason and the connection goes on with the next reminder.
    """

    def __init__(self, settings: MailSettings, context: ssl.SSLContext, password: str | None) -> None:
        if not settings.smtp_host:
            raise ValueError("no smtp_host")
        self.settings = settings
        self.host = settings.smtp_host
        self.context = context
        self.password = password
        self.smtp: smtplib.SMTP | None = None

    @property
    def server(self) -> str:
        return f"{self.host}:{self.settings.smtp_port}"

    def failure(self, error: BaseException) -> EnvironmentFailure:
        return EnvironmentFailure(
            f"Der Mailserver {self.server} kann nicht benutzt werden: {_reason(error, self.settings)}. {_ADVICE}"
        )

    def __enter__(self) -> SmtpOutbox:
        try:
            self.smtp = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise self.failure(error) from error
        return self

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        smtp = smtplib.SMTP(self.host, settings.smtp_port, timeout=settings.timeout_s)
        try:
            smtp.ehlo()
            if settings.starttls:
                if not smtp.has_extn("starttls"):
                    raise NoStartTls("STARTTLS not offered")
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> str | None:
        """Send one reminder: None when the server took it, else the German reason it refused this one."""
        assert self.smtp is not None, "use SmtpOutbox as a context manager"
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            refused = "; ".join(
                f"{address}: {code} {_decoded(text)}" for address, (code, text) in error.recipients.items()
            )
            return f"der Mailserver {self.server} hat den Empfänger abgelehnt ({refused})"
        except smtplib.SMTPDataError as error:
            return f"der Mailserver {self.server} hat die Nachricht abgelehnt (Antwort: {_server_text(error)})"
        except (OSError, smtplib.SMTPException) as error:
            raise self.failure(error) from error
        return None

    def __exit__(self, *exc: object) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()  # everything is sent; a rude goodbye changes nothing
        self.smtp = None


def _decoded(text: bytes | str) -> str:
    return " ".join((text.decode("utf-8", "replace") if isinstance(text, bytes) else text).split())
