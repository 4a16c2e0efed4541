"""What the e-mail queue and the SMS queue do alike: one background task waits for the queued row
whose attempt comes first and hands it over; a failure is tried again with backoff
(``RetryPolicy``) until it is permanent or the give-up time has passed, then the row is marked
failed with the reason. Each kind says how a record goes out (``_hand_over``) and what is kept of
a delivery (``_mark_sent``, ``_log_sent``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, TypeVar

import sqlite_utils

from cordboard.core.core import Core
from cordboard.core.event_loop import cancel_and_wait
from cordboard.plugins.notify import const
from cordboard.plugins.notify.storage import QueueTable

_LOOP_ERROR_PAUSE_S = 5.0


class DeliveryError(Exception):
    """A delivery that did not happen; ``reason`` in words for a person, ``permanent`` says that
    trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class QueuedRecord(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def created(self) -> float: ...
    @property
    def attempts(self) -> int: ...
    @property
    def next_attempt(self) -> float: ...


RecordT = TypeVar("RecordT", bound=QueuedRecord)
ReceiptT = TypeVar("ReceiptT")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    delays: tuple[float, ...]
    """The wait after the first, second, … failed attempt; the last one repeats."""
    give_up_after: float
    """Seconds from queueing after which a failure is final."""

    def next_attempt(self, created: float, attempts: int, now: float) -> float | None:
        """When to try again after ``attempts`` failed attempts, or None to give up; never past the
        give-up time, so that the last attempt comes at it."""
        deadline = created + self.give_up_after
        if now >= deadline:
            return None
        delay = self.delays[min(attempts, len(self.delays)) - 1] if self.delays else 0.0
        return min(now + delay, deadline)


class DeliveryQueue(ABC, Generic[RecordT, ReceiptT]):
    """A delivery queue on ``table``; ``retry_delays`` and ``give_up_after`` default to the module
    constants (tests shorten them)."""

    _logger: ClassVar[logging.Logger]
    _task_name: ClassVar[str]
    """The background task's name, also the queue's in the log: "notify mail queue"."""
    _item: ClassVar[str]
    """One record in the log: "E-mail"."""
    _items: ClassVar[str]
    """Records in the log: "e-mail(s)"."""

    def __init__(
        self,
        core: Core,
        table: QueueTable[RecordT],
        *,
        retry_delays: Sequence[float] | None = None,
        give_up_after: float | None = None,
    ) -> None:
        self._core = core
        self._table = table
        self._retry = RetryPolicy(
            delays=tuple(retry_delays if retry_delays is not None else const.RETRY_DELAYS),
            give_up_after=give_up_after if give_up_after is not None else const.GIVE_UP_AFTER_S,
        )
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- what each kind does ------------------------------------------------------------------
    @abstractmethod
    async def _hand_over(self, record: RecordT) -> ReceiptT:
        """Deliver the record; raises DeliveryError with the reason."""

    @abstractmethod
    def _mark_sent(
        self, db: sqlite_utils.Database, record: RecordT, attempts: int, receipt: ReceiptT, now: float
    ) -> None: ...

    @abstractmethod
    def _log_sent(self, record: RecordT, attempts: int, receipt: ReceiptT) -> None: ...

    async def _finished(self, record: RecordT) -> None:
        """Called once the record is sent or has failed for good."""

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Try every queued record again now (the settings may have been fixed), then run the queue."""
        now = time.time()
        await self._core.db.call(
            lambda db: self._table.delete_finished_before(db, now - const.KEEP_FINISHED_S)
        )
        waiting = await self._core.db.call(lambda db: self._table.all_due_now(db, now))
        if waiting:
            self._logger.info("%d queued %s are tried again", waiting, self._items)
        self._task = self._core.create_task(self._run(), self._task_name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)

    # -- reading the queue --------------------------------------------------------------------
    async def status(self, record_id: int) -> RecordT | None:
        """The record as it stands (``status`` queued, sent or failed, ``attempts``,
        ``last_error``), or None for an id never given or long since removed."""
        return await self._core.db.call(lambda db: self._table.get(db, record_id))

    async def recent(self, limit: int = const.QUEUE_LIST_LIMIT) -> list[RecordT]:
        """The newest records first."""
        return await self._core.db.call(lambda db: self._table.recent(db, limit))

    # -- the queue ----------------------------------------------------------------------------
    def _queued(self) -> None:
        """A new record is in the table: look again at which one comes first."""
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                self._wake.clear()
                record = await self._core.db.call(self._table.next_due)
                if record is None:
                    await self._wake.wait()
                    continue
                delay = record.next_attempt - time.time()
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(delay):
                            await self._wake.wait()
                    continue
                await self._attempt(record)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._logger.exception(
                    "The %s failed; it goes on in %s s", self._task_name, _LOOP_ERROR_PAUSE_S
                )
                await asyncio.sleep(_LOOP_ERROR_PAUSE_S)

    async def _attempt(self, record: RecordT) -> None:
        attempts = record.attempts + 1
        try:
            receipt = await self._hand_over(record)
        except DeliveryError as err:
            await self._failed(record, attempts, err)
            return
        except Exception as err:  # a bug must not stop the queue: the record waits like any failure
            self._logger.exception("%s %d could not be sent", self._item, record.id)
            await self._failed(record, attempts, DeliveryError(f"{type(err).__name__}: {err}"))
            return
        now = time.time()
        await self._core.db.call(lambda db: self._mark_sent(db, record, attempts, receipt, now))
        await self._finished(record)
        self._log_sent(record, attempts, receipt)

    async def _failed(self, record: RecordT, attempts: int, err: DeliveryError) -> None:
        now = time.time()
        next_attempt = None if err.permanent else self._retry.next_attempt(record.created, attempts, now)
        if next_attempt is None:
            await self._core.db.call(
                lambda db: self._table.mark_failed(db, record.id, attempts, err.reason, now)
            )
            await self._finished(record)
            self._logger.error(
                "%s %d failed after %d attempt(s): %s", self._item, record.id, attempts, err.reason
            )
            return
        await self._core.db.call(
            lambda db: self._table.mark_retry(
                db, record.id, attempts=attempts, error=err.reason, next_attempt=next_attempt, now=now
            )
        )
        self._logger.warning(
            "%s %d not sent (attempt %d), next try in %.0f s: %s",
            self._item,
            record.id,
            attempts,
            next_attempt - now,
            err.reason,
        )
