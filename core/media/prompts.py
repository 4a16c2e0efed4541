"""System prompts (PRM-01..03): the sentences features speak, in English, German and Danish.

Every prompt has an id (``leave_message``, ``n21``, ``thousand`` ...). The system set is spoken by
espeak-ng into ``<data>/prompts/system/<language>/<id>.wav`` (16 kHz) the first time Cordboard
needs it; an admin may replace any prompt by uploading a recording, kept in
``<data>/prompts/custom/<language>/<id>.wav``, which wins over the system one. A prompt missing in
a language falls back to English, and the fallback is logged once per prompt and language.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from cordboard.core.media.audio_file import PCM, AudioFileError, decode_audio, read_audio, write_wav

_LOGGER = logging.getLogger(__name__)

LANGUAGES: Final = ("en", "de", "da")
FALLBACK_LANGUAGE: Final = "en"
PROMPT_RATE: Final = 16000
"""Prompts are stored wideband; narrowband calls take every other sample after a low-pass."""
ESPEAK_VOICES: Final = {"en": "en-gb", "de": "de", "da": "da"}
ESPEAK_SPEED: Final = 150
"""Words per minute: a little slower than espeak's default 175, easier to follow on a phone."""
PROMPT_ID: Final = re.compile(r"[a-z0-9_]{1,64}")
DECODED_CACHE: Final = 512
"""Decoded recordings kept in memory (a 3 s prompt at 16 kHz is about 100 KB)."""

SENTENCES: Final[dict[str, dict[str, str]]] = {
    "leave_message": {
        "en": "Please leave a message after the tone.",
        "de": "Bitte hinterlassen Sie eine Nachricht nach dem Signalton.",
        "da": "Læg venligst en besked efter tonen.",
    },
    "not_available": {
        "en": "The number you dialled is not available.",
        "de": "Die gewählte Rufnummer ist nicht erreichbar.",
        "da": "Det nummer, du har ringet til, er ikke tilgængeligt.",
    },
    "invalid_option": {
        "en": "Invalid option.",
        "de": "Ungültige Auswahl.",
        "da": "Ugyldigt valg.",
    },
    "you_are_caller_number": {
        "en": "You are caller number",
        "de": "Sie sind Anrufer Nummer",
        "da": "Du er opkalder nummer",
    },
    "please_hold": {
        "en": "Please hold, your call will be answered shortly.",
        "de": "Bitte warten Sie, Ihr Anruf wird gleich entgegengenommen.",
        "da": "Vent venligst, dit opkald besvares om lidt.",
    },
    "enter_pin": {
        "en": "Please enter your PIN, followed by the hash key.",
        "de": "Bitte geben Sie Ihre PIN ein, gefolgt von der Rautetaste.",
        "da": "Indtast venligst din pinkode efterfulgt af firkant.",
    },
    "wrong_pin": {
        "en": "The PIN is not correct.",
        "de": "Die PIN ist nicht korrekt.",
        "da": "Pinkoden er forkert.",
    },
    "goodbye": {"en": "Goodbye.", "de": "Auf Wiederhören.", "da": "Farvel."},
    "conference_enter": {
        "en": "You are now in the conference.",
        "de": "Sie sind jetzt in der Konferenz.",
        "da": "Du er nu med i konferencen.",
    },
    "conference_alone": {
        "en": "You are the only participant.",
        "de": "Sie sind der einzige Teilnehmer.",
        "da": "Du er den eneste deltager.",
    },
    "number_barred": {
        "en": "Calls to this number are not allowed.",
        "de": "Anrufe zu dieser Rufnummer sind nicht erlaubt.",
        "da": "Opkald til dette nummer er ikke tilladt.",
    },
    "star": {"en": "star", "de": "Stern", "da": "stjerne"},
    "hash": {"en": "hash", "de": "Raute", "da": "firkant"},
    "hundred": {"en": "hundred", "de": "hundert", "da": "hundrede"},
    "thousand": {"en": "thousand", "de": "tausend", "da": "tusind"},
    "and": {"en": "and", "de": "und", "da": "og"},
    "one_before_unit": {"en": "one", "de": "ein", "da": "et"},
}
"""Prompt texts by id and language; ``n0``..``n99`` (the numbers) are added below."""


