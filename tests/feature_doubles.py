"""Test doubles for the plugins that later issues bring, answering the hooks the feature codes use:
the ACD plugin's group login (FC-01, ``cordboard_feature_login``) and the voicemail plugin's
mailbox (FC-14, ``cordboard_voicemail``)."""

from __future__ import annotations

import asyncio
from typing import Any

from cordboard.core.calls.channel import Channel
from cordboard.core.core import Core
from cordboard.core.plugin_api import hookimpl


class GroupLogins:
    """Group 1500 lets everyone in, 1501 nobody; other identifiers are no group of this plugin."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, str, bool]] = []

    @hookimpl
    def cordboard_feature_login(self, core: Core, user_id: int, identifier: str, log_in: bool) -> bool | None:
        if identifier not in ("1500", "1501"):
            return None
        self.seen.append((user_id, identifier, log_in))
        return identifier == "1500"


class Mailboxes:
    """Answers a caller sent to a mailbox, keeps them a second and notes whose mailbox it was."""

    def __init__(self) -> None:
        self.owners: list[int] = []

    @hookimpl
    def cordboard_voicemail(self, core: Core, user_id: int) -> Any:
        async def leave_message(channel: Channel) -> None:
            await channel.answer()
            await asyncio.sleep(1.0)
            self.owners.append(user_id)

        return leave_message
