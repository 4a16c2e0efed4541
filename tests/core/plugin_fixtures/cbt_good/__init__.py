"""A well-behaved test plugin: schema, scoped setting, migrations, lifespan, routes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import sqlite_utils
import voluptuous as vol
from aiohttp import web
from events import LOG

from cordboard.core.plugin_api import CORE_KEY, Core, Migration, SettingScope, api, hookimpl, request_body

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("greeting", default="hello"): str,
        vol.Optional("count", default=1): vol.All(int, vol.Range(min=1, max=10)),
        vol.Optional("loud", default=False): bool,
    }
)
routes = web.RouteTableDef()


@routes.get("/hello")
@api(access="user")
async def hello(request: web.Request) -> web.Response:
    """Greets the caller."""
    state = request.app[CORE_KEY].states.get("cbt_good.greeting")
    return web.json_response({"greeting": state.state if state else None})


@routes.get("/secret")
async def secret(request: web.Request) -> web.Response:
    """Admin only by default."""
    return web.json_response({"secret": 42})


@routes.post("/echo/{word}")
@api(access="admin", body=vol.Schema({vol.Required("n"): int}))
async def echo(request: web.Request) -> web.Response:
    """Echoes a path parameter and a validated body."""
    return web.json_response({"word": request.match_info["word"], "n": request_body(request)["n"]})


def _create(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE cbt_good_items (id INTEGER PRIMARY KEY, name TEXT)")


@contextlib.asynccontextmanager
async def _running(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    LOG.append(f"enter cbt_good {config['greeting']}")
    core.states.set("cbt_good.greeting", config["greeting"])
    remove = core.services.register(
        "cbt_good", "shout", lambda call: config["greeting"].upper(), access="user"
    )
    yield
    remove()
    core.states.remove("cbt_good.greeting")
    LOG.append("exit cbt_good")


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    return CONFIG_SCHEMA


@hookimpl
def cordboard_setting_scopes() -> dict[str, SettingScope]:
    return {
        "greeting": SettingScope(scopes=("org", "group", "user")),
        "loud": SettingScope(kind="bool", user_editable=True),
    }


@hookimpl
def cordboard_migrations() -> list[Migration]:
    return [Migration(1, "items", _create)]


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> Any:
    return _running(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    return routes
