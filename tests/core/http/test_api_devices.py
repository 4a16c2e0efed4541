"""The device API and the provisioning server (PROV-03/04/05/10/13, BYD-08): admins only; the
provisioning route refuses old tickets, traversal, unknown MACs (auto-add off) and never serves a
password but in the file of the MAC its user is assigned to."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from provisioning_phone import MAC, USER_AGENT, VendorPlugin, parse_cfg

from cordboard.core.core import Core

SIP_PASSWORD = "anna-sip-password-1"


@pytest.fixture
async def vendor(core: Core) -> None:
    core.plugins.pm.register(VendorPlugin(), name="test_provisioning_vendor")


async def _base(api: TestClient, headers: dict[str, str]) -> str:
    resp = await api.get("/api/provisioning", headers=headers)
    assert resp.status == 200, await resp.text()
    url = (await resp.json())["url"]
    return "/" + url.split("/", 3)[3]  # the path: /provision/<ticket>/


async def _fetch(api: TestClient, path: str) -> Any:
    return await api.get(path, headers={"User-Agent": USER_AGENT})


async def test_user_role_gets_403_byd08(api: TestClient, user_headers: dict[str, str]) -> None:
    """Roles are enforced in the API: a user may not list, add or renew (BYD-08)."""
    for method, path in [
        ("GET", "/api/devices"),
        ("POST", "/api/devices"),
        ("GET", "/api/provisioning"),
        ("POST", "/api/provisioning/renew-ticket"),
        ("PATCH", f"/api/devices/{MAC}"),
    ]:
        resp = await api.request(method, path, headers=user_headers, json={})
        assert resp.status == 403, (method, path)
    assert (await api.get("/api/devices")).status == 401


async def test_add_assign_and_fetch_prov03_prov10(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None, caplog: pytest.LogCaptureFixture
) -> None:
    """An admin adds a phone by MAC, assigns a user; only that MAC's file carries the password,
    and no log line ever does."""
    caplog.set_level(logging.DEBUG)
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="T", email="a@example.com", extension="1001",
        sip_password=SIP_PASSWORD,
    )  # fmt: skip
    resp = await api.post(
        "/api/devices", headers=admin_headers, json={"mac": "02:CB:00:A1:B2:C3", "model": "CBT-1"}
    )
    assert resp.status == 201, await resp.text()
    assert (await resp.json())["state"] == "not_provisioned"
    assert (await api.post("/api/devices", headers=admin_headers, json={"mac": MAC})).status == 409
    assert (await api.post("/api/devices", headers=admin_headers, json={"mac": "nope"})).status == 400
    base = await _base(api, admin_headers)

    resp = await _fetch(api, f"{base}cbt-{MAC}.cfg")
    assert resp.status == 200
    values = parse_cfg(await resp.read())
    assert "line1.password" not in values  # not provisioned: base settings only

    resp = await api.patch(f"/api/devices/{MAC}", headers=admin_headers, json={"user_id": anna.id})
    body = await resp.json()
    assert resp.status == 200, body
    assert body["state"] == "assigned" and body["user"]["username"] == "anna"
    assert body["sip_password_generated"] is False  # set through the API: retrievable
    assert SIP_PASSWORD not in str(body)

    resp = await _fetch(api, f"{base}cbt-{MAC}.cfg")
    values = parse_cfg(await resp.read())
    assert values["line1.username"] == "anna"
    assert values["line1.password"] == SIP_PASSWORD
    assert values["directory"] == "1"
    # Another phone of the same vendor does not get anna's password.
    other = await _fetch(api, f"{base}cbt-02cb00ffffff.cfg")
    assert other.status == 200 and SIP_PASSWORD.encode() not in await other.read()
    # A common file never carries an account.
    common = await _fetch(api, f"{base}cbt-common.cfg")
    assert common.status == 200 and SIP_PASSWORD.encode() not in await common.read()

    resp = await api.get("/api/devices", headers=admin_headers)
    listed = {d["mac"]: d for d in await resp.json()}
    assert listed[MAC]["ip"] == "127.0.0.1"
    assert "served (with account)" in listed[MAC]["last_fetch"]
    assert listed[MAC]["registration"] == {"registered": False}
    assert listed["02cb00ffffff"]["source"] == "http"  # auto-added (loopback counts as private)
    assert core.states.get(f"phone.{MAC}").state == "assigned"  # type: ignore[union-attr]

    assert SIP_PASSWORD not in caplog.text

    # Freeing the phone (user null) takes the account out of its file; the description is editable.
    resp = await api.patch(
        f"/api/devices/{MAC}", headers=admin_headers, json={"user_id": None, "description": "Lobby"}
    )
    body = await resp.json()
    assert (body["state"], body["user"], body["description"]) == ("not_provisioned", None, "Lobby")
    resp = await _fetch(api, f"{base}cbt-{MAC}.cfg")
    assert SIP_PASSWORD.encode() not in await resp.read()
    bad = await api.patch(f"/api/devices/{MAC}", headers=admin_headers, json={"user_id": 999})
    assert bad.status in (400, 404)
    assert (await api.patch(f"/api/devices/{MAC}", headers=admin_headers, json={"mac": "x"})).status == 400
    assert (await api.delete(f"/api/devices/{MAC}", headers=admin_headers)).status == 204
    assert (await api.get(f"/api/devices/{MAC}", headers=admin_headers)).status == 404


async def test_assign_generates_password_when_none_retrievable(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A user whose password is not retrievable gets a new one; the answer says so (never the password)."""
    caplog.set_level(logging.DEBUG)
    user = await core.identity.create_user(
        username="bo", first_name="Bo", last_name="T", email="b@example.com", extension="1002"
    )
    resp = await api.post("/api/devices", headers=admin_headers, json={"mac": MAC, "user_id": user.id})
    body = await resp.json()
    assert resp.status == 201, body
    assert body["sip_password_generated"] is True and "notice" in body
    password = await core.provisioning.sip_password(user.id)  # type: ignore[union-attr]
    assert password is not None and password not in str(body)
    assert (await core.identity.get_user(user.id)).has_sip_password
    resp = await _fetch(api, f"{await _base(api, admin_headers)}cbt-{MAC}.cfg")
    assert parse_cfg(await resp.read())["line1.password"] == password
    assert password not in caplog.text


