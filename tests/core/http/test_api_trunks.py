"""REST tests of the SIP trunks (BYD-01..03): admins only, the password is write-only, fields are
checked by name, outbound routes name existing trunks."""

from __future__ import annotations

from cordboard.core.trunks import storage

TRUNK = {
    "name": "provider",
    "kind": "register",
    "host": "sip.provider.test",
    "username": "4589000000",
    "auth_username": "acct1",
    "password": "very-secret",
    "caller_ids": ["+4589000000"],
    "called_from": "to",
}


async def test_byd_01_trunk_crud_never_returns_the_password(api, account, core, check_error) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    resp = await api.post("/api/trunks", json=TRUNK, headers=anna.headers)
    assert resp.status == 403
    resp = await api.post("/api/trunks", json=TRUNK, headers=root.headers)
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert "password" not in created and "very-secret" not in str(created)
    assert created["state"] in ("unregistered", "failed", "registered")
    trunk_id = created["id"]

    fernet = None
    if core.trunks is not None:
        fernet = core.trunks.fernet
    else:
        from cordboard.core.provisioning.secrets import load_key

        fernet = load_key(core.data_dir)
    stored = await core.db.call(lambda db: db.execute("SELECT password FROM trunks").fetchone()[0])
    assert "very-secret" not in stored
    assert await core.db.call(lambda db: storage.password_of(db, fernet, "provider")) == "very-secret"

    resp = await api.patch(f"/api/trunks/{trunk_id}", json={"priority": 5}, headers=root.headers)
    assert resp.status == 200
    assert await core.db.call(lambda db: storage.password_of(db, fernet, "provider")) == "very-secret"
    listed = await (await api.get("/api/trunks", headers=root.headers)).json()
    assert [t["priority"] for t in listed] == [5]
    assert all("password" not in t for t in listed)

    body = await check_error(
        await api.post("/api/trunks", json={**TRUNK, "name": "Bad Name"}, headers=root.headers), 400
    )
    assert "name" in str(body)
    body = await check_error(
        await api.post(
            "/api/trunks", json={"name": "ipt", "kind": "ip", "host": "10.0.0.1"}, headers=root.headers
        ),
        400,
    )
    assert "addresses" in str(body)
    await check_error(await api.post("/api/trunks", json=TRUNK, headers=root.headers), 409)

    resp = await api.post(
        "/api/trunks/routes", json={"prefix": "+49", "trunks": ["nope"]}, headers=root.headers
    )
    assert resp.status == 400
    resp = await api.post(
        "/api/trunks/routes", json={"prefix": "+49", "trunks": ["provider"]}, headers=root.headers
    )
    assert resp.status == 201, await resp.text()
    routes = await (await api.get("/api/trunks/routes", headers=root.headers)).json()
    assert routes == [{"id": routes[0]["id"], "prefix": "+49", "number_type": "", "trunks": ["provider"]}]
    # BYD-03: a route by the dial plan's number type; a route matching nothing is refused.
    resp = await api.post(
        "/api/trunks/routes", json={"number_type": "Mobile", "trunks": ["provider"]}, headers=root.headers
    )
    assert resp.status == 201, await resp.text()
    body = await check_error(
        await api.post("/api/trunks/routes", json={"trunks": ["provider"]}, headers=root.headers), 400
    )
    assert "prefix" in str(body)

    resp = await api.delete(f"/api/trunks/{trunk_id}", headers=root.headers)
    assert resp.status == 204
    assert await (await api.get("/api/trunks/routes", headers=root.headers)).json() == []
    assert await (await api.get("/api/trunks", headers=root.headers)).json() == []
