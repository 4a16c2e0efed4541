"""REST tests of /api/users: admin management, a user's own account (USR-10), roles (ROLE-01/02)."""

from __future__ import annotations

import pytest

NEW_USER = {"username": "bert", "first_name": "Bert", "last_name": "Brown", "email": "bert@example.com"}


async def test_admin_creates_lists_and_searches(api, account) -> None:
    root = await account("root", admin=True)
    resp = await api.post(
        "/api/users",
        json={**NEW_USER, "extension": "1002", "password": "bert-password-1", "phone": "+49 30 123"},
        headers=root.headers,
    )
    assert resp.status == 201, await resp.text()
    bert = await resp.json()
    assert (bert["username"], bert["extension"], bert["has_password"], bert["role"]) == (
        "bert",
        "1002",
        True,
        "user",
    )
    assert not any("hash" in key for key in bert)
    resp = await api.get("/api/users", headers=root.headers)
    assert [u["username"] for u in await resp.json()] == ["bert", "root"]
    resp = await api.get("/api/users", params={"search": "brown 1002"}, headers=root.headers)
    assert [u["username"] for u in await resp.json()] == ["bert"]
    resp = await api.get(f"/api/users/{bert['id']}", headers=root.headers)
    assert (await resp.json())["email"] == "bert@example.com"


async def test_usr_01_create_errors_name_fields(api, account, check_error) -> None:
    root = await account("root", admin=True)
    resp = await api.post("/api/users", json={"username": "bert"}, headers=root.headers)
    error = await check_error(resp, 400)
    assert error["fields"] == {"first_name": "required", "last_name": "required", "email": "required"}
    resp = await api.post(
        "/api/users", json={**NEW_USER, "email": "x", "extension": "1"}, headers=root.headers
    )
    assert set((await check_error(resp, 400))["fields"]) == {"email", "extension"}
    resp = await api.post("/api/users", json={**NEW_USER, "password_hash": "x"}, headers=root.headers)
    assert (await check_error(resp, 400))["fields"] == {"password_hash": "unknown field"}


async def test_duplicates_give_409(api, account, check_error) -> None:
    root = await account("root", admin=True)
    await account("anna", extension="1001")
    resp = await api.post("/api/users", json={**NEW_USER, "username": "ANNA"}, headers=root.headers)
    assert "username anna" in (await check_error(resp, 409))["message"]
    resp = await api.post("/api/users", json={**NEW_USER, "extension": "1001"}, headers=root.headers)
    assert (await check_error(resp, 409))["message"] == "extension 1001 already belongs to anna"


async def test_sql_looking_strings_are_stored_verbatim(api, account) -> None:
    root = await account("root", admin=True)
    nasty = "O'Brien\"; DROP TABLE users; --"
    resp = await api.post("/api/users", json={**NEW_USER, "last_name": nasty}, headers=root.headers)
    assert resp.status == 201
    resp = await api.get("/api/users", params={"search": "DROP TABLE"}, headers=root.headers)
    assert [u["last_name"] for u in await resp.json()] == [nasty]
    resp = await api.get("/api/users", params={"search": "' OR '1'='1"}, headers=root.headers)
    assert await resp.json() == []


