"""REST tests of /api/groups: admin management, ranking, members; users may only read the list."""

from __future__ import annotations


async def _group(api, headers, name: str) -> dict:
    resp = await api.post("/api/groups", json={"name": name}, headers=headers)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def test_group_crud(api, account, check_error) -> None:
    root = await account("root", admin=True)
    sales = await _group(api, root.headers, "Sales")
    assert (sales["priority"], sales["description"], sales["members"]) == (1, "", [])
    resp = await api.patch(f"/api/groups/{sales['id']}", json={"description": "Sells"}, headers=root.headers)
    assert (await resp.json())["description"] == "Sells"
    resp = await api.get(f"/api/groups/{sales['id']}", headers=root.headers)
    assert (await resp.json())["name"] == "Sales"
    assert (await api.delete(f"/api/groups/{sales['id']}", headers=root.headers)).status == 204
    await check_error(await api.get(f"/api/groups/{sales['id']}", headers=root.headers), 404)
    await check_error(await api.patch("/api/groups/999", json={"name": "X"}, headers=root.headers), 404)


async def test_group_errors(api, account, check_error) -> None:
    root = await account("root", admin=True)
    await _group(api, root.headers, "Sales")
    resp = await api.post("/api/groups", json={"name": "sales"}, headers=root.headers)
    await check_error(resp, 409)
    resp = await api.post("/api/groups", json={"name": ""}, headers=root.headers)
    assert (await check_error(resp, 400))["fields"] == {"name": "must not be empty"}
    resp = await api.post("/api/groups", json={"name": "X", "priority": 1}, headers=root.headers)
    assert (await check_error(resp, 400))["fields"] == {"priority": "unknown field"}
    resp = await api.post(
        "/api/groups", data="[", headers={**root.headers, "Content-Type": "application/json"}
    )
    assert (await check_error(resp, 400))["code"] == "invalid_json"


async def test_set_02_order_and_members(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    a, b, c = [await _group(api, root.headers, name) for name in ("A", "B", "C")]
    resp = await api.put(
        "/api/groups/order", json={"order": [c["id"], a["id"], b["id"]]}, headers=root.headers
    )
    assert [(g["name"], g["priority"]) for g in await resp.json()] == [("C", 1), ("A", 2), ("B", 3)]
    resp = await api.put("/api/groups/order", json={"order": [c["id"], a["id"]]}, headers=root.headers)
    assert "order" in (await check_error(resp, 400))["fields"]
    resp = await api.put(f"/api/groups/{a['id']}/members", json={"user_ids": [anna.id]}, headers=root.headers)
    assert (await resp.json())["members"] == [anna.id]
    resp = await api.get(f"/api/users/{anna.id}", headers=anna.headers)
    assert (await resp.json())["groups"] == [a["id"]]
    resp = await api.put(f"/api/groups/{a['id']}/members", json={"user_ids": [999]}, headers=root.headers)
    assert (await check_error(resp, 400))["fields"] == {"user_ids": "no user with id 999"}
    resp = await api.put(f"/api/groups/{a['id']}/members", json=[anna.id], headers=root.headers)
    await check_error(resp, 400)


async def test_users_may_read_the_list_only(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    sales = await _group(api, root.headers, "Sales")
    resp = await api.get("/api/groups", headers=anna.headers)
    assert [g["name"] for g in await resp.json()] == ["Sales"]
    gid = sales["id"]
    for method, path, body in (
        ("GET", f"/api/groups/{gid}", None),
        ("POST", "/api/groups", {"name": "Mine"}),
        ("PATCH", f"/api/groups/{gid}", {"name": "Mine"}),
        ("DELETE", f"/api/groups/{gid}", None),
        ("PUT", "/api/groups/order", {"order": [gid]}),
        ("PUT", f"/api/groups/{gid}/members", {"user_ids": [anna.id]}),
    ):
        resp = await api.request(method, path, json=body, headers=anna.headers)
        await check_error(resp, 403)
    await check_error(await api.get("/api/groups"), 401)
