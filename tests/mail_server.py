"""A real SMTP server on loopback for the notify tests (aiosmtpd in its own thread): it keeps every
message it accepts, can offer STARTTLS or TLS with a self-signed certificate, and can demand a
login (AUTH PLAIN / LOGIN, only over TLS)."""

from __future__ import annotations

import asyncio
import datetime
import email
import email.policy
import ipaddress
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USERNAME = "pbx@example.com"
PASSWORD = "relay-password-1"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by itself: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class Inbox:
    """aiosmtpd's handler: keeps what it accepts; refuses recipients in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    """(mechanism, user name) of each successful AUTH."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message, login))
        return "250 Message accepted for delivery"

    def authenticator(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USERNAME
            and auth_data.password.decode() == PASSWORD
        )
        if ok:
            self.logins.append((mechanism, auth_data.login.decode()))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def wait_for(self, count: int = 1, seconds: float = 15.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the SMTP server got {len(self.received)} message(s), not {count}")
            await asyncio.sleep(0.05)
        return self.received


class MailServer:
    """``await MailServer(port).start()``; ``security`` as in the notify settings."""

    def __init__(
        self,
        port: int,
        *,
        security: str = "none",
        cert: tuple[Path, Path] | None = None,
        login: bool = False,
        exclude_mechanisms: tuple[str, ...] = (),
    ) -> None:
        self.port = port
        self.inbox = Inbox()
        kwargs: dict[str, Any] = {}
        if security != "none":
            assert cert is not None
            context = server_tls(*cert)
            kwargs["ssl_context" if security == "tls" else "tls_context"] = context
            if security == "starttls":
                kwargs["require_starttls"] = True
        if login:
            kwargs.update(
                authenticator=self.inbox.authenticator,
                auth_required=True,
                # aiosmtpd counts only STARTTLS as TLS; implicit TLS is TLS from the first byte
                auth_require_tls=security == "starttls",
                auth_exclude_mechanism=list(exclude_mechanisms),
            )
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=port, **kwargs)

    async def start(self) -> MailServer:
        await asyncio.to_thread(self._controller.start)
        return self

    async def stop(self) -> None:
        await asyncio.to_thread(self._controller.stop)
