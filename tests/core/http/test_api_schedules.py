"""REST tests of schedules: working hours per level (SCH-01..03), status and night mode (SCH-04/05),
function-number schedules and their decision (SCH-07..09), roles, and field-named refusals."""

from __future__ import annotations

SEED = {
    "mon": {"from": "07:00", "to": "18:00"},
    "tue": {"from": "07:00", "to": "18:00"},
    "wed": {"from": "07:00", "to": "18:00"},
    "thu": {"from": "07:00", "to": "18:00"},
    "fri": {"from": "07:00", "to": "18:00"},
}


async def test_sch_01_org_hours_and_user_status(api, account, core) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    await core.settings.set("org", None, "core.timezone", "Europe/Copenhagen")
    resp = await api.put(
        "/api/working_hours/org",
        json={
            "week": SEED,
            "exceptions": ["2026-12-24"],
            "extra": [{"date": "2026-12-05", "from": "10:00", "to": "14:00"}],
        },
        headers=root.headers,
    )
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["week"]["mon"] == [{"from": "07:00", "to": "18:00"}] and body["week"]["sat"] == []
    resp = await api.get("/api/working_hours/org", headers=root.headers)
    assert (await resp.json())["exceptions"] == ["2026-12-24"]

    resp = await api.get("/api/me/working_hours/status?at=2026-12-02T09:00", headers=anna.headers)
    status = await resp.json()
    assert status["zone"] == "Europe/Copenhagen"
    assert status["in_working_hours"] is True and status["night_mode"] is False
    assert status["next_change"] == "2026-12-02T17:00:00+00:00"
    assert status["sources"] == {"week": "org", "exceptions": "org", "extra": "org"}
    resp = await api.get("/api/me/working_hours/status?at=2026-12-24T09:00:00%2B01:00", headers=anna.headers)
    assert (await resp.json())["night_mode"] is True  # SCH-02: Christmas Eve
    resp = await api.get("/api/me/working_hours/status?at=2026-12-05T11:00", headers=anna.headers)
    assert (await resp.json())["in_working_hours"] is True  # SCH-03: the Saturday opening
    resp = await api.get(
        f"/api/working_hours/user/{anna.id}/status?at=2026-12-05T15:00", headers=root.headers
    )
    assert (await resp.json())["night_mode"] is True
    resp = await api.get(f"/api/working_hours/user/{anna.id}", headers=anna.headers)
    assert await resp.json() == {
        "scope": "user",
        "scope_id": anna.id,
        "week": None,
        "exceptions": None,
        "extra": None,
    }


async def test_group_and_user_levels(api, account) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    group = await (await api.post("/api/groups", json={"name": "Support"}, headers=root.headers)).json()
    await api.put(f"/api/groups/{group['id']}/members", json={"user_ids": [anna.id]}, headers=root.headers)
    await api.put("/api/working_hours/org", json={"week": SEED}, headers=root.headers)
    resp = await api.put(
        f"/api/working_hours/group/{group['id']}",
        json={"week": {"sat": {"from": "09:00", "to": "13:00"}}},
        headers=root.headers,
    )
    assert resp.status == 200
    resp = await api.get("/api/me/working_hours/status?at=2026-12-05T10:00Z", headers=anna.headers)
    status = await resp.json()
    assert status["in_working_hours"] and status["sources"]["week"] == f"group:{group['id']}"
    resp = await api.put(f"/api/working_hours/user/{anna.id}", json={"week": {}}, headers=root.headers)
    assert resp.status == 200
    resp = await api.get("/api/me/working_hours/status?at=2026-12-05T10:00Z", headers=anna.headers)
    assert (await resp.json())["night_mode"] is True
    resp = await api.put("/api/working_hours/group/999", json={"week": SEED}, headers=root.headers)
    assert resp.status == 404


async def test_roles(api, account, check_error) -> None:
    """A user may not edit org, group or even their own hours (no CAPU row), nor read others'."""
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bob = await account("bob", extension="1002")
    await check_error(await api.put("/api/working_hours/org", json={"week": SEED}, headers=anna.headers), 403)
    await check_error(await api.get("/api/working_hours/org", headers=anna.headers), 403)
    await check_error(
        await api.put(f"/api/working_hours/user/{anna.id}", json={"week": {}}, headers=anna.headers), 403
    )
    await check_error(await api.get(f"/api/working_hours/user/{bob.id}", headers=anna.headers), 403)
    await check_error(await api.get(f"/api/working_hours/user/{bob.id}/status", headers=anna.headers), 403)
    await check_error(await api.get("/api/schedules", headers=anna.headers), 403)
    await check_error(await api.post("/api/schedules", json={}, headers=anna.headers), 403)
    await check_error(await api.get("/api/me/night_mode"), 401)
    assert (await api.get(f"/api/working_hours/user/{bob.id}", headers=root.headers)).status == 200


