"""REST routes of the voicemail plugin, mounted at /api/voicemail/: a user's own messages (an
administrator may name any user's with ``?user_id=``), their audio for the browser's player (range
requests, so it can seek), marking them heard and deleting them (VM-15); the personal greetings
(VM-10): ``GET /greetings`` (lengths, whether allowed), ``PUT /greetings/{kind}`` with an audio
file as the body (any format PyAV reads, converted once; refused with the reason otherwise),
``GET /greetings/{kind}/audio`` and ``DELETE /greetings/{kind}`` (back to the default).

Group inboxes (GIB-01..06) and voicemail numbers (GIB-07), administrators only (ROLE-04's group
administrators do not exist yet): ``/group-inboxes`` and ``/numbers`` (list, create; by id or
number: read, replace, delete), every bad field named. Members: ``GET /group-inboxes/mine``, the
inboxes of the caller's groups with their messages (GIB-03); a group inbox's messages are heard,
marked and deleted through the message routes by its members and administrators."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from cordboard.core.exceptions import NotFound
from cordboard.core.http.access import AuthUser, api, current_user, request_body
from cordboard.core.http.api_common import json_object, plugin_service, read_upload
from cordboard.core.http.errors import ApiError
from cordboard.core.http.group_admins import administered, checked_change, require_group_admin
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.media.audio_file import AudioFileError
from cordboard.plugins.voicemail.const import INBOXES_KEY, MAILBOXES_KEY
from cordboard.plugins.voicemail.greetings import KINDS
from cordboard.plugins.voicemail.inboxes import GroupInboxes
from cordboard.plugins.voicemail.mailboxes import Mailboxes
from cordboard.plugins.voicemail.storage import GroupInbox, Message

routes = web.RouteTableDef()
MESSAGE = "/messages/{message_id:[0-9A-Z]{26}}"
HEARD_BODY = vol.Schema({vol.Required("heard"): bool})
GREETING = "/greetings/{kind:[a-z]+}"
MAX_GREETING_BYTES = 20 * 1024 * 1024
TOO_LARGE = f"A greeting may be at most {MAX_GREETING_BYTES // (1024 * 1024)} MB"


def _mailboxes(request: web.Request) -> Mailboxes:
    return plugin_service(request, MAILBOXES_KEY, "The mailboxes are starting")


def _whose(request: web.Request, user: AuthUser) -> int:
    asked = request.query.get("user_id")
    if asked is None:
        return user.id
    if not asked.isdigit():
        raise ApiError(400, "invalid", "user_id must be a user's id")
    if int(asked) != user.id and not user.is_admin:
        raise ApiError(403, "forbidden", "Only administrators see other users' messages")
    return int(asked)


def _inboxes(request: web.Request) -> GroupInboxes:
    return plugin_service(request, INBOXES_KEY, "The group inboxes are starting")


async def _may_have(request: web.Request, user: AuthUser, message: Message) -> bool:
    """The owner, a member of the group inbox it is in (GIB-03), or an administrator."""
    if user.is_admin:
        return True
    if message.inbox_id is None:
        return message.user_id == user.id
    inboxes = request.app[CORE_KEY].data.get(INBOXES_KEY)
    try:
        inbox = inboxes.get(message.inbox_id) if inboxes is not None else None
        groups = (await request.app[CORE_KEY].identity.get_user(user.id)).groups
    except NotFound:
        return False
    return inbox is not None and inboxes is not None and inboxes.member_of(inbox, groups)


async def _own_message(request: web.Request) -> Message:
    """The message the path names, if the caller may have it (else 404: its existence is not told)."""
    user = current_user(request)
    try:
        message: Message | None = _mailboxes(request).message(request.match_info["message_id"])
    except NotFound:
        message = None
    if message is None or not await _may_have(request, user, message):
        raise ApiError(404, "not_found", "No such voice message")
    return message


def _described(mailboxes: Mailboxes, user_id: int) -> dict[str, Any]:
    counts = mailboxes.counts(user_id)
    return {
        "user_id": user_id,
        "messages": [m.as_dict() for m in mailboxes.messages(user_id)],
        "new": counts.new,
        "old": counts.old,
        "used_bytes": mailboxes.used_bytes(user_id),
        "max_bytes": mailboxes.max_bytes,
        "retention_days": mailboxes.retention_days,
    }


@routes.get("/messages")
@api(access="user")
async def list_messages(request: web.Request) -> web.Response:
    """The mailbox: its messages (newest first), how many are new, how full it is."""
    return web.json_response(_described(_mailboxes(request), _whose(request, current_user(request))))


@routes.get(MESSAGE + "/audio")
@api(access="user")
async def message_audio(request: web.Request) -> web.StreamResponse:
    """The message as WAV; ``Range`` requests are answered (206) so that a player can seek."""
    message = await _own_message(request)
    path = _mailboxes(request).audio_path(message)
    if not path.is_file():
        raise ApiError(404, "not_found", "The message's audio is gone")
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "audio/wav",
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="voicemail-{message.id}.wav"',
        },
    )


@routes.patch(MESSAGE)
@api(access="user", body=HEARD_BODY)
async def patch_message(request: web.Request) -> web.Response:
    """Mark a message heard (or new again): the phone's message lamp follows."""
    message = await _own_message(request)
    changed = await _mailboxes(request).mark_heard(message.id, request_body(request)["heard"])
    return web.json_response(changed.as_dict())


