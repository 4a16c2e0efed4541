"""Open extension for provisioning (PROV-12, CAPA-04; Q-11 leaves the term to interpretation).

An admin opens a user's extension for a few minutes: the next unknown phone that fetches its own
configuration file within that window is assigned to the user (line 1), and the window closes.
"Unknown" means not in the device list, or listed (by plug-and-play or zeroconf, which come
first) but never provisioned: no user, not a free seat, no configuration fetched yet. The window
admits the phone even while auto-add is off: opening it is the admin's consent. An expired window
does nothing. One window at a time (opening another replaces it); it lives in memory only, so a
restart closes it. Opening, claiming and expiry are logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import voluptuous as vol

from cordboard.core.provisioning.devices import Device

_LOGGER = logging.getLogger(__name__)

MAX_MINUTES: Final = 240
DEFAULT_MINUTES: Final = 15

OPEN_SCHEMA: Final = vol.Schema(
    {
        vol.Required("user_id"): vol.All(int, vol.Range(min=1, msg="expected a user id")),
        vol.Optional("minutes", default=DEFAULT_MINUTES): vol.All(
            int, vol.Range(min=1, max=MAX_MINUTES, msg=f"1 to {MAX_MINUTES} minutes")
        ),
    },
    extra=vol.PREVENT_EXTRA,
)


@dataclass(frozen=True, slots=True)
class Window:
    user_id: int
    opened: float
    until: float
    """Wall-clock time (``time.time``) the window closes."""

    def as_dict(self, now: float) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "opened": self.opened,
            "until": self.until,
            "seconds_left": max(0, round(self.until - now)),
        }


def unknown(device: Device | None) -> bool:
    """Whether a fetching phone counts as unknown for an open window."""
    return device is None or (device.user_id is None and not device.free_seat and not device.last_fetch)


class OpenExtension:
    """The one open window, if any; ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._window: Window | None = None

    def open(self, user_id: int, minutes: int) -> Window:
        now = self._clock()
        if self._window is not None:
            _LOGGER.info("Open extension: the window for user %d is replaced", self._window.user_id)
        self._window = Window(user_id, now, now + minutes * 60)
        _LOGGER.info(
            "Open extension: the next unknown phone within %d min is given user %d", minutes, user_id
        )
        return self._window

    def close(self) -> None:
        if self._window is not None:
            _LOGGER.info("Open extension: the window for user %d was closed", self._window.user_id)
        self._window = None

    def current(self) -> Window | None:
        """The open window, None when there is none or it expired (which closes it)."""
        window = self._window
        if window is not None and window.until <= self._clock():
            _LOGGER.info("Open extension: the window for user %d expired unused", window.user_id)
            self._window = None
            return None
        return window

    def claim(self, mac: str, ip: str) -> int | None:
        """The user for the unknown phone ``mac`` fetching now (the window closes), or None."""
        window = self.current()
        if window is None:
            return None
        self._window = None
        _LOGGER.info("Open extension: phone %s at %s takes user %d", mac, ip, window.user_id)
        return window.user_id

    def now(self) -> float:
        return self._clock()
