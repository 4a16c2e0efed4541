"""The key template API (PROV-08, CAPA-05/31, CAPU-24): admins manage templates and assign them,
users may not (403); a user picks a template and overrides keys, never key 1; validation errors
name the field; the phone's file then carries the keys."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from cordboard.core.core import Core
from cordboard.plugins.provision_yealink.vendor import YealinkVendor

ROWS: list[dict[str, Any]] = [
    {"index": 2, "kind": "blf", "value": "1002", "label": ""},
    {"index": 3, "kind": "speed_dial", "value": "112", "label": "Help"},
]


async def _bo(core: Core) -> int:
    user = await core.identity.create_user(
        username="bo", first_name="Bo", last_name="Berg", email="bo@example.com", extension="1002"
    )
    return user.id


async def _anna_id(core: Core) -> int:
    return (await core.identity.get_user_by_username("anna")).id


async def test_user_cannot_manage_templates(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _bo(core)
    resp = await api.post("/api/key-templates", headers=admin_headers, json={"name": "Sales", "keys": ROWS})
    assert resp.status == 201, await resp.text()
    template_id = (await resp.json())["id"]
    anna = await _anna_id(core)
    for method, path in [
        ("GET", "/api/key-templates"),
        ("POST", "/api/key-templates"),
        ("GET", f"/api/key-templates/{template_id}"),
        ("PUT", f"/api/key-templates/{template_id}"),
        ("DELETE", f"/api/key-templates/{template_id}"),
        ("PUT", f"/api/users/{anna}/key-template"),
        ("GET", f"/api/users/{anna}/key-template"),
    ]:
        resp = await api.request(method, path, headers=user_headers, json={"name": "X", "keys": []})
        assert resp.status == 403, (method, path)
    assert (await api.get("/api/me/keys")).status == 401


async def test_template_crud_and_validation(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _bo(core)
    bad = await api.post(
        "/api/key-templates",
        headers=admin_headers,
        json={
            "name": "",
            "keys": [
                {"index": 2, "kind": "park", "value": "1", "label": ""},
                {"index": 3, "kind": "blf", "value": "1099", "label": ""},
                {"index": 3, "kind": "dtmf", "value": "1", "label": ""},
                {"index": 4, "kind": "dtmf", "value": "1", "label": "x" * 40},
            ],
        },
    )
    assert bad.status == 400
    fields = (await bad.json())["error"]["fields"]
    assert set(fields) == {"name", "keys.0.kind", "keys.1.value", "keys.2.index", "keys.3.label"}
    assert "1099" in fields["keys.1.value"]

    resp = await api.post("/api/key-templates", headers=admin_headers, json={"name": "Sales", "keys": ROWS})
    created = await resp.json()
    assert resp.status == 201, created
    assert created["keys"] == ROWS and created["is_default"] is False and created["users"] == 0
    dup = await api.post("/api/key-templates", headers=admin_headers, json={"name": "sales", "keys": []})
    assert dup.status == 409
    template = f"/api/key-templates/{created['id']}"
    resp = await api.put(
        template, headers=admin_headers, json={"name": "Sales team", "is_default": True, "push": True}
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert (body["name"], body["is_default"], body["resynced"]) == ("Sales team", True, [])
    assert (await api.put(template, headers=admin_headers, json={"keys": [{"index": 1}]})).status == 400
    listed = await (await api.get("/api/key-templates", headers=admin_headers)).json()
    assert [t["name"] for t in listed] == ["Sales team"]
    got = await (await api.get(template, headers=admin_headers)).json()
    assert await _anna_id(core) in got["user_ids"]  # the default reaches users without a template

    # The user sees the default's keys with key 1 their own line.
    me = await (await api.get("/api/me/keys", headers=user_headers)).json()
    assert me["keys"][0] == {"index": 1, "kind": "line", "value": "1", "label": "1001"}
    assert me["keys"][1] == {"index": 2, "kind": "blf", "value": "1002", "label": "Bo Berg"}
    assert {"extension": "1002", "name": "Bo Berg"} in me["extensions"]
    assert (await api.delete(template, headers=admin_headers)).status == 204
    assert (await api.get(template, headers=admin_headers)).status == 404
    me = await (await api.get("/api/me/keys", headers=user_headers)).json()
    assert me["keys"] == [{"index": 1, "kind": "line", "value": "1", "label": "1001"}]


async def test_assign_and_user_override(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    await _bo(core)
    anna = await _anna_id(core)
    sales = await (
        await api.post("/api/key-templates", headers=admin_headers, json={"name": "Sales", "keys": ROWS})
    ).json()
    support = await (
        await api.post(
            "/api/key-templates",
            headers=admin_headers,
            json={
                "name": "Support",
                "keys": [{"index": 2, "kind": "dtmf", "value": "*7", "label": "Pickup"}],
            },
        )
    ).json()
    resp = await api.put(
        f"/api/users/{anna}/key-template", headers=admin_headers, json={"template_id": sales["id"]}
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["template_id"] == sales["id"]
    bad = await api.put(f"/api/users/{anna}/key-template", headers=admin_headers, json={"template_id": 999})
    assert bad.status == 400 and "template_id" in (await bad.json())["error"]["fields"]
    assert (
        await api.put("/api/users/999/key-template", headers=admin_headers, json={"template_id": None})
    ).status == 404

    # The user overrides key 3 and adds key 4; key 1 stays theirs.
    resp = await api.put(
        "/api/me/keys",
        headers=user_headers,
        json={
            "keys": [
                {"index": 3, "kind": "blf", "value": "1002", "label": "Boss"},
                {"index": 4, "kind": "dtmf", "value": "*8"},
            ]
        },
    )
    layout = await resp.json()
    assert resp.status == 200, layout
    assert [(k["index"], k["kind"], k["label"]) for k in layout["keys"]] == [
        (1, "line", "1001"),
        (2, "blf", "Bo Berg"),
        (3, "blf", "Boss"),
        (4, "dtmf", ""),
    ]
    assert layout["template_id"] == sales["id"] and len(layout["overrides"]) == 2
    refused = await api.put(
        "/api/me/keys", headers=user_headers, json={"keys": [{"index": 1, "kind": "blf", "value": "1002"}]}
    )
    assert refused.status == 400
    assert (await refused.json())["error"]["fields"] == {
        "keys.0.index": "key 1 is always the user's own line"
    }
    bad = await api.put("/api/me/keys", headers=user_headers, json={"template_id": 999})
    assert bad.status == 400 and "template_id" in (await bad.json())["error"]["fields"]
    assert (await api.put("/api/me/keys", headers=user_headers, json={"user_id": 1})).status == 400

    # The user picks the other template; their own keys stay on top of it.
    resp = await api.put("/api/me/keys", headers=user_headers, json={"template_id": support["id"]})
    layout = await resp.json()
    assert [(k["index"], k["kind"], k["value"]) for k in layout["keys"]] == [
        (1, "line", "1"),
        (2, "dtmf", "*7"),
        (3, "blf", "1002"),
        (4, "dtmf", "*8"),
    ]
    admin_view = await (await api.get(f"/api/users/{anna}/key-template", headers=admin_headers)).json()
    assert admin_view["template_id"] == support["id"]

    # The phone's file carries them (the real Yealink plugin).
    assert core.provisioning is not None
    await core.identity.set_sip_password(anna, "anna-sip-password-1")
    config = await core.provisioning.phone_config("805ec0a1b2c3", "SIP-T46U", anna, "http://x/provision/t/")
    rendered = YealinkVendor().render("805ec0a1b2c3.cfg", config)
    assert rendered is not None
    text = rendered.body.decode()
    assert (
        "linekey.3.type = 16" in text
        and "linekey.3.value = 1002" in text
        and "linekey.3.label = Boss" in text
    )
    assert "linekey.2.type = 11" in text
