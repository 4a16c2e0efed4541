"""Voice prompts (PRM-01..05): the system's sentences and the organisation's own recordings.

Every prompt has an id. System prompts have plain ids (``leave_message``, ``n21``, ``thousand`` ...,
``[a-z0-9_]``): the set is spoken by espeak-ng into ``<data>/prompts/system/<language>/<id>.wav``
(16 kHz) the first time Cordboard needs it; an admin may replace any of them by uploading a
recording, kept in ``<data>/prompts/custom/<language>/<id>.wav``, which wins over the system one. A
system prompt missing in a language falls back to English.

The organisation's own prompts have ids ``org:<n>`` (``org:7``): ``n`` is the row id in SQLite
(core/media/org_prompts.py keeps name and description), never reused after a delete, so an IVR or
queue setting that names a deleted prompt never plays a newer one; the colon keeps them apart from
every system id. Their recordings are ``<data>/prompts/org/<n>/<language>.wav``, one per language;
playback takes the call's language, else the organisation's default language (setting
``core.language``), else any recording (en, de, da in that order). Fallbacks are logged once per
prompt and language. Both kinds play the same way: ``Channel.play(["org:7"])``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import wave
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from cordboard.core.const import DATABASE_FILE
from cordboard.core.media.audio_file import PCM, AudioFileError, decode_audio, read_audio, write_wav
from cordboard.core.storage.atomic import atomic_write

_LOGGER = logging.getLogger(__name__)

LANGUAGES: Final = ("en", "de", "da")
FALLBACK_LANGUAGE: Final = "en"
PROMPT_RATE: Final = 16000
"""Prompts are stored wideband; narrowband calls take every other sample after a low-pass."""
ESPEAK_VOICES: Final = {"en": "en-gb", "de": "de", "da": "da"}
ESPEAK_SPEED: Final = 150
"""Words per minute: a little slower than espeak's default 175, easier to follow on a phone."""
PROMPT_ID: Final = re.compile(r"[a-z0-9_]{1,64}")
ORG_PREFIX: Final = "org:"
ORG_PROMPT_ID: Final = re.compile(r"org:([1-9][0-9]{0,17})")
"""An organisation's own prompt: ``org:`` and its row id (a colon no system id can hold)."""
MAX_PROMPT_SECONDS: Final = 600
"""The longest recording accepted for a prompt (ten minutes; music on hold has its own limit)."""
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
    "mailbox_full": {
        "en": "The mailbox is full. No message can be left.",
        "de": "Die Mailbox ist voll. Es kann keine Nachricht hinterlassen werden.",
        "da": "Postkassen er fuld. Der kan ikke lægges en besked.",
    },
    "vm_you_have": {"en": "You have", "de": "Sie haben", "da": "Du har"},
    "vm_new_messages": {"en": "new messages", "de": "neue Nachrichten", "da": "nye beskeder"},
    "vm_old_messages": {"en": "saved messages", "de": "gespeicherte Nachrichten", "da": "gemte beskeder"},
    "vm_and": {"en": "and", "de": "und", "da": "og"},
    "vm_message_from": {"en": "Message from", "de": "Nachricht von", "da": "Besked fra"},
    "vm_message_menu": {
        "en": "Press 1 to hear it again, 7 to delete it, 9 to keep it, 5 to call back.",
        "de": "Drücken Sie die 1 zum Wiederholen, die 7 zum Löschen, die 9 zum Behalten, "
        "die 5 für einen Rückruf.",
        "da": "Tryk 1 for at høre den igen, 7 for at slette den, 9 for at gemme den, 5 for at ringe tilbage.",
    },
    "vm_deleted": {"en": "Deleted.", "de": "Gelöscht.", "da": "Slettet."},
    "vm_saved": {"en": "Saved.", "de": "Gespeichert.", "da": "Gemt."},
    "vm_no_more_messages": {
        "en": "There are no more messages.",
        "de": "Es gibt keine weiteren Nachrichten.",
        "da": "Der er ikke flere beskeder.",
    },
    "vm_unknown_caller": {
        "en": "an unknown caller",
        "de": "einem unbekannten Anrufer",
        "da": "en ukendt opkalder",
    },
    "pin_locked": {
        "en": "Too many wrong PINs. Please try again later.",
        "de": "Zu viele falsche PINs. Bitte versuchen Sie es später erneut.",
        "da": "For mange forkerte pinkoder. Prøv igen senere.",
    },
    "vm_press_1_assistance": {
        "en": "For personal assistance, press 1.",
        "de": "Für persönliche Hilfe drücken Sie die 1.",
        "da": "Tryk 1 for personlig betjening.",
    },
    "vm_press_2_bypass": {
        "en": "To reach the person you are calling another way, press 2.",
        "de": "Um Ihren Gesprächspartner auf anderem Weg zu erreichen, drücken Sie die 2.",
        "da": "Tryk 2 for at nå den, du ringer til, på en anden måde.",
    },
    "vm_no_other_way": {
        "en": "The person you are calling cannot be reached another way right now.",
        "de": "Ihr Gesprächspartner ist im Moment nicht auf anderem Weg erreichbar.",
        "da": "Den, du ringer til, kan ikke nås på en anden måde lige nu.",
    },
    "vm_activity_busy": {
        "en": "The person you are calling is busy",
        "de": "Ihr Gesprächspartner ist gerade beschäftigt",
        "da": "Den, du ringer til, er optaget",
    },
    "vm_activity_away": {
        "en": "The person you are calling is away",
        "de": "Ihr Gesprächspartner ist gerade nicht am Platz",
        "da": "Den, du ringer til, er ikke ved sin plads",
    },
    "until": {"en": "until", "de": "bis", "da": "indtil"},
    "time_oh": {"en": "oh", "de": "null", "da": "nul"},
    "time_o_clock": {"en": "hundred", "de": "Uhr", "da": "klokken"},
    "vm_greeting_option": {
        "en": "To change your greeting, press 0.",
        "de": "Um Ihre Ansage zu ändern, drücken Sie die 0.",
        "da": "Tryk 0 for at ændre din velkomsthilsen.",
    },
    "vm_greeting_menu": {
        "en": "To record the greeting callers hear when you do not answer, press 1. "
        "For when you are busy, press 2. To go back to the standard greeting, press 3.",
        "de": "Um die Ansage aufzunehmen, die Anrufer hören, wenn Sie nicht abnehmen, drücken Sie die 1. "
        "Für die Ansage, wenn Sie besetzt sind, die 2. Zurück zur Standardansage mit der 3.",
        "da": "Tryk 1 for at indtale den hilsen, opkaldere hører, når du ikke tager telefonen. "
        "Tryk 2 for hilsenen, når du taler i telefon. Tryk 3 for at gå tilbage til standardhilsenen.",
    },
    "vm_greeting_saved": {
        "en": "Your greeting is saved.",
        "de": "Ihre Ansage ist gespeichert.",
        "da": "Din hilsen er gemt.",
    },
    "vm_greeting_removed": {
        "en": "Callers hear the standard greeting again.",
        "de": "Anrufer hören wieder die Standardansage.",
        "da": "Opkaldere hører standardhilsenen igen.",
    },
    "recording_unavailable": {
        "en": "Sorry, messages cannot be recorded at the moment. Please try again later.",
        "de": "Leider können im Moment keine Nachrichten aufgenommen werden. "
        "Bitte versuchen Sie es später noch einmal.",
        "da": "Beklager, der kan ikke optages beskeder lige nu. Prøv venligst igen senere.",
    },
    "no_messages_allowed": {
        "en": "Messages cannot be left on this mailbox.",
        "de": "Auf dieser Mailbox können keine Nachrichten hinterlassen werden.",
        "da": "Der kan ikke lægges beskeder i denne postkasse.",
    },
    "enter_extension": {
        "en": "Please enter your extension, followed by the hash key.",
        "de": "Bitte geben Sie Ihre Nebenstelle ein, gefolgt von der Rautetaste.",
        "da": "Indtast venligst dit lokalnummer efterfulgt af firkant.",
    },
    "vm_enter_inbox_code": {
        "en": "Please enter the code of the group inbox, followed by the hash key.",
        "de": "Bitte geben Sie den Code der Gruppen-Mailbox ein, gefolgt von der Rautetaste.",
        "da": "Indtast venligst koden til gruppepostkassen efterfulgt af firkant.",
    },
    "hot_desk_logged_in": {
        "en": "You are logged in. The phone is now set up for you.",
        "de": "Sie sind angemeldet. Das Telefon wird jetzt für Sie eingerichtet.",
        "da": "Du er logget ind. Telefonen bliver nu sat op til dig.",
    },
    "hot_desk_logged_out": {
        "en": "You are logged out.",
        "de": "Sie sind abgemeldet.",
        "da": "Du er logget ud.",
    },
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
    "night_mode_off": {
        "en": "Night mode is off until you turn it back on.",
        "de": "Der Nachtmodus ist aus, bis Sie ihn wieder einschalten.",
        "da": "Nattilstand er slået fra, indtil du slår den til igen.",
    },
    "night_mode_on": {
        "en": "Night mode follows your working hours again.",
        "de": "Der Nachtmodus folgt wieder Ihren Arbeitszeiten.",
        "da": "Nattilstand følger igen din arbejdstid.",
    },
    "flow_switch_on": {
        "en": "The switch is now on.",
        "de": "Der Schalter ist jetzt eingeschaltet.",
        "da": "Kontakten er nu slået til.",
    },
    "flow_switch_off": {
        "en": "The switch is now off.",
        "de": "Der Schalter ist jetzt ausgeschaltet.",
        "da": "Kontakten er nu slået fra.",
    },
    "feature_unknown": {
        "en": "This code is not known.",
        "de": "Diese Kennzahl ist nicht bekannt.",
        "da": "Denne kode kendes ikke.",
    },
    "feature_not_allowed": {
        "en": "You may not use this code.",
        "de": "Sie dürfen diese Kennzahl nicht verwenden.",
        "da": "Du må ikke bruge denne kode.",
    },
    "forward_on": {
        "en": "Your calls are forwarded to",
        "de": "Ihre Anrufe werden umgeleitet zu",
        "da": "Dine opkald viderestilles til",
    },
    "forward_off": {
        "en": "Call forwarding is off.",
        "de": "Die Rufumleitung ist aus.",
        "da": "Viderestilling er slået fra.",
    },
    "activity_set": {
        "en": "Your activity is set.",
        "de": "Ihre Aktivität ist eingestellt.",
        "da": "Din aktivitet er indstillet.",
    },
    "activity_cleared": {
        "en": "Your activity is cleared.",
        "de": "Ihre Aktivität ist zurückgesetzt.",
        "da": "Din aktivitet er nulstillet.",
    },
    "role_set": {
        "en": "Your presence role is set.",
        "de": "Ihre Präsenzrolle ist eingestellt.",
        "da": "Din tilstedeværelsesrolle er indstillet.",
    },
    "number_presented": {
        "en": "Your calls now show the number",
        "de": "Ihre Anrufe zeigen jetzt die Rufnummer",
        "da": "Dine opkald viser nu nummeret",
    },
    "pickup_nothing": {
        "en": "There is no call to pick up.",
        "de": "Es gibt keinen Anruf zum Heranholen.",
        "da": "Der er intet opkald at besvare.",
    },
    "press_5_for_callback": {
        "en": "To be called back instead, press 5 and hang up.",
        "de": "Um stattdessen zurückgerufen zu werden, drücken Sie die 5 und legen Sie auf.",
        "da": "Tryk 5 og læg på for at blive ringet op i stedet.",
    },
    "callback_registered": {
        "en": "We will call you back as soon as possible.",
        "de": "Wir rufen Sie so bald wie möglich zurück.",
        "da": "Vi ringer dig op hurtigst muligt.",
    },
    "intrusion_wait": {
        "en": "Your call is briefly interrupted. Please hold the line.",
        "de": "Ihr Gespräch wird kurz unterbrochen. Bitte bleiben Sie am Apparat.",
        "da": "Dit opkald afbrydes kortvarigt. Bliv venligst i røret.",
    },
    "logged_in": {"en": "You are logged in.", "de": "Sie sind angemeldet.", "da": "Du er logget ind."},
    "logged_out": {"en": "You are logged out.", "de": "Sie sind abgemeldet.", "da": "Du er logget ud."},
    "star": {"en": "star", "de": "Stern", "da": "stjerne"},
    "hash": {"en": "hash", "de": "Raute", "da": "firkant"},
    "hundred": {"en": "hundred", "de": "hundert", "da": "hundrede"},
    "thousand": {"en": "thousand", "de": "tausend", "da": "tusind"},
    "and": {"en": "and", "de": "und", "da": "og"},
    "one_before_unit": {"en": "one", "de": "ein", "da": "et"},
    "record_after_tone": {
        "en": "Please record the prompt after the tone. Press the hash key when you are done.",
        "de": (
            "Bitte sprechen Sie die Ansage nach dem Signalton. "
            "Drücken Sie die Rautetaste, wenn Sie fertig sind."
        ),
        "da": "Indtal venligst meddelelsen efter tonen. Tryk på firkant, når du er færdig.",
    },
    "record_playback": {
        "en": "This is your recording.",
        "de": "Das ist Ihre Aufnahme.",
        "da": "Det her er din optagelse.",
    },
    "record_keep_or_again": {
        "en": "Press 1 to keep it, or 2 to record it again.",
        "de": "Drücken Sie die 1, um sie zu behalten, oder die 2, um sie neu aufzunehmen.",
        "da": "Tryk 1 for at beholde den, eller 2 for at optage den igen.",
    },
    "record_saved": {
        "en": "Your recording has been saved.",
        "de": "Ihre Aufnahme wurde gespeichert.",
        "da": "Din optagelse er gemt.",
    },
    "record_nothing": {
        "en": "Nothing was recorded.",
        "de": "Es wurde nichts aufgenommen.",
        "da": "Der blev ikke optaget noget.",
    },
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