async def test_role_01_user_gets_403_on_admin_routes(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    calls = [
        ("GET", "/api/users", None),
        ("POST", "/api/users", NEW_USER),
        ("DELETE", f"/api/users/{root.id}", None),
        ("POST", f"/api/users/{root.id}/lock", None),
        ("POST", f"/api/users/{anna.id}/unlock", None),
        ("PUT", f"/api/users/{anna.id}/sip_password", {"sip_password": "sip-password-long-1"}),
        ("PUT", f"/api/users/{anna.id}/groups", []),
    ]
    for method, path, body in calls:
        resp = await api.request(method, path, json=body, headers=anna.headers)
        error = await check_error(resp, 403)
        assert error["code"] == "forbidden", path
    for method, path, body in calls:
        resp = await api.request(method, path, json=body)
        await check_error(resp, 401)


async def test_usr_10_user_reads_and_edits_only_themselves(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    resp = await api.get(f"/api/users/{anna.id}", headers=anna.headers)
    assert (await resp.json())["username"] == "anna"
    await check_error(await api.get(f"/api/users/{root.id}", headers=anna.headers), 403)
    resp = await api.patch(
        f"/api/users/{anna.id}", json={"last_name": "Meyer", "language": "de"}, headers=anna.headers
    )
    assert resp.status == 200
    assert ((await resp.json())["last_name"], (await resp.json())["language"]) == ("Meyer", "de")
    for field, value in (("role", "admin"), ("locked", False), ("username", "anne"), ("extension", "1009")):
        resp = await api.patch(f"/api/users/{anna.id}", json={field: value}, headers=anna.headers)
        assert field in (await check_error(resp, 403))["message"]
    resp = await api.patch(f"/api/users/{root.id}", json={"last_name": "X"}, headers=anna.headers)
    await check_error(resp, 403)
    resp = await api.patch(f"/api/users/{anna.id}", json={"email": ""}, headers=anna.headers)
    assert "email" in (await check_error(resp, 400))["fields"]


async def test_admin_patches_role_and_extension(api, account) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    resp = await api.patch(
        f"/api/users/{anna.id}", json={"role": "admin", "extension": "1005"}, headers=root.headers
    )
    assert ((await resp.json())["role"], (await resp.json())["extension"]) == ("admin", "1005")
    resp = await api.get("/api/users", headers=anna.headers)
    assert resp.status == 200, "promoted user is an admin at once"


async def test_role_02_last_admin_is_protected(api, account, check_error) -> None:
    root = await account("root", admin=True)
    for method, path, body in (
        ("DELETE", f"/api/users/{root.id}", None),
        ("POST", f"/api/users/{root.id}/lock", None),
        ("PATCH", f"/api/users/{root.id}", {"role": "user"}),
    ):
        resp = await api.request(method, path, json=body, headers=root.headers)
        assert "last administrator" in (await check_error(resp, 409))["message"]


async def test_delete_user(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    resp = await api.delete(f"/api/users/{anna.id}", headers=root.headers)
    assert resp.status == 204
    await check_error(await api.get(f"/api/users/{anna.id}", headers=root.headers), 404)
    await check_error(await api.delete(f"/api/users/{anna.id}", headers=root.headers), 404)
    await check_error(await api.get("/api/auth/me", headers=anna.headers), 401)
    await check_error(await api.get("/api/users/abc", headers=root.headers), 404)


async def test_usr_08_lock_and_unlock(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    resp = await api.post(f"/api/users/{anna.id}/lock", headers=root.headers)
    assert (await resp.json())["locked"] is True
    await check_error(await api.get("/api/auth/me", headers=anna.headers), 401)
    resp = await api.post("/api/auth/login", json={"username": "anna", "password": "account-password-1"})
    assert (await check_error(resp, 403))["message"] == "account is locked"
    resp = await api.post(f"/api/users/{anna.id}/unlock", headers=root.headers)
    assert (await resp.json())["locked"] is False
    resp = await api.post("/api/auth/login", json={"username": "anna", "password": "account-password-1"})
    assert resp.status == 200


async def test_own_password_needs_the_current_one(api, account, check_error) -> None:
    await account("root", admin=True)
    anna = await account("anna")
    path = f"/api/users/{anna.id}/password"
    resp = await api.put(path, json={"password": "new-password-22"}, headers=anna.headers)
    assert "current password" in (await check_error(resp, 403))["message"]
    resp = await api.put(
        path, json={"password": "new-password-22", "current_password": "wrong"}, headers=anna.headers
    )
    assert (await check_error(resp, 403))["message"] == "The current password is wrong"
    resp = await api.put(path, json={"password": "short", "current_password": "x"}, headers=anna.headers)
    assert (await check_error(resp, 400))["fields"] == {"password": "a password has at least 8 characters"}
    resp = await api.put(
        path,
        json={"password": "new-password-22", "current_password": "account-password-1"},
        headers=anna.headers,
    )
    assert resp.status == 204
    assert (await api.get("/api/auth/me", headers=anna.headers)).status == 200, "own session kept"
    resp = await api.post("/api/auth/login", json={"username": "anna", "password": "new-password-22"})
    assert resp.status == 200


async def test_admin_resets_password_and_pin_and_ends_sessions(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    resp = await api.put(
        f"/api/users/{anna.id}/password", json={"password": "reset-password-1"}, headers=root.headers
    )
    assert resp.status == 204
    await check_error(await api.get("/api/auth/me", headers=anna.headers), 401)
    resp = await api.put(f"/api/users/{anna.id}/pin", json={"pin": "4711"}, headers=root.headers)
    assert resp.status == 204
    resp = await api.get(f"/api/users/{anna.id}", headers=root.headers)
    assert (await resp.json())["has_pin"] is True


async def test_pin_self_only(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    assert (
        await api.put(f"/api/users/{anna.id}/pin", json={"pin": "123456"}, headers=anna.headers)
    ).status == 204
    await check_error(
        await api.put(f"/api/users/{root.id}/pin", json={"pin": "1234"}, headers=anna.headers), 403
    )
    resp = await api.put(f"/api/users/{anna.id}/pin", json={"pin": "12"}, headers=anna.headers)
    assert (await check_error(resp, 400))["fields"] == {"pin": "a PIN is 4 to 12 digits"}


async def test_sip_password(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    path = f"/api/users/{anna.id}/sip_password"
    resp = await api.put(path, json={"sip_password": "short"}, headers=root.headers)
    assert "sip_password" in (await check_error(resp, 400))["fields"]
    assert (
        await api.put(path, json={"sip_password": "long-sip-password-1"}, headers=root.headers)
    ).status == 204
    resp = await api.get(f"/api/users/{anna.id}", headers=root.headers)
    assert (await resp.json())["has_sip_password"] is True


@pytest.mark.parametrize("body", [{"groups": [1]}, [True], ["1"], [0], None])
async def test_user_groups_body_is_a_list_of_ids(api, account, check_error, body) -> None:
    root = await account("root", admin=True)
    resp = await api.put(f"/api/users/{root.id}/groups", json=body, headers=root.headers)
    await check_error(resp, 400)


async def test_usr_09_user_groups(api, account, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna")
    sales = await (await api.post("/api/groups", json={"name": "Sales"}, headers=root.headers)).json()
    resp = await api.put(f"/api/users/{anna.id}/groups", json=[sales["id"]], headers=root.headers)
    assert (await resp.json())["groups"] == [sales["id"]]
    resp = await api.get(f"/api/groups/{sales['id']}", headers=root.headers)
    assert (await resp.json())["members"] == [anna.id]
    resp = await api.put(f"/api/users/{anna.id}/groups", json=[999], headers=root.headers)
    assert (await check_error(resp, 400))["fields"] == {"groups": "no group with id 999"}
