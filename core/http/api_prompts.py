"""Voice prompts through the API (PRM-01..05), for administrators.

System prompts: ``GET /api/prompts`` lists them with their texts and the languages an admin
replaced; ``GET /api/prompts/{language}/{prompt_id}.wav`` plays what callers hear (generated with
espeak-ng on first use); ``PUT`` with an audio file as the body replaces it (any format PyAV reads,
converted to 16 kHz mono WAV; a file that is not usable audio is refused with the reason) and
``DELETE`` brings the system prompt back. They cannot be renamed or deleted.

The organisation's own prompts (ids ``org:<n>``, see core/media/prompts.py): ``POST /api/prompts``
(multipart/form-data: ``name``, ``description``, ``language``, ``file``) creates one from an
upload; ``PATCH``/``DELETE /api/prompts/org:<n>`` edit or delete it; the same ``{language}/{id}``
routes as above play, add or replace a language's recording, or remove one (not the last).

``GET /api/prompts?kind=org`` (or ``system``; both without ``kind``) is the list that settings
offering "choose a prompt" (IVR, queues, schedules) fill their dropdowns from: each entry has
``id``, ``kind`` and ``name``.

Record by phone (PRM-04): ``POST /api/prompts/record-by-phone`` with ``number`` (an extension or
user name), ``language`` and either ``prompt_id`` (``org:<n>``) or ``name`` and ``description`` of
a new prompt calls that phone, where a voice guide leads through the recording
(core/media/phone_recording.py); it answers 202 with the job, which ``GET
/api/prompts/record-by-phone/{job_id}`` reads (``ringing``, ``recording``, ``saved``, ``failed``
with ``reason``) and ``DELETE`` cancels. Each change is also the state ``prompt_recording.<job id>``
on the WebSocket.
"""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from aiohttp import BodyPartReader, web

from cordboard.core.config import validation as cv
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.api_common import read_upload
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.identity import fields
from cordboard.core.media import org_prompts
from cordboard.core.media.audio_file import AudioFileError
from cordboard.core.media.org_prompts import EVENT_PROMPTS_CHANGED
from cordboard.core.media.phone_recording import phone_recorder
from cordboard.core.media.prompts import (
    LANGUAGES,
    PROMPT_TEXTS,
    PromptNotFound,
    org_number,
)

routes = web.RouteTableDef()
MAX_PROMPT_BYTES: Final = 50 * 1024 * 1024
"""The largest recording accepted (about five minutes of uncompressed CD audio)."""
MAX_FORM_FIELD: Final = 16 * 1024
"""The largest text field of the create form (name, description, language)."""
KINDS: Final = ("system", "org")
PATCH_BODY: Final = org_prompts.UPDATE_SCHEMA
RECORD_BY_PHONE_BODY: Final = vol.Schema(
    {
        vol.Required("number"): cv.string,
        vol.Optional("language"): cv.string,
        vol.Optional("prompt_id"): cv.string,
        vol.Optional("name"): cv.string,
        vol.Optional("description"): cv.string,
    },
    extra=vol.PREVENT_EXTRA,
)


def _target(request: web.Request) -> tuple[str, str]:
    language, prompt_id = request.match_info["language"], request.match_info["prompt_id"]
    if language not in LANGUAGES:
        raise ApiError(404, "not_found", f"No prompts in language {language!r} ({', '.join(LANGUAGES)})")
    if prompt_id not in PROMPT_TEXTS and org_number(prompt_id) is None:
        raise ApiError(404, "not_found", f"No prompt {prompt_id!r}")
    return language, prompt_id


def _too_large() -> str:
    return f"A prompt recording may be at most {MAX_PROMPT_BYTES // (1024 * 1024)} MB"


def _changed(request: web.Request, prompt_id: str, action: str) -> None:
    request.app[CORE_KEY].bus.fire(EVENT_PROMPTS_CHANGED, {"prompt_id": prompt_id, "action": action})


async def _org_entries(request: web.Request, prompts: list[org_prompts.OrgPrompt]) -> list[dict[str, Any]]:
    """The API form of the organisation's prompts, with their recordings (language -> seconds)."""
    core = request.app[CORE_KEY]
    library = core.prompts

    def recordings() -> list[dict[str, float]]:
        return [library.org_recordings(prompt.id) for prompt in prompts]

    found = await core.run_in_executor(recordings)
    return [
        {**prompt.as_dict(), "languages": list(seconds), "seconds": seconds}
        for prompt, seconds in zip(prompts, found, strict=True)
    ]


