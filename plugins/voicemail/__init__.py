"""voicemail: a voice mailbox for every user (VM-01, VM-10, VM-13..15, VM-17). It answers the
callers that the user's routing rules, a transfer or the voicemail code (``*1*EXT*``) send there,
keeps their messages, publishes the counts for the phones' message-waiting lamps and serves the
messages to the web UI (/api/voicemail/). Group inboxes (GIB-01..05) are mailboxes of user groups
with numbers of their own; voicemail numbers (GIB-07) are where callers listen to their mailbox or,
after its code, to a group inbox's."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.calls.channel import ChannelHandler, InboundCall
from cordboard.core.calls.subscriptions import MessageCounts
from cordboard.core.config.scopes import SettingScope
from cordboard.core.core import Core
from cordboard.core.features.model import FeatureCode
from cordboard.core.numbers.flow import FlowNode
from cordboard.core.plugin_api import Migration, NumberClaim, hookimpl
from cordboard.plugins.voicemail.const import INBOXES_KEY, MAILBOXES_KEY


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    from cordboard.plugins.voicemail.schema import CONFIG_SCHEMA

    return CONFIG_SCHEMA


@hookimpl
def cordboard_setting_scopes() -> Mapping[str, SettingScope]:
    return {
        "email": SettingScope(user_editable=True),
        "active": SettingScope(user_editable=True),
        "take_messages": SettingScope(user_editable=True),
        "sms_notice": SettingScope(user_editable=True),
        "assistance_number": SettingScope(user_editable=True),
        "bypass_key": SettingScope(user_editable=True),
        "activity_info": SettingScope(user_editable=True),
    }


@hookimpl
def cordboard_migrations() -> Sequence[Migration]:
    from cordboard.plugins.voicemail.storage import MIGRATIONS

    return MIGRATIONS


@contextlib.asynccontextmanager
async def _mailboxes(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    from cordboard.plugins.voicemail.inboxes import GroupInboxes
    from cordboard.plugins.voicemail.mailboxes import Mailboxes

    mailboxes = Mailboxes(core, config)
    await mailboxes.load()
    inboxes = GroupInboxes(core)
    await inboxes.load()
    mailboxes.start_cleaning()
    core.data[MAILBOXES_KEY] = mailboxes
    core.data[INBOXES_KEY] = inboxes
    try:
        yield
    finally:
        core.data.pop(INBOXES_KEY, None)
        core.data.pop(MAILBOXES_KEY, None)
        await mailboxes.stop()


@hookimpl
def cordboard_lifespan(core: Core, config: Mapping[str, Any]) -> AbstractAsyncContextManager[None]:
    return _mailboxes(core, config)


@hookimpl
def cordboard_http_routes() -> web.RouteTableDef:
    from cordboard.plugins.voicemail.http import routes

    return routes


@hookimpl
def cordboard_voicemail(core: Core, user_id: int) -> ChannelHandler | None:
    mailboxes = core.data.get(MAILBOXES_KEY)
    if mailboxes is None or not mailboxes.is_on(user_id):
        return None  # VM-11: a user who switched voicemail off has none
    return mailboxes.handler(user_id)


@hookimpl
def cordboard_feature_codes(core: Core) -> list[FeatureCode]:
    from cordboard.plugins.voicemail.listen import any_mailbox, own_mailbox

    return [
        FeatureCode(
            "voicemail_listen",
            "50",
            "Listen to my voicemail",
            "VM-15",
            own_mailbox,
            description="Hear your new and saved voice messages from your own phone.",
        ),
        FeatureCode(
            "voicemail_listen_other",
            "51",
            "Listen to a mailbox with its PIN",
            "VM-15",
            any_mailbox,
            on_fields=("extension",),
            description="Hear this extension's voice messages from any phone, after keying its PIN.",
        ),
    ]


@hookimpl
def cordboard_message_counts(core: Core, user_id: int) -> MessageCounts | None:
    mailboxes = core.data.get(MAILBOXES_KEY)
    return mailboxes.counts(user_id) if mailboxes is not None else None


@hookimpl
def cordboard_number_claims(core: Core) -> list[NumberClaim]:
    inboxes = core.data.get(INBOXES_KEY)
    return inboxes.claims() if inboxes is not None else []


@hookimpl
def cordboard_group_admin_pages(core: Core, group_ids: frozenset[int]) -> list[str]:
    """GIB-06: the group inboxes page for a user in one of an inbox's ``admin_groups``."""
    inboxes = core.data.get(INBOXES_KEY)
    if inboxes is None or not any(group_ids.intersection(i.admin_groups) for i in inboxes.all()):
        return []
    return ["group-inboxes"]


@hookimpl
def cordboard_number_flow(core: Core, number: str) -> FlowNode | Awaitable[FlowNode] | None:
    """AA-02: a group inbox's number and a voicemail number in the call-flow tree."""
    from cordboard.plugins.voicemail.flow import number_flow

    return number_flow(core, number)


@hookimpl
def cordboard_route_call(core: Core, call: InboundCall) -> ChannelHandler | None:
    """GIB-02: a group inbox's number; GIB-04, GIB-07: a voicemail number."""
    inboxes = core.data.get(INBOXES_KEY)
    return inboxes.handler(call.dialled) if inboxes is not None else None
