"""BYD-01: Cordboard registers a trunk to a real registrar (Kamailio, Debian package ``kamailio``)
with digest auth, re-registers before the expiry, shows a wrong password as ``failed`` with the
error and backs off, and unregisters when the trunk is disabled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from kamailio_provider import PASSWORD, USER, running_kamailio
from loopback_pbx import running_pbx
from trunk_helpers import add_trunk, wait_state

from cordboard.core.core import Core
from cordboard.core.trunks import storage
from cordboard.core.trunks.service import EVENT_TRUNK_STATE_CHANGED


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    with running_kamailio(tmp_path) as found:
        yield found


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", 43100, 43199) as found:
        yield found


async def test_byd_01_registers_at_kamailio_and_re_registers(core: Core, kamailio: tuple[int, Path]) -> None:
    port, log = kamailio
    events: list[dict[str, Any]] = []
    core.bus.listen(EVENT_TRUNK_STATE_CHANGED, lambda e: events.append(e.data))
    registrations: list[int] = []
    core.bus.listen("state_changed", lambda e: registrations.append(1) if _registered(e) else None)
    await add_trunk(core, port=port, username="4589000000", auth_username=USER, password=PASSWORD, expires=4)
    state = await wait_state(core, "registered")
    assert state.attributes["last_error"] == ""
    assert state.attributes["expires_in"] == 4
    assert events[-1] == {"trunk": "provider", "state": "registered", "last_error": ""}
    # Refreshed before the 4 s granted run out (at 50-80 %, but at least 5 s apart): two more
    # REGISTERs within 12 s.
    for _ in range(240):
        if log.read_text().count("REGISTER of sip:4589000000@127.0.0.1") >= 3:
            break
        await asyncio.sleep(0.05)
    assert log.read_text().count("REGISTER of sip:4589000000@127.0.0.1 expires 4") >= 3, log.read_text()
    assert core.states.get("trunk.provider").state == "registered"  # type: ignore[union-attr]

    # A new LAN address (DHCP) restarts the trunks: unregistered, then registered again.
    assert core.trunks is not None
    await core.trunks.restart()
    await wait_state(core, "registered")
    assert "REGISTER of sip:4589000000@127.0.0.1 expires 0" in log.read_text()

    # Disabling the trunk unregisters it (Expires 0, answered by Kamailio).
    assert core.trunks is not None
    trunk_id = core.trunks.trunks["provider"].trunk.id
    assert trunk_id is not None
    fernet = core.trunks.fernet
    await core.db.call(lambda db: storage.update_trunk(db, fernet, trunk_id, {"enabled": False}))
    await core.trunks.reload()
    state = await wait_state(core, "unregistered")
    assert state.attributes["enabled"] is False
    for _ in range(40):  # the unregistration is answered a moment after the state changed
        if log.read_text().count("REGISTER of sip:4589000000@127.0.0.1 expires 0") == 2:
            break
        await asyncio.sleep(0.05)
    assert log.read_text().count("REGISTER of sip:4589000000@127.0.0.1 expires 0") == 2


def _registered(event: Any) -> bool:
    new = event.data.get("new_state")
    return getattr(new, "entity_id", "") == "trunk.provider" and getattr(new, "state", "") == "registered"


async def test_byd_01_wrong_password_is_failed_with_the_error_and_backs_off(
    core: Core, kamailio: tuple[int, Path]
) -> None:
    port, _log = kamailio
    await add_trunk(core, port=port, username="4589000000", auth_username=USER, password="wrong")
    state = await wait_state(core, "failed")
    assert "401" in state.attributes["last_error"], state.attributes
    assert core.trunks is not None
    registration = core.trunks.trunks["provider"].registration
    assert registration is not None
    next_try = registration.get_timer()
    assert next_try is not None
    assert 29 <= next_try - asyncio.get_running_loop().time() <= 30.5  # backoff starts at 30 s

    # The right password (a PATCH through the API does this) registers at once.
    trunk_id = core.trunks.trunks["provider"].trunk.id
    assert trunk_id is not None
    fernet = core.trunks.fernet
    await core.db.call(lambda db: storage.update_trunk(db, fernet, trunk_id, {"password": PASSWORD}))
    await core.trunks.reload()
    await wait_state(core, "registered")


async def test_byd_03_ip_trunk_is_up_while_the_provider_answers_options(core: Core, tmp_path: Path) -> None:
    """An IP trunk's OPTIONS keep-alive: up while Kamailio answers, down (with the reason) within
    seconds once it is gone."""
    with running_kamailio(tmp_path) as (port, _log):
        await add_trunk(core, kind="ip", port=port, addresses=[f"127.0.0.1:{port}"], options_interval=1)
        await wait_state(core, "up")
    state = await wait_state(core, "down")
    assert state.attributes["last_error"] == "no answer to OPTIONS"
