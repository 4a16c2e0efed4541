"""A test plugin that depends on cbt_good."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from events import LOG

from cordboard.core.plugin_api import Core, hookimpl


@contextlib.asynccontextmanager
async def _running(core: Core) -> AsyncIterator[None]:
    assert core.states.get("cbt_good.greeting") is not None, "started before its dependency"
    LOG.append("enter cbt_dependent")
    yield
    assert core.states.get("cbt_good.greeting") is not None, "dependency stopped first"
    LOG.append("exit cbt_dependent")


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> Any:
    return _running(core)
