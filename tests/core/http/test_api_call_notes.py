"""REST tests of a user's own call list (CDR-04, CAPU-02/03): notes on calls and calls removed from
the list; only the person's own calls, and the administrator's central journal keeps everything."""

from __future__ import annotations

from typing import Any

from test_api_calls import call, seed, seed_mix, three_users

from cordboard.core.calls.history import NOTE_MAX, call_notes, list_own_calls, set_call_note
from cordboard.core.calls.model import CallResult
from cordboard.core.core import Core


async def own(api: Any, who: Any, **params: Any) -> list[dict[str, Any]]:
    resp = await api.get("/api/calls", params={"mine": "1", **params}, headers=who.headers)
    assert resp.status == 200, await resp.text()
    rows: list[dict[str, Any]] = await resp.json()
    return rows


async def put_note(api: Any, who: Any, call_id: str, note: Any) -> Any:
    return await api.put(f"/api/calls/{call_id}/note", json={"note": note}, headers=who.headers)


async def test_a_user_notes_their_calls_and_finds_them_by_the_note(
    core: Core, api: Any, account: Any
) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert {row["id"]: row["note"] for row in await own(api, anna)} == {"call0002": "", "call0001": ""}

    resp = await put_note(api, anna, "call0001", "  Call back about the invoice  ")
    assert resp.status == 200, await resp.text()
    assert await resp.json() == {"id": "call0001", "note": "Call back about the invoice"}
    rows = await own(api, anna)
    assert [(row["id"], row["note"]) for row in rows] == [
        ("call0002", ""),
        ("call0001", "Call back about the invoice"),
    ]
    # The same call in the other party's list has their own note (none yet).
    assert {row["id"]: row["note"] for row in await own(api, bert)}["call0001"] == ""
    # Users get their own list even without asking for it.
    plain = await api.get("/api/calls", headers=anna.headers)
    assert [row["note"] for row in await plain.json()] == ["", "Call back about the invoice"]

    assert [row["id"] for row in await own(api, anna, search="invoice")] == ["call0001"]
    assert [row["id"] for row in await own(api, bert, search="invoice")] == []

    # An empty note removes it.
    assert (await put_note(api, anna, "call0001", "   ")).status == 200
    assert {row["id"]: row["note"] for row in await own(api, anna)}["call0001"] == ""


async def test_admins_see_the_notes_in_the_journal(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert (await put_note(api, anna, "call0001", "from Anna")).status == 200
    assert (await put_note(api, bert, "call0001", "from Bert")).status == 200
    resp = await api.get("/api/calls", headers=root.headers)
    notes = {row["id"]: row["notes"] for row in await resp.json()}
    assert notes["call0001"] == [
        {"user_id": anna.id, "username": "anna", "note": "from Anna"},
        {"user_id": bert.id, "username": "bert", "note": "from Bert"},
    ]
    assert notes["call0002"] == []


async def test_removing_a_call_hides_it_from_that_user_only(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert (await put_note(api, anna, "call0001", "gone with the call")).status == 200

    resp = await api.delete("/api/calls/call0001/mine", headers=anna.headers)
    assert resp.status == 204, await resp.text()
    assert [row["id"] for row in await own(api, anna)] == ["call0002"]
    resp = await api.get("/api/calls.csv", headers=anna.headers)
    assert "call0001" not in await resp.text()
    # The other party still has it, and the central journal keeps it (without the removed note).
    assert "call0001" in [row["id"] for row in await own(api, bert)]
    journal = await (await api.get("/api/calls", headers=root.headers)).json()
    assert {row["id"]: row["notes"] for row in journal}["call0001"] == []
    journal = await (await api.get("/api/calls", params={"user_id": anna.id}, headers=root.headers)).json()
    assert [row["id"] for row in journal] == ["call0002", "call0001"]

    # Gone from the list: it can be neither removed again nor annotated.
    assert (await api.delete("/api/calls/call0001/mine", headers=anna.headers)).status == 404
    assert (await put_note(api, anna, "call0001", "again")).status == 404


async def test_an_admins_own_list_is_theirs(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert [row["id"] for row in await own(api, root)] == ["call0004"]
    assert (await api.delete("/api/calls/call0004/mine", headers=root.headers)).status == 204
    assert await own(api, root) == []
    everything = await (await api.get("/api/calls", headers=root.headers)).json()
    assert len(everything) == 4
    # An administrator cannot annotate or remove other people's calls this way.
    assert (await put_note(api, root, "call0001", "not mine")).status == 404
    assert (await api.delete("/api/calls/call0001/mine", headers=root.headers)).status == 404


async def test_other_peoples_calls_are_refused(core: Core, api: Any, account: Any, check_error: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    # call0003 is Bert's call to an outside number, call0004 root's call to Bert: not Anna's.
    for call_id in ("call0003", "call0004", "nonexistent"):
        await check_error(await put_note(api, anna, call_id, "snooping"), 404)
        await check_error(await api.delete(f"/api/calls/{call_id}/mine", headers=anna.headers), 404)
    # Bert's list and the journal are untouched.
    assert [row["id"] for row in await own(api, bert)] == ["call0004", "call0003", "call0002", "call0001"]
    assert all(row["note"] == "" for row in await own(api, bert))
    assert all(row["notes"] == [] for row in await (await api.get("/api/calls", headers=root.headers)).json())


async def test_notes_need_a_login_and_a_valid_body(
    core: Core, api: Any, account: Any, check_error: Any
) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    await check_error(await api.put("/api/calls/call0001/note", json={"note": "x"}), 401)
    await check_error(await api.delete("/api/calls/call0001/mine"), 401)
    too_long = await check_error(await put_note(api, anna, "call0001", "x" * (NOTE_MAX + 1)), 400)
    assert set(too_long["fields"]) == {"note"}
    assert set((await check_error(await put_note(api, anna, "call0001", 42), 400))["fields"]) == {"note"}
    resp = await api.put("/api/calls/call0001/note", json={}, headers=anna.headers)
    assert set((await check_error(resp, 400))["fields"]) == {"note"}
    assert (await put_note(api, anna, "call0001", "x" * NOTE_MAX)).status == 200


async def test_notes_survive_the_call_row_being_written_again(core: Core, api: Any, account: Any) -> None:
    root, anna, bert = await three_users(account)
    await seed_mix(core, anna, bert, root)
    assert await core.db.call(
        lambda db: set_call_note(db, call_id="call0002", user_id=anna.id, note="busy again")
    )
    await seed(core, [call(2, ("1002", bert.id), ("1001", anna.id), CallResult.BUSY)])
    rows = await core.db.call(lambda db: list_own_calls(db, user_id=anna.id))
    assert {row["id"]: row["note"] for row in rows}["call0002"] == "busy again"
    notes = await core.db.call(lambda db: call_notes(db, ["call0002", "call0002", "call0001"]))
    assert notes == {"call0002": [{"user_id": anna.id, "username": "anna", "note": "busy again"}]}
