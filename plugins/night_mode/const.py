"""Constants of the night_mode plugin."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "night_mode"
CODE_KEY: Final = "night_mode"
DEFAULT_CODE: Final = "28"
"""``*28`` turns the caller's night mode off until ``#28`` turns it back on (FC-08)."""
PROMPT_OFF: Final = "night_mode_off"
PROMPT_ON: Final = "night_mode_on"
