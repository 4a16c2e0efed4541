"""REST tests of the call history: role rules (ROLE-01, CDR-01/02), filters, CSV export (CDR-08)."""

from __future__ import annotations

import csv
import io
from typing import Any

from cordboard.core.calls.history import save_call
from cordboard.core.calls.model import CallRecord, CallResult
from cordboard.core.core import Core

DAY = 86_400.0
T0 = 1_767_268_800.0  # 2026-01-01 12:00 UTC


async def seed(core: Core, calls: list[CallRecord]) -> None:
    for record in calls:
        await core.db.call(lambda db, r=record: save_call(db, r))


def call(
    n: int,
    caller: tuple[str, int | None],
    callee: tuple[str, int | None],
    result: CallResult = CallResult.ANSWERED,
    *,
    started: float = T0,
    caller_name: str = "",
) -> CallRecord:
    answered = started + 5 if result is CallResult.ANSWERED else None
    return CallRecord(
        id=f"call{n:04d}",
        sip_call_id=f"sip-{n}",
        caller=caller[0],
        caller_name=caller_name or f"Name {caller[0]}",
        caller_user_id=caller[1],
        callee=callee[0],
        callee_name=f"Name {callee[0]}",
        callee_user_id=callee[1],
        started=started,
        answered=answered,
        ended=started + 65,
        result=result,
        sip_code=None if result is CallResult.ANSWERED else 486,
        reason="",
    )


async def three_users(account: Any) -> tuple[Any, Any, Any]:
    root = await account("root", admin=True)
    anna = await account("anna", extension="1001")
    bert = await account("bert", extension="1002")
    return root, anna, bert


async def seed_mix(core: Core, anna: Any, bert: Any, root: Any) -> None:
    await seed(
        core,
        [
            call(1, ("1001", anna.id), ("1002", bert.id), started=T0),
            call(2, ("1002", bert.id), ("1001", anna.id), CallResult.BUSY, started=T0 + DAY),
            call(3, ("1002", bert.id), ("+4930123", None), started=T0 + 2 * DAY),
            call(4, ("root", root.id), ("1002", bert.id), CallResult.NO_ANSWER, started=T0 + 3 * DAY),
        ],
    )


async def ids(resp: Any) -> list[str]:
    assert resp.status == 200, await resp.text()
    return [row["id"] for row in await resp.json()]


async def test_admin_sees_every_call_and_filters(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    get = api.get
    assert await ids(await get("/api/calls", headers=root.headers)) == [
        "call0004",
        "call0003",
        "call0002",
        "call0001",
    ]
    q: dict[str, Any] = {"user_id": anna.id}
    assert await ids(await get("/api/calls", params=q, headers=root.headers)) == ["call0002", "call0001"]
    q = {"result": "busy"}
    assert await ids(await get("/api/calls", params=q, headers=root.headers)) == ["call0002"]
    q = {"since": T0 + DAY, "until": T0 + 3 * DAY}
    assert await ids(await get("/api/calls", params=q, headers=root.headers)) == ["call0003", "call0002"]
    q = {"search": "4930"}
    assert await ids(await get("/api/calls", params=q, headers=root.headers)) == ["call0003"]
    q = {"limit": 2, "offset": 1}
    assert await ids(await get("/api/calls", params=q, headers=root.headers)) == ["call0003", "call0002"]


async def test_user_sees_only_their_own_calls(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert await ids(await api.get("/api/calls", headers=anna.headers)) == ["call0002", "call0001"]
    # Naming another user, or searching for their calls, never widens what a user sees.
    for params in ({"user_id": bert.id}, {"user_id": root.id}, {"search": "root"}, {"search": "4930"}):
        got = await ids(await api.get("/api/calls", params=params, headers=anna.headers))
        assert set(got) <= {"call0001", "call0002"}, params
    assert await ids(await api.get("/api/calls", params={"user_id": root.id}, headers=anna.headers)) == [
        "call0002",
        "call0001",
    ]
    resp = await api.get("/api/calls.csv", params={"user_id": bert.id}, headers=anna.headers)
    assert [r["id"] for r in csv_rows(await resp.text())] == ["call0002", "call0001"]


async def test_calls_need_a_login_and_valid_filters(api: Any, account: Any, check_error: Any) -> None:
    anna = await account("anna")
    for path in ("/api/calls", "/api/calls.csv"):
        resp = await api.get(path)
        await check_error(resp, 401)
        resp = await api.get(path, params={"result": "exploded"}, headers=anna.headers)
        assert set((await check_error(resp, 400))["fields"]) == {"result"}
    resp = await api.get("/api/calls.csv", params={"tz": "Mars/Olympus"}, headers=anna.headers)
    assert set((await check_error(resp, 400))["fields"]) == {"tz"}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_csv_export_applies_the_filters(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    resp = await api.get("/api/calls.csv", headers=root.headers)
    assert resp.status == 200
    assert resp.content_type == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    text = await resp.text()
    assert text.splitlines()[0] == (
        "started,answered,ended,duration_s,caller,caller_name,callee,callee_name,result,sip_code,reason,route,id"
    )
    rows = csv_rows(text)
    assert [r["id"] for r in rows] == ["call0004", "call0003", "call0002", "call0001"]
    first = rows[-1]
    assert (first["started"], first["answered"], first["ended"]) == (
        "2026-01-01T12:00:00+00:00",
        "2026-01-01T12:00:05+00:00",
        "2026-01-01T12:01:05+00:00",
    )
    assert (first["duration_s"], first["caller"], first["callee"], first["result"]) == (
        "60",
        "1001",
        "1002",
        "answered",
    )
    assert rows[1]["callee"] == "+4930123", "a phone number stays a number"

    params: dict[str, Any] = {"user_id": bert.id, "result": "answered", "tz": "Europe/Copenhagen"}
    rows = csv_rows(await (await api.get("/api/calls.csv", params=params, headers=root.headers)).text())
    assert [r["id"] for r in rows] == ["call0003", "call0001"]
    assert rows[1]["started"] == "2026-01-01T13:00:00+01:00"
    params = {"since": T0 + DAY, "until": T0 + 2 * DAY}
    rows = csv_rows(await (await api.get("/api/calls.csv", params=params, headers=root.headers)).text())
    assert [r["id"] for r in rows] == ["call0002"]


async def test_csv_cells_never_become_formulas(core: Core, api: Any, account: Any) -> None:
    root = await account("root", admin=True)
    await seed(core, [call(1, ("=HYPERLINK(1)", None), ("-1+2", None), caller_name="@SUM(A1)")])
    rows = csv_rows(await (await api.get("/api/calls.csv", headers=root.headers)).text())
    assert (rows[0]["caller"], rows[0]["caller_name"], rows[0]["callee"]) == (
        "'=HYPERLINK(1)",
        "'@SUM(A1)",
        "'-1+2",
    )


async def test_active_calls_without_sip(api: Any, account: Any) -> None:
    anna = await account("anna")
    resp = await api.get("/api/calls/active", headers=anna.headers)
    assert resp.status == 200
    assert await resp.json() == []
