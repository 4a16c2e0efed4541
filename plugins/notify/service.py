"""The e-mail service (``core.data[MAIL_KEY]``): ``send`` stores a message (its attachments as
files in the data folder, then its row) and returns its id; one background task hands queued
messages to the SMTP relay, retrying a failure with backoff for up to a day (GIVE_UP_AFTER_S).
Messages still queued when Cordboard stops are sent after the next start."""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import sqlite_utils

from cordboard.core.config import validation as cv
from cordboard.core.core import Core
from cordboard.core.storage.atomic import atomic_write
from cordboard.plugins.notify import const, storage
from cordboard.plugins.notify.delivery import DeliveryQueue
from cordboard.plugins.notify.smtp import Attachment, MailError, SmtpSettings, build_message, deliver
from cordboard.plugins.notify.storage import MailRecord, StoredAttachment

_LOGGER = logging.getLogger(__name__)

AttachmentSource = Attachment | str | os.PathLike[str]
"""An attachment given to ``send``: bytes with a name (``Attachment``) or a file to copy."""


@dataclass(frozen=True, slots=True)
class MailCheck:
    to: str
    server: str


def _recipients(to: str | Sequence[str]) -> tuple[str, ...]:
    found = (to,) if isinstance(to, str) else tuple(to)
    if not found:
        raise ValueError("An e-mail needs at least one recipient")
    checked = []
    for address in found:
        try:
            checked.append(cv.email(address))
        except Exception:
            raise ValueError(f"Not an e-mail address: {address!r}") from None
    return tuple(checked)


def _store_files(folder: Path, sources: Sequence[AttachmentSource], data_dir: Path) -> list[StoredAttachment]:
    """Copy or write each attachment into ``folder`` (atomically); blocking, for the executor."""
    stored: list[StoredAttachment] = []
    for index, source in enumerate(sources, start=1):
        if isinstance(source, Attachment):
            attachment = source
        else:
            path = Path(source)
            attachment = Attachment(filename=path.name, data=path.read_bytes())
        target = folder / f"{index:02d}.bin"
        atomic_write(target, attachment.data, mode=0o600)
        stored.append(
            StoredAttachment(
                filename=attachment.filename,
                content_type=attachment.mime_type,
                file=str(target.relative_to(data_dir)),
                size=len(attachment.data),
            )
        )
    return stored


def _read_files(data_dir: Path, stored: Sequence[StoredAttachment]) -> list[Attachment]:
    return [Attachment(a.filename, (data_dir / a.file).read_bytes(), a.content_type) for a in stored]


class Mailer(DeliveryQueue[MailRecord, str | None]):
    """The SMTP relay with its delivery queue; ``retry_delays`` and ``give_up_after`` default to
    the module constants (tests shorten them)."""

    _logger = _LOGGER
    _task_name = "notify mail queue"
    _item = "E-mail"
    _items = "e-mail(s)"

    def __init__(
        self,
        core: Core,
        settings: SmtpSettings,
        *,
        retry_delays: Sequence[float] | None = None,
        give_up_after: float | None = None,
    ) -> None:
        super().__init__(core, storage.MAIL_QUEUE, retry_delays=retry_delays, give_up_after=give_up_after)
        self.settings = settings
        self._folder = core.data_dir / const.ATTACHMENTS_DIR

    # -- the public API -----------------------------------------------------------------------
    async def send(
        self,
        *,
        to: str | Sequence[str],
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[AttachmentSource] = (),
        language: str | None = None,
    ) -> int:
        """Queue an e-mail and return its id; it is on disk when this returns, and goes out as soon
        as the relay takes it (``status``). Raises ValueError for a bad address, OSError for an
        attachment file that cannot be read."""
        recipients = _recipients(to)
        folder = self._folder / uuid.uuid4().hex
        stored: list[StoredAttachment] = []
        if attachments:
            try:
                stored = await self._core.run_in_executor(
                    _store_files, folder, list(attachments), self._core.data_dir
                )
            except BaseException:
                await self._core.run_in_executor(shutil.rmtree, folder, True)
                raise
        fields = {
            "recipients": recipients,
            "subject": subject,
            "text_body": text,
            "html_body": html,
            "language": language,
            "attachments": stored,
        }
        try:
            message_id = await self._core.db.call(lambda db: storage.insert_message(db, fields, time.time()))
        except BaseException:
            if stored:
                await self._core.run_in_executor(shutil.rmtree, folder, True)
            raise
        _LOGGER.info("E-mail %d to %s queued: %s", message_id, ", ".join(recipients), subject)
        self._queued()
        return message_id

    async def send_test(self, to: str) -> MailCheck:
        """BYD-28: send a test mail at once, past the queue; raises MailError with the reason."""
        (address,) = _recipients(to)
        missing = self.settings.missing()
        if missing is not None:
            raise MailError(missing)
        message = build_message(
            self.settings,
            to=[address],
            subject="Cordboard test mail",
            text=(
                "This is a test mail from Cordboard.\n\n"
                f"It was sent through {self.settings.where} ({self.settings.security}). "
                "E-mail notifications and voice messages will reach their recipients this way.\n"
            ),
        )
        await deliver(self.settings, message, step_timeout_s=const.TEST_TIMEOUT_S)
        _LOGGER.info("Test mail to %s sent through %s", address, self.settings.where)
        return MailCheck(to=address, server=self.settings.where)

    # -- the queue ----------------------------------------------------------------------------
    async def _message(self, record: MailRecord) -> EmailMessage:
        try:
            files = await self._core.run_in_executor(_read_files, self._core.data_dir, record.attachments)
        except OSError as err:
            raise MailError(f"An attachment of the message is missing: {err}", permanent=True) from None
        return build_message(
            self.settings,
            to=record.recipients,
            subject=record.subject,
            text=record.text_body,
            html=record.html_body,
            attachments=files,
            language=record.language,
        )

    async def _hand_over(self, record: MailRecord) -> str | None:
        return await deliver(self.settings, await self._message(record), step_timeout_s=const.SEND_TIMEOUT_S)

    def _mark_sent(
        self, db: sqlite_utils.Database, record: MailRecord, attempts: int, receipt: str | None, now: float
    ) -> None:
        storage.mark_mail_sent(db, record.id, attempts, receipt, now)

    def _log_sent(self, record: MailRecord, attempts: int, receipt: str | None) -> None:
        _LOGGER.info("E-mail %d to %s sent (attempt %d)", record.id, ", ".join(record.recipients), attempts)

    async def _finished(self, record: MailRecord) -> None:
        """The message's attachment files go once it is sent or has failed for good."""
        folders = {(self._core.data_dir / a.file).parent for a in record.attachments}
        for folder in folders:
            if folder.parent == self._folder:  # never anything outside the plugin's own folder
                await self._core.run_in_executor(shutil.rmtree, folder, True)
