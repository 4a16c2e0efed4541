"""A test plugin whose resource appears only on the second try."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from events import LOG

from cordboard.core.plugin_api import Core, PluginNotReady, hookimpl

ATTEMPTS: list[int] = []


@contextlib.asynccontextmanager
async def _running() -> AsyncIterator[None]:
    ATTEMPTS.append(1)
    if len(ATTEMPTS) < 2:
        raise PluginNotReady("modem not plugged in yet")
    LOG.append("enter cbt_notready")
    yield


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> Any:
    return _running()