@routes.delete(MESSAGE)
@api(access="user")
async def delete_message(request: web.Request) -> web.Response:
    message = await _own_message(request)
    await _mailboxes(request).delete(message.id)
    return web.Response(status=204)


def _kind(request: web.Request) -> str:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"No greeting {kind!r}: one of {', '.join(KINDS)}")
    return kind


async def _described_greetings(request: web.Request, user_id: int) -> dict[str, Any]:
    mailboxes = _mailboxes(request)
    greetings = mailboxes.greetings
    seconds = await mailboxes.core.run_in_executor(greetings.seconds, user_id)
    return {
        "user_id": user_id,
        "allowed": greetings.allowed,
        "default_prompt": greetings.default_prompt or None,
        "greetings": {
            kind: {"personal": seconds[kind] is not None, "seconds": seconds[kind]} for kind in KINDS
        },
    }


@routes.get("/greetings")
@api(access="user")
async def list_greetings(request: web.Request) -> web.Response:
    """The user's greetings: for ``unavailable`` and ``busy`` whether a personal one is kept and
    its length; ``allowed`` is false when the organisation keeps personal greetings off."""
    return web.json_response(await _described_greetings(request, _whose(request, current_user(request))))


@routes.put(GREETING)
@api(access="user")
async def put_greeting(request: web.Request) -> web.Response:
    """Upload a personal greeting (the request body: WAV, MP3, Ogg ...; converted to 16 kHz mono)."""
    user_id = _whose(request, current_user(request))
    kind = _kind(request)
    mailboxes = _mailboxes(request)
    if not mailboxes.greetings.allowed:
        raise ApiError(403, "not_allowed", "Personal greetings are turned off for this organisation")
    data = await read_upload(request, MAX_GREETING_BYTES, TOO_LARGE)
    try:
        await mailboxes.core.run_in_executor(mailboxes.greetings.upload, user_id, kind, data)
    except AudioFileError as err:
        raise ApiError(400, "invalid", str(err), {"file": str(err)}) from None
    mailboxes.greetings_changed(user_id)
    return web.json_response(await _described_greetings(request, user_id))


@routes.get(GREETING + "/audio")
@api(access="user")
async def greeting_audio(request: web.Request) -> web.StreamResponse:
    user_id = _whose(request, current_user(request))
    path = _mailboxes(request).greetings.path(user_id, _kind(request))
    if not path.is_file():
        raise ApiError(404, "not_found", "No personal greeting of this kind: callers hear the default")
    return web.FileResponse(path, headers={"Content-Type": "audio/wav", "Cache-Control": "private, no-store"})


@routes.delete(GREETING)
@api(access="user")
async def delete_greeting(request: web.Request) -> web.Response:
    """Delete a personal greeting: callers hear the default again."""
    user_id = _whose(request, current_user(request))
    kind = _kind(request)
    mailboxes = _mailboxes(request)
    if not await mailboxes.core.run_in_executor(mailboxes.greetings.delete, user_id, kind):
        raise ApiError(404, "not_found", "No personal greeting of this kind")
    mailboxes.greetings_changed(user_id)
    return web.Response(status=204)


# -- group inboxes (GIB-01..06) and voicemail numbers (GIB-07) ----------------------------------
INBOX = "/group-inboxes/{inbox_id:[0-9]+}"
NUMBER = "/numbers/{number:[0-9]{2,8}}"


