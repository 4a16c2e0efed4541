"""An in-process Core with SIP on 127.0.0.1 (ports picked by the system), for SIP and call tests."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core


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


async def wait_for_sip_account(core: Core, username: str) -> None:
    """The SIP account cache follows user changes a moment later; wait until it has ``username``."""
    assert core.sip is not None
    for _ in range(250):
        if core.sip.accounts.by_username(username) is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the SIP accounts never listed {username}")
