"""PRM-06 "Announcement before connect": a prompt of the organisation, chosen per user, that the
caller hears before the user's phones start to ring.

The setting ``core.announcement_before_connect`` (organisation, group, user; users choose it for
themselves) holds an organisation prompt id (``org:7``) or ``none`` (the default; an empty value is
taken as ``none``). A value must name a prompt of the organisation that has a recording: anything
else is refused with a field error.

How the caller hears it: as early media. The caller's INVITE becomes a channel that is not
answered; it sends 183 Session Progress with the appliance's SDP, plays the announcement, then
plays ringback itself (the caller's phone keeps listening to the early media) while the channel
rings the user (180 as usual): the user's phones get their INVITE only once the announcement is
over. The caller is not answered (nor billed) before someone takes the call; when that happens
(a phone answers and is bridged, a mailbox answers) the ringback stops. A channel that cannot send
early media is answered instead and hears the announcement, then ringback (as a caller an IVR
answered does, rule_calls.py).

It applies to calls dialled to the user whether their phones ring plainly, a routing rule takes the
call or their terminal plan rings (b2bua.py: the call is routed as usual and the announcement
wraps the channel that then rings); a plain call becomes such a channel only when there is an
announcement. Callers a plugin hands on to the user (a virtual switch, an announcement element, an
IVR option, a hunt group's fallback: ``hand_on.py``) hear it too, before the user's rule or phones
take over; a hunt group ringing its members does not play it (that is a call to the group). It
does not apply to the user's own calls to themselves. A chosen prompt that has gone (deleted, or
without a recording) is skipped with a warning: the phones ring as without an announcement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol

from cordboard.core.config.scopes import ALL_SCOPES
from cordboard.core.config.settings import SettingSpec
from cordboard.core.exceptions import NotFound

if TYPE_CHECKING:
    from cordboard.core.calls.channel import Channel, ChannelHandler
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

ANNOUNCEMENT_SETTING: Final = "core.announcement_before_connect"
NO_ANNOUNCEMENT: Final = "none"
PENDING_MAX_S: Final = 120.0
"""An announcement noted for a call that never got its channel (refused before it rang) is
forgotten after this long."""
_WATCHERS: set[asyncio.Task[None]] = set()
"""The ringback watchers running (a strong reference until each is done)."""
LANGUAGES: Final = ("en", "de", "da")
"""The languages an organisation prompt can be recorded in (prompts.py ``LANGUAGES``; repeated
here so that checking a setting does not load numpy)."""


def _org_number(value: str) -> int | None:
    prefix, _, number = value.partition(":")
    if prefix != "org" or not number.isdigit() or number.startswith("0") or len(number) > 18:
        return None
    return int(number)


def has_recording(data_dir: Path, prompt_id: str) -> bool:
    """Whether the organisation prompt ``prompt_id`` exists with a recording (blocking: reads the
    data folder, where deleting a prompt removes its recordings)."""
    number = _org_number(prompt_id)
    if number is None:
        return False
    folder = data_dir / "prompts" / "org" / str(number)
    return any((folder / f"{language}.wav").is_file() for language in LANGUAGES)


class OrgPromptChoice:
    """The validator of the setting: ``none`` (or empty), or an organisation prompt that exists."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir

    def __call__(self, value: Any) -> str:
        if value is None or (isinstance(value, str) and value.strip() in ("", NO_ANNOUNCEMENT)):
            return NO_ANNOUNCEMENT
        if not isinstance(value, str) or _org_number(value.strip()) is None:
            raise vol.Invalid("expected one of the organisation's prompts (such as org:7) or none")
        prompt_id = value.strip()
        if not has_recording(self._data_dir, prompt_id):
            raise vol.Invalid(
                f"no prompt {prompt_id} of the organisation (or it has no recording yet): "
                "choose one of the organisation's prompts"
            )
        return prompt_id


def announcement_setting(data_dir: Path) -> SettingSpec:
    """The scoped setting naming the user's announcement, checked against the prompts on disk."""
    return SettingSpec(
        key=ANNOUNCEMENT_SETTING,
        scopes=frozenset(ALL_SCOPES),
        validator=OrgPromptChoice(data_dir),
        default=NO_ANNOUNCEMENT,
        user_editable=True,
        description="Announcement before connect (PRM-06): a prompt of the organisation that callers "
        "hear before the user's phones start to ring; none plays nothing.",
    )


async def announcement_for(core: Core, caller_user_id: int | None, callee_user_id: int | None) -> str | None:
    """The prompt a call from ``caller_user_id`` to ``callee_user_id`` plays before it rings, or
    None: no setting, the user calling themselves, or the prompt gone (logged)."""
    if callee_user_id is None or caller_user_id == callee_user_id:
        return None
    try:
        value = await core.settings.resolve(callee_user_id, ANNOUNCEMENT_SETTING)
    except NotFound:
        return None
    if not isinstance(value, str) or value in ("", NO_ANNOUNCEMENT):
        return None
    if not await core.run_in_executor(has_recording, core.data_dir, value):
        _LOGGER.warning(
            "The announcement before connect of user %s is prompt %s, which no longer exists or has no "
            "recording: the phones ring without it",
            callee_user_id,
            value,
        )
        return None
    return value


class PendingAnnouncements:
    """Announcements decided while a call is routed (by call record id) until its channel starts."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, float]] = {}

    def note(self, record_id: str, prompt_id: str) -> None:
        now = time.monotonic()
        self._pending = {k: v for k, v in self._pending.items() if now - v[1] < PENDING_MAX_S}
        self._pending[record_id] = (prompt_id, now)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._pending

    def wrap(self, record_id: str, handler: ChannelHandler) -> ChannelHandler:
        """``handler`` preceded by the call's announcement, if one was noted (then forgotten)."""
        found = self._pending.pop(record_id, None)
        if found is None:
            return handler
        prompt_id = found[0]

        async def announced(channel: Channel) -> None:
            await announce(channel, prompt_id)
            await handler(channel)

        return announced


async def announce(channel: Channel, prompt_id: str) -> None:
    """Play ``prompt_id`` to the caller as early media, then keep them hearing ringback until the
    channel is answered or bridged (see the module's docstring); answered first when the channel
    cannot send early media. A prompt that cannot be played is skipped with a warning."""
    from cordboard.core.media.prompts import PromptNotFound

    try:
        await channel.progress()
    except RuntimeError:
        await channel.answer()
    try:
        await channel.play([prompt_id])
    except PromptNotFound:
        _LOGGER.warning("Call %s: announcement %s has no recording; skipped", channel.call.id, prompt_id)
    if channel.state == "early":
        channel.start_tone("ringback")
        task = asyncio.get_running_loop().create_task(_ringback_until_answered(channel))
        _WATCHERS.add(task)
        task.add_done_callback(_WATCHERS.discard)


async def _ringback_until_answered(channel: Channel) -> None:
    """Stop our ringback once the early channel is answered (a bridge stops it too) or ends."""
    with contextlib.suppress(Exception):
        if channel.state != "early":
            if channel.state == "answered":
                channel.stop_tone()
            return
        async for event in channel.events():
            if event.kind == "state" and event.state != "early":
                if not channel.ended:
                    channel.stop_tone()
                return
            if event.kind == "hangup":
                return
