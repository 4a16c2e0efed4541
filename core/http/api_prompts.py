"""Voice prompts through the API (PRM-01..03), for administrators.

``GET /api/prompts`` lists every system prompt with its texts and which languages an admin
replaced; ``GET /api/prompts/{language}/{prompt_id}.wav`` plays what callers hear (generated with
espeak-ng on first use); ``PUT`` with an audio file as the body replaces it (any format PyAV reads,
converted to 16 kHz mono WAV; a file that is not usable audio is refused with the reason) and
``DELETE`` brings the system prompt back.
"""

from __future__ import annotations

from typing import Final

from aiohttp import web

from cordboard.core.http.access import api
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.media.audio_file import AudioFileError
from cordboard.core.media.prompts import LANGUAGES, PROMPT_TEXTS, PromptNotFound

routes = web.RouteTableDef()
MAX_PROMPT_BYTES: Final = 50 * 1024 * 1024
"""The largest recording accepted (about five minutes of uncompressed CD audio)."""


def _target(request: web.Request) -> tuple[str, str]:
    language, prompt_id = request.match_info["language"], request.match_info["prompt_id"]
    if language not in LANGUAGES:
        raise ApiError(404, "not_found", f"No prompts in language {language!r} ({', '.join(LANGUAGES)})")
    if prompt_id not in PROMPT_TEXTS:
        raise ApiError(404, "not_found", f"No prompt {prompt_id!r}")
    return language, prompt_id


@routes.get("/api/prompts")
@api(access="admin")
async def list_prompts(request: web.Request) -> web.Response:
    """Every prompt id with its text per language and the languages in which an admin replaced it."""
    prompts = request.app[CORE_KEY].prompts
    custom = {language: set(prompts.custom(language)) for language in LANGUAGES}
    return web.json_response(
        {
            "languages": list(LANGUAGES),
            "prompts": [
                {
                    "id": prompt_id,
                    "texts": texts,
                    "custom": [language for language in LANGUAGES if prompt_id in custom[language]],
                }
                for prompt_id, texts in PROMPT_TEXTS.items()
            ],
        }
    )


@routes.get("/api/prompts/{language}/{prompt_id}.wav")
@api(access="admin")
async def get_prompt(request: web.Request) -> web.StreamResponse:
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
    """Replace a prompt by the recording in the request body (audio/wav, audio/mpeg, ...)."""
    language, prompt_id = _target(request)
    if request.content_length is not None and request.content_length > MAX_PROMPT_BYTES:
        raise ApiError(413, "too_large", f"A prompt recording may be at most {MAX_PROMPT_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(256 * 1024):
        size += len(chunk)
        if size > MAX_PROMPT_BYTES:
            raise ApiError(413, "too_large", f"A prompt recording may be at most {MAX_PROMPT_BYTES} bytes")
        chunks.append(chunk)
    core = request.app[CORE_KEY]
    try:
        seconds = await core.run_in_executor(core.prompts.replace, prompt_id, language, b"".join(chunks))
    except AudioFileError as err:
        raise ApiError(400, "invalid", str(err), {"file": str(err)}) from None
    return web.json_response({"id": prompt_id, "language": language, "seconds": round(seconds, 2)})


@routes.delete("/api/prompts/{language}/{prompt_id}")
@api(access="admin")
async def delete_prompt(request: web.Request) -> web.Response:
    """Bring the system prompt back (the admin's recording is deleted)."""
    language, prompt_id = _target(request)
    core = request.app[CORE_KEY]
    if not await core.run_in_executor(core.prompts.restore, prompt_id, language):
        raise ApiError(404, "not_found", f"Prompt {prompt_id!r} has no replacement in {language!r}")
    return web.json_response({"id": prompt_id, "language": language, "custom": False})
