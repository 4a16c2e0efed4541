"""Constants of the diagnostics plugin."""

from __future__ import annotations

from typing import Final

from cordboard.core.keys import DataKey

DOMAIN: Final = "diagnostics"
CONF_LINE_TEST_NUMBER: Final = "line_test_number"
DEFAULT_LINE_TEST_NUMBER: Final = "*44"
TEST_TONE_HZ: Final = 1004.0
"""The usual digital milliwatt frequency (ITU-T O.6 tone): not a sub-multiple of 8000 Hz."""
TEST_TONE_DBM0: Final = -10.0
TEST_TONE_MAX_S: Final = 600.0
"""The test tone ends by itself after ten minutes."""
LINE_TEST_KEY: Final[DataKey[str]] = DataKey("diagnostics.line_test_number")

CONF_ECHO_TEST_NUMBER: Final = "echo_test_number"
DEFAULT_ECHO_TEST_NUMBER: Final = "*43"
ECHO_TEST_MAX_S: Final = 600.0
"""The echo test ends by itself after ten minutes (a phone left off-hook)."""

CONF_RECORDED_ECHO_NUMBER: Final = "recorded_echo_number"
DEFAULT_RECORDED_ECHO_NUMBER: Final = "*45"
CONF_RECORDED_ECHO_SECONDS: Final = "recorded_echo_seconds"
DEFAULT_RECORDED_ECHO_SECONDS: Final = 5
MAX_RECORDED_ECHO_SECONDS: Final = 60
RECORDED_ECHO_FOLDER: Final = "diagnostics/recorded-echo"
"""Under the data folder: the last recorded echo test of each caller (``<extension>.wav``)."""
RECORDED_ECHO_KEY: Final[DataKey[tuple[str, int]]] = DataKey("diagnostics.recorded_echo")
"""(number, seconds) of the recorded echo test."""
