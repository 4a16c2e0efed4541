"""NUM-05: dialling an alias reaches the line it points to; a plugin's dial to it does too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback_pbx import NumberPlugin, pbx_with_numbers, registered_phone

from cordboard.core.calls.channel import Channel
from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[tuple[Core, NumberPlugin]]:
    async with pbx_with_numbers(tmp_path / "data", 42800, 42899) as found:
        yield found


async def test_num_05_an_alias_rings_the_users_phone(pbx: tuple[Core, NumberPlugin]) -> None:
    core, handlers = pbx
    ann = next(u for u in await core.identity.list_users() if u.username == "ann")
    await core.numbers.add_alias("1555", ann.id)
    reached: list[bool] = []

    async def reception(channel: Channel) -> None:
        await channel.answer()
        other = await channel.dial(["1555"], ring_s=5)
        reached.append(isinstance(other, Channel))
        if isinstance(other, Channel):
            await other.hangup()

    handlers.numbers["1650"] = reception
    ann_phone, bo_phone = await registered_phone(core, "ann"), await registered_phone(core, "bo")
    try:
        calling = asyncio.create_task(bo_phone.invite("1555"))
        incoming = await ann_phone.wait_request("INVITE")
        ann_phone.answer(incoming, 486)
        _invite, refused = await calling
        assert refused.status == 486, "bo's call to the alias rang ann's phone"

        plugin_call = asyncio.create_task(bo_phone.invite("1650"))
        rung = await ann_phone.wait_request("INVITE")
        ann_phone.answer(rung, 200)
        await ann_phone.wait_request("ACK")
        bye = await ann_phone.wait_request("BYE")
        ann_phone.answer(bye, 200)
        await plugin_call
    finally:
        ann_phone.close()
        bo_phone.close()
    assert reached == [True]
    rows = await core.db.call(list_calls)
    assert any(r["callee"] == "1555" and r["result"] == "busy" for r in rows), rows