def say_time(hour: int, minute: int, language: str) -> list[str]:
    """Prompt ids that read a clock time (24-hour) the way the language says it: English "fourteen
    hundred", "fourteen thirty", "nine oh five"; German "vierzehn Uhr", "vierzehn Uhr dreißig";
    Danish "klokken fjorten", "klokken fjorten tredive", "klokken ni nul fem"."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"say_time reads 00:00 to 23:59, not {hour}:{minute:02}")
    if language == "de":
        return [f"n{hour}", "time_o_clock", *([f"n{minute}"] if minute else [])]
    if language == "da":
        return ["time_o_clock", f"n{hour}", *(["time_oh"] if 0 < minute < 10 else []),
                *([f"n{minute}"] if minute else [])]  # fmt: skip
    if not minute:
        return [f"n{hour}", "time_o_clock"]
    return [f"n{hour}", *(["time_oh"] if minute < 10 else []), f"n{minute}"]


def _unit_count(count: int, language: str) -> list[str]:
    """How many hundreds or thousands: "one"/"ein"/"et" for one, else the number itself."""
    if count == 1:
        return ["one_before_unit"]
    return say_number(count, language)


def org_prompt_id(number: int) -> str:
    """The prompt id of the organisation's prompt with row id ``number`` (``org:7``)."""
    return f"{ORG_PREFIX}{number}"


