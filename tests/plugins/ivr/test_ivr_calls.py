"""Calls to an IVR menu from real SIP phones over loopback (IVR-02..04, IVR-08): ann (1001) calls
the menu 1600; a key sends her to bo (1002) or his mailbox, direct dialling reaches cy (1003), no
key or an invalid one plays the menu again and at last says goodbye and hangs up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cordboard_process import free_port
from language_prompts import language_of, prompt_in_three_languages, tone_prompt
from loopback_pbx import add_cy, registered_phone, running_pbx
from rtp_audio import dominant, heard, send_audio, send_digits, tone, until_beep
from sip_phone import TestPhone, media_address
from trunk_helpers import add_trunk

from cordboard.core.bus import Event
from cordboard.core.calls.announcement import ANNOUNCEMENT_SETTING
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.dialplan.storage import save_blocking_group
from cordboard.core.numbers.storage import list_ranges, update_range
from cordboard.core.sip.message import SipRequest, SipResponse
from cordboard.core.sip.uri import NameAddr, SipUri
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.ivr.const import EVENT_IVR_CALL, IVR_MENUS_KEY
from cordboard.plugins.ivr.model import IvrMenu
from cordboard.plugins.voicemail.const import MAILBOXES_KEY

RTP_MIN, RTP_MAX = 39400, 39599


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


async def _menu(core: Core, **fields: Any) -> IvrMenu:
    """The menu "Main" at 1600: key 2 rings bo, key 9 is his mailbox (unless ``fields`` say otherwise)."""
    options = {"2": {"kind": "number", "target": "1002"}, "9": {"kind": "voicemail", "target": "1002"}}
    return await core.data[IVR_MENUS_KEY].create(
        {"name": "Main", "number": "1600", "options": options, "timeout_s": 2, **fields}
    )


def _outcomes(core: Core) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def record(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    core.bus.listen(EVENT_IVR_CALL, record)
    return seen


async def _outcome(seen: list[dict[str, Any]], wait: float = 10.0) -> dict[str, Any]:
    for _ in range(int(wait * 10)):
        if seen:
            return seen[0]
        await asyncio.sleep(0.1)
    raise AssertionError("the menu never finished with the call")


def _shown(incoming: SipRequest) -> tuple[str | None, str | None]:
    shown = NameAddr.parse(incoming.headers.get("From") or "")
    assert isinstance(shown.uri, SipUri)
    return shown.uri.user, shown.display_name


async def _calls_menu(ann: TestPhone) -> tuple[SipRequest, SipResponse, tuple[str, int]]:
    invite, ok = await ann.call("1600")
    assert ok.status == 200, ok
    return invite, ok, media_address(ok.body)


async def _hangs_up(ann: TestPhone, invite: SipRequest, ok: SipResponse) -> None:
    bye = ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1)
    ann.send(bye)
    assert (await ann.final_response(bye)).status == 200


async def test_ivr_02_03_a_key_during_the_welcome_prompt_rings_the_option(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, _ = phones
    seen = _outcomes(pbx)
    await _menu(pbx, welcome_prompt="leave_message")
    invite, ok, to = await _calls_menu(ann)
    await asyncio.sleep(0.5)  # the prompt is playing
    await send_digits(ann, to, "2", 1)
    at_bo = await bo.wait_request("INVITE", wait=10)
    assert _shown(at_bo) == ("1001", "Main: Ann Tester")
    bo.answer(at_bo, 200)
    await bo.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    bo.answer(await bo.wait_request("BYE"), 200)
    outcome = await _outcome(seen)
    assert (outcome["outcome"], outcome["keys"], outcome["target"]) == ("transferred", ["2"], "1002")
    reasons: list[Any] = []
    for _ in range(50):  # the history keeps the caller's choice
        reasons = [row["reason"] for row in await pbx.db.call(lambda db: list_calls(db, limit=20))]
        if any(str(r).startswith("IVR Main option 2") for r in reasons):
            break
        await asyncio.sleep(0.1)
    assert any(str(r).startswith("IVR Main option 2") for r in reasons), reasons


async def test_ivr_08_no_key_repeats_the_menu_then_says_goodbye_and_hangs_up(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, _ = phones
    seen = _outcomes(pbx)
    await _menu(pbx, retries=1, timeout_s=1)
    invite, _ok, _to = await _calls_menu(ann)
    heard_audio = await heard(ann, 1.0)
    assert int(np.abs(heard_audio.astype(np.int32)).max()) > 1000  # the welcome prompt
    bye = await ann.wait_request("BYE", wait=30)
    ann.answer(bye, 200)
    outcome = await _outcome(seen)
    assert (outcome["outcome"], outcome["keys"], outcome["plays"]) == ("goodbye", [], 2)
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.2)
    del invite


async def test_ivr_08_an_invalid_key_says_so_and_plays_the_menu_again(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, _ = phones
    seen = _outcomes(pbx)
    await _menu(pbx)
    invite, ok, to = await _calls_menu(ann)
    seq = await send_digits(ann, to, "5", 1)
    await asyncio.sleep(1.0)
    await send_digits(ann, to, "2", seq)
    at_bo = await bo.wait_request("INVITE", wait=15)
    bo.answer(at_bo, 486)
    await bo.wait_request("ACK")
    await asyncio.sleep(0.5)  # "not available", back to the menu
    await _hangs_up(ann, invite, ok)
    outcome = await _outcome(seen)
    assert outcome["keys"] == ["5", "2"] and outcome["plays"] >= 2, outcome
    assert outcome["outcome"] == "caller_hung_up"


async def test_ivr_04_direct_dial_reaches_an_extension_in_a_dialable_range(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, _bo, cy = phones
    seen = _outcomes(pbx)

    def dialable(db: Any) -> None:
        users = next(r for r in list_ranges(db) if r.contains("1003"))
        update_range(db, users.id, {"ivr_dialable": True})

    await pbx.db.call(dialable)
    await _menu(pbx, direct_dial=True, options={})
    invite, ok, to = await _calls_menu(ann)
    await send_digits(ann, to, "1003#", 1)
    at_cy = await cy.wait_request("INVITE", wait=10)
    assert _shown(at_cy) == ("1001", "Main: Ann Tester")
    cy.answer(at_cy, 200)
    await cy.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    cy.answer(await cy.wait_request("BYE"), 200)
    outcome = await _outcome(seen)
    assert (outcome["outcome"], outcome["keys"], outcome["target"]) == ("transferred", ["1003"], "1003")


async def test_ivr_03_an_option_to_voicemail_leaves_a_message_in_the_mailbox(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    ann, bo, _ = phones
    seen = _outcomes(pbx)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await _menu(pbx)
    invite, ok, to = await _calls_menu(ann)
    seq = await send_digits(ann, to, "9", 1)
    ann.drain_rtp()
    greeting = await until_beep(ann)  # "not available", "leave a message after the tone", the tone
    assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
    await send_audio(ann, to, tone(600.0, 2.0), seq)
    await _hangs_up(ann, invite, ok)
    mailboxes = pbx.data[MAILBOXES_KEY]
    for _ in range(50):
        if mailboxes.messages(bo_id):
            break
        await asyncio.sleep(0.1)
    assert len(mailboxes.messages(bo_id)) == 1
    outcome = await _outcome(seen)
    assert (outcome["outcome"], outcome["keys"]) == ("voicemail", ["9"])
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.2)


async def test_ivr_03_a_key_to_a_user_follows_their_routing_rule_to_their_mailbox(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """The menu hands the caller to bo as a call dialled to him would go: his rule rings his phone
    and then takes the caller to his mailbox (not "not available" and back to the menu)."""
    ann, bo, _ = phones
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await pbx.routing.create(
        {
            "scope": "user",
            "scope_id": bo_id,
            "list": "incoming",
            "name": "Mailbox after a second",
            "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": 1}],
        }
    )
    seen = _outcomes(pbx)
    await _menu(pbx)
    invite, ok, to = await _calls_menu(ann)
    await asyncio.sleep(0.5)
    await send_digits(ann, to, "2", 1)
    at_bo = await bo.wait_request("INVITE", wait=10)
    bo.answer(at_bo, 180)
    cancel = await bo.wait_request("CANCEL", wait=5)  # a second later the rule's mailbox step
    bo.answer(cancel, 200)
    bo.answer(at_bo, 487)
    greeting = await until_beep(ann)
    assert int(np.abs(greeting.astype(np.int32)).max()) > 1000
    await _hangs_up(ann, invite, ok)
    outcome = await _outcome(seen)
    assert (outcome["outcome"], outcome["target"]) == ("transferred", "1002")


async def _support_line_to_second_menu(core: Core, *, keep_derived_metadata: bool) -> None:
    """IVR-05: "Support" (1600, display text "Support line") whose key 1 leads to the menu "Second"
    (1601), whose key 2 rings bo; "Second" keeps an earlier display text or not."""
    await core.data[IVR_MENUS_KEY].create(
        {
            "name": "Second",
            "number": "1601",
            "options": {"2": {"kind": "number", "target": "1002"}},
            "timeout_s": 3,
            "keep_derived_metadata": keep_derived_metadata,
        }
    )
    await _menu(
        core,
        name="Support",
        display_text="Support line",
        options={"1": {"kind": "number", "target": "1601"}},
        timeout_s=3,
    )


@pytest.mark.parametrize(
    ("keep_derived_metadata", "shown"), [(True, "Support line: Ann Tester"), (False, "Second: Ann Tester")]
)
async def test_ivr_05_a_second_menu_keeps_the_first_menus_display_text_when_told_to(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone], keep_derived_metadata: bool, shown: str
) -> None:
    """ann keys 1 in "Support" and 2 in "Second": bo's phone shows the first menu's display text
    when "Second" keeps metadata from derived calls (IVR-05), else the second menu's name; the
    caller's name appears once either way."""
    ann, bo, _ = phones
    await _support_line_to_second_menu(pbx, keep_derived_metadata=keep_derived_metadata)
    invite, ok, to = await _calls_menu(ann)
    await asyncio.sleep(0.5)
    seq = await send_digits(ann, to, "1", 1)
    await asyncio.sleep(1.0)  # "Second" answers the same channel and plays its welcome prompt
    await send_digits(ann, to, "2", seq)
    at_bo = await bo.wait_request("INVITE", wait=10)
    assert _shown(at_bo) == ("1001", shown)
    bo.answer(at_bo, 200)
    await bo.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    bo.answer(await bo.wait_request("BYE"), 200)


