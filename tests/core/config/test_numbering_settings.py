"""The numbering settings the first-run wizard sets: extension length and the users' extension range."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from cordboard.core.config.settings import CORE_SPECS, SettingsRegistry
from cordboard.core.exceptions import ConfigValidationError

REGISTRY = SettingsRegistry(CORE_SPECS)


def test_defaults_and_org_only() -> None:
    for key, default in (
        ("core.extension_length", 4),
        ("core.extension_range_start", "1000"),
        ("core.extension_range_end", "1999"),
    ):
        spec = REGISTRY.get(key)
        assert spec.default == default
        assert spec.org_only
        with pytest.raises(ConfigValidationError):
            spec.check_scope("group")


@pytest.mark.parametrize("value", [2, 4, 8])
def test_extension_length_accepts_2_to_8(value: int) -> None:
    assert REGISTRY.get("core.extension_length").validate(value) == value


@pytest.mark.parametrize("value", [1, 9, "4", 4.5, True, None])
def test_extension_length_refuses_others(value: object) -> None:
    with pytest.raises(ConfigValidationError) as err:
        REGISTRY.get("core.extension_length").validate(value)
    assert "core.extension_length" in err.value.fields


@pytest.mark.parametrize("key", ["core.extension_range_start", "core.extension_range_end"])
def test_range_ends_are_extensions(key: str) -> None:
    spec = REGISTRY.get(key)
    assert spec.validate(" 2000 ") == "2000"
    for bad in ("1", "12a4", "123456789", ""):
        with pytest.raises(ConfigValidationError):
            spec.validate(bad)


async def test_served_with_form_fields_and_saved_for_the_org(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    specs = {s["key"]: s for s in await (await api.get("/api/settings", headers=admin_headers)).json()}
    length = specs["core.extension_length"]
    assert length["scopes"] == ["org"]
    assert length["validator"] == {"type": "integer", "valueMin": 2, "valueMax": 8}
    assert specs["core.extension_range_start"]["validator"]["format"] == "extension"
    body = {
        "core.extension_length": 3,
        "core.extension_range_start": "200",
        "core.extension_range_end": "299",
    }
    resp = await api.put("/api/settings/org", headers=admin_headers, json=body)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["core.extension_length"] == 3
    resp = await api.put("/api/settings/org", headers=admin_headers, json={"core.extension_length": 12})
    assert resp.status == 400
    assert "core.extension_length" in (await resp.json())["error"]["fields"]