def _number_words() -> dict[str, dict[str, str]]:
    # espeak-ng reads digits in each voice's own language ("21" is "einundzwanzig", "enogtyve").
    return {f"n{n}": {language: str(n) for language in LANGUAGES} for n in range(100)}


PROMPT_TEXTS: Final[dict[str, dict[str, str]]] = {**SENTENCES, **_number_words()}


def say_digits(digits: str) -> list[str]:
    """Prompt ids that read ``digits`` one by one (``*`` and ``#`` by name); others are skipped."""
    ids = []
    for char in digits:
        if char.isdigit():
            ids.append(f"n{char}")
        elif char == "*":
            ids.append("star")
        elif char == "#":
            ids.append("hash")
    return ids


def say_number(number: int, language: str) -> list[str]:
    """Prompt ids that read ``number`` (0 to 999,999) the way the language says it.

    English: "two thousand, three hundred and forty-five"; German: "zweitausend dreihundert
    fünfundvierzig" (hundreds and thousands with "ein" for one); Danish: "to tusind tre hundrede og
    femogfyrre" ("et" before hundrede/tusind, "og" before the last two digits).
    """
    if not 0 <= number <= 999_999:
        raise ValueError(f"say_number reads 0 to 999999, not {number}")
    if number < 100:
        return [f"n{number}"]
    thousands, rest = divmod(number, 1000)
    ids: list[str] = []
    if thousands:
        ids += [*_unit_count(thousands, language), "thousand"]
    hundreds, tail = divmod(rest, 100)
    if hundreds:
        ids += [*_unit_count(hundreds, language), "hundred"]
    if tail:
        if language in ("en", "da") and (hundreds or thousands):
            ids.append("and")
        ids.append(f"n{tail}")
    return ids


def _unit_count(count: int, language: str) -> list[str]:
    """How many hundreds or thousands: "one"/"ein"/"et" for one, else the number itself."""
    if count == 1:
        return ["one_before_unit"]
    return say_number(count, language)


class PromptNotFound(LookupError):
    """No recording of this prompt in the language asked for nor in English."""