async def _org_prompt(request: web.Request) -> org_prompts.OrgPrompt:
    """The organisation's prompt named in the route; 403 for a system prompt, 404 for none."""
    prompt_id = request.match_info["prompt_id"]
    if prompt_id in PROMPT_TEXTS:
        raise ApiError(
            403,
            "read_only",
            f"{prompt_id!r} is a system prompt: it cannot be renamed or deleted, only its recording "
            "replaced per language",
        )
    return await request.app[CORE_KEY].db.call(lambda db: org_prompts.get_prompt(db, prompt_id))


@routes.get("/api/prompts")
@api(access="admin")
async def list_prompts(request: web.Request) -> web.Response:
    """Every prompt: the system ones (id, text per language, languages an admin replaced) and the
    organisation's own (id ``org:<n>``, name, description, recorded languages).

    ``?kind=system`` or ``?kind=org`` lists one kind; every entry has ``id``, ``kind`` and ``name``,
    what a dropdown that chooses a prompt shows. ``default_language`` is the organisation's.
    """
    kind = request.query.get("kind", "")
    if kind and kind not in KINDS:
        raise ApiError(400, "invalid", "Unknown kind of prompt", {"kind": "expected system or org"})
    core = request.app[CORE_KEY]
    entries: list[dict[str, Any]] = []
    if kind in ("", "system"):
        custom = {language: set(core.prompts.custom(language)) for language in LANGUAGES}
        entries += [
            {
                "id": prompt_id,
                "kind": "system",
                "name": prompt_id,
                "texts": texts,
                "custom": [language for language in LANGUAGES if prompt_id in custom[language]],
            }
            for prompt_id, texts in PROMPT_TEXTS.items()
        ]
    if kind in ("", "org"):
        entries += await _org_entries(request, await core.db.call(org_prompts.list_prompts))
    default_language = await core.settings.org_value("core.language")
    return web.json_response(
        {"languages": list(LANGUAGES), "default_language": default_language, "prompts": entries}
    )