def org_number(prompt_id: str) -> int | None:
    """The row id of an organisation's prompt id, None for any other id."""
    match = ORG_PROMPT_ID.fullmatch(prompt_id)
    return int(match.group(1)) if match else None


SHARED_CACHE_ENV: Final = "CORDBOARD_PROMPT_CACHE"
"""A folder where spoken system prompts are also kept by voice and text, for other data folders on
the same machine to copy instead of speaking them again (the test suite's many appliances)."""


def _espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise RuntimeError("espeak-ng is not installed: it speaks the system prompts (make run installs it)")
    return found


def _shared_copy(folder: Path, language: str, text: str) -> Path:
    key = hashlib.sha256(
        f"{ESPEAK_VOICES[language]}|{ESPEAK_SPEED}|{PROMPT_RATE}|{text}".encode()
    ).hexdigest()
    return folder / f"{key[:40]}.wav"


class PromptNotFound(LookupError):
    """No recording of this prompt in the language asked for nor in a fallback language."""


class PromptLibrary:
    """Finds, generates and replaces prompt recordings in the data folder."""

    def __init__(self, data_dir: Path, *, org_language: Callable[[], str] | None = None) -> None:
        self.system_dir = data_dir / "prompts" / "system"
        self.custom_dir = data_dir / "prompts" / "custom"
        self.org_dir = data_dir / "prompts" / "org"
        self._database = data_dir / DATABASE_FILE
        self._org_language = org_language or self._stored_org_language
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
        if org_number(prompt_id) is not None:
            return self.path(prompt_id, language)
        try:
            return self.path(prompt_id, language)
        except PromptNotFound:
            if prompt_id not in PROMPT_TEXTS:
                raise
        self.generate([language] if language in PROMPT_TEXTS[prompt_id] else [FALLBACK_LANGUAGE], [prompt_id])
        return self.path(prompt_id, language)

    def path(self, prompt_id: str, language: str) -> Path:
        """The recording to play: the admin's, else the system one, else the English one.

        An organisation's prompt (``org:<n>``): the recording in ``language``, else in the
        organisation's default language, else any.
        """
        number = org_number(prompt_id)
        if number is not None:
            return self._org_path(prompt_id, number, language)
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

    def _org_path(self, prompt_id: str, number: int, language: str) -> Path:
        folder = self.org_dir / str(number)
        path = folder / f"{language}.wav"
        if path.is_file():
            return path
        found = [lang for lang in LANGUAGES if (folder / f"{lang}.wav").is_file()]
        if not found:
            raise PromptNotFound(f"No prompt {prompt_id!r} (or it has no recording)")
        default = self._org_language()
        chosen = default if default in found else found[0]
        if (prompt_id, language) not in self._fallbacks_logged:
            self._fallbacks_logged.add((prompt_id, language))
            _LOGGER.warning("Prompt %s has no %s recording; playing the %s one", prompt_id, language, chosen)
        return folder / f"{chosen}.wav"

    def _stored_org_language(self) -> str:
        """The organisation's default language (setting ``core.language``), read from the database.

        Blocking; runs on the executor thread that resolves the prompt, with a short read-only
        connection of its own (WAL lets it read beside the core's). Only a fallback needs it.
        """
        from cordboard.core.config.settings import CORE_SPECS

        default = next(spec.default for spec in CORE_SPECS if spec.key == "core.language")
        if not self._database.is_file():
            return str(default)
        try:
            conn = sqlite3.connect(f"{self._database.as_uri()}?mode=ro", uri=True, timeout=5.0)
            try:
                row = conn.execute(
                    "SELECT value FROM setting_values WHERE scope = 'org' AND scope_id = '' AND key = ?",
                    ["core.language"],
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error as err:
            _LOGGER.debug("Cannot read the organisation's language: %s", err)
            return str(default)
        if row is None:
            return str(default)
        try:
            value = json.loads(row[0])
        except ValueError:
            return str(default)
        return value if value in LANGUAGES else str(default)

    def org_recordings(self, prompt_id: str) -> dict[str, float]:
        """An organisation's prompt's recordings: language -> seconds (blocking; reads WAV headers)."""
        number = org_number(prompt_id)
        if number is None:
            raise ValueError(f"{prompt_id!r} is not an id of the organisation's prompts")
        found: dict[str, float] = {}
        for language in LANGUAGES:
            path = self.org_dir / str(number) / f"{language}.wav"
            try:
                with wave.open(str(path), "rb") as wav:
                    found[language] = round(wav.getnframes() / wav.getframerate(), 2)
            except (FileNotFoundError, wave.Error, EOFError):
                continue
        return found

    def remove_org(self, prompt_id: str) -> None:
        """Delete every recording of an organisation's prompt (its row is deleted first)."""
        number = org_number(prompt_id)
        if number is None:
            raise ValueError(f"{prompt_id!r} is not an id of the organisation's prompts")
        shutil.rmtree(self.org_dir / str(number), ignore_errors=True)

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
        shared = os.environ.get(SHARED_CACHE_ENV)
        with tempfile.TemporaryDirectory(prefix="cordboard-prompts-") as work:
            scratch = Path(work) / "spoken.wav"
            for prompt_id, language in todo:
                target = self.system_dir / language / f"{prompt_id}.wav"
                text = PROMPT_TEXTS[prompt_id][language]
                cached = _shared_copy(Path(shared), language, text) if shared else None
                if cached is not None and cached.is_file():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    atomic_write(target, cached.read_bytes())
                    continue
                subprocess.run(
                    [_espeak(), "-v", ESPEAK_VOICES[language], "-s", str(ESPEAK_SPEED), "-w", scratch, text],
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
                samples = read_audio(scratch, PROMPT_RATE)
                write_wav(target, samples, PROMPT_RATE)
                if cached is not None:
                    write_wav(cached, samples, PROMPT_RATE)
        _LOGGER.info("Generated %d system prompts with espeak-ng", len(todo))
        return len(todo)

    def replace(self, prompt_id: str, language: str, data: bytes, *, name: str | None = None) -> float:
        """Store an admin's recording (any format PyAV reads) for ``prompt_id``; returns seconds.

        For a system prompt it replaces the spoken one; for an organisation's prompt it is that
        language's recording. Converted once to 16 kHz mono WAV and written atomically. Raises
        AudioFileError with the reason for a file that is not usable audio or longer than
        MAX_PROMPT_SECONDS (``name`` names the upload in that reason), ValueError for an unknown
        language or a malformed id.
        """
        self._check(prompt_id, language)
        label = name or f"the recording for {prompt_id}"
        samples = self.convert(data, label)
        write_wav(self._recording(prompt_id, language), samples, PROMPT_RATE)
        return samples.size / PROMPT_RATE

    @staticmethod
    def convert(data: bytes, name: str) -> PCM:
        """An upload as prompt samples (16 kHz mono); AudioFileError names what is wrong (blocking)."""
        samples = decode_audio(data, PROMPT_RATE, name=name)
        if samples.size > MAX_PROMPT_SECONDS * PROMPT_RATE:
            raise AudioFileError(
                f"{name[:1].upper()}{name[1:]} is longer than {MAX_PROMPT_SECONDS // 60} minutes, "
                "the longest a prompt may be"
            )
        return samples

    def store(self, prompt_id: str, language: str, samples: PCM) -> None:
        """Write samples from ``convert`` as the recording of ``prompt_id`` in ``language``."""
        self._check(prompt_id, language)
        write_wav(self._recording(prompt_id, language), samples, PROMPT_RATE)

    def restore(self, prompt_id: str, language: str) -> bool:
        """Drop the admin's recording of a prompt (for a system prompt the spoken one plays again);
        False if there was none."""
        self._check(prompt_id, language)
        path = self._recording(prompt_id, language)
        if not path.is_file():
            return False
        path.unlink()
        return True

    def _recording(self, prompt_id: str, language: str) -> Path:
        """Where an admin's recording of ``prompt_id`` in ``language`` is kept."""
        number = org_number(prompt_id)
        if number is not None:
            return self.org_dir / str(number) / f"{language}.wav"
        return self.custom_dir / language / f"{prompt_id}.wav"

    def custom(self, language: str) -> list[str]:
        """Ids of the prompts an admin replaced in ``language``."""
        folder = self.custom_dir / language
        return sorted(p.stem for p in folder.glob("*.wav")) if folder.is_dir() else []

    @staticmethod
    def _check(prompt_id: str, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if not PROMPT_ID.fullmatch(prompt_id) and org_number(prompt_id) is None:
            raise ValueError(
                "a prompt id has 1 to 64 lowercase letters, digits and underscores, or is org:<number>"
            )


__all__ = [
    "LANGUAGES",
    "MAX_PROMPT_SECONDS",
    "ORG_PREFIX",
    "PROMPT_TEXTS",
    "AudioFileError",
    "PromptLibrary",
    "PromptNotFound",
    "org_number",
    "org_prompt_id",
    "say_digits",
    "say_number",
]
