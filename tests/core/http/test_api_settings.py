"""REST tests of /api/settings: specs, values per level, effective values, who may change what."""

from __future__ import annotations


async def test_specs_describe_levels_and_form_fields(api, account) -> None:
    anna = await account("anna")
    resp = await api.get("/api/settings", headers=anna.headers)
    specs = {s["key"]: s for s in await resp.json()}
    language = specs["core.language"]
    assert language["scopes"] == ["org", "group", "user"] and language["user_editable"] is True
    assert language["default"] == "en" and language["kind"] == "scalar"
    assert language["validator"]["type"] == "select"
    assert specs["core.country"]["scopes"] == ["org"]
    assert specs["core.call_recording_allowed"]["validator"] == {"type": "boolean"}
    assert all(s["description"] for key, s in specs.items() if key.startswith("core."))
    assert specs["core.timezone"]["validator"] == {"type": "string"}


async def test_levels_and_effective_values(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    group = await (await api.post("/api/groups", json={"name": "Sales"}, headers=root.headers)).json()
    await api.put(f"/api/groups/{group['id']}/members", json={"user_ids": [anna.id]}, headers=root.headers)
    resp = await api.put(
        "/api/settings/org",
        json={
            "core.language": "de",
            "core.country": "dk",
            "core.organisation_name": "Acme'; DROP TABLE x;--",
        },
        headers=root.headers,
    )
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["core.country"] == "DK"
    resp = await api.put(
        f"/api/settings/group/{group['id']}", json={"core.call_recording_allowed": True}, headers=root.headers
    )
    assert await resp.json() == {"core.call_recording_allowed": True}
    resp = await api.put(
        f"/api/settings/user/{anna.id}",
        json={"core.language": "da", "core.call_recording_allowed": False},
        headers=root.headers,
    )
    assert resp.status == 200
    resp = await api.get(f"/api/settings/effective/{anna.id}", headers=anna.headers)
    effective = await resp.json()
    assert effective["core.language"] == {"value": "da", "source": "user"}
    assert effective["core.call_recording_allowed"] == {"value": True, "source": f"group:{group['id']}"}
    assert effective["core.organisation_name"] == {"value": "Acme'; DROP TABLE x;--", "source": "org"}
    assert effective["core.timezone"] == {"value": "UTC", "source": "default"}
    resp = await api.get("/api/settings/org", headers=root.headers)
    assert (await resp.json())["core.language"] == "de"
    resp = await api.get(f"/api/settings/group/{group['id']}", headers=root.headers)
    assert await resp.json() == {"core.call_recording_allowed": True}
    resp = await api.put(f"/api/settings/user/{anna.id}", json={"core.language": None}, headers=root.headers)
    assert await resp.json() == {"core.call_recording_allowed": False}
    resp = await api.get(f"/api/settings/effective/{anna.id}", headers=root.headers)
    assert (await resp.json())["core.language"] == {"value": "de", "source": "org"}


async def test_value_errors(api, account, check_error) -> None:
    root = await account("root", admin=True)
    resp = await api.put(
        "/api/settings/org", json={"core.language": "fr", "no.such": 1}, headers=root.headers
    )
    fields = (await check_error(resp, 400))["fields"]
    assert set(fields) == {"core.language", "no.such"} and fields["no.such"] == "unknown setting"
    resp = await api.put(f"/api/settings/user/{root.id}", json={"core.country": "DE"}, headers=root.headers)
    error = await check_error(resp, 400)
    assert error["fields"] == {"core.country": "core.country can only be set for the organisation"}
    await check_error(await api.put("/api/settings/group/999", json={}, headers=root.headers), 404)
    await check_error(await api.get("/api/settings/user/999", headers=root.headers), 404)
    await check_error(await api.get("/api/settings/effective/999", headers=root.headers), 404)
    resp = await api.put("/api/settings/org", json=["core.language"], headers=root.headers)
    await check_error(resp, 400)
    resp = await api.get("/api/settings/org", headers=root.headers)
    assert await resp.json() == {}


async def test_user_may_set_only_own_user_editable_keys(api, account, check_error) -> None:
    await account("root", admin=True)
    anna = await account("anna")
    bert = await account("bert")
    resp = await api.put(f"/api/settings/user/{anna.id}", json={"core.language": "de"}, headers=anna.headers)
    assert await resp.json() == {"core.language": "de"}
    resp = await api.get(f"/api/settings/user/{anna.id}", headers=anna.headers)
    assert await resp.json() == {"core.language": "de"}
    resp = await api.put(
        f"/api/settings/user/{anna.id}", json={"core.call_recording_allowed": True}, headers=anna.headers
    )
    assert "core.call_recording_allowed" in (await check_error(resp, 403))["message"]
    for method, path in (
        ("PUT", f"/api/settings/user/{bert.id}"),
        ("GET", f"/api/settings/user/{bert.id}"),
        ("GET", f"/api/settings/effective/{bert.id}"),
        ("GET", "/api/settings/org"),
        ("PUT", "/api/settings/org"),
        ("GET", "/api/settings/group/1"),
        ("PUT", "/api/settings/group/1"),
    ):
        body = {"core.language": "de"} if method == "PUT" else None
        await check_error(await api.request(method, path, json=body, headers=anna.headers), 403)
