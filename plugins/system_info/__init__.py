"""system_info: the appliance's uptime, version, disk and memory as states and a REST route."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.system_info.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    from cordboard.plugins.system_info.runtime import lifespan

    return lifespan(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.system_info.http import routes

    return routes
