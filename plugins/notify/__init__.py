"""notify: the SMTP relay every e-mail feature uses (BYD-28; NTF, VM-07, ADM-05, FAX-01 send
through it): its settings, a test mail for the admin, and a delivery queue in SQLite that keeps each
message and its attachments on disk and retries a failed delivery with backoff.

Other plugins send with ``await core.data[MAIL_KEY].send(to=..., subject=..., text=...)``
(``cordboard.plugins.notify.const.MAIL_KEY``; the plugin is then in their manifest's dependencies).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.core import Core
from cordboard.core.plugin_api import Migration, hookimpl
from cordboard.plugins.notify.const import MAIL_KEY


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.notify.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.notify.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _mailer(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.notify.service import Mailer
    from cordboard.plugins.notify.smtp import SmtpSettings

    mailer = Mailer(core, SmtpSettings.from_config(config))
    await mailer.start()
    core.data[MAIL_KEY] = mailer
    try:
        yield
    finally:
        core.data.pop(MAIL_KEY, None)
        await mailer.stop()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _mailer(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.notify.http import routes

    return routes
