"""REST tests of log-in, log-out, /api/auth/me and first-run setup."""

from __future__ import annotations

import time

from cordboard.core.identity.sessions import MAX_FAILURES

ADMIN = {
    "username": "root",
    "password": "admin-password-1",
    "first_name": "Ada",
    "last_name": "Admin",
    "email": "root@example.com",
}


async def test_login_returns_token_expiry_user_and_cookie(api, account, check_error) -> None:
    anna = await account("anna")
    resp = await api.post("/api/auth/login", json={"username": "Anna", "password": "account-password-1"})
    assert resp.status == 200
    body = await resp.json()
    assert set(body) == {"token", "expires", "user"}
    assert abs(body["expires"] - (time.time() + 12 * 3600)) < 60
    assert body["user"]["id"] == anna.id and "password_hash" not in body["user"]
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith(f"cordboard_session={body['token']};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    me = await api.get("/api/auth/me", headers={"Cookie": f"cordboard_session={body['token']}"})
    assert (await me.json())["username"] == "anna"


async def test_me_and_logout(api, account, check_error) -> None:
    anna = await account("anna")
    resp = await api.get("/api/auth/me", headers=anna.headers)
    assert resp.status == 200
    assert (await resp.json())["id"] == anna.id
    resp = await api.post("/api/auth/logout", headers=anna.headers)
    assert resp.status == 200
    assert "cordboard_session=" in resp.headers.get("Set-Cookie", "")
    error = await check_error(await api.get("/api/auth/me", headers=anna.headers), 401)
    assert error["code"] == "unauthorized"
    await check_error(await api.get("/api/auth/me"), 401)
    await check_error(await api.get("/api/auth/me", headers={"Authorization": "Bearer nonsense"}), 401)


async def test_wrong_credentials_are_generic(api, account, check_error) -> None:
    await account("anna")
    for username, password in (("anna", "wrong-password"), ("nobody", "account-password-1")):
        resp = await api.post("/api/auth/login", json={"username": username, "password": password})
        error = await check_error(resp, 403)
        assert error == {"code": "forbidden", "message": "wrong username or password", "fields": {}}


async def test_lockout_gives_429_with_retry_after(api, account, check_error) -> None:
    await account("anna")
    for _ in range(MAX_FAILURES):
        resp = await api.post("/api/auth/login", json={"username": "anna", "password": "wrong-password"})
        await check_error(resp, 403)
    resp = await api.post("/api/auth/login", json={"username": "anna", "password": "account-password-1"})
    error = await check_error(resp, 429)
    assert error["code"] == "too_many_attempts"
    assert 0 < int(resp.headers["Retry-After"]) <= 60


async def test_login_body_errors(api, check_error) -> None:
    resp = await api.post("/api/auth/login", data="{not json", headers={"Content-Type": "application/json"})
    assert (await check_error(resp, 400))["code"] == "invalid_json"
    resp = await api.post("/api/auth/login", json={"username": "anna", "password": "x", "remember": True})
    assert (await check_error(resp, 400))["fields"] == {"remember": "unknown field"}
    resp = await api.post("/api/auth/login", json={"username": "anna"})
    assert (await check_error(resp, 400))["fields"] == {"password": "required"}
    resp = await api.post("/api/auth/login", json=["anna", "x"])
    await check_error(resp, 400)


async def test_setup_flow(api, core, check_error) -> None:
    resp = await api.get("/api/setup")
    assert await resp.json() == {"needs_setup": True}
    token = core.identity.setup_token
    assert token
    resp = await api.post("/api/setup", json={**ADMIN, "token": "wrong"})
    await check_error(resp, 403)
    resp = await api.post("/api/setup", json={**ADMIN, "token": token, "email": "nope", "password": "short"})
    assert set((await check_error(resp, 400))["fields"]) == {"password"}
    resp = await api.post("/api/setup", json={**ADMIN, "token": token, "email": "nope"})
    assert set((await check_error(resp, 400))["fields"]) == {"email"}
    resp = await api.post("/api/setup", json={**ADMIN, "token": token})
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    assert body["user"]["role"] == "admin"
    me = await api.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (await me.json())["username"] == "root"
    assert await (await api.get("/api/setup")).json() == {"needs_setup": False}
    resp = await api.post("/api/setup", json={**ADMIN, "token": token, "username": "again"})
    await check_error(resp, 409)
    resp = await api.post("/api/setup", json={**ADMIN, "token": token, "extra": 1})
    assert (await check_error(resp, 400))["fields"] == {"extra": "unknown field"}