async def _read_part(part: BodyPartReader, limit: int, message: str, field: str) -> bytes:
    """A form part's bytes; 413 naming ``field`` when it holds more than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(256 * 1024):
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", message, {field: message})
        chunks.append(chunk)
    return b"".join(chunks)


async def _create_form(request: web.Request) -> tuple[dict[str, str], bytes | None]:
    """The text fields and the file of a multipart/form-data create request."""
    if not request.content_type.startswith("multipart/"):
        raise ApiError(
            400,
            "invalid",
            "A new prompt is sent as multipart/form-data with name, description, language and file",
            {"file": "required"},
        )
    form: dict[str, str] = {}
    data: bytes | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise ApiError(400, "invalid", "Nested multipart bodies are not accepted")
        if part.name == "file":
            data = await _read_part(part, MAX_PROMPT_BYTES, _too_large(), "file")
        elif part.name in ("name", "description", "language"):
            raw = await _read_part(part, MAX_FORM_FIELD, "This field is too long", part.name)
            form[part.name] = raw.decode("utf-8", errors="replace")
        else:
            raise ApiError(400, "invalid", "Unknown form field", {str(part.name): "unknown field"})
    return form, data


@routes.post("/api/prompts")
@api(access="admin")
async def create_prompt(request: web.Request) -> web.Response:
    """Create one of the organisation's prompts from an uploaded recording (PRM-02, PRM-03).

    multipart/form-data: ``name`` (unique, shown in dropdowns), ``description`` (what it says and
    what it is for), ``language`` (of the recording; default the organisation's) and ``file`` (any
    audio PyAV reads, at most 50 MB and 10 minutes). Every field error is named; a taken name is
    409; a file that is not usable audio is refused with the reason.
    """
    core = request.app[CORE_KEY]
    form, data = await _create_form(request)
    errors: dict[str, str] = {}
    try:
        values = org_prompts.validate(
            org_prompts.CREATE_SCHEMA, {k: v for k, v in form.items() if k != "language"}
        )
    except ConfigValidationError as err:
        errors.update(err.fields)
        values = {}
    language = form.get("language") or str(await core.settings.org_value("core.language"))
    try:
        language = fields.language(language)
    except vol.Invalid as err:
        errors["language"] = str(err.msg)
    if not data:
        errors["file"] = "required: choose a recording" if data is None else "the file is empty"
    if errors:
        raise ApiError(400, "invalid", "Some prompt fields are invalid", errors)
    assert data is not None
    await _check_name(request, values["name"])
    try:
        samples = await core.run_in_executor(core.prompts.convert, data, f"the file for “{values['name']}”")
    except AudioFileError as err:
        raise ApiError(400, "invalid", str(err), {"file": str(err)}) from None
    prompt = await _insert(request, values)
    try:
        await core.run_in_executor(core.prompts.store, prompt.id, language, samples)
    except BaseException:
        await core.db.call(lambda db: org_prompts.delete_prompt(db, prompt.id))
        raise
    _changed(request, prompt.id, "created")
    (entry,) = await _org_entries(request, [prompt])
    return web.json_response(entry, status=201)


async def _check_name(request: web.Request, name: str, exclude: int = -1) -> None:
    try:
        await request.app[CORE_KEY].db.call(lambda db: org_prompts.check_name(db, name, exclude))
    except org_prompts.PromptNameTaken as err:
        raise ApiError(409, "conflict", str(err), {"name": str(err)}) from None


async def _insert(request: web.Request, values: dict[str, Any]) -> org_prompts.OrgPrompt:
    try:
        return await request.app[CORE_KEY].db.call(lambda db: org_prompts.create_prompt(db, values))
    except org_prompts.PromptNameTaken as err:
        raise ApiError(409, "conflict", str(err), {"name": str(err)}) from None


@routes.post("/api/prompts/record-by-phone")
@api(access="admin", body=RECORD_BY_PHONE_BODY)
async def record_by_phone(request: web.Request) -> web.Response:
    """Record a prompt by phone (PRM-04): call ``number`` and let a voice guide take the recording.

    ``number``: an extension or user name with a registered phone; ``language``: of the guide and
    of the recording (default the organisation's); ``prompt_id`` (``org:<n>``) records into that
    prompt, else ``name`` and ``description`` name the new prompt made when the recording is kept.
    Answers 202 with the job at once (``Location``: where to read it); every bad field is named, a
    taken name or a call to the number already in progress is 409, SIP not running 503.
    """
    core = request.app[CORE_KEY]
    body = dict(request_body(request))
    errors: dict[str, str] = {}
    number = body["number"].strip()
    if core.sip is None or core.calls is None:
        raise ApiError(503, "unavailable", "SIP is not running: no phone can be called")
    account = core.sip.accounts.find(number) if number else None
    if not number:
        errors["number"] = "required: the extension or user name of the phone to call"
    elif account is None:
        errors["number"] = f"No user has the number {number}"
    elif account.locked or not core.sip.targets(account):
        errors["number"] = f"No phone is registered for {number}"
    language = body.get("language") or str(await core.settings.org_value("core.language"))
    try:
        language = fields.language(language)
    except vol.Invalid as err:
        errors["language"] = str(err.msg)
    prompt_id = (body.get("prompt_id") or "").strip()
    name = description = ""
    if prompt_id:
        if org_number(prompt_id) is None:
            errors["prompt_id"] = "only the organisation's own prompts (org:<number>) are recorded by phone"
        else:
            try:
                name = (await core.db.call(lambda db: org_prompts.get_prompt(db, prompt_id))).name
            except NotFound as err:
                raise ApiError(404, "not_found", str(err), {"prompt_id": str(err)}) from None
    else:
        try:
            values = org_prompts.validate(
                org_prompts.CREATE_SCHEMA,
                {"name": body.get("name", ""), "description": body.get("description", "")},
            )
            name, description = values["name"], values["description"]
        except ConfigValidationError as err:
            errors.update(err.fields)
    if errors:
        raise ApiError(400, "invalid", "Some fields are invalid", errors)
    if not prompt_id:
        await _check_name(request, name)
    recorder = phone_recorder(core)
    if (busy := recorder.active_for(number)) is not None:
        message = f"{number} is being called for a recording already"
        raise ApiError(409, "conflict", message, {"number": message, "job": busy.id})
    job = recorder.start(
        number=number,
        language=language,
        user_id=current_user(request).id,
        prompt_id=prompt_id or None,
        name=name,
        description=description,
    )
    return web.json_response(
        job.as_dict(), status=202, headers={"Location": f"/api/prompts/record-by-phone/{job.id}"}
    )


@routes.get("/api/prompts/record-by-phone/{job_id}")
@api(access="admin")
async def get_phone_recording(request: web.Request) -> web.Response:
    """A record-by-phone job: ``state`` (ringing, recording, saved, failed), ``step`` while
    recording (guide, recording, review), ``reason`` and ``code`` when it failed, ``prompt_id``
    and ``seconds`` when saved. Finished jobs are kept for ten minutes."""
    job = phone_recorder(request.app[CORE_KEY]).get(request.match_info["job_id"])
    if job is None:
        raise ApiError(404, "not_found", "No such recording call (finished ones are kept ten minutes)")
    return web.json_response(job.as_dict())


@routes.delete("/api/prompts/record-by-phone/{job_id}")
@api(access="admin")
async def cancel_phone_recording(request: web.Request) -> web.Response:
    """Cancel a record-by-phone call: the phone stops ringing or is hung up, nothing is saved (the
    job ends ``failed`` with code ``cancelled``). 409 when the job is finished already."""
    recorder = phone_recorder(request.app[CORE_KEY])
    job_id = request.match_info["job_id"]
    job = recorder.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", "No such recording call (finished ones are kept ten minutes)")
    if not recorder.cancel(job_id):
        raise ApiError(409, "conflict", f"The call has ended already ({job.state})")
    return web.json_response(job.as_dict(), status=202)


@routes.get("/api/prompts/{prompt_id}")
@api(access="admin")
async def get_org_prompt(request: web.Request) -> web.Response:
    """One of the organisation's prompts with its recorded languages."""
    (entry,) = await _org_entries(request, [await _org_prompt(request)])
    return web.json_response(entry)


@routes.patch("/api/prompts/{prompt_id}")
@api(access="admin", body=PATCH_BODY)
async def patch_org_prompt(request: web.Request) -> web.Response:
    """Rename one of the organisation's prompts or change its description (system prompts: 403)."""
    prompt = await _org_prompt(request)
    changes = dict(request_body(request))
    if "name" in changes:
        await _check_name(request, changes["name"], prompt.number)
    try:
        updated = await request.app[CORE_KEY].db.call(
            lambda db: org_prompts.update_prompt(db, prompt.id, changes)
        )
    except org_prompts.PromptNameTaken as err:
        raise ApiError(409, "conflict", str(err), {"name": str(err)}) from None
    _changed(request, prompt.id, "updated")
    (entry,) = await _org_entries(request, [updated])
    return web.json_response(entry)


@routes.delete("/api/prompts/{prompt_id}")
@api(access="admin")
async def delete_org_prompt(request: web.Request) -> web.Response:
    """Delete one of the organisation's prompts and its recordings (system prompts: 403)."""
    core = request.app[CORE_KEY]
    prompt = await _org_prompt(request)
    await core.db.call(lambda db: org_prompts.delete_prompt(db, prompt.id))
    await core.run_in_executor(core.prompts.remove_org, prompt.id)
    _changed(request, prompt.id, "deleted")
    return web.Response(status=204)


@routes.get("/api/prompts/{language}/{prompt_id}.wav")
@api(access="admin")
async def get_prompt(request: web.Request) -> web.StreamResponse:
    """The recording callers hear for this prompt and language (with the same fallbacks)."""
    language, prompt_id = _target(request)
    core = request.app[CORE_KEY]
    try:
        path = await core.run_in_executor(core.prompts.ensure, prompt_id, language)
    except PromptNotFound as err:
        raise ApiError(404, "not_found", str(err)) from None
    except RuntimeError as err:  # espeak-ng missing
        raise ApiError(503, "unavailable", str(err)) from None
    return web.FileResponse(path, headers={"Content-Type": "audio/wav", "Cache-Control": "no-store"})


@routes.put("/api/prompts/{language}/{prompt_id}")
@api(access="admin")
async def put_prompt(request: web.Request) -> web.Response:
    """Replace a prompt's recording in one language by the request body (audio/wav, audio/mpeg,
    ...); for the organisation's prompts this also adds a language."""
    language, prompt_id = _target(request)
    core = request.app[CORE_KEY]
    if org_number(prompt_id) is not None:
        await core.db.call(lambda db: org_prompts.get_prompt(db, prompt_id))
    data = await read_upload(request, MAX_PROMPT_BYTES, _too_large())
    try:
        seconds = await core.run_in_executor(core.prompts.replace, prompt_id, language, data)
    except AudioFileError as err:
        raise ApiError(400, "invalid", str(err), {"file": str(err)}) from None
    _changed(request, prompt_id, "recorded")
    return web.json_response({"id": prompt_id, "language": language, "seconds": round(seconds, 2)})


@routes.delete("/api/prompts/{language}/{prompt_id}")
@api(access="admin")
async def delete_prompt(request: web.Request) -> web.Response:
    """Delete the admin's recording in one language: a system prompt is spoken again; one of the
    organisation's prompts keeps its other languages (the last one cannot go: delete the prompt)."""
    language, prompt_id = _target(request)
    core = request.app[CORE_KEY]
    if org_number(prompt_id) is not None:
        await core.db.call(lambda db: org_prompts.get_prompt(db, prompt_id))
        recorded = await core.run_in_executor(core.prompts.org_recordings, prompt_id)
        if language not in recorded:
            raise ApiError(404, "not_found", f"Prompt {prompt_id!r} has no recording in {language!r}")
        if len(recorded) == 1:
            raise ApiError(409, "conflict", "This is the prompt's only recording; delete the prompt instead")
    if not await core.run_in_executor(core.prompts.restore, prompt_id, language):
        raise ApiError(404, "not_found", f"Prompt {prompt_id!r} has no replacement in {language!r}")
    _changed(request, prompt_id, "recording_deleted")
    return web.json_response({"id": prompt_id, "language": language, "custom": False})
