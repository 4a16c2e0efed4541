"""The hot_desk plugin's settings and its nightly auto-logout time (PROV-09)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import voluptuous as vol

from cordboard.core.core import Core
from cordboard.plugins.hot_desk.auto_logout import seconds_until
from cordboard.plugins.hot_desk.schema import CONFIG_SCHEMA


def test_config_schema_defaults_and_refusals() -> None:
    defaults = {"login_code": "*11", "logout_code": "*12", "auto_logout_time": ""}
    assert CONFIG_SCHEMA({}) == defaults
    assert CONFIG_SCHEMA({"auto_logout_time": "03:00"})["auto_logout_time"] == "03:00"
    for field, value in (("login_code", "*1a"), ("auto_logout_time", "25:00"), ("auto_logout_time", "3am")):
        with pytest.raises(vol.MultipleInvalid) as err:
            CONFIG_SCHEMA({field: value})
        assert err.value.path == [field]


def test_auto_logout_is_the_next_wall_clock_time_in_the_zone() -> None:
    now = datetime(2026, 3, 28, 1, 30, tzinfo=UTC)  # 02:30 in Copenhagen (CET)
    assert seconds_until("03:00", "Europe/Copenhagen", now) == 30 * 60
    assert seconds_until("02:00", "Europe/Copenhagen", now) == 23.5 * 3600
    # Across the spring change (29 March): 03:00 CEST the next night is 23.5 - 1 hours away.
    later = datetime(2026, 3, 28, 2, 30, tzinfo=UTC)  # 03:30 CET
    assert seconds_until("03:00", "Europe/Copenhagen", later) == 22.5 * 3600
    assert seconds_until("03:00", "No/Such_Zone", now) == 1.5 * 3600  # UTC


async def test_codes_are_claimed_in_the_number_registry(core: Core) -> None:
    """The log-in and log-out codes are the plugin's numbers (NUM-07): no user can take them."""
    numbers = core.numbers
    assert numbers is not None
    assert numbers.plugin_of("*11") == "hot_desk"
    assert numbers.plugin_of("*12") == "hot_desk"
