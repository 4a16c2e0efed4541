"""The core's own feature codes: forwarding, activity and role, the presented number, pickup and
the ACD login that the ACD plugin answers (FC-01, FC-03, FC-04, FC-07, FC-09, FC-11, FC-12)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.features.model import PROMPT_UNKNOWN, FeatureCode, FeatureRefused, FeatureRequest
from cordboard.core.media.prompts import say_digits

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua
    from cordboard.core.calls.pickup import Ringing
    from cordboard.core.core import Core
    from cordboard.core.presence.service import PresenceService
    from cordboard.core.sip.accounts import SipAccount

PICKUP_NOTHING: Final = "pickup_nothing"


def _presence(core: Core) -> PresenceService:
    if core.presence is None:
        raise FeatureRefused("presence is not running", PROMPT_UNKNOWN)
    return core.presence


def _calls(core: Core) -> B2bua:
    if core.calls is None:
        raise FeatureRefused("the SIP engine is not running", PROMPT_UNKNOWN)
    return core.calls


async def _forward_all(request: FeatureRequest) -> Sequence[str]:
    """FC-09: ``*21*NUMBER*`` forwards every call to NUMBER (the presence diversion, PRS-05);
    ``#21#`` turns it off."""
    presence = _presence(request.core)
    if not request.on:
        await presence.set_presence(request.user_id, {"diversion": None})
        return ["forward_off"]
    number = request.fields["number"]
    await presence.set_presence(request.user_id, {"diversion": number})
    return ["forward_on", *say_digits(number)]


async def _activity(request: FeatureRequest) -> Sequence[str]:
    """FC-11: ``*23*ID*`` sets the caller's activity (PRS-02); ``#23#`` clears it."""
    if not request.on:
        await _presence(request.core).set_presence(request.user_id, {"activity_id": None})
        return ["activity_cleared"]
    await _presence(request.core).set_presence(request.user_id, {"activity_id": _number(request, "activity")})
    return ["activity_set"]


async def _role(request: FeatureRequest) -> Sequence[str]:
    """FC-12: ``*24*ID*`` sets the caller's presence role (PRS-03)."""
    await _presence(request.core).set_presence(request.user_id, {"role_id": _number(request, "role")})
    return ["role_set"]


def _number(request: FeatureRequest, field: str) -> int:
    value = request.fields[field]
    if not value.isdigit():
        raise FeatureRefused(f"{field} {value} is not a number", PROMPT_UNKNOWN)
    return int(value)


async def _present_number(request: FeatureRequest) -> Sequence[str]:
    """FC-07: ``*30*NUMBER*`` presents NUMBER on the caller's calls when it is one of theirs
    (CLI-01); ``#30#`` goes back to their own line."""
    from cordboard.core.calls.caller_id import PRESENTED, choose

    core = request.core
    if not request.on:
        await core.settings.clear("user", request.user_id, PRESENTED)
        identity = await choose(core, request.user_id, number=None, hidden=None)
        return ["number_presented", *say_digits(identity.number)]
    number = request.fields["number"]
    try:
        identity = await choose(core, request.user_id, number=number, hidden=None)
    except ConfigValidationError as err:
        raise FeatureRefused(f"{number} is not theirs to present: {err}") from err
    return ["number_presented", *say_digits(identity.number)]


async def _pickup_group(request: FeatureRequest) -> Sequence[str] | None:
    """FC-03 / PKP-01: answer a call ringing at a member of one of the caller's groups."""
    from cordboard.core.calls.pickup import PICKUP_RIGHT, ringing_at

    core, picker = request.core, request.user_id
    colleagues = {u for u in core.rights.group_mates(picker) if core.rights.allows(PICKUP_RIGHT, picker, u)}
    return await _pick_first(request, ringing_at(_calls(core), colleagues))


async def _pickup_directed(request: FeatureRequest) -> Sequence[str] | None:
    """FC-04 / PKP-03: ``*9*EXT*`` answers the call ringing at EXT, with the pickup right over EXT."""
    from cordboard.core.calls.pickup import PICKUP_RIGHT, ringing_at

    core = request.core
    account = _target(request)
    if not core.rights.allows(PICKUP_RIGHT, request.user_id, account.user_id):
        raise FeatureRefused(f"no pickup right over {account.extension}")
    return await _pick_first(request, ringing_at(_calls(core), {account.user_id}))


async def _pick_first(request: FeatureRequest, ringing: list[Ringing]) -> Sequence[str] | None:
    from cordboard.core.calls.pickup import pick_up

    if not ringing:
        raise FeatureRefused("no call is ringing there", PICKUP_NOTHING)
    channel = request.channel
    label = (
        f"{channel.call.caller} ({channel.call.caller_name})"
        if channel.call.caller_name
        else channel.call.caller
    )
    if not await pick_up(_calls(request.core), ringing[0], channel, label):
        raise FeatureRefused("the ringing call ended before it could be picked up", PICKUP_NOTHING)
    return None


async def _fetch_call(request: FeatureRequest) -> Sequence[str] | None:
    """FC-06 / PKP-07: ``*7*`` moves the caller's call on another of their phones to this one."""
    from cordboard.core.calls.takeover import fetch_call

    fetched = await fetch_call(_calls(request.core), request.user_id, request.channel)
    if fetched is None:
        raise FeatureRefused("no call of theirs to fetch", PICKUP_NOTHING)
    if not fetched:
        raise FeatureRefused("the call could not be moved", PICKUP_NOTHING)
    return None


