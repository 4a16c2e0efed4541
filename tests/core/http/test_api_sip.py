"""GET /api/sip/setup over a Core with SIP on loopback: what a phone needs, role rules, live devices.

FEATURES.md CAPU-14 / USR-10 (a user's own setup), ROLE-01 (never another user's: 403, admins
excepted), TERM-01 (several registered phones per user), PROV-14 (they are ``device.<id>`` states,
which the WebSocket sends a user only for their own phones).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from loopback_pbx import loopback_config, wait_for_sip_account
from sip_phone import TestPhone

from cordboard.core.core import Core
from cordboard.core.sip.message import SipResponse

SIP_PASSWORD = "phone-secret-12345"


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    """Replaces the conftest's Core (serve_sip=False): this one listens for SIP on 127.0.0.1."""
    instance = Core(tmp_path / "data", loopback_config(42200, 42299, digest_algorithms=("SHA-256", "MD5")))
    await instance.start(serve_http=False)
    yield instance
    await instance.stop()


async def setup_of(api: TestClient, headers: dict[str, str], query: str = "") -> tuple[int, Any]:
    resp = await api.get("/api/sip/setup" + query, headers=headers)
    text = await resp.text()
    return resp.status, json.loads(text) if text else None


async def set_sip_password(core: Core, api: TestClient, admin: Any, user: Any, password: str) -> None:
    resp = await api.put(
        f"/api/users/{user.id}/sip_password", json={"sip_password": password}, headers=admin.headers
    )
    assert resp.status == 204, await resp.text()
    await wait_for_sip_account(core, user.username)


async def test_user_gets_what_their_phone_needs(core: Core, api: TestClient, account: Any) -> None:
    anna = await account("anna", extension="1001")
    assert core.sip is not None
    status, body = await setup_of(api, anna.headers)
    assert status == 200, body
    addresses = core.sip.transports.addresses
    assert body["running"] is True
    assert body["server"] == "127.0.0.1" == body["domain"]
    assert body["ports"] == {t: addresses[t][1] for t in ("udp", "tcp", "tls")}
    assert body["ports"]["udp"] == core.sip.port and body["ports"]["tls"] != body["ports"]["udp"]
    assert body["realm"] == core.sip.realm == "cordboard"
    assert body["digest_algorithms"] == ["SHA-256", "MD5"]
    assert body["echo_test_number"] == "*43"
    assert body["user"] == {
        "id": anna.id,
        "username": "anna",
        "extension": "1001",
        "has_sip_password": False,
        "locked": False,
    }
    assert body["devices"] == []
    # Browser softphones: SIP over WebSocket at this page's origin, and the address works.
    assert body["websocket"] == [f"ws://{api.host}:{api.port}/sip"]
    ws = await api.ws_connect("/sip", protocols=("sip",))
    assert ws.protocol == "sip"
    await ws.close()

    # The echo test number is the diagnostics plugin's: it follows its setting, and is gone with it.
    await core.plugins.set_config("diagnostics", {"echo_test_number": "*46"})
    assert (await setup_of(api, anna.headers))[1]["echo_test_number"] == "*46"
    await core.plugins.disable("diagnostics")
    assert (await setup_of(api, anna.headers))[1]["echo_test_number"] is None


async def test_never_the_password_or_its_digest(core: Core, api: TestClient, account: Any) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    await set_sip_password(core, api, root, anna, SIP_PASSWORD)
    for headers, query in ((anna.headers, ""), (root.headers, f"?user_id={anna.id}")):
        status, body = await setup_of(api, headers, query)
        assert status == 200
        assert body["user"]["has_sip_password"] is True
        text = json.dumps(body)
        assert SIP_PASSWORD not in text
        assert "ha1" not in text.lower() and 'password":' not in text.replace("has_sip_password", "")
    hashes = await core.db.call(
        lambda db: db.execute("SELECT ha1_md5, ha1_sha256 FROM users WHERE id = ?", [anna.id]).fetchone()
    )
    assert all(h and h not in text for h in hashes)


async def test_role_rules(core: Core, api: TestClient, account: Any, check_error: Any) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bert = await account("bert", extension="1002")

    # A user: their own (with or without naming themselves), never someone else's.
    assert (await setup_of(api, anna.headers, f"?user_id={anna.id}"))[1]["user"]["username"] == "anna"
    error = await check_error(await api.get(f"/api/sip/setup?user_id={bert.id}", headers=anna.headers), 403)
    assert "bert" not in error["message"]
    await check_error(await api.get(f"/api/sip/setup?user_id={root.id}", headers=anna.headers), 403)
    await check_error(await api.get("/api/sip/setup?user_id=99999", headers=anna.headers), 403)
    await check_error(await api.get("/api/sip/setup?user_id=abc", headers=anna.headers), 400)
    await check_error(await api.get("/api/sip/setup"), 401)

    # An admin: anyone's, and their own by default.
    status, body = await setup_of(api, root.headers, f"?user_id={bert.id}")
    assert status == 200 and body["user"]["username"] == "bert" and body["user"]["extension"] == "1002"
    assert (await setup_of(api, root.headers))[1]["user"]["username"] == "root"
    await check_error(await api.get("/api/sip/setup?user_id=99999", headers=root.headers), 404)

    # A user still cannot set their own SIP password (admin-only); the card tells them so.
    resp = await api.put(
        f"/api/users/{anna.id}/sip_password", json={"sip_password": SIP_PASSWORD}, headers=anna.headers
    )
    assert resp.status == 403
    resp = await api.patch(f"/api/users/{anna.id}", json={"sip_password": SIP_PASSWORD}, headers=anna.headers)
    assert resp.status == 403


