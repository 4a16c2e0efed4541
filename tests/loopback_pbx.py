"""An in-process Core with SIP on 127.0.0.1 (ports picked by the system), for SIP and call tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sip_phone import TestPhone

from cordboard.core.calls.channel import InboundCall
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl
from cordboard.core.sip.message import SipRequest, SipResponse

# The users of ``running_pbx`` and their SIP passwords: ann is extension 1001, bo 1002.
PASSWORDS = {"ann": "ann-sip-password-1", "bo": "bo-sip-password-1"}
CY_PASSWORD = "cy-sip-password-1"
"""A third user for tests with three phones (``add_cy``): cy, extension 1003."""


def loopback_config(rtp_port_min: int, rtp_port_max: int, **overrides: Any) -> BootstrapConfig:
    """SIP and HTTP on loopback with free ports; each test module takes its own RTP range."""
    config = BootstrapConfig(
        http_bind="127.0.0.1",
        http_port=0,
        sip_bind="127.0.0.1",
        sip_port=0,
        sip_advertise="127.0.0.1",
        rtp_port_min=rtp_port_min,
        rtp_port_max=rtp_port_max,
    )
    return replace(config, **overrides)


class NumberPlugin:
    """A test plugin answering the numbers in ``numbers`` with their channel handlers
    (``cordboard_route_call``); ``seen`` keeps every call it was asked about."""

    def __init__(self) -> None:
        self.numbers: dict[str, Any] = {}
        self.seen: list[InboundCall] = []

    @hookimpl
    def cordboard_route_call(self, core: Core, call: InboundCall) -> Any:
        self.seen.append(call)
        return self.numbers.get(call.dialled)


@asynccontextmanager
async def pbx_with_numbers(
    data_dir: Path, rtp_port_min: int, rtp_port_max: int
) -> AsyncIterator[tuple[Core, NumberPlugin]]:
    """``running_pbx`` with a ``NumberPlugin`` registered: tests put their handlers in its numbers."""
    async with running_pbx(data_dir, rtp_port_min, rtp_port_max) as core:
        plugin = NumberPlugin()
        core.plugins.pm.register(plugin, name="test_numbers")
        yield core, plugin


@asynccontextmanager
async def running_pbx(data_dir: Path, rtp_port_min: int, rtp_port_max: int) -> AsyncIterator[Core]:
    """A started Core serving SIP (not HTTP) on loopback, with the users of ``PASSWORDS``."""
    core = Core(data_dir, loopback_config(rtp_port_min, rtp_port_max))
    await core.start(serve_http=False, serve_sip=True)
    try:
        for number, (name, password) in enumerate(PASSWORDS.items(), start=1):
            await core.identity.create_user(
                username=name,
                first_name=name.title(),
                last_name="Tester",
                email=f"{name}@example.com",
                sip_password=password,
                extension=f"100{number}",
            )
        yield core
    finally:
        await core.stop()


async def wait_for_sip_account(core: Core, username: str) -> None:
    """The SIP account cache follows user changes a moment later; wait until it has ``username``."""
    assert core.sip is not None
    for _ in range(250):
        if core.sip.accounts.by_username(username) is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the SIP accounts never listed {username}")


async def add_cy(core: Core) -> None:
    """The third user, cy (extension 1003, ``CY_PASSWORD``), ready to register."""
    await core.identity.create_user(
        username="cy",
        first_name="Cy",
        last_name="Tester",
        email="cy@example.com",
        sip_password=CY_PASSWORD,
        extension="1003",
    )
    await wait_for_sip_account(core, "cy")


async def registered_phone(core: Core, name: str, user_agent: str | None = None) -> TestPhone:
    """A phone of user ``name`` (one of ``PASSWORDS``, or cy after ``add_cy``), registered with
    ``core`` over UDP (saying it is ``user_agent``, if given)."""
    await wait_for_sip_account(core, name)
    assert core.sip is not None
    address = core.sip.transports.addresses["udp"]
    password = CY_PASSWORD if name == "cy" else PASSWORDS[name]
    instance = await TestPhone(name, password, (address[0], address[1])).open()
    response = await instance.register(user_agent=user_agent)
    assert response.status == 200, f"{name} could not register: {response}"
    return instance


async def connected_call(
    caller: TestPhone, callee: TestPhone, number: str = "1002"
) -> tuple[SipRequest, SipResponse]:
    """``caller`` calls ``number``, ``callee`` answers with 200, ``caller`` ACKs: the INVITE and the 200.

    The ACK that reaches ``callee`` is left in its queue for the test to wait for or ignore.
    """
    task = asyncio.create_task(caller.invite(number))
    incoming = await callee.wait_request("INVITE")
    callee.answer(incoming, 200)
    invite, ok = await task
    assert ok.status == 200, ok
    caller.ack(invite, ok)
    return invite, ok
