"""Free seating / hot desking (PROV-06, PROV-09): phones without a fixed user that users log in on.

An admin puts a phone in free-seating mode: it loses its assigned user and gets a seat SIP account
of its own (seats.py). With nobody seated ("free seat") its configuration carries the seat
account, which may dial only the log-in code; a user who dials it from the phone with their
extension and PIN is seated ("seated"): the phone's configuration carries their account instead,
and the phone is told to fetch it (SIP NOTIFY check-sync). Logging out (from the phone, the user
portal, an admin, the nightly auto-logout, or logging in on another phone) returns it to the seat.

The phone side (the codes, the prompts, the nightly logout) is the ``hot_desk`` plugin; seat
accounts exist for the SIP layer only while it runs (``attach``), since it is what keeps them
from calling anything else. Wrong PINs are throttled per phone and per user (IdentityService.check_pin).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import sqlite_utils

from cordboard.core.bus import Event
from cordboard.core.exceptions import ConfigValidationError, TooManyAttempts
from cordboard.core.provisioning import devices as db_devices
from cordboard.core.provisioning import seats
from cordboard.core.provisioning.devices import Device
from cordboard.core.provisioning.vendor import LineAccount

if TYPE_CHECKING:
    from cordboard.core.core import Core
    from cordboard.core.provisioning.service import ProvisioningService

_LOGGER = logging.getLogger(__name__)

LoginResult = Literal["ok", "wrong", "blocked", "not_free_seat"]


@dataclass(frozen=True, slots=True)
class Login:
    """A checked log-in: ``ok`` with the phone and the user to seat there (``seat``), else why not."""

    result: LoginResult
    device: Device | None = None
    user_id: int | None = None


class HotDesk:
    """The free-seating side of provisioning; the ProvisioningService owns one (``hot_desk``)."""

    def __init__(self, core: Core, service: ProvisioningService) -> None:
        self._core = core
        self._service = service
        self.active = False
        """The hot_desk plugin runs: seat accounts can register and free-seat phones get them."""
        self._unlisten: Callable[[], None] | None = None

    # -- the plugin switches seat accounts on and off ---------------------------------------------
    async def attach(self) -> None:
        """Seat accounts join the SIP accounts (the hot_desk plugin's lifespan calls this)."""
        from cordboard.core.provisioning.service import EVENT_DEVICE_REMOVED

        sip = self._core.sip
        self.active = True
        if self._unlisten is None:  # a deleted phone's seat account goes with it
            self._unlisten = self._core.bus.listen(EVENT_DEVICE_REMOVED, self._device_removed)
        if sip is not None and seats.sip_accounts not in sip.accounts.sources:
            sip.accounts.sources.append(seats.sip_accounts)
            await sip.accounts.reload()

    async def detach(self) -> None:
        sip = self._core.sip
        self.active = False
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if sip is not None and seats.sip_accounts in sip.accounts.sources:
            sip.accounts.sources.remove(seats.sip_accounts)
            await sip.accounts.reload()

    async def _device_removed(self, event: Event[Any]) -> None:
        await self._reload_accounts()

    async def _reload_accounts(self) -> None:
        if self.active and self._core.sip is not None:
            await self._core.sip.accounts.reload()

    # -- admin --------------------------------------------------------------------------------------
    async def set_free_seat(self, mac: str, on: bool) -> Device:
        """Free seating on or off for a phone: its assigned (or seated) user leaves it; on, it gets its
        seat account. The phone is told to fetch its new configuration."""
        before = await self._service.get_device(mac)
        fernet = await self._service.fernet()

        def change(db: sqlite_utils.Database) -> None:
            seats.set_free_seat(db, mac, on)
            if on:
                seats.create_seat(db, fernet, mac)
            else:
                seats.delete_seat(db, mac)

        await self._core.db.call(change)
        await self._reload_accounts()
        _LOGGER.info("Phone %s: free seating %s", mac, "on" if on else "off")
        return await self._changed(before)

    # -- seating ------------------------------------------------------------------------------------
    async def device_of_seat(self, sip_id: int) -> Device | None:
        """The free-seat phone whose seat account has the SIP id ``sip_id``."""
        seat = await self._core.db.call(lambda db: seats.seat_by_sip_id(db, sip_id))
        if seat is None:
            return None
        device = await self._core.db.call(lambda db: db_devices.find_device(db, seat.mac))
        return device if device is not None and device.free_seat else None

    async def check_login(self, sip_id: int, extension: str, pin: str) -> Login:
        """A log-in dialled from the seat account ``sip_id`` with ``extension`` and ``pin``: ``ok``
        unless the PIN is wrong or log-ins from that phone (or as that user) are blocked. The caller
        seats the user (``seat``) once the call is over, so that the phone resyncs when idle."""
        device = await self.device_of_seat(sip_id)
        if device is None:
            return Login("not_free_seat")
        account = self._core.sip.accounts.by_extension(extension) if self._core.sip is not None else None
        user_id = None
        if account is not None and account.user_id > 0 and not account.locked:
            user_id = account.user_id
        try:
            ok = await self._core.identity.check_pin(user_id, pin, also=(f"phone:{device.mac}",))
        except TooManyAttempts:
            _LOGGER.info("Hot desk: log-in as %s on phone %s refused: blocked", extension, device.mac)
            return Login("blocked", device)
        if not ok or user_id is None:
            _LOGGER.info("Hot desk: failed log-in as %s on phone %s", extension or "-", device.mac)
            return Login("wrong", device)
        return Login("ok", device, user_id)

    async def seat(self, mac: str, user_id: int) -> Device:
        """``user_id`` sits at the free-seat phone ``mac``, leaving any other seat."""
        before = await self._service.get_device(mac)
        if not before.free_seat:
            raise ConfigValidationError(
                "Not a free-seat phone", {"mac": "free seating is off for this phone"}
            )
        await self._service._ensure_password(user_id)
        left = await self.seat_of(user_id)
        await self._core.db.call(lambda db: seats.set_seated(db, mac, user_id))
        if left is not None and left.mac != mac:
            _LOGGER.info("Hot desk: user %d left phone %s (logged in on %s)", user_id, left.mac, mac)
            await self._changed(left)
        _LOGGER.info("Hot desk: user %d logged in on phone %s", user_id, mac)
        return await self._changed(before)

    async def logout(self, mac: str, reason: str) -> Device:
        """Nobody sits at the free-seat phone ``mac`` any more (no change when nobody did)."""
        before = await self._service.get_device(mac)
        if not before.free_seat or before.user_id is None:
            return before
        await self._core.db.call(lambda db: seats.set_seated(db, mac, None))
        _LOGGER.info("Hot desk: user %d logged out of phone %s (%s)", before.user_id, mac, reason)
        return await self._changed(before)

    async def logout_user(self, user_id: int, reason: str) -> Device | None:
        """Log the user out of the phone they sit at; the phone, or None when they sat nowhere."""
        seat = await self.seat_of(user_id)
        return None if seat is None else await self.logout(seat.mac, reason)

    async def logout_all(self, reason: str) -> int:
        """Free every seated phone (the nightly auto-logout); how many were freed."""
        seated = [d for d in await self._service.list_devices() if d.free_seat and d.user_id is not None]
        for device in seated:
            await self.logout(device.mac, reason)
        return len(seated)

    async def seat_of(self, user_id: int) -> Device | None:
        """The free-seat phone the user sits at, if any."""
        devices = await self._core.db.call(lambda db: db_devices.devices_of_user(db, user_id))
        return next((d for d in devices if d.free_seat), None)

    # -- configuration ------------------------------------------------------------------------------
    async def seat_account(self, mac: str) -> LineAccount | None:
        """The seat account for the configuration of free-seat phone ``mac`` with nobody seated."""
        if not self.active:
            return None
        fernet = await self._service.fernet()
        seat = await self._core.db.call(lambda db: seats.find_seat(db, mac))
        password = await self._core.db.call(lambda db: seats.password(db, fernet, mac))
        if seat is None or password is None:
            return None
        registrar, port = self._service.registrar()
        return LineAccount(
            line=1,
            username=seat.username,
            password=password,
            display_name=seats.DISPLAY_NAME,
            extension=None,
            registrar=registrar,
            port=port,
            transport="udp",
        )

    async def _changed(self, before: Device) -> Device:
        """Publish the phone's new state and make it fetch its configuration (reaching it through
        the account it is registered with now, the one from ``before``)."""
        from cordboard.core.provisioning.service import EVENT_DEVICE_UPDATED

        after = await self._service.get_device(before.mac)
        self._core.bus.fire(
            EVENT_DEVICE_UPDATED, {"mac": after.mac, "user_id": after.user_id, "state": after.state}
        )
        self._service._publish(after)
        self._service.resync(before)
        return after
