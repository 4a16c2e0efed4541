"""Constants of the night_mode plugin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cordboard.core.keys import DataKey

DOMAIN: Final = "night_mode"
CONF_OFF_CODE: Final = "night_mode_off_code"
DEFAULT_OFF_CODE: Final = "*28"
"""Turns the caller's night mode off until they turn it back on (the override is on)."""
CONF_ON_CODE: Final = "night_mode_on_code"
DEFAULT_ON_CODE: Final = "#28"
"""Turns the caller's night mode back on: it follows their working hours again."""
PROMPT_OFF: Final = "night_mode_off"
PROMPT_ON: Final = "night_mode_on"


@dataclass(frozen=True, slots=True)
class Codes:
    off: str
    on: str

    def match(self, dialled: str) -> bool | None:
        """True for the off code, False for the on code, None for neither.

        A final ``*`` or ``#`` may end a code (FC-17), and ``**`` in place of a leading ``*``
        turns off what ``*`` turns on: ``*28*`` is the off code, ``**28*`` the on code.
        """
        for text in (dialled, dialled[:-1] if dialled[-1:] in ("*", "#") else None):
            if text is None:
                continue
            if text == self.off:
                return True
            if text == self.on or (self.off.startswith("*") and text == "*" + self.off):
                return False
        return None


CODES_KEY: Final[DataKey[Codes]] = DataKey("night_mode.codes")
