"""Free seating and open extensions over the API (PROV-06, PROV-09, PROV-12, CAPA-04): admins only,
except a user's own seat; the open window assigns the next unknown phone within it, and only it."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from provisioning_phone import MAC, USER_AGENT, VendorPlugin, parse_cfg

from cordboard.core.core import Core
from cordboard.core.provisioning.open_extension import OpenExtension

SIP_PASSWORD = "anna-sip-password-1"
OTHER_MAC = "02cb00d4e5f6"


@pytest.fixture
async def vendor(core: Core) -> None:
    core.plugins.pm.register(VendorPlugin(), name="test_provisioning_vendor")


async def _anna(core: Core) -> int:
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="T", email="a@example.com", extension="1001",
        sip_password=SIP_PASSWORD, pin="2468",
    )  # fmt: skip
    return anna.id


async def _base(api: TestClient, headers: dict[str, str]) -> str:
    resp = await api.get("/api/provisioning", headers=headers)
    return "/" + (await resp.json())["url"].split("/", 3)[3]


async def _fetch(api: TestClient, base: str, mac: str) -> Any:
    return await api.get(f"{base}cbt-{mac}.cfg", headers={"User-Agent": USER_AGENT})


async def test_users_cannot_manage_free_seats_or_windows_prov09_prov12(
    api: TestClient, user_headers: dict[str, str]
) -> None:
    """Roles are enforced by the API: a user may not put phones into free-seat mode, log others
    out or open extensions; their own seat they may read."""
    for method, path, body in [
        ("PUT", f"/api/devices/{MAC}/free-seat", {"enabled": True}),
        ("DELETE", f"/api/devices/{MAC}/seat", None),
        ("GET", "/api/provisioning/open-extension", None),
        ("POST", "/api/provisioning/open-extension", {"user_id": 1, "minutes": 5}),
        ("DELETE", "/api/provisioning/open-extension", None),
    ]:
        resp = await api.request(method, path, headers=user_headers, json=body)
        assert resp.status == 403, (method, path)
    resp = await api.get("/api/me/seat", headers=user_headers)
    assert resp.status == 200
    assert await resp.json() == {"seat": None, "enabled": True}
    assert (await api.delete("/api/me/seat", headers=user_headers)).status == 404
    assert (await api.put(f"/api/devices/{MAC}/free-seat", json={"enabled": True})).status == 401


async def test_free_seat_mode_states_and_assignment_prov06(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None
) -> None:
    """PROV-06: assigned -> free seat (the user leaves, the seat account is served, never shown in
    the API) -> seated (login) -> not provisioned (free seating off); a free seat takes no fixed user."""
    anna = await _anna(core)
    resp = await api.post("/api/devices", headers=admin_headers, json={"mac": MAC, "user_id": anna})
    assert (await resp.json())["state"] == "assigned"
    resp = await api.put(f"/api/devices/{MAC}/free-seat", headers=admin_headers, json={"enabled": True})
    body = await resp.json()
    assert resp.status == 200, body
    assert (body["state"], body["user"], body["free_seat"]) == ("free_seat", None, True)
    base = await _base(api, admin_headers)
    values = parse_cfg(await (await _fetch(api, base, MAC)).read())
    assert values["line1.username"] == f"0seat{MAC}"
    assert values["line1.password"] not in str(body)
    listed = await (await api.get("/api/devices", headers=admin_headers)).json()
    assert values["line1.password"] not in str(listed)

    resp = await api.patch(f"/api/devices/{MAC}", headers=admin_headers, json={"user_id": anna})
    assert resp.status == 400
    assert "user_id" in (await resp.json())["error"]["fields"]
    bad = await api.put(f"/api/devices/{MAC}/free-seat", headers=admin_headers, json={"enabled": "yes"})
    assert bad.status == 400

    assert core.provisioning is not None
    await core.provisioning.hot_desk.seat(MAC, anna)
    resp = await api.get(f"/api/devices/{MAC}", headers=admin_headers)
    body = await resp.json()
    assert body["state"] == "seated" and body["user"]["username"] == "anna" and body["seated_at"]
    assert parse_cfg(await (await _fetch(api, base, MAC)).read())["line1.password"] == SIP_PASSWORD

    resp = await api.put(f"/api/devices/{MAC}/free-seat", headers=admin_headers, json={"enabled": False})
    body = await resp.json()
    assert (body["state"], body["user"], body["free_seat"]) == ("not_provisioned", None, False)
    assert "line1.username" not in parse_cfg(await (await _fetch(api, base, MAC)).read())
    assert (await api.delete(f"/api/devices/{MAC}/seat", headers=admin_headers)).status == 409
    resp = await api.put("/api/devices/ffff/free-seat", headers=admin_headers, json={"enabled": True})
    assert resp.status == 400


async def test_login_elsewhere_leaves_the_first_seat_prov09(core: Core, vendor: None) -> None:
    """A user seated on one phone who logs in on another leaves the first."""
    anna = await _anna(core)
    assert core.provisioning is not None
    service = core.provisioning
    for mac in (MAC, OTHER_MAC):
        await service.add_device(source="manual", mac=mac)
        await service.hot_desk.set_free_seat(mac, True)
    await service.hot_desk.seat(MAC, anna)
    await service.hot_desk.seat(OTHER_MAC, anna)
    assert (await service.get_device(MAC)).state == "free_seat"
    assert (await service.get_device(OTHER_MAC)).state == "seated"
    seat = await service.hot_desk.seat_of(anna)
    assert seat is not None and seat.mac == OTHER_MAC
    assert await service.hot_desk.logout_all("test") == 1
    assert await service.hot_desk.seat_of(anna) is None


async def test_open_extension_assigns_the_next_unknown_phone_prov12(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None, caplog: pytest.LogCaptureFixture
) -> None:
    """PROV-12 / CAPA-04: within the window the next unknown phone gets the user, even with auto-add
    off, and the window closes; the phone after it does not."""
    caplog.set_level(logging.INFO, logger="cordboard.core.provisioning")
    anna = await _anna(core)
    await core.settings.set("org", None, "core.provisioning_auto_add", "off")
    base = await _base(api, admin_headers)
    resp = await api.post(
        "/api/provisioning/open-extension", headers=admin_headers, json={"user_id": anna, "minutes": 5}
    )
    body = await resp.json()
    assert resp.status == 201, body
    assert body["window"]["user"]["username"] == "anna" and 290 <= body["window"]["seconds_left"] <= 300

    common = await api.get(f"{base}cbt-common.cfg", headers={"User-Agent": USER_AGENT})
    assert common.status == 200  # a common file names no phone: the window stays open
    resp = await _fetch(api, base, MAC)
    assert resp.status == 200
    values = parse_cfg(await resp.read())
    assert values["line1.username"] == "anna" and values["line1.password"] == SIP_PASSWORD
    device = await (await api.get(f"/api/devices/{MAC}", headers=admin_headers)).json()
    assert device["state"] == "assigned" and device["user"]["username"] == "anna"
    assert (await (await api.get("/api/provisioning/open-extension", headers=admin_headers)).json()) == {
        "window": None
    }
    assert (await _fetch(api, base, OTHER_MAC)).status == 403  # closed: auto-add off refuses it
    assert f"phone {MAC} at 127.0.0.1 takes user {anna}" in caplog.text

    bad = await api.post("/api/provisioning/open-extension", headers=admin_headers, json={"user_id": anna})
    assert bad.status == 201  # minutes default to 15
    assert (await api.delete("/api/provisioning/open-extension", headers=admin_headers)).status == 204
    for wrong in ({"user_id": anna, "minutes": 0}, {"user_id": anna, "minutes": 241}, {"minutes": 5}):
        resp = await api.post("/api/provisioning/open-extension", headers=admin_headers, json=wrong)
        assert resp.status == 400, wrong
    resp = await api.post(
        "/api/provisioning/open-extension", headers=admin_headers, json={"user_id": 999, "minutes": 5}
    )
    assert resp.status == 404


async def test_open_extension_expires_and_spares_known_phones_prov12(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None
) -> None:
    """An expired window does nothing; a phone already provisioned does not take the window."""
    anna = await _anna(core)
    assert core.provisioning is not None
    now = [1_000_000.0]
    core.provisioning.open_extension = OpenExtension(clock=lambda: now[0])
    base = await _base(api, admin_headers)

    await core.provisioning.add_device(source="manual", mac=OTHER_MAC)
    assert (await _fetch(api, base, OTHER_MAC)).status == 200  # fetched once: no longer unknown
    core.provisioning.open_extension.open(anna, 2)
    assert "line1.username" not in parse_cfg(await (await _fetch(api, base, OTHER_MAC)).read())
    assert core.provisioning.open_extension.current() is not None

    now[0] += 121
    resp = await _fetch(api, base, MAC)  # auto-add on (loopback is private): listed, no user
    assert resp.status == 200 and "line1.username" not in parse_cfg(await resp.read())
    assert (await core.provisioning.get_device(MAC)).state == "not_provisioned"
    assert core.provisioning.open_extension.current() is None
