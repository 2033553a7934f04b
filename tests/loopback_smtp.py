"""A real SMTP server on loopback for the reminder tests: aiosmtpd, STARTTLS required, login required.

The certificate is made here with `cryptography` (self-signed, for 127.0.0.1), so nothing binary is stored;
the district trusts it through `[mail] ca_file`, as a district trusts its own CA.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
USER = "pakt-versand"
PASSWORD = "nur-fuer-den-test"


def free_port() -> int:
    """A port nobody listens on right now (also what an unreachable server looks like)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """cert.pem and key.pem for 127.0.0.1, valid for a day; the certificate is its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mailserver Landkreis (Test)")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mailserver.pem", folder / "mailserver.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class Received:
    """One mail as the server got it: envelope, parsed message, and whether it came encrypted and logged in."""

    sender: str
    recipients: list[str]
    message: EmailMessage
    encrypted: bool
    login: str | None


@dataclass
class Mailbox:
    """What the loopback server received, and where it listens."""

    host: str
    port: int
    certificate: Path
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    """Recipients the server refuses (550), as a real server refuses an unknown mailbox."""

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.recipients]


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.mailbox.refuse:
            return "550 5.1.1 Mailbox unbekannt"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.decode() if session.authenticated and session.auth_data else None
        self.mailbox.received.append(
            Received(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content, policy=policy.default),
                encrypted=session.ssl is not None,
                login=login,
            )
        )
        return "250 2.0.0 Angenommen"


def _authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


@contextlib.contextmanager
def running_mailserver(folder: Path, starttls: bool = True) -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 that accepts mail only after STARTTLS and a login (or, with `starttls=False`, an
    old server that offers neither and takes anything)."""
    cert, key = self_signed_certificate(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox(HOST, free_port(), cert)
    secured = {
        "tls_context": context,
        "require_starttls": True,
        "authenticator": _authenticator,
        "auth_require_tls": True,
        "auth_required": True,
    }
    controller = Controller(_Handler(mailbox), hostname=HOST, port=mailbox.port, **(secured if starttls else {}))
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