@pytest.mark.parametrize(
    ("keep_derived_metadata", "shown"), [(True, "Support line: Ann Tester"), (False, "Sales: Ann Tester")]
)
async def test_ivr_05_a_hunt_group_behind_the_menu_keeps_its_display_text_when_told_to(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone], keep_derived_metadata: bool, shown: str
) -> None:
    """ann keys 3 in "Support" (display text "Support line"), which leads to the hunt group "Sales"
    (1500, member cy): cy's phone shows the menu's text when the group keeps it, else the group's."""
    ann, _bo, cy = phones
    team = await pbx.identity.create_group("Sales team")
    await pbx.identity.set_group_members(team.id, [(await pbx.identity.get_user_by_username("cy")).id])
    await pbx.data[HUNT_GROUPS_KEY].create(
        {
            "name": "Sales",
            "number": "1500",
            "user_groups": [team.id],
            "keep_derived_metadata": keep_derived_metadata,
        }
    )
    await _menu(
        pbx, name="Support", display_text="Support line", options={"3": {"kind": "number", "target": "1500"}}
    )
    invite, ok, to = await _calls_menu(ann)
    await asyncio.sleep(0.5)
    await send_digits(ann, to, "3", 1)
    at_cy = await cy.wait_request("INVITE", wait=10)
    assert _shown(at_cy) == ("1001", shown)
    cy.answer(at_cy, 200)
    await cy.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    cy.answer(await cy.wait_request("BYE"), 200)


