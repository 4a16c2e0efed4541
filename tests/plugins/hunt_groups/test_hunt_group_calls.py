"""Calls to a hunt group from real SIP phones over loopback (HG-01..05, HG-08): ann (1001) calls the
group 1500 whose members are bo (1002) and cy (1003). Parallel rings both and the first to answer
talks with ann; sequential rings one after the other; members in do-not-disturb or an excluded
activity or role are skipped; when nobody answers or nobody can, the fallback number rings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cordboard_process import free_port
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import talk
from rtp_audio import dominant, heard, send_audio, tone
from sip_phone import TestPhone, media_address
from trunk_helpers import add_trunk

from cordboard.core.bus import Event
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.dialplan.storage import save_blocking_group
from cordboard.core.exceptions import ConfigValidationError, Conflict
from cordboard.core.sip.message import SipRequest
from cordboard.core.sip.uri import NameAddr, SipUri
from cordboard.plugins.hunt_groups.const import EVENT_HUNT_GROUP_CALL, HUNT_GROUPS_KEY
from cordboard.plugins.hunt_groups.model import HuntGroup

RTP_MIN, RTP_MAX = 47800, 47999


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


@pytest.fixture
async def phones(pbx: Core) -> AsyncIterator[tuple[TestPhone, TestPhone, TestPhone]]:
    """ann, bo and cy, registered."""
    ann, bo, cy = [await registered_phone(pbx, name) for name in ("ann", "bo", "cy")]
    yield ann, bo, cy
    for phone in (ann, bo, cy):
        phone.close()


async def _user_id(core: Core, name: str) -> int:
    return (await core.identity.get_user_by_username(name)).id


async def _hunt_group(core: Core, members: list[str], **fields: Any) -> HuntGroup:
    """A hunt group (1500, "Sales" unless ``fields`` say otherwise) whose user group holds ``members``."""
    name = str(fields.get("name", "Sales"))
    user_group = await core.identity.create_group(f"{name} team")
    await core.identity.set_group_members(user_group.id, [await _user_id(core, m) for m in members])
    return await core.data[HUNT_GROUPS_KEY].create(
        {"name": name, "number": "1500", "user_groups": [user_group.id], **fields}
    )


def _outcomes(core: Core) -> list[dict[str, Any]]:
    """What the ``hunt_group.call`` events say, as they come."""
    seen: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(EVENT_HUNT_GROUP_CALL, record)
    return seen


def _shown(incoming: SipRequest) -> tuple[str | None, str | None]:
    """The caller's number and name as the ringing phone shows them."""
    shown = NameAddr.parse(incoming.headers.get("From") or "")
    assert isinstance(shown.uri, SipUri)
    return shown.uri.user, shown.display_name


async def _history(core: Core, count: int) -> list[dict[str, Any]]:
    """The call history (oldest first) once ``count`` calls are in it and no more come."""
    rows: list[dict[str, Any]] = []
    for _ in range(50):
        rows = await core.db.call(lambda db: list_calls(db, limit=20))
        if len(rows) >= count:
            await asyncio.sleep(0.5)  # a row too many would show up now
            return list(reversed(await core.db.call(lambda db: list_calls(db, limit=20))))
        await asyncio.sleep(0.1)
    raise AssertionError(f"the call history has {rows}, not {count} calls")


async def _not_invited(phone: TestPhone, wait: float = 0.5) -> None:
    with pytest.raises(TimeoutError):
        await phone.wait_request("INVITE", wait=wait)


async def _talk(caller: TestPhone, ok_body: bytes, member: TestPhone, at_member: SipRequest) -> None:
    """Each hears the other: 440 Hz from the caller, 800 Hz from the member."""
    caller.drain_rtp()
    member.drain_rtp()
    talking = [
        asyncio.create_task(send_audio(caller, media_address(ok_body), tone(440.0, 1.6), 1)),
        asyncio.create_task(send_audio(member, media_address(at_member.body), tone(800.0, 1.6), 1)),
    ]
    caller_hears, member_hears = await asyncio.gather(heard(caller, 1.6), heard(member, 1.6))
    await asyncio.gather(*talking)
    assert abs(dominant(caller_hears[-4000:]) - 800) < 15
    assert abs(dominant(member_hears[-4000:]) - 440) < 15


async def _member_hangs_up(member: TestPhone, at_member: SipRequest, caller: TestPhone) -> None:
    bye = member.request_as_callee(at_member, "BYE", cseq=2)
    member.send(bye)
    assert (await member.final_response(bye)).status == 200
    caller.answer(await caller.wait_request("BYE", wait=5), 200)


