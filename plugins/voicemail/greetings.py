"""Personal greetings (VM-10): each user may keep a greeting for when they do not answer
(``unavailable``) and one for when they are on the phone (``busy``), recorded by phone from the
mailbox menu or uploaded in the web UI. A caller hears the busy greeting while the owner is in a
call, else the unavailable one; without a personal greeting, the organisation's default (an
organisation prompt chosen in the settings, or the system's "not available, leave a message").

The greetings are 16 kHz mono WAV files in the mailbox's folder, written atomically; uploads are
converted once, like prompts (``PromptLibrary.convert``)."""

from __future__ import annotations

import contextlib
import logging
import wave
from pathlib import Path
from typing import Final

from cordboard.core.calls.channel import Prompt
from cordboard.core.core import Core
from cordboard.core.media.audio_file import PCM, write_wav
from cordboard.core.media.prompts import PROMPT_RATE, PromptLibrary
from cordboard.plugins.voicemail.const import GREETING_PROMPTS

_LOGGER = logging.getLogger(__name__)
UNAVAILABLE: Final = "unavailable"
BUSY: Final = "busy"
KINDS: Final = (UNAVAILABLE, BUSY)


class Greetings:
    """The personal greetings under ``folder`` (one sub-folder per user id)."""

    def __init__(self, core: Core, folder: Path, *, allowed: bool, default_prompt: str) -> None:
        self._core = core
        self.folder = folder
        self.allowed = allowed
        """VM-10 "when allowed": the organisation lets users have their own greetings."""
        self.default_prompt = default_prompt
        """The organisation's default greeting (a prompt id); "" for the system's."""

    def path(self, user_id: int, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"No greeting {kind!r}: one of {', '.join(KINDS)}")
        return self.folder / str(user_id) / f"greeting-{kind}.wav"

    def seconds(self, user_id: int) -> dict[str, float | None]:
        """Each kind's length in seconds, None where the user has none (blocking: reads headers)."""
        found: dict[str, float | None] = {}
        for kind in KINDS:
            try:
                with wave.open(str(self.path(user_id, kind)), "rb") as wav:
                    found[kind] = round(wav.getnframes() / wav.getframerate(), 2)
            except (FileNotFoundError, wave.Error, EOFError):
                found[kind] = None
        return found

    def store(self, user_id: int, kind: str, samples: PCM) -> float:
        """Keep 16 kHz samples as the user's greeting (blocking); its length in seconds."""
        write_wav(self.path(user_id, kind), samples, PROMPT_RATE)
        return samples.size / PROMPT_RATE

    def upload(self, user_id: int, kind: str, data: bytes) -> float:
        """Convert an uploaded audio file and keep it (blocking); AudioFileError names what is wrong."""
        label = "the busy greeting" if kind == BUSY else "the greeting"
        return self.store(user_id, kind, PromptLibrary.convert(data, label))

    def delete(self, user_id: int, kind: str) -> bool:
        """Back to the default; False when there was no personal greeting."""
        path = self.path(user_id, kind)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            return True
        return False

    def for_caller(self, user_id: int) -> list[Prompt]:
        """What a caller to ``user_id``'s mailbox hears before the tone."""
        if self.allowed:
            if self._owner_on_the_phone(user_id) and self.path(user_id, BUSY).is_file():
                return [self.path(user_id, BUSY)]
            if self.path(user_id, UNAVAILABLE).is_file():
                return [self.path(user_id, UNAVAILABLE)]
        if self.default_prompt:
            return [self.default_prompt]
        return list(GREETING_PROMPTS)

    def _owner_on_the_phone(self, user_id: int) -> bool:
        presence = self._core.presence
        return presence is not None and presence.get(user_id).call_state == "in_call"
