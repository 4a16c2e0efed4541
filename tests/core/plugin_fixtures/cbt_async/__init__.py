"""A test plugin with a forbidden async hook implementation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cordboard.core.plugin_api import Core, hookimpl


@hookimpl
async def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> None:
    return None