async def test_hg_03_parallel_rings_every_member_and_the_first_to_answer_gets_the_caller(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """Both phones ring showing "Sales: Ann Tester"; bo answers, cy's ringing is cancelled, ann and
    bo hear each other; the history has ann's call to 1500 and the group's call to bo."""
    ann, bo, cy = phones
    outcomes = _outcomes(pbx)
    await _hunt_group(pbx, ["bo", "cy"], distribution="parallel", ring_s=5)
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE")
    at_cy = await cy.wait_request("INVITE")
    assert _shown(at_bo) == _shown(at_cy) == ("1001", "Sales: Ann Tester")
    bo.answer(at_bo, 180)
    cy.answer(at_cy, 180)
    bo.answer(at_bo, 200)
    cancel = await cy.wait_request("CANCEL")
    assert cancel.call_id == at_cy.call_id
    cy.answer(cancel, 200)
    cy.answer(at_cy, 487)
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await bo.wait_request("ACK")
    await _talk(ann, ok.body, bo, at_bo)
    await _member_hangs_up(bo, at_bo, ann)

    rows = await _history(pbx, 2)
    by_callee = {row["callee"]: row for row in rows}
    assert set(by_callee) == {"1500", "1002"}
    assert (by_callee["1500"]["caller"], by_callee["1500"]["result"]) == ("1001", "answered")
    member = by_callee["1002"]
    assert (member["caller"], member["caller_name"], member["callee_name"], member["result"]) == (
        "1001",
        "Sales: Ann Tester",
        "Bo Tester",
        "answered",
    )
    assert member["reason"].startswith("hunt group Sales (1500)")
    assert outcomes == [
        {
            "group_id": outcomes[0]["group_id"],
            "number": "1500",
            "call_id": by_callee["1500"]["id"],
            "outcome": "answered",
            "answered_by": await _user_id(pbx, "bo"),
            "fallback": None,
        }
    ]


async def test_hg_03_sequential_rings_one_member_for_the_ring_length_then_the_next(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """bo (1002) rings first, for 1 s, alone; then cy (1003), who answers and talks with ann."""
    ann, bo, cy = phones
    await _hunt_group(pbx, ["cy", "bo"], distribution="sequential", ring_s=1)
    loop = asyncio.get_running_loop()
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE")
    rang_at = loop.time()
    bo.answer(at_bo, 180)
    await _not_invited(cy, 0.5)  # one member at a time
    cancel = await bo.wait_request("CANCEL", wait=3)
    bo.answer(cancel, 200)
    bo.answer(at_bo, 487)
    at_cy = await cy.wait_request("INVITE", wait=3)
    assert 0.8 < loop.time() - rang_at < 2.0  # bo rang for the ring length
    assert _shown(at_cy) == ("1001", "Sales: Ann Tester")
    cy.answer(at_cy, 200)
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await _talk(ann, ok.body, cy, at_cy)
    await _member_hangs_up(cy, at_cy, ann)
    rows = await _history(pbx, 3)
    assert [(r["callee"], r["result"]) for r in rows] == [
        ("1500", "answered"),
        ("1002", "no_answer"),
        ("1003", "answered"),
    ]


@pytest.mark.parametrize("distribution", ["parallel", "sequential"])
async def test_hg_04_hunt_group_sequential_and_parallel_with_one_member_in_dnd(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone], distribution: str
) -> None:
    """The issue's case: bo is in do-not-disturb, so only cy rings, at once in either distribution;
    bo's phone never rings."""
    ann, bo, cy = phones
    assert pbx.presence is not None
    await pbx.presence.set_presence(await _user_id(pbx, "bo"), {"dnd": True})
    await _hunt_group(pbx, ["bo", "cy"], distribution=distribution, ring_s=2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    calling = asyncio.create_task(ann.invite("1500"))
    at_cy = await cy.wait_request("INVITE", wait=3)
    assert loop.time() - started < 0.8  # not after bo's ring length
    cy.answer(at_cy, 200)
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await _not_invited(bo, 0.3)
    await _member_hangs_up(cy, at_cy, ann)


async def test_hg_05_members_with_an_excluded_activity_or_role_are_skipped(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """cy is at lunch (an excluded activity), bo in the excluded role Private: nobody can take the
    call and there is no fallback, so ann hears "not available" and the call ends. Without the role,
    bo rings and cy still does not."""
    ann, bo, cy = phones
    assert pbx.presence is not None
    lunch = await pbx.presence.save_activity({"name": "Lunch", "show_as": "busy"})
    private = await pbx.presence.save_role({"name": "Private"})
    bo_id = await _user_id(pbx, "bo")
    await pbx.presence.set_presence(await _user_id(pbx, "cy"), {"activity_id": lunch.id})
    await pbx.presence.set_presence(bo_id, {"role_id": private.id})
    outcomes = _outcomes(pbx)
    await _hunt_group(
        pbx, ["bo", "cy"], ring_s=2, excluded_activities=[lunch.id], excluded_roles=[private.id]
    )
    _invite, ok = await ann.call("1500")
    assert ok.status == 200  # answered to say so
    announcement = await heard(ann, 1.0)
    assert announcement.size and int(abs(announcement.astype(int)).max()) > 1000
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    for phone in (bo, cy):
        await _not_invited(phone, 0.1)
    assert [o["outcome"] for o in outcomes] == ["not_available"]

    await pbx.presence.set_presence(bo_id, {"role_id": None})
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE", wait=3)
    bo.answer(at_bo, 486)  # busy: nobody else, no fallback
    _invite, final = await calling
    assert final.status == 200  # "not available" again
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    await _not_invited(cy, 0.1)


async def test_hg_04_nobody_answers_so_the_fallback_rings(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """bo lets it ring for the ring length: cy, the fallback, rings with the group's name and talks
    with ann. With bo in do-not-disturb (nobody available) the fallback rings at once."""
    ann, bo, cy = phones
    outcomes = _outcomes(pbx)
    await _hunt_group(pbx, ["bo"], ring_s=1, fallback="1003")
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE")
    bo.answer(at_bo, 180)
    cancel = await bo.wait_request("CANCEL", wait=3)
    bo.answer(cancel, 200)
    bo.answer(at_bo, 487)
    at_cy = await cy.wait_request("INVITE", wait=3)
    assert _shown(at_cy) == ("1001", "Sales: Ann Tester")
    cy.answer(at_cy, 200)
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await _talk(ann, ok.body, cy, at_cy)
    await _member_hangs_up(cy, at_cy, ann)
    rows = await _history(pbx, 3)
    assert [(r["callee"], r["result"]) for r in rows] == [
        ("1500", "answered"),
        ("1002", "no_answer"),
        ("1003", "answered"),
    ]
    assert rows[2]["reason"].startswith("hunt group Sales (1500): fallback")
    assert [(o["outcome"], o["fallback"]) for o in outcomes] == [("fallback", "1003")]

    assert pbx.presence is not None
    await pbx.presence.set_presence(await _user_id(pbx, "bo"), {"dnd": True})
    calling = asyncio.create_task(ann.invite("1500"))
    at_cy = await cy.wait_request("INVITE", wait=1)
    cy.answer(at_cy, 486)
    _invite, final = await calling
    assert final.status == 200  # the fallback was busy too: "not available"
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    await _not_invited(bo, 0.1)


async def test_hg_04_the_fallback_may_be_another_hunt_group(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """Sales (1500, bo) falls back to Support (1501, cy): the call goes on in Support, whose members
    see Support's name; a loop back to Sales ends with "not available"."""
    ann, bo, cy = phones
    support_team = await pbx.identity.create_group("Support team")
    await pbx.identity.set_group_members(support_team.id, [await _user_id(pbx, "cy")])
    groups = pbx.data[HUNT_GROUPS_KEY]
    support = await groups.create({"name": "Support", "number": "1501", "user_groups": [support_team.id]})
    await _hunt_group(pbx, ["bo"], ring_s=1, fallback="1501")
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE")
    bo.answer(at_bo, 480)
    at_cy = await cy.wait_request("INVITE", wait=3)
    assert _shown(at_cy) == ("1001", "Support: Ann Tester")
    cy.answer(at_cy, 486)  # Support has no fallback but Sales
    await groups.update(support.id, {**support.as_dict(), "fallback": "1500"})
    _invite, final = await calling
    assert final.status == 200  # "not available"
    ann.answer(await ann.wait_request("BYE", wait=10), 200)

    # Support -> Sales -> Support: each group rings once, then the loop is cut.
    calling = asyncio.create_task(ann.invite("1501"))
    cy.answer(await cy.wait_request("INVITE", wait=3), 486)
    bo.answer(await bo.wait_request("INVITE", wait=3), 486)
    _invite, final = await calling
    assert final.status == 200
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    await _not_invited(cy, 0.3)


async def test_hg_08_the_schedule_closes_the_group_or_forwards_its_calls(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """Closed (SCH-07's "Always" event here): ann hears "not available" and no member rings; Forward
    to 1003: cy rings instead of the members; Open: bo rings."""
    ann, bo, cy = phones
    outcomes = _outcomes(pbx)
    schedule = await pbx.schedules.create_schedule(
        {"name": "Sales hours", "owner": "number:1500", "default": {"action": "closed"}}
    )
    await _hunt_group(pbx, ["bo"], ring_s=2, schedule_id=schedule.id)
    _invite, ok = await ann.call("1500")
    assert ok.status == 200
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    await _not_invited(bo, 0.1)
    assert [o["outcome"] for o in outcomes] == ["closed"]

    for action, member in (({"action": "forward", "target": "1003"}, cy), ({"action": "open"}, bo)):
        await pbx.schedules.update_schedule(
            schedule.id, {"name": "Sales hours", "owner": "number:1500", "default": action}
        )
        calling = asyncio.create_task(ann.invite("1500"))
        incoming = await member.wait_request("INVITE", wait=3)
        member.answer(incoming, 200)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        await _member_hangs_up(member, incoming, ann)
    assert [o["outcome"] for o in outcomes] == ["closed", "fallback", "answered"]


async def test_hg_01_the_number_is_the_groups_alone(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """A hunt group cannot take bo's extension (the field says whose it is), and no user can take
    the group's number."""
    ann, bo, _cy = phones
    groups = pbx.data[HUNT_GROUPS_KEY]
    team = await pbx.identity.create_group("Sales team")
    with pytest.raises(ConfigValidationError) as refused:
        await groups.create({"name": "Sales", "number": "1002", "user_groups": [team.id]})
    assert refused.value.fields == {"number": "1002 already belongs to Bo Tester"}
    assert groups.all() == []
    (_invite, response), _ = await asyncio.gather(ann.invite("1002"), _answer_busy(bo))
    assert response.status == 486  # 1002 still rings bo

    await groups.create({"name": "Sales", "number": "1500", "user_groups": [team.id]})
    with pytest.raises(Conflict, match="Hunt group Sales"):
        await pbx.identity.update_user(await _user_id(pbx, "bo"), {"extension": "1500"})


async def _answer_busy(phone: TestPhone) -> None:
    phone.answer(await phone.wait_request("INVITE"), 486)


async def test_pkp_03_a_hunt_group_call_ringing_at_a_member_is_picked_up_elsewhere(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """The group rings bo; cy dials the directed pickup code for bo and gets ann (PKP-03 on a call
    the appliance placed for a plugin); bo's phone stops ringing."""
    ann, bo, cy = phones
    await _hunt_group(pbx, ["bo"], distribution="parallel", ring_s=10)
    calling = asyncio.create_task(ann.invite("1500"))
    at_bo = await bo.wait_request("INVITE")
    bo.answer(at_bo, 180)
    picking = asyncio.create_task(cy.call("*9*1002*"))
    cancel = await bo.wait_request("CANCEL", wait=5)
    bo.answer(cancel, 200)
    bo.answer(at_bo, 487)
    _pickup, picked = await picking
    assert picked.status == 200
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await talk(ann, media_address(ok.body), cy, media_address(picked.body))
    ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
    bye = await cy.wait_request("BYE", wait=5)
    cy.answer(bye, 200, to_tag="")
    rows = await _history(pbx, 3)
    member = next(r for r in rows if r["caller_name"] == "Sales: Ann Tester")
    assert member["callee"] == "1003" and "picked up by 1003" in member["route"]


async def _not_invited_again(phone: TestPhone, earlier_call_id: str, wait: float = 0.5) -> None:
    """No INVITE for a new call (a late retransmission of the earlier one's may still come)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + wait
    while (left := end - loop.time()) > 0:
        try:
            invite = await phone.wait_request("INVITE", wait=left)
        except TimeoutError:
            return
        assert invite.call_id == earlier_call_id, "a new call rang this phone"


async def test_hg_06_the_group_says_which_phone_types_ring(pbx: Core) -> None:
    """HG-06: bo has a desk phone and a softphone app, cy only a softphone. A group ringing desk
    phones rings bo's desk phone alone; switched to softphones, it rings both softphones and not
    the desk phone."""
    ann = await registered_phone(pbx, "ann")
    desk = await registered_phone(pbx, "bo", user_agent="Yealink SIP-T54W 96.86.0.100")
    bo_app = await registered_phone(pbx, "bo", user_agent="Linphone Desktop/5.2.4 (Ubuntu)")
    cy_app = await registered_phone(pbx, "cy", user_agent="Z 5.6.1 v2.10.20.2 (Zoiper)")
    service = pbx.data[HUNT_GROUPS_KEY]
    try:
        group = await _hunt_group(pbx, ["bo", "cy"], ring_s=5, phone_types=["desk"])
        assert group.phone_types == ("desk",)
        calling = asyncio.create_task(ann.invite("1500"))
        at_desk = await desk.wait_request("INVITE")
        await _not_invited(bo_app)
        await _not_invited(cy_app, wait=0.1)
        desk.answer(at_desk, 200)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        await _member_hangs_up(desk, at_desk, ann)

        fields = {**group.as_dict(), "phone_types": ["softphone"]}
        await service.update(group.id, fields)
        calling = asyncio.create_task(ann.invite("1500"))
        at_bo_app = await bo_app.wait_request("INVITE")
        bo_app.answer(at_bo_app, 180)
        at_cy_app = await cy_app.wait_request("INVITE")
        await _not_invited_again(desk, at_desk.call_id)
        cy_app.answer(at_cy_app, 200)
        cancel = await bo_app.wait_request("CANCEL")
        bo_app.answer(cancel, 200)
        bo_app.answer(at_bo_app, 487)
        invite, ok = await calling
        assert ok.status == 200
        ann.ack(invite, ok)
        await _member_hangs_up(cy_app, at_cy_app, ann)
    finally:
        for phone in (ann, desk, bo_app, cy_app):
            phone.close()


async def test_hg_06_phone_types_are_checked_by_field(pbx: Core) -> None:
    service = pbx.data[HUNT_GROUPS_KEY]
    group = await _hunt_group(pbx, ["bo"])
    assert group.phone_types == ("desk", "softphone")  # the default: phones, not mobiles
    for bad, says in (([], "at least one"), (["fax"], "unknown phone type 'fax'"), ("desk", "a list")):
        with pytest.raises(ConfigValidationError) as refused:
            await service.update(group.id, {**group.as_dict(), "phone_types": bad})
        assert says in refused.value.fields["phone_types"], refused.value.fields


class _Provider(asyncio.DatagramProtocol):
    """The far end of an IP trunk: keeps what reaches it (and answers nothing)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)


async def test_bar_04_a_fallback_blocked_after_saving_says_not_available_and_is_not_rung(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """BAR-04: the group falls back to +4930123456 over a trunk and is in the blocking group
    "Premium", which blocked only +45900... when the group was saved and blocks international
    numbers now. bo (its member) is in do-not-disturb, so ann's call goes to the fallback at once:
    she hears "not available" and the call ends, the history's route says the number was blocked,
    and nothing goes out over the trunk."""
    ann, bo, _cy = phones
    port = free_port()
    transport, provider = await asyncio.get_running_loop().create_datagram_endpoint(
        _Provider, local_addr=("127.0.0.1", port)
    )
    try:
        await add_trunk(pbx, kind="ip", port=port, addresses=[f"127.0.0.1:{port}"], options_interval=0)
        premium = {"name": "Premium", "number_types": [], "international": False, "prefixes": ["+45900"]}
        group = await pbx.db.call(lambda db: save_blocking_group(db, premium))
        await pbx.dialplan.reload()
        await _hunt_group(pbx, ["bo"], ring_s=1, fallback="+4930123456", blocking_groups=[group.id])
        await pbx.db.call(lambda db: save_blocking_group(db, {**premium, "international": True}, group.id))
        await pbx.dialplan.reload()
        assert pbx.presence is not None
        await pbx.presence.set_presence(await _user_id(pbx, "bo"), {"dnd": True})
        outcomes = _outcomes(pbx)
        _invite, ok = await ann.call("1500")
        assert ok.status == 200  # answered to say so
        announcement = await heard(ann, 1.0)
        assert announcement.size and int(abs(announcement.astype(int)).max()) > 1000
        ann.answer(await ann.wait_request("BYE", wait=10), 200)
        await _not_invited(bo, 0.1)
        assert [(o["outcome"], o["fallback"]) for o in outcomes] == [("not_available", "+4930123456")]
        [row] = await _history(pbx, 1)
        assert "+4930123456 blocked by the blocking group Premium" in str(row["route"]), row
        assert not any(b"INVITE" in data for data in provider.received), provider.received
    finally:
        transport.close()