def _inbox_id(request: web.Request) -> int:
    return int(request.match_info["inbox_id"])


def _inbox_described(mailboxes: Mailboxes, inbox: GroupInbox) -> dict[str, Any]:
    counts = mailboxes.counts(inbox.box)
    return {**inbox.as_dict(), "new": counts.new, "old": counts.old}


@routes.get("/group-inboxes")
@api(access="user")
async def list_inboxes(request: web.Request) -> web.Response:
    """Every group inbox by number, with how many new and saved messages it has (for a group
    administrator, ROLE-04: the inboxes they administer)."""
    mailboxes = _mailboxes(request)
    inboxes = await administered(request, _inboxes(request).all(), lambda i: i.admin_groups)
    return web.json_response([_inbox_described(mailboxes, i) for i in inboxes])


@routes.post("/group-inboxes")
@api(access="admin")
async def create_inbox(request: web.Request) -> web.Response:
    """A new group inbox; 400 names every bad field (a number someone has, a code another inbox
    has, an unknown user group or prompt, anonymous callers allowed without a PIN)."""
    inbox = await _inboxes(request).create(await json_object(request))
    return web.json_response(_inbox_described(_mailboxes(request), inbox), status=201)


@routes.get("/group-inboxes/mine")
@api(access="user")
async def my_inboxes(request: web.Request) -> web.Response:
    """GIB-03: the group inboxes of the caller's groups, each with its messages (newest first)."""
    user = await request.app[CORE_KEY].identity.get_user(current_user(request).id)
    mailboxes = _mailboxes(request)
    return web.json_response(
        [
            {
                "id": inbox.id,
                "name": inbox.name,
                "number": inbox.number,
                "new": mailboxes.counts(inbox.box).new,
                "old": mailboxes.counts(inbox.box).old,
                "messages": [m.as_dict() for m in mailboxes.messages(inbox.box)],
            }
            for inbox in _inboxes(request).mine(user.groups)
        ]
    )


@routes.get(INBOX)
@api(access="user")
async def get_inbox(request: web.Request) -> web.Response:
    """An inbox (administrators, and its group administrators: GIB-06)."""
    inbox = _inboxes(request).get(_inbox_id(request))
    await require_group_admin(request, inbox.admin_groups)
    return web.json_response(_inbox_described(_mailboxes(request), inbox))


@routes.put(INBOX)
@api(access="user")
async def put_inbox(request: web.Request) -> web.Response:
    """Replace an inbox's fields (as for a new one; a ``pin`` left out or null keeps the PIN, ""
    removes it). Its group administrators (GIB-06) may too, but not change ``admin_groups``."""
    inboxes = _inboxes(request)
    current = inboxes.get(_inbox_id(request))
    data = await checked_change(request, current.admin_groups, await json_object(request))
    inbox = await inboxes.update(current.id, data)
    return web.json_response(_inbox_described(_mailboxes(request), inbox))


@routes.delete(INBOX)
@api(access="admin")
async def delete_inbox(request: web.Request) -> web.Response:
    """Delete an inbox with its messages (409 while a voicemail number leads to it)."""
    await _inboxes(request).delete(_inbox_id(request))
    return web.Response(status=204)


@routes.get("/numbers")
@api(access="admin")
async def list_numbers(request: web.Request) -> web.Response:
    return web.json_response([n.as_dict() for n in _inboxes(request).numbers()])


@routes.post("/numbers")
@api(access="admin")
async def create_number(request: web.Request) -> web.Response:
    """A voicemail number: ``{"number": "1599", "kind": "user_inbox"}`` or ``{"number": "1598",
    "kind": "group_inbox", "inbox_id": 3}`` (the inbox must exist)."""
    number = await _inboxes(request).put_number(None, await json_object(request))
    return web.json_response(number.as_dict(), status=201)


@routes.put(NUMBER)
@api(access="admin")
async def put_number(request: web.Request) -> web.Response:
    number = await _inboxes(request).put_number(request.match_info["number"], await json_object(request))
    return web.json_response(number.as_dict())


@routes.delete(NUMBER)
@api(access="admin")
async def delete_number(request: web.Request) -> web.Response:
    await _inboxes(request).delete_number(request.match_info["number"])
    return web.Response(status=204)