async def test_a_phone_set_up_from_the_answer_registers_and_is_listed(
    core: Core, api: TestClient, account: Any
) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bert = await account("bert", extension="1002")
    await set_sip_password(core, api, root, anna, SIP_PASSWORD)
    await set_sip_password(core, api, root, bert, "bert-secret-123456")
    _, setup = await setup_of(api, anna.headers)
    server = (setup["server"], setup["ports"]["udp"])

    # The answer is all a phone needs: a wrong password fails, the right one registers.
    wrong = await TestPhone(setup["user"]["username"], "not-the-password", server).open()
    phone = await TestPhone(setup["user"]["username"], SIP_PASSWORD, server).open()
    other = await TestPhone("bert", "bert-secret-123456", server).open()
    try:
        assert (await wrong.register()).status in (401, 403)
        assert (await phone.register()).status == 200
        assert (await other.register()).status == 200
        _, setup = await setup_of(api, anna.headers)
        assert [d["contact"] for d in setup["devices"]] == [f"sip:anna@127.0.0.1:{phone.port}"]
        device = setup["devices"][0]
        assert device["entity_id"].startswith("device.")
        assert device["user_id"] == anna.id and device["source"] == f"udp:127.0.0.1:{phone.port}"
        assert device["expires_at"] > 0 and "user_agent" in device
        _, of_bert = await setup_of(api, root.headers, f"?user_id={bert.id}")
        assert [d["contact"] for d in of_bert["devices"]] == [f"sip:bert@127.0.0.1:{other.port}"]

        # The WebSocket gives Anna her own phone's state, never Bert's; the admin both.
        anna_ids = await websocket_devices(api, anna.token)
        assert anna_ids == {device["entity_id"]}
        assert await websocket_devices(api, root.token) == {
            device["entity_id"],
            of_bert["devices"][0]["entity_id"],
        }
        resp = await api.get("/api/states", headers=anna.headers)
        assert {s["entity_id"] for s in await resp.json() if s["entity_id"].startswith("device.")} == anna_ids
        resp = await api.get(f"/api/states/{of_bert['devices'][0]['entity_id']}", headers=anna.headers)
        assert resp.status in (403, 404)

        assert (await unregister(phone)).status == 200
        _, setup = await setup_of(api, anna.headers)
        assert setup["devices"] == []
    finally:
        for p in (wrong, phone, other):
            p.close()


async def unregister(phone: TestPhone) -> SipResponse:
    """REGISTER with Expires: 0 (TestPhone.register drops the Expires header from its authorised retry)."""
    host, port = phone.server
    request = phone.new_request(
        "REGISTER", f"sip:{host}:{port}", to=f"<sip:{phone.username}@{host}>", extra={"Expires": "0"}
    )
    phone.send(request)
    response = await phone.final_response(request)
    if response.status == 401:
        request = phone.authorize(request, response)
        request.headers.add("Expires", "0")
        phone.send(request)
        response = await phone.final_response(request)
    return response


async def websocket_devices(api: TestClient, token: str) -> set[str]:
    ws = await api.ws_connect("/api/websocket")
    try:
        assert (await ws.receive_json(timeout=5))["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json(timeout=5))["type"] == "auth_ok"
        await ws.send_json({"id": 1, "type": "subscribe_states"})
        while True:
            msg = await ws.receive_json(timeout=5)
            if msg.get("id") == 1 and msg["type"] == "result":
                assert msg["success"] is True
                return {s["entity_id"] for s in msg["result"] if s["entity_id"].startswith("device.")}
    finally:
        await ws.close()


async def test_without_sip_the_answer_says_so(
    core: Core, api: TestClient, account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = await account("root", admin=True)
    monkeypatch.setattr(core, "sip", None)  # as under `cordboard run` with SIP switched off
    status, body = await setup_of(api, root.headers)
    assert status == 200
    assert body["running"] is False and body["server"] is None and body["domain"] is None
    assert body["ports"] == {} and body["realm"] is None
    assert body["digest_algorithms"] == ["SHA-256", "MD5"] and body["user"]["username"] == "root"