class _Provider(asyncio.DatagramProtocol):
    """The far end of an IP trunk: keeps what reaches it (and answers nothing)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.append(data)


async def test_bar_04_an_option_to_a_number_blocked_after_saving_says_not_available_and_repeats_the_menu(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """BAR-04: the menu's key 1 calls +4930123456 over a trunk; the menu is in the blocking group
    "Premium", which blocked only +45900... when the menu was saved and blocks international numbers
    now. ann keys 1: she hears "not available" and the menu again (then goodbye), the history's
    route says the number was blocked, and nothing goes out over the trunk."""
    ann, _bo, _cy = phones
    port = free_port()
    transport, provider = await asyncio.get_running_loop().create_datagram_endpoint(
        _Provider, local_addr=("127.0.0.1", port)
    )
    try:
        await add_trunk(pbx, kind="ip", port=port, addresses=[f"127.0.0.1:{port}"], options_interval=0)
        group = await pbx.db.call(
            lambda db: save_blocking_group(
                db, {"name": "Premium", "number_types": [], "international": False, "prefixes": ["+45900"]}
            )
        )
        await pbx.dialplan.reload()
        await _menu(
            pbx,
            options={"1": {"kind": "number", "target": "+4930123456"}},
            blocking_groups=[group.id],
            retries=1,
            timeout_s=1,
        )
        await pbx.db.call(
            lambda db: save_blocking_group(
                db,
                {"name": "Premium", "number_types": [], "international": True, "prefixes": ["+45900"]},
                group.id,
            )
        )
        await pbx.dialplan.reload()
        seen = _outcomes(pbx)
        invite, ok, to = await _calls_menu(ann)
        await asyncio.sleep(0.5)  # the welcome prompt is playing
        await send_digits(ann, to, "1", 1)
        ann.drain_rtp()
        not_available = await heard(ann, 1.0)
        assert int(np.abs(not_available.astype(np.int32)).max()) > 1000
        bye = await ann.wait_request("BYE", wait=30)
        ann.answer(bye, 200)
        outcome = await _outcome(seen)
        # key 1 did not count as a miss: the menu played twice more before goodbye
        assert (outcome["outcome"], outcome["keys"], outcome["plays"]) == ("goodbye", ["1"], 3), outcome
        assert pbx.calls is not None
        await pbx.calls.history.flush()
        rows = await pbx.db.call(lambda db: list_calls(db, limit=20))
        routes = [str(row["route"]) for row in rows]
        assert any("+4930123456 blocked by the blocking group Premium" in r for r in routes), routes
        assert not any(b"INVITE" in data for data in provider.received), provider.received
        del invite, ok
    finally:
        transport.close()


async def test_prm_06_an_option_to_a_user_plays_their_announcement_before_their_phone_rings(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """bo chose an announcement before connect (a 700 Hz tone): ann, keying 2 for bo in the menu,
    hears it before bo's phone gets its INVITE, then the call rings through as usual."""
    ann, bo, _ = phones
    prompt_id = await tone_prompt(pbx, "Bo's intro", 700.0)
    bo_id = (await pbx.identity.get_user_by_username("bo")).id
    await pbx.settings.set("user", bo_id, ANNOUNCEMENT_SETTING, prompt_id)
    await _menu(pbx)
    invite, ok, to = await _calls_menu(ann)
    await send_digits(ann, to, "2", 1)
    played = np.zeros(0, dtype=np.int16)
    for _ in range(10):  # the rest of the welcome prompt, then the announcement
        played = await heard(ann, 0.5)
        if int(np.abs(played.astype(np.int32)).max()) > 1000 and abs(dominant(played) - 700.0) < 20:
            break
    assert abs(dominant(played) - 700.0) < 20, "bo's announcement was not played"
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.05)  # not while the announcement plays
    at_bo = await bo.wait_request("INVITE", wait=10)
    bo.answer(at_bo, 200)
    await bo.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    bo.answer(await bo.wait_request("BYE"), 200)