async def test_sch_05_night_mode_toggle(api, account) -> None:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    await api.put("/api/working_hours/org", json={"week": {}}, headers=root.headers)  # never working
    resp = await api.get("/api/me/night_mode", headers=anna.headers)
    assert (await resp.json())["night_mode"] is True
    resp = await api.put("/api/me/night_mode", json={"off": True}, headers=anna.headers)
    body = await resp.json()
    assert body["night_mode"] is False and body["night_mode_off"] is True
    resp = await api.get("/api/states/extension.1001", headers=anna.headers)
    assert (await resp.json())["attributes"]["night_mode"] is False
    resp = await api.put("/api/me/night_mode", json={"off": False}, headers=anna.headers)
    assert (await resp.json())["night_mode"] is True
    resp = await api.put("/api/me/night_mode", json={"off": "yes"}, headers=anna.headers)
    assert resp.status == 400


async def test_bad_hours_are_refused_naming_the_field(api, account, check_error) -> None:
    root = await account("root", admin=True)
    cases = [
        ({"week": {"mon": {"from": "18:00", "to": "07:00"}}}, "week.mon.0.to"),
        (
            {"week": {"mon": [{"from": "07:00", "to": "12:00"}, {"from": "11:00", "to": "14:00"}]}},
            "week.mon.1",
        ),
        ({"week": {"someday": {"from": "07:00", "to": "12:00"}}}, "week.someday"),
        ({"exceptions": ["2026-02-31"]}, "exceptions.0"),
        ({"extra": [{"date": "2026-12-05", "from": "10:00", "to": "09:00"}]}, "extra.0.to"),
    ]
    for body, field in cases:
        error = await check_error(
            await api.put("/api/working_hours/org", json=body, headers=root.headers), 400
        )
        assert field in error["fields"], (body, error)
    error = await check_error(
        await api.get("/api/me/working_hours/status?at=tomorrow", headers=root.headers), 400
    )
    assert "at" in error["fields"]


WEEKLY = {
    "name": "Opening hours",
    "repeat": "weekly",
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "from": "08:00",
    "to": "15:30",
    "action": "open",
}
HOLIDAY = {
    "name": "Holiday",
    "repeat": "once",
    "start_date": "2018-01-19",
    "from": "00:00",
    "end_date": "2018-01-20",
    "to": "00:00",
    "action": "forward",
    "target": "+4533123456",
}


async def test_sch_07_09_schedule_crud_ordering_and_decision(api, account, check_error) -> None:
    root = await account("root", admin=True)
    body = {
        "name": "Switchboard",
        "owner": "number:1600",
        "events": [WEEKLY],
        "default": {"action": "closed"},
    }
    resp = await api.post("/api/schedules", json=body, headers=root.headers)
    assert resp.status == 201, await resp.text()
    schedule = await resp.json()
    sid = schedule["id"]
    assert schedule["events"][0]["weekdays"] == ["mon", "tue", "wed", "thu", "fri"]
    resp = await api.get(f"/api/schedules/{sid}/decision?at=2018-01-19T09:00Z", headers=root.headers)
    decision = await resp.json()
    assert (decision["event"]["name"], decision["action"], decision["index"]) == ("Opening hours", "open", 0)
    assert decision["next_change"] == "2018-01-19T15:30:00+00:00"

    # SCH-09: the one-off event moved above the weekly one overrides it.
    body["events"] = [HOLIDAY, WEEKLY]
    resp = await api.put(f"/api/schedules/{sid}", json=body, headers=root.headers)
    assert resp.status == 200, await resp.text()
    resp = await api.get(f"/api/schedules/{sid}/decision?at=2018-01-19T09:00Z", headers=root.headers)
    decision = await resp.json()
    assert (decision["event"]["name"], decision["action"], decision["target"]) == (
        "Holiday",
        "forward",
        "+4533123456",
    )
    resp = await api.get(f"/api/schedules/{sid}/decision?at=2018-01-20T20:00Z", headers=root.headers)
    decision = await resp.json()
    assert (decision["event"]["name"], decision["action"], decision["index"]) == ("Always", "closed", None)

    resp = await api.get("/api/schedules?owner=number:1600", headers=root.headers)
    assert [s["id"] for s in await resp.json()] == [sid]
    assert (await api.delete(f"/api/schedules/{sid}", headers=root.headers)).status == 204
    await check_error(await api.get(f"/api/schedules/{sid}", headers=root.headers), 404)