class PromptLibrary:
    """Finds, generates and replaces prompt recordings in the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.system_dir = data_dir / "prompts" / "system"
        self.custom_dir = data_dir / "prompts" / "custom"
        self._fallbacks_logged: set[tuple[str, str]] = set()
        self._decoded: OrderedDict[tuple[Path, int, int], PCM] = OrderedDict()
        self._lock = threading.Lock()

    def samples(self, prompt_id: str, language: str, sample_rate: int) -> PCM:
        """A prompt's samples at ``sample_rate`` (blocking: run it in the executor)."""
        return self.load(self.ensure(prompt_id, language), sample_rate)

    def load(self, path: Path, sample_rate: int) -> PCM:
        """A recording's samples at ``sample_rate``, decoded once and kept while the file is unchanged
        (a busy IVR plays the same prompts to every caller; converting each time would cost CPU)."""
        key = (path, path.stat().st_mtime_ns, sample_rate)
        with self._lock:
            found = self._decoded.get(key)
            if found is not None:
                self._decoded.move_to_end(key)
                return found
        samples = read_audio(path, sample_rate)
        samples.setflags(write=False)  # shared by every channel that plays it
        with self._lock:
            self._decoded[key] = samples
            while len(self._decoded) > DECODED_CACHE:
                self._decoded.popitem(last=False)
        return samples

    def ensure(self, prompt_id: str, language: str) -> Path:
        """``path``, speaking the system prompt first if it was never generated (blocking)."""
        try:
            return self.path(prompt_id, language)
        except PromptNotFound:
            if prompt_id not in PROMPT_TEXTS:
                raise
        self.generate([language] if language in PROMPT_TEXTS[prompt_id] else [FALLBACK_LANGUAGE], [prompt_id])
        return self.path(prompt_id, language)

    def path(self, prompt_id: str, language: str) -> Path:
        """The recording to play: the admin's, else the system one, else the English one."""
        for candidate_language in dict.fromkeys((language, FALLBACK_LANGUAGE)):
            for folder in (self.custom_dir, self.system_dir):
                path = folder / candidate_language / f"{prompt_id}.wav"
                if path.is_file():
                    if candidate_language != language and (prompt_id, language) not in self._fallbacks_logged:
                        self._fallbacks_logged.add((prompt_id, language))
                        _LOGGER.warning(
                            "Prompt %s has no %s recording; playing the English one", prompt_id, language
                        )
                    return path
        raise PromptNotFound(f"No recording of prompt {prompt_id!r} in {language!r} or English")

    def missing(self, languages: Iterable[str] = LANGUAGES) -> list[tuple[str, str]]:
        """(prompt id, language) pairs of the system set not yet generated."""
        return [
            (prompt_id, language)
            for prompt_id, texts in PROMPT_TEXTS.items()
            for language in languages
            if language in texts and not (self.system_dir / language / f"{prompt_id}.wav").is_file()
        ]

    def generate(self, languages: Iterable[str] = LANGUAGES, prompt_ids: Iterable[str] | None = None) -> int:
        """Speak the missing system prompts (all, or ``prompt_ids``) with espeak-ng; returns how many.

        Blocking (about 0.1 s per prompt): run it in the executor, or ahead with
        ``cordboard prompts generate``.
        """
        wanted = None if prompt_ids is None else set(prompt_ids)
        todo = [(p, lang) for p, lang in self.missing(languages) if wanted is None or p in wanted]
        if not todo:
            return 0
        espeak = shutil.which("espeak-ng")
        if espeak is None:
            raise RuntimeError(
                "espeak-ng is not installed: it speaks the system prompts (make run installs it)"
            )
        with tempfile.TemporaryDirectory(prefix="cordboard-prompts-") as work:
            scratch = Path(work) / "spoken.wav"
            for prompt_id, language in todo:
                subprocess.run(
                    [espeak, "-v", ESPEAK_VOICES[language], "-s", str(ESPEAK_SPEED), "-w", str(scratch),
                     PROMPT_TEXTS[prompt_id][language]],
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
                samples = read_audio(scratch, PROMPT_RATE)
                write_wav(self.system_dir / language / f"{prompt_id}.wav", samples, PROMPT_RATE)
        _LOGGER.info("Generated %d system prompts with espeak-ng", len(todo))
        return len(todo)

    def replace(self, prompt_id: str, language: str, data: bytes) -> float:
        """Store an admin's recording (any format PyAV reads) for ``prompt_id``; returns seconds.

        Raises AudioFileError with the reason for a file that is not usable audio, ValueError for
        an unknown language or a malformed id.
        """
        self._check(prompt_id, language)
        samples = decode_audio(data, PROMPT_RATE, name=f"the recording for {prompt_id}")
        write_wav(self.custom_dir / language / f"{prompt_id}.wav", samples, PROMPT_RATE)
        return samples.size / PROMPT_RATE

    def restore(self, prompt_id: str, language: str) -> bool:
        """Drop the admin's recording of a prompt (the system one plays again); False if none."""
        self._check(prompt_id, language)
        path = self.custom_dir / language / f"{prompt_id}.wav"
        if not path.is_file():
            return False
        path.unlink()
        return True

    def custom(self, language: str) -> list[str]:
        """Ids of the prompts an admin replaced in ``language``."""
        folder = self.custom_dir / language
        return sorted(p.stem for p in folder.glob("*.wav")) if folder.is_dir() else []

    @staticmethod
    def _check(prompt_id: str, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if not PROMPT_ID.fullmatch(prompt_id):
            raise ValueError("a prompt id has 1 to 64 lowercase letters, digits and underscores")


__all__ = [
    "LANGUAGES",
    "PROMPT_TEXTS",
    "AudioFileError",
    "PromptLibrary",
    "PromptNotFound",
    "say_digits",
    "say_number",
]