async def test_sch_07_the_menus_schedule_closes_it_or_forwards_its_callers(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """IVR-01 with SCH-07: closed, ann hears "not available" and is hung up on without the menu;
    forward to 1003, cy rings and no menu plays; open, the menu answers and plays again."""
    ann, bo, cy = phones
    seen = _outcomes(pbx)
    schedule = await pbx.schedules.create_schedule(
        {"name": "Hotline hours", "owner": "number:1600", "default": {"action": "closed"}}
    )
    await _menu(pbx, schedule_id=schedule.id)
    _invite, _ok, _to = await _calls_menu(ann)
    announced = await heard(ann, 0.8)
    assert int(np.abs(announced.astype(np.int32)).max()) > 1000  # "not available"
    ann.answer(await ann.wait_request("BYE", wait=10), 200)
    closed = await _outcome(seen)
    assert (closed["outcome"], closed["plays"], closed["keys"]) == ("closed", 0, [])

    seen.clear()
    await pbx.schedules.update_schedule(
        schedule.id,
        {"name": "Hotline hours", "owner": "number:1600", "default": {"action": "forward", "target": "1003"}},
    )
    calling = asyncio.create_task(ann.invite("1600"))
    at_cy = await cy.wait_request("INVITE", wait=5)
    assert _shown(at_cy) == ("1001", "Main: Ann Tester")
    cy.answer(at_cy, 200)
    invite, ok = await calling
    assert ok.status == 200
    ann.ack(invite, ok)
    await cy.wait_request("ACK")
    await _hangs_up(ann, invite, ok)
    cy.answer(await cy.wait_request("BYE"), 200)
    forwarded = await _outcome(seen)
    assert (forwarded["outcome"], forwarded["plays"], forwarded["target"]) == ("transferred", 0, "1003")
    with pytest.raises(TimeoutError):
        await bo.wait_request("INVITE", wait=0.1)

    seen.clear()
    await pbx.schedules.update_schedule(
        schedule.id, {"name": "Hotline hours", "owner": "number:1600", "default": {"action": "open"}}
    )
    invite, ok, to = await _calls_menu(ann)
    await asyncio.sleep(0.3)
    await send_digits(ann, to, "2", 1)
    at_bo = await bo.wait_request("INVITE", wait=10)
    bo.answer(at_bo, 486)
    await _hangs_up(ann, invite, ok)
    opened = await _outcome(seen)
    assert opened["plays"] >= 1 and opened["keys"] == ["2"]


async def _language_heard(ann: TestPhone) -> str:
    invite, ok, _to = await _calls_menu(ann)
    played = await heard(ann, 0.8)
    await _hangs_up(ann, invite, ok)
    return language_of(played)


async def test_ivr_07_prompts_play_in_the_callers_language_unless_the_menu_has_its_own(
    pbx: Core, phones: tuple[TestPhone, TestPhone, TestPhone]
) -> None:
    """IVR-07: ann, a user, hears the menu's welcome prompt in her own language (German once she
    chooses it, the organisation's English before); a menu set to Danish speaks Danish to her."""
    ann, _bo, _cy = phones
    menu = await _menu(pbx, welcome_prompt=await prompt_in_three_languages(pbx))
    assert await _language_heard(ann) == "en"
    ann_user = await pbx.identity.get_user_by_username("ann")
    await pbx.settings.set("user", ann_user.id, "core.language", "de")
    assert await _language_heard(ann) == "de"
    await pbx.data[IVR_MENUS_KEY].update(menu.id, {**menu.as_dict(), "language": "da"})
    assert await _language_heard(ann) == "da"
