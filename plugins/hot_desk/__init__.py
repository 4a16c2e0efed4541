"""hot_desk: free seating on desk phones (PROV-09): the log-in and log-out codes, the refusal of
every other call of a free seat's own account, and the nightly auto-logout. The seats themselves
(free-seat mode, who sits where, provisioning) are the core's: cordboard.core.provisioning.hot_desk."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.core import Core
from cordboard.core.plugin_api import NumberClaim, hookimpl


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.hot_desk.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@contextlib.asynccontextmanager
async def _running(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.hot_desk import auto_logout
    from cordboard.plugins.hot_desk.const import (
        CODES_KEY,
        CONF_AUTO_LOGOUT,
        CONF_LOGIN_CODE,
        CONF_LOGOUT_CODE,
        Codes,
    )

    assert core.provisioning is not None
    hot_desk = core.provisioning.hot_desk
    core.data[CODES_KEY] = Codes(config[CONF_LOGIN_CODE], config[CONF_LOGOUT_CODE])
    await hot_desk.attach()
    at = config[CONF_AUTO_LOGOUT]
    task = core.create_task(auto_logout.run(core, at), "hot desk auto-logout") if at else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        core.data.pop(CODES_KEY, None)
        await hot_desk.detach()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _running(core, config)


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    from cordboard.plugins.hot_desk.const import CODES_KEY

    codes = core.data.get(CODES_KEY)
    if codes is None:
        return []
    return [NumberClaim(codes.login, "Hot desk log-in"), NumberClaim(codes.logout, "Hot desk log-out")]


@hookimpl(tryfirst=True)
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    """First of all plugins: a seat account's calls are this plugin's, whatever the number but an
    emergency number."""
    from cordboard.plugins.hot_desk import phone
    from cordboard.plugins.hot_desk.const import CODES_KEY

    codes = core.data.get(CODES_KEY)
    if codes is None or core.provisioning is None or core.sip is None:
        return None
    hot_desk = core.provisioning.hot_desk
    dialled = (
        call.dialled.removesuffix("#") if call.dialled not in (codes.login, codes.logout) else call.dialled
    )
    if call.caller_user_id is not None and call.caller_user_id < 0:
        if dialled == codes.login:
            return functools.partial(phone.login, hot_desk=hot_desk)
        if dialled.startswith(codes.login + "*"):
            extension = dialled[len(codes.login) + 1 :].split("*", 1)[0]  # a PIN after it is ignored
            return functools.partial(phone.login, hot_desk=hot_desk, extension=extension)
        if call.dialled in core.dialplan.emergency:  # EMR-01: from every phone, seated or not
            return None
        return phone.refuse
    callee = core.sip.accounts.find(call.dialled)
    if callee is not None and callee.user_id < 0:
        return phone.refuse
    if dialled == codes.logout:
        return functools.partial(phone.logout, hot_desk=hot_desk)
    return None
