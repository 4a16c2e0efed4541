"""directory: the company directory and every user's contacts (DIR), caller names and blocked
callers on inbound calls (BAR-07), and the contacts in the desk phones' phone book (BYD-29)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.address_book import ContactMatch
from cordboard.core.core import Core
from cordboard.core.plugin_api import Migration, hookimpl
from cordboard.core.provisioning.vendor import DirectoryEntry


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.directory.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.directory.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _directory(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.core.core import EVENT_EXTERNAL_CHANGE
    from cordboard.core.identity.service import MEMBERSHIP_EVENTS
    from cordboard.plugins.directory.book import Directory
    from cordboard.plugins.directory.const import DIRECTORY_KEY

    directory = Directory(core, config)
    await directory.load()
    unlisten = [
        core.bus.listen(str(event), directory.reload_users)
        for event in (*MEMBERSHIP_EVENTS, EVENT_EXTERNAL_CHANGE)
    ]
    core.data[DIRECTORY_KEY] = directory
    try:
        yield
    finally:
        core.data.pop(DIRECTORY_KEY, None)
        for remove in unlisten:
            remove()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _directory(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.directory.http import routes

    return routes


@hookimpl
def cordboard_contact_lookup(core: Core, user_id: int, number: str) -> ContactMatch | None:
    from cordboard.plugins.directory.const import DIRECTORY_KEY

    directory = core.data.get(DIRECTORY_KEY)
    return directory.lookup(user_id, number) if directory is not None else None


@hookimpl
def cordboard_phone_directory(core: Core, user_id: int | None) -> Sequence[DirectoryEntry]:
    from cordboard.plugins.directory.const import DIRECTORY_KEY

    directory = core.data.get(DIRECTORY_KEY)
    return directory.phone_book(user_id) if directory is not None else []


@hookimpl
def cordboard_dial_shortcut(core: Core, user_id: int, dialled: str) -> str | None:
    from cordboard.plugins.directory.const import DIRECTORY_KEY

    directory = core.data.get(DIRECTORY_KEY)
    return directory.shortcut(user_id, dialled) if directory is not None else None
