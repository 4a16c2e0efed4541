"""notify: the SMTP relay every e-mail feature uses (BYD-28; NTF, VM-07, ADM-05, FAX-01 send
through it): its settings, a test mail for the admin, and a delivery queue in SQLite that keeps each
message and its attachments on disk and retries a failed delivery with backoff. Likewise SMS
through a GSM modem on a serial port (NTF, VM-06, GIB-05): AT commands in PDU or text mode, a test
SMS for the admin, and a queue of its own. And each user's notification e-mails (NTF-01, NTF-02):
the address they go to and the events a user is told about, as user-editable settings, with the
bus listeners that send them (notices.py).

Other plugins send with ``await core.data[MAIL_KEY].send(to=..., subject=..., text=...)``
(``cordboard.plugins.notify.const.MAIL_KEY``) or ``await core.data[SMS_KEY].send(to, text)``; the
plugin is then in their manifest's dependencies. Neither waits for the server or the modem.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.config.scopes import SettingScope
from cordboard.core.core import Core
from cordboard.core.plugin_api import Migration, hookimpl
from cordboard.plugins.notify.const import MAIL_KEY, NOTICES_KEY, SMS_KEY, USER_SETTINGS


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.notify.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@hookimpl
def cordboard_setting_scopes() -> Mapping[str, SettingScope]:
    """NTF-01, NTF-02: each user sets their notification address and which events they hear of."""
    return {name: SettingScope(user_editable=True) for name in USER_SETTINGS}


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.notify.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _mailer(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.notify.notices import Notices
    from cordboard.plugins.notify.service import Mailer
    from cordboard.plugins.notify.sms import ModemSettings, SmsService
    from cordboard.plugins.notify.smtp import SmtpSettings

    mailer = Mailer(core, SmtpSettings.from_config(config))
    sms = SmsService(core, ModemSettings.from_config(config))
    await mailer.start()
    try:
        await sms.start()
    except BaseException:
        await mailer.stop()
        raise
    core.data[MAIL_KEY] = mailer
    core.data[SMS_KEY] = sms
    notices = Notices(core)
    notices.start()
    core.data[NOTICES_KEY] = notices
    try:
        yield
    finally:
        core.data.pop(NOTICES_KEY, None)
        await notices.stop()
        core.data.pop(SMS_KEY, None)
        core.data.pop(MAIL_KEY, None)
        await sms.stop()
        await mailer.stop()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _mailer(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.notify.http import routes

    return routes