async def test_refusals_prov04_byd08(
    core: Core, api: TestClient, admin_headers: dict[str, str], vendor: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Old ticket: 404 without a hint; traversal and odd paths: 400; unknown MAC with auto-add off: 403."""
    caplog.set_level(logging.INFO, logger="cordboard.core.provisioning")
    base = await _base(api, admin_headers)
    ticket = base.split("/")[2]
    assert (await _fetch(api, f"/provision/wrong-{ticket}/cbt-{MAC}.cfg")).status == 404
    for path in ["..%2f..%2fetc%2fpasswd", "a/../b.cfg", ".hidden", "x%5c..%5cy", "a//b"]:
        resp = await api.get(base + path, headers={"User-Agent": USER_AGENT})
        assert resp.status in (400, 404), path
        if resp.status == 404:  # the client normalised the dots away: not under the ticket any more
            continue
        assert await resp.read() == b"Bad Request"
    assert (await api.get(base + "a%2F..%2F..%2Fb.cfg")).status == 400
    # A MAC in the wrong format is no phone's file: refused, nothing added.
    assert (await _fetch(api, f"{base}cbt-02cb00a1b2zz.cfg")).status == 404
    assert (await _fetch(api, f"{base}cbt-02cb00a1b2c.cfg")).status == 404
    assert await core.provisioning.list_devices() == []  # type: ignore[union-attr]

    await core.settings.set("org", None, "core.provisioning_auto_add", "off")
    resp = await _fetch(api, f"{base}cbt-{MAC}.cfg")
    assert resp.status == 403
    assert (await api.get(f"/api/devices/{MAC}", headers=admin_headers)).status == 404
    assert f"(MAC {MAC}) fetched cbt-{MAC}.cfg: unknown MAC (403)" in caplog.text
    assert ticket not in caplog.text

    # PROV-04: after a renewal the old URL is refused at once, the new one works.
    await core.settings.set("org", None, "core.provisioning_auto_add", "on")
    assert (await _fetch(api, f"{base}cbt-{MAC}.cfg")).status == 200
    resp = await api.post("/api/provisioning/renew-ticket", headers=admin_headers)
    assert resp.status == 200
    new_base = await _base(api, admin_headers)
    assert new_base != base
    old = await _fetch(api, f"{base}cbt-{MAC}.cfg")
    assert old.status == 404 and await old.read() == b"Not Found"
    assert (await _fetch(api, f"{new_base}cbt-{MAC}.cfg")).status == 200


async def test_csv_import_and_resync_needs_registration_prov11_prov13(
    api: TestClient, admin_headers: dict[str, str], vendor: None
) -> None:
    resp = await api.post(
        "/api/devices/import", headers=admin_headers, data=f"mac,model,description\n{MAC},CBT-1,Lobby\n"
    )
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {"added": 1, "updated": 0}
    resp = await api.post("/api/devices/import", headers=admin_headers, data="zz,CBT-1\n")
    assert resp.status == 400
    assert "line 1" in (await resp.json())["error"]["fields"]
    resp = await api.post(f"/api/devices/{MAC}/resync", headers=admin_headers, json={})
    assert resp.status == 409
    assert (await api.post("/api/devices/bad-mac/resync", headers=admin_headers, json={})).status == 400
