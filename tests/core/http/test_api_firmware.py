"""Firmware URLs per phone model (issue 9, "firmware URL optional"): admins only; every bad field is
named; only http and https URLs; the URL reaches the configuration of phones of that vendor and
model only, and none at all without an entry."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from provisioning_phone import MAC, USER_AGENT, VendorPlugin, parse_cfg

from cordboard.core.core import Core

PATH = "/api/provisioning/firmware"
URL = "https://fw.example.lan/cbt/cbt-1-2.0.0.rom"


@pytest.fixture
async def vendor(core: Core) -> None:
    core.plugins.pm.register(VendorPlugin(), name="test_provisioning_vendor")


async def _config(api: TestClient, headers: dict[str, str], mac: str) -> dict[str, str]:
    resp = await api.get("/api/provisioning", headers=headers)
    base = "/" + (await resp.json())["url"].split("/", 3)[3]
    resp = await api.get(f"{base}cbt-{mac}.cfg", headers={"User-Agent": USER_AGENT})
    assert resp.status == 200, await resp.text()
    return parse_cfg(await resp.read())


async def test_only_admins(api: TestClient, user_headers: dict[str, str]) -> None:
    for method in ("GET", "PUT"):
        assert (await api.request(method, PATH, headers=user_headers, json={"entries": []})).status == 403
        assert (await api.request(method, PATH, json={"entries": []})).status == 401


async def test_url_reaches_that_model_only(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None
) -> None:
    for mac, model in ((MAC, "CBT-1"), ("02cb00a1b2c4", "CBT-2"), ("02cb00a1b2c5", "")):
        resp = await api.post("/api/devices", headers=admin_headers, json={"mac": mac, "model": model})
        assert resp.status == 201, await resp.text()
    resp = await api.get(PATH, headers=admin_headers)
    assert await resp.json() == {"entries": [], "vendors": ["cbtest", *_plugin_vendors(core)]}
    assert "firmware" not in await _config(api, admin_headers, MAC)  # unset: no firmware setting

    entry = {"vendor": "CBTest", "model": " cbt-1 ", "url": URL}
    resp = await api.put(PATH, headers=admin_headers, json={"entries": [entry]})
    body = await resp.json()
    assert resp.status == 200, body
    assert body["entries"] == [{"vendor": "cbtest", "model": "cbt-1", "url": URL}]
    assert (await (await api.get(PATH, headers=admin_headers)).json())["entries"] == body["entries"]

    assert (await _config(api, admin_headers, MAC))["firmware"] == URL  # the model, any case
    assert "firmware" not in await _config(api, admin_headers, "02cb00a1b2c4")  # another model
    assert "firmware" not in await _config(api, admin_headers, "02cb00a1b2c5")  # no model known

    # An entry for another vendor's model of the same name does not reach this vendor's phones.
    other = {"vendor": "snom", "model": "CBT-1", "url": "http://fw.example.lan/snom.bin"}
    resp = await api.put(PATH, headers=admin_headers, json={"entries": [other]})
    assert resp.status == 200, await resp.text()
    assert "firmware" not in await _config(api, admin_headers, MAC)

    # The list survives a restart of the service (it is stored) and an empty list removes it all.
    assert core.provisioning is not None
    core.provisioning.firmware._entries = None
    assert [e.vendor for e in await core.provisioning.firmware.entries()] == ["snom"]
    resp = await api.put(PATH, headers=admin_headers, json={"entries": []})
    assert (await resp.json())["entries"] == []


def _plugin_vendors(core: Core) -> list[str]:
    assert core.provisioning is not None
    return sorted(v.vendor for v in core.provisioning.vendors() if v.vendor != "cbtest")


def _entry(**changes: Any) -> dict[str, Any]:
    return {"vendor": "cbtest", "model": "CBT-1", "url": URL, **changes}


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ([_entry(url="ftp://fw.example.lan/x.rom")], ("entries.0.url", "http")),
        ([_entry(url="https:///x.rom")], ("entries.0.url", "host")),
        ([_entry(url="http://a b/x")], ("entries.0.url", "spaces")),
        ([_entry(url="javascript:alert(1)")], ("entries.0.url", "http")),
        ([_entry(model="")], ("entries.0.model", "required")),
        ([_entry(model="x" * 65)], ("entries.0.model", "64")),
        ([_entry(vendor="acme")], ("entries.0.vendor", "no provisioning plugin")),
        ([{"vendor": "cbtest", "url": URL}], ("entries.0.model", "required")),
        ([_entry(x=1)], ("entries.0.x", "unknown field")),
        ([_entry(), _entry(model="cbt-1")], ("entries.1.model", "already")),
        ("nope", ("entries", "expected a list")),
    ],
)
@pytest.mark.usefixtures("vendor")
async def test_bad_fields_are_named(
    api: TestClient, admin_headers: dict[str, str], check_error: Any, entries: Any, error: Any
) -> None:
    """Nothing is stored when a field is bad; the answer names it."""
    field, message = error
    resp = await api.put(PATH, headers=admin_headers, json={"entries": entries})
    fields = (await check_error(resp, 400))["fields"]
    assert message in fields.get(field, ""), fields
    assert (await (await api.get(PATH, headers=admin_headers)).json())["entries"] == []