async def _intrude(request: FeatureRequest) -> Sequence[str] | None:
    """FC-02 / PKP-05: ``*65*EXT*`` cuts into EXT's call, with the intrusion right over EXT."""
    from cordboard.core.calls.takeover import intrude

    account = _target(request)
    if not request.core.rights.allows("intrude", request.user_id, account.user_id):
        raise FeatureRefused(f"no intrusion right over {account.extension}")
    intruded = await intrude(_calls(request.core), account.user_id, request.channel)
    if intruded is None:
        raise FeatureRefused(f"{account.extension} is in no call", PICKUP_NOTHING)
    if not intruded:
        raise FeatureRefused("the call could not be taken over", PICKUP_NOTHING)
    return None


async def _bypass(request: FeatureRequest) -> Sequence[str] | None:
    """FC-05 / PKP-06: ``*60*EXT*`` rings EXT's own phones whatever EXT's forwarding says, with
    the diversion-bypass right over EXT."""
    account = _target(request)
    if not request.core.rights.allows("bypass_diversion", request.user_id, account.user_id):
        raise FeatureRefused(f"no diversion-bypass right over {account.extension}")
    channel = request.channel
    missed = await channel.transfer(
        account.extension or account.username, metadata={"reason": "diversion bypass"}
    )
    if missed is not None:
        await channel.hangup(missed.status)
    return None


def _target(request: FeatureRequest) -> SipAccount:
    account = _calls(request.core).find_account(request.fields["extension"])
    if account is None:
        raise FeatureRefused(f"no user has extension {request.fields['extension']}", PROMPT_UNKNOWN)
    return account


async def _voicemail(request: FeatureRequest) -> Sequence[str] | None:
    """FC-14 / PKP-09: ``*1*EXT*`` takes the caller (or a call transferred there) to EXT's
    voicemail greeting; the plugin that keeps mailboxes answers ``cordboard_voicemail``."""
    core = request.core
    account = _target(request)
    handler = _calls(core).voicemail_of(account.user_id)
    if handler is None:
        raise FeatureRefused(f"{account.extension} has no mailbox", "not_available")
    await handler(request.channel)
    return None


async def _group_login(request: FeatureRequest) -> Sequence[str]:
    """FC-01: ``*11*ID*`` / ``**11*ID*`` log in to / out of the ACD or attendant group with
    identifier ID; the plugin that has the group answers ``cordboard_feature_login``."""
    core = request.core
    identifier = request.fields["group"]
    done = core.plugins.pm.hook.cordboard_feature_login(
        core=core, user_id=request.user_id, identifier=identifier, log_in=request.on
    )
    if done is None:
        raise FeatureRefused(f"no group has the identifier {identifier}", PROMPT_UNKNOWN)
    if not done:
        raise FeatureRefused(f"not allowed to log in to group {identifier}")
    return ["logged_in" if request.on else "logged_out"]


def core_codes() -> list[FeatureCode]:
    return [
        FeatureCode(
            "voicemail",
            "1",
            "Voicemail of an extension",
            "FC-14",
            _voicemail,
            on_fields=("extension",),
            description="Go straight to this extension's voicemail; transfer a call there with it too.",
            transfer_target=True,
        ),
        FeatureCode(
            "group_login",
            "11",
            "Log in to or out of a group",
            "FC-01",
            _group_login,
            on_fields=("group",),
            off_fields=("group",),
            description="Log in to (*) or out of (**) the ACD or attendant group with this identifier.",
        ),
        FeatureCode(
            "pickup_group",
            "8",
            "Group pickup",
            "FC-03",
            _pickup_group,
            description="Answer a call ringing at a member of one of your groups.",
        ),
        FeatureCode(
            "pickup_directed",
            "9",
            "Directed pickup",
            "FC-04",
            _pickup_directed,
            on_fields=("extension",),
            description="Answer the call ringing at this extension.",
        ),
        FeatureCode(
            "intrude",
            "65",
            "Intrusion",
            "FC-02",
            _intrude,
            on_fields=("extension",),
            description="Cut into this extension's call; the other party waits and is connected again after.",
        ),
        FeatureCode(
            "bypass_diversion",
            "60",
            "Diversion bypass",
            "FC-05",
            _bypass,
            on_fields=("extension",),
            description="Ring this extension's own phones even though its calls are forwarded.",
        ),
        FeatureCode(
            "fetch_call",
            "7",
            "Fetch my call",
            "FC-06",
            _fetch_call,
            description="Move your call from another of your phones to this one.",
        ),
        FeatureCode(
            "present_number",
            "30",
            "Presented number",
            "FC-07",
            _present_number,
            on_fields=("number",),
            off_fields=(),
            description="Show this number (one of yours) on your calls; off: your own line again.",
        ),
        FeatureCode(
            "forward_all",
            "21",
            "Forward all calls",
            "FC-09",
            _forward_all,
            on_fields=("number",),
            off_fields=(),
            description="Forward every call to this number; off: calls ring your phones again.",
        ),
        FeatureCode(
            "activity",
            "23",
            "Set activity",
            "FC-11",
            _activity,
            on_fields=("activity",),
            off_fields=(),
            description="Set your activity by its number; off: clear it.",
        ),
        FeatureCode(
            "role",
            "24",
            "Set presence role",
            "FC-12",
            _role,
            on_fields=("role",),
            description="Set your presence role by its number.",
        ),
    ]