async def test_bad_schedules_are_refused_naming_the_field(api, account, check_error) -> None:
    root = await account("root", admin=True)
    base = {"name": "Switchboard", "owner": "number:1600"}
    cases = [
        ({**base, "events": [{**WEEKLY, "from": "16:00", "to": "08:00"}]}, "events.0.to"),
        ({**base, "events": [WEEKLY, {**WEEKLY, "action": "forward"}]}, "events.1.target"),
        ({**base, "events": [{**WEEKLY, "action": "forward", "target": "call me"}]}, "events.0.target"),
        ({**base, "events": [{**WEEKLY, "weekdays": ["mon", "caturday"]}]}, "events.0.weekdays.1"),
        ({**base, "events": [{**HOLIDAY, "start_date": "2018-02-30"}]}, "events.0.start_date"),
        (
            {**base, "events": [{**WEEKLY, "start_date": "2018-02-01", "end_date": "2018-01-01"}]},
            "events.0.end_date",
        ),
        ({**base, "default": {"action": "forward"}}, "default.target"),
        ({"owner": "number:1600"}, "name"),
        ({**base, "owner": "1600"}, "owner"),
    ]
    for body, field in cases:
        error = await check_error(await api.post("/api/schedules", json=body, headers=root.headers), 400)
        assert field in error["fields"], (body, error)


async def test_sch_06_extend_working_hours_needs_the_right(api, account, check_error, core) -> None:
    from datetime import UTC, datetime

    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bob = await account("bob", extension="1002")
    core.schedules.clock = lambda: datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # Wednesday 15:00 UTC
    await api.put("/api/working_hours/org", json={"week": SEED}, headers=root.headers)
    team = await (await api.post("/api/groups", json={"name": "Team"}, headers=root.headers)).json()
    await api.put(f"/api/groups/{team['id']}/members", json={"user_ids": [anna.id]}, headers=root.headers)

    # Nobody has the right yet: refused.
    await check_error(
        await api.post("/api/working_hours/extend", json={"minutes": 60}, headers=anna.headers), 403
    )
    resp = await api.put(
        "/api/working_hours/extend_groups", json={"group_ids": [team["id"]]}, headers=root.headers
    )
    assert (await resp.json()) == {"group_ids": [team["id"]]}
    await check_error(
        await api.put(
            "/api/working_hours/extend_groups", json={"group_ids": [team["id"]]}, headers=anna.headers
        ),
        403,
    )
    resp = await api.get("/api/me/working_hours/status", headers=anna.headers)
    assert (await resp.json())["may_extend"] is True

    resp = await api.post("/api/working_hours/extend", json={"minutes": 60}, headers=anna.headers)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["added"] == {"date": "2026-12-02", "from": "18:00", "to": "19:00"}
    resp = await api.get("/api/me/working_hours/status?at=2026-12-02T18:30Z", headers=anna.headers)
    assert (await resp.json())["in_working_hours"] is True
    # Her group's hours too, but not another user's nor the organisation's.
    resp = await api.post(
        "/api/working_hours/extend",
        json={"scope": "group", "scope_id": team["id"], "minutes": 30},
        headers=anna.headers,
    )
    assert resp.status == 200, await resp.text()
    await check_error(
        await api.post(
            "/api/working_hours/extend",
            json={"scope": "user", "scope_id": bob.id, "minutes": 30},
            headers=anna.headers,
        ),
        403,
    )
    await check_error(
        await api.post(
            "/api/working_hours/extend", json={"scope": "org", "minutes": 30}, headers=anna.headers
        ),
        403,
    )
    # Bob is in no group with the right.
    await check_error(
        await api.post("/api/working_hours/extend", json={"minutes": 60}, headers=bob.headers), 403
    )
    error = await check_error(
        await api.post("/api/working_hours/extend", json={"minutes": 5000}, headers=anna.headers), 400
    )
    assert "minutes" in error["fields"]
