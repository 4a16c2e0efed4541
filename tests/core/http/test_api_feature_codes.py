"""FC-15: the admin changes feature codes' digits; clashes with another code or with a number that
a phone would dial the same way are refused by field, and the digits stay across a restart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core
from cordboard.core.features.model import FeatureCode, FeatureRequest
from cordboard.core.features.service import FeatureCodeService
from cordboard.core.plugin_api import hookimpl


async def _nothing(request: FeatureRequest) -> Sequence[str]:
    return []


class CodesPlugin:
    """A plugin with codes of its own."""

    def __init__(self, codes: list[FeatureCode]) -> None:
        self.codes = codes

    @hookimpl
    def cordboard_feature_codes(self, core: Core) -> list[FeatureCode]:
        return self.codes


def _by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in body["codes"]}


async def test_fc_15_admin_changes_a_code_and_users_read_the_list(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    anna = await account("anna")
    status, body = await call(api, "GET", "/api/feature-codes", anna.headers)
    assert status == 200
    forward = _by_key(body)["forward_all"]
    assert forward["feature"] == "FC-09" and forward["code"] == "21"
    assert forward["forms"] == {"on": "*21*NUMBER*", "off": "#21#"}
    assert _by_key(body)["group_login"]["forms"] == {"on": "*11*GROUP*", "off": "**11*GROUP*"}
    assert _by_key(body)["pickup_group"]["forms"] == {"on": "*8*", "off": None}

    path = "/api/feature-codes/forward_all"
    status, changed = await call(api, "PUT", path, admin.headers, {"code": "*22*"})
    assert status == 200 and changed["code"] == "22" and changed["forms"]["on"] == "*22*NUMBER*"
    status, _ = await call(api, "PUT", path, anna.headers, {"code": "25"})
    assert status == 403

    restarted = FeatureCodeService(core)  # what a restart loads
    await restarted.start()
    assert restarted.get("forward_all").digits == "22"
    restarted.stop()
    status, reset = await call(api, "PUT", "/api/feature-codes/forward_all", admin.headers, {"code": None})
    assert status == 200 and reset["code"] == "21"


async def test_fc_15_clashing_or_bad_digits_are_refused_and_nothing_changes(
    core: Core, api: TestClient, account: Any
) -> None:
    admin = await account("root", admin=True)
    path = "/api/feature-codes/forward_all"
    for digits, message in (
        ("23", "it is the code of Set activity (FC-11)"),
        ("2", "start alike"),  # *2* and night mode's *28 start alike
        ("281", "start alike"),  # night mode's *28 has no fields: *28 would be complete first
        ("4", "*43 is a number of the diagnostics plugin (Echo test)"),  # the echo test's number
        ("43", "*43 is a number of the diagnostics plugin"),
        ("2a", "use 1 to 6 digits"),
        ("1234567", "use 1 to 6 digits"),
    ):
        status, error = await call(api, "PUT", path, admin.headers, {"code": digits})
        assert status == 400, (digits, error)
        assert message in error["fields"]["code"], (digits, error)
    status, body = await call(api, "GET", "/api/feature-codes", admin.headers)
    assert _by_key(body)["forward_all"]["code"] == "21"
    status, error = await call(api, "PUT", "/api/feature-codes/nothing", admin.headers, {"code": "77"})
    assert status == 404


async def test_fc_15_a_plugins_code_that_clashes_is_not_registered(core: Core) -> None:
    plugin = CodesPlugin(
        [
            FeatureCode("echo.mine", "44", "Mine", "FC-00", _nothing),
            FeatureCode("echo.clash", "21", "Clash", "FC-00", _nothing),
        ]
    )
    core.plugins.pm.register(plugin, name="codes_double")
    core.features.refresh()
    keys = {c.code.key: c for c in core.features.codes()}
    assert keys["echo.mine"].source == "codes_double" and keys["echo.mine"].digits == "44"
    assert "echo.clash" not in keys and keys["forward_all"].source == "core"
