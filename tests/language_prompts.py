"""Organisation prompts for call tests: one whose English recording is a tone (a test hears when it
plays), and one recorded in English, German and Danish, each a tone of its own, so that a test
hears which language a call's prompts play in (IVR-07, RBN-03)."""

from __future__ import annotations

from typing import Final

import numpy as np
from rtp_audio import dominant, tone

from cordboard.core.core import Core
from cordboard.core.media import org_prompts

LANGUAGE_HZ: Final = {"en": 500.0, "de": 900.0, "da": 1300.0}


async def tone_prompt(core: Core, name: str, hz: float = 700.0, seconds: float = 1.6) -> str:
    """An organisation prompt ``name`` whose English recording is ``seconds`` of ``hz``; its id."""
    prompt = await core.db.call(
        lambda db: org_prompts.create_prompt(db, {"name": name, "description": f"A {hz:.0f} Hz test tone"})
    )
    await core.run_in_executor(core.prompts.store, prompt.id, "en", tone(hz, seconds, 16000))
    return prompt.id


async def prompt_in_three_languages(core: Core) -> str:
    """The prompt "Welcome" in each of ``LANGUAGE_HZ``'s languages; its id."""
    prompt = await core.db.call(
        lambda db: org_prompts.create_prompt(db, {"name": "Welcome", "description": "One tone per language"})
    )
    for language, hz in LANGUAGE_HZ.items():
        await core.run_in_executor(core.prompts.store, prompt.id, language, tone(hz, 3.0, 16000))
    return prompt.id


def language_of(played: np.ndarray) -> str:
    """The language whose tone ``played`` (samples) is, or its frequency when none."""
    hz = dominant(played)
    return next((language for language, want in LANGUAGE_HZ.items() if abs(hz - want) < 30), f"{hz:.0f} Hz")
