"""One e-mail to the SMTP relay (aiosmtplib): the settings, the MIME message, and the reason a
delivery failed in words an admin can act on (wrong password, connection refused, TLS failure)."""

from __future__ import annotations

import email.utils
import mimetypes
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from cordboard.plugins.notify.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SECURITY,
    CONF_SENDER,
    CONF_SENDER_NAME,
    CONF_USERNAME,
    DEFAULT_PORT,
    DEFAULT_SECURITY,
    SECURITY_STARTTLS,
    SECURITY_TLS,
)
from cordboard.plugins.notify.delivery import DeliveryError


class MailError(DeliveryError):
    """A delivery that did not happen; ``str()`` is the reason for a person, ``permanent`` says
    that trying again cannot help (the server refused every recipient or the message itself)."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    sender_name: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        return cls(
            host=str(config.get(CONF_HOST) or "").strip(),
            port=int(config.get(CONF_PORT) or DEFAULT_PORT),
            security=str(config.get(CONF_SECURITY) or DEFAULT_SECURITY),
            username=str(config.get(CONF_USERNAME) or "").strip(),
            password=str(config.get(CONF_PASSWORD) or ""),
            sender=str(config.get(CONF_SENDER) or "").strip(),
            sender_name=str(config.get(CONF_SENDER_NAME) or "").strip(),
        )

    def missing(self) -> str | None:
        """Why nothing can be sent with these settings, or None."""
        if not self.host:
            return "No SMTP server is set: enter its host in the settings of the notify plugin"
        if not self.sender:
            return "No sender address is set: enter it in the settings of the notify plugin"
        return None

    @property
    def where(self) -> str:
        return f"{self.host} port {self.port}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach: its bytes, the name the recipient sees, its MIME type."""

    filename: str
    data: bytes
    content_type: str = ""

    @property
    def mime_type(self) -> str:
        if self.content_type and "/" in self.content_type:
            return self.content_type
        guessed, _ = mimetypes.guess_type(self.filename)
        return guessed or "application/octet-stream"


def build_message(
    settings: SmtpSettings,
    *,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    language: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email.utils.formataddr((settings.sender_name, settings.sender))
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    domain = settings.sender.rpartition("@")[2] or None
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    if language:  # after the parts: set_content and add_attachment move Content-* headers
        message["Content-Language"] = language
    return message


async def deliver(settings: SmtpSettings, message: EmailMessage, *, step_timeout_s: float) -> str | None:
    """Hand ``message`` to the relay; returns a note about recipients the server refused while it
    took the others (None when it took all). Each SMTP step may take ``step_timeout_s``. Raises
    MailError with the reason."""
    missing = settings.missing()
    if missing is not None:
        raise MailError(missing)
    try:
        refused, _ = await aiosmtplib.send(
            message,
            hostname=settings.host,
            port=settings.port,
            username=settings.username or None,
            password=(settings.password or None) if settings.username else None,
            use_tls=settings.security == SECURITY_TLS,
            start_tls=settings.security == SECURITY_STARTTLS,
            timeout=step_timeout_s,
        )
    except Exception as err:
        raise MailError(reason(settings, err), permanent=_permanent(err)) from err
    if refused:
        return "; ".join(f"{rcpt} refused: {resp.code} {resp.message}" for rcpt, resp in refused.items())
    return None


def _permanent(err: BaseException) -> bool:
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        return all(r.code >= 500 for r in err.recipients)
    return isinstance(err, aiosmtplib.SMTPDataError) and err.code >= 500


def _chain(err: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = err
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def reason(settings: SmtpSettings, err: BaseException) -> str:
    """The failure ``err`` as one sentence that names the server and what to check."""
    where = settings.where
    chain = _chain(err)
    tls = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
    if isinstance(tls, ssl.SSLCertVerificationError):
        return (
            f"TLS failed with {where}: the server's certificate is not trusted "
            f"({tls.verify_message or tls.reason})"
        )
    if tls is not None:
        hint = (
            " (is the security setting right for this port?)" if tls.reason == "WRONG_VERSION_NUMBER" else ""
        )
        return f"TLS failed with {where}: {tls.reason or tls}{hint}"
    if isinstance(err, aiosmtplib.SMTPAuthenticationError):
        return f"{where} refused the user name or password: {err.code} {err.message}"
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in err.recipients)
        return f"{where} refused the recipient: {refused}"
    if isinstance(err, aiosmtplib.SMTPSenderRefused):
        return f"{where} refused the sender address {err.sender}: {err.code} {err.message}"
    if isinstance(err, aiosmtplib.SMTPConnectTimeoutError):
        return f"Cannot connect to {where}: no answer in time"
    if isinstance(err, aiosmtplib.SMTPTimeoutError):
        return f"{where} stopped answering: {err.message}"
    if isinstance(err, aiosmtplib.SMTPConnectResponseError):
        return f"{where} refused the connection: {err.code} {err.message}"
    if isinstance(err, aiosmtplib.SMTPConnectError):
        if any(isinstance(e, ConnectionRefusedError) for e in chain):
            return f"Cannot connect to {where}: connection refused (is the host and port right?)"
        return f"Cannot connect to {where}: {err.message}"
    if isinstance(err, aiosmtplib.SMTPNotSupported):
        if settings.security == SECURITY_STARTTLS and "STARTTLS" in err.message.upper():
            return f"{where} does not offer STARTTLS: {err.message}"
        return f"{where} does not support what was asked: {err.message}"
    if isinstance(err, aiosmtplib.SMTPServerDisconnected):
        return f"{where} closed the connection: {err.message}"
    if isinstance(err, aiosmtplib.SMTPResponseException):
        return f"{where} answered {err.code} {err.message}"
    if isinstance(err, aiosmtplib.SMTPException):
        return f"Sending through {where} failed: {err.message}"
    if isinstance(err, OSError):
        return f"Cannot connect to {where}: {err.strerror or err}"
    return f"Sending through {where} failed: {type(err).__name__}: {err}"
