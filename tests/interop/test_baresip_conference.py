"""Conference rooms with real peers (issue 4): three baresip phones in a room each hear the other two
and not themselves; a room with a PIN admits the phones that press it and hangs up on one that does
not know it.

Ann sends 440 Hz, Bo 770 Hz and Cy 1250 Hz: no one's tone is a harmonic or an intermodulation product
(sum, difference, 2a-b) of the others', nor the room's join and leave tones (600 and 900 Hz). Each
phone dumps what it decoded (`BaresipPhone`); the check is the in-process test's
(tests/plugins/conference): at the tones the others sent the spectrum is more than 30 times its
level at frequencies nobody sent, at one's own tone it is not above those.

The tests do not sleep for the spoken prompts: they read the growing dumps until every phone hears
the others (so after the greetings and the join tones), let them talk, and judge a window at the
end of the calls. Which prompts a phone heard (and how often) is found by correlating its dump with
the first PROMPT_SECONDS of each prompt recording Cordboard generated (G.711 keeps them exact).
The PIN is set through the plugin-settings API the web UI uses; baresip presses keys with `sndcode`
(RFC 4733 telephone-events).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from baresip_phone import SAMPLE_RATE, BaresipPhone, write_tone
from cordboard_process import CordboardProcess, require_tool

from cordboard.core.media.audio_file import read_audio

TONES = {"ann": 440.0, "bo": 770.0, "cy": 1250.0}
NOBODY = (520.0, 1010.0, 1450.0, 1850.0)
"""Frequencies no phone sends and no product of two tones falls on: the noise floor."""
TONE_AMPLITUDE = 0.3
"""Two tones mixed stay below full scale (the room saturates sums; clipping would add products)."""
TALK_SECONDS = 4.0
WINDOW_SECONDS = 3.0
TAIL_SECONDS = 0.5
"""Left out at the end of each dump: the hang-ups (leave tones, one tone fewer) are not judged."""
CLEAR = 30.0
"""How far above the noise floor a tone one must hear is."""
ABSENT = 3.0
"""A tone one must not hear is at most this far above the floor."""
PROMPT_SECONDS = 0.8
MATCH = 0.7
"""A prompt was heard where the dump correlates this well with its first PROMPT_SECONDS."""
ROOM = "1800"
PIN_ROOM = "1801"
PIN = "2468"
WRONG_PIN = "1357"
DIGIT_GAP = 0.25
STAYS_UP_SECONDS = 8.0
"""A phone that pressed the right PIN is still in its call this long after pressing it."""


def level_at(samples: np.ndarray, freq: float) -> float:
    """The spectrum's peak (Hann window) within three bins of ``freq``."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    bin_ = round(freq * samples.size / SAMPLE_RATE)
    return float(spectrum[max(0, bin_ - 3) : bin_ + 4].max())


def levels(samples: np.ndarray) -> dict[str, float]:
    """Each phone's tone and the noise floor (the loudest frequency nobody sent) in ``samples``."""
    found = {name: level_at(samples, freq) for name, freq in TONES.items()}
    found["floor"] = max(1e-9, *(level_at(samples, f) for f in NOBODY))
    return found


def hears(samples: np.ndarray, names: list[str]) -> bool:
    if samples.size < SAMPLE_RATE // 4:
        return False
    found = levels(samples)
    return all(found[name] > CLEAR * found["floor"] for name in names)


def describe(samples: np.ndarray) -> str:
    found = levels(samples)
    floor = found.pop("floor")
    ratios = ", ".join(f"{name} {TONES[name]:.0f} Hz {value / floor:.1f}x" for name, value in found.items())
    return f"{samples.size / SAMPLE_RATE:.2f} s, over the floor: {ratios}"


def prompt_template(pbx: CordboardProcess, prompt_id: str) -> np.ndarray:
    """The first PROMPT_SECONDS of a system prompt's speech as a narrowband call plays it."""
    path = pbx.data / "prompts" / "system" / "en" / f"{prompt_id}.wav"
    samples = read_audio(path, SAMPLE_RATE).astype(np.float64)
    loud = np.flatnonzero(np.abs(samples) > 500)
    assert loud.size, f"{path} is silent"
    return samples[loud[0] : loud[0] + int(PROMPT_SECONDS * SAMPLE_RATE)]


def times_heard(samples: np.ndarray, template: np.ndarray) -> int:
    """How often ``template`` occurs in ``samples`` (normalised cross-correlation above MATCH)."""
    n = template.size
    if samples.size < n:
        return 0
    size = 1 << int(np.ceil(np.log2(samples.size + n)))
    products = np.fft.irfft(np.fft.rfft(samples, size) * np.conj(np.fft.rfft(template, size)), size)
    energy = np.concatenate(([0.0], np.cumsum(samples**2)))
    segment = energy[n:] - energy[:-n]
    corr = products[: segment.size] / (np.sqrt(np.maximum(segment, 1.0)) * np.linalg.norm(template))
    count, last = 0, -n
    for at in np.flatnonzero(corr > MATCH):
        if at - last >= n:
            count += 1
        last = at
    return count


def window(samples: np.ndarray) -> np.ndarray:
    """The last WINDOW_SECONDS before the hang-up tail."""
    end = samples.size - int(TAIL_SECONDS * SAMPLE_RATE)
    return samples[max(0, end - int(WINDOW_SECONDS * SAMPLE_RATE)) : max(0, end)]


@contextmanager
def phones(pbx: CordboardProcess, tmp_path: Path, names: list[str]) -> Iterator[list[BaresipPhone]]:
    """Registered baresip phones, each sending its tone; stopped (quit) afterwards."""
    baresip = require_tool("baresip")
    require_tool("espeak-ng")  # Cordboard speaks the room's prompts with it
    started = [
        BaresipPhone(
            name,
            tmp_path / name,
            pbx.users[name],
            pbx.sip_port,
            tone=write_tone(
                tmp_path / f"{name}-{TONES[name]:.0f}.wav", TONES[name], seconds=60, amplitude=TONE_AMPLITUDE
            ),
        )
        for name in names
    ]
    try:
        for phone in started:
            phone.start(baresip)
        for phone in started:
            phone.wait_registered(extra_log=pbx.log_tail())
        yield started
    finally:
        for phone in started:
            phone.stop()


def dial(pbx: CordboardProcess, phone: BaresipPhone, number: str) -> None:
    dialled = phone.command("dial", phone.uri(number))
    assert dialled.get("ok"), dialled
    phone.wait_event("CALL_ESTABLISHED", extra_log=pbx.log_tail())


def wait_until(condition: Callable[[], bool], timeout: float, what: str, explain: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}:\n{explain()}")
        time.sleep(0.2)


def live_calls(pbx: CordboardProcess, number: str) -> list[dict[str, Any]]:
    status, active = pbx.http("GET", "/api/calls/active")
    assert status == 200, active
    return [c for c in active if c["callee"] == number]


def hang_up(pbx: CordboardProcess, members: list[BaresipPhone]) -> None:
    for phone in members:
        hung = phone.command("hangup")
        assert hung.get("ok"), hung
    for phone in members:
        phone.wait_event("CALL_CLOSED", extra_log=pbx.log_tail())
    pbx.wait_for(lambda: pbx.http("GET", "/api/calls/active")[1] == [], what="no live call")


def press(keys: list[tuple[BaresipPhone, str]]) -> None:
    """Phones press their keys at the same pace, side by side (`sndcode`: RFC 4733 events)."""
    for at in range(max(len(k) for _, k in keys)):
        for phone, digits in keys:
            if at < len(digits):
                sent = phone.command("sndcode", digits[at])
                assert sent.get("ok"), (phone.name, digits[at], sent)
        time.sleep(DIGIT_GAP)


def assert_clean_log(pbx: CordboardProcess) -> None:
    problems = [
        line for line in pbx.log_path.read_text().splitlines() if " ERROR " in line or "Traceback" in line
    ]
    assert not problems, "\n".join(problems)


def logs(pbx: CordboardProcess, members: list[BaresipPhone]) -> str:
    return "\n".join([*(p.log_tail(15) for p in members), pbx.log_tail(40)])


def test_three_baresip_phones_in_a_room_hear_the_others_and_not_themselves(
    pbx: CordboardProcess, tmp_path: Path
) -> None:
    names = list(TONES)
    with phones(pbx, tmp_path, names) as members:
        for phone in members:
            dial(pbx, phone, ROOM)

        def everyone_hears_the_others() -> bool:
            return all(
                hears(p.live_audio()[-SAMPLE_RATE // 2 :], [n for n in names if n != p.name]) for p in members
            )

        def explain() -> str:
            heard = "\n".join(f"{p.name}: {describe(p.live_audio()[-SAMPLE_RATE // 2 :])}" for p in members)
            return f"{heard}\n{logs(pbx, members)}"

        # The greetings ("You are now in the conference.", the first one also "You are the only
        # participant.") come first; espeak-ng speaks them on the first call.
        wait_until(everyone_hears_the_others, 25, "every phone hears the other two", explain)
        calls = live_calls(pbx, ROOM)
        assert len(calls) == 3 and {c["state"] for c in calls} == {"answered"}, calls
        time.sleep(TALK_SECONDS)
        hang_up(pbx, members)

    for phone in members:
        heard = window(phone.received_audio())
        assert heard.size == int(WINDOW_SECONDS * SAMPLE_RATE), f"{phone.name}: {describe(heard)}"
        found = levels(heard)
        others = [n for n in names if n != phone.name]
        for name in others:
            assert found[name] > CLEAR * found["floor"], (
                f"{phone.name} does not hear {name}: {describe(heard)}"
            )
        assert found[phone.name] < ABSENT * found["floor"], f"{phone.name} hears itself: {describe(heard)}"

        greetings = times_heard(phone.received_audio(), prompt_template(pbx, "conference_enter"))
        assert greetings == 1, f"{phone.name} heard 'You are now in the conference.' {greetings} times"

    rows = pbx.wait_for(
        lambda: len(found := [r for r in pbx.calls() if r["callee"] == ROOM]) == 3 and found,
        what="the three calls in the history",
    )
    assert len(rows) == 3 and {r["result"] for r in rows} == {"answered"}, rows
    assert_clean_log(pbx)


def test_room_with_a_pin_admits_who_knows_it_and_hangs_up_after_three_wrong_pins(
    pbx: CordboardProcess, tmp_path: Path
) -> None:
    """The PIN is set like the web UI's plugin settings do; Ann and Bo press it (RFC 4733 digits,
    each followed by #) and meet in room 1801; Cy presses a wrong one three times and is hung up on."""
    status, body = pbx.http("PUT", "/api/plugins/conference/config", {"pin": PIN})
    assert status == 200 and body["config"]["pin"] == PIN and body["status"] == "loaded", body
    status, body = pbx.http("GET", "/api/plugins/conference/config")
    assert status == 200 and body["config"]["pin"] == PIN, body

    with phones(pbx, tmp_path, list(TONES)) as members:
        ann, bo, cy = members
        for phone in members:
            dial(pbx, phone, PIN_ROOM)

        def heard_prompt(phone: BaresipPhone, prompt_id: str, since: int = 0) -> Callable[[], bool]:
            def check() -> bool:
                path = pbx.data / "prompts" / "system" / "en" / f"{prompt_id}.wav"
                if not path.is_file():
                    return False
                return times_heard(phone.live_audio()[since:], prompt_template(pbx, prompt_id)) > 0

            return check

        # Each phone presses keys once it hears "Please enter your PIN" (the keys cut the prompt short).
        for phone in members:
            wait_until(heard_prompt(phone, "enter_pin"), 15, f"{phone.name} hears the PIN prompt",
                       lambda: logs(pbx, members))  # fmt: skip
        pin_at = {phone.name: phone.live_audio().size for phone in members}
        press([(ann, PIN + "#"), (bo, PIN + "#"), (cy, WRONG_PIN + "#")])
        pin_sent = time.monotonic()

        def pair_hears_each_other() -> bool:
            return hears(ann.live_audio()[-SAMPLE_RATE // 2 :], ["bo"]) and hears(
                bo.live_audio()[-SAMPLE_RATE // 2 :], ["ann"]
            )

        def explain() -> str:
            heard = "\n".join(f"{p.name}: {describe(p.live_audio()[-SAMPLE_RATE // 2 :])}" for p in (ann, bo))
            return f"{heard}\n{logs(pbx, members)}"

        # "You are now in the conference." ("You are the only participant.") and the join tone.
        wait_until(pair_hears_each_other, 20, "ann and bo hear each other in the room", explain)
        talking = time.monotonic()
        since = pin_at["cy"]
        for _attempt in range(2):  # "The PIN is not correct." and the PIN prompt again
            wait_until(heard_prompt(cy, "enter_pin", since), 15, "cy hears the PIN prompt again",
                       lambda: logs(pbx, members))  # fmt: skip
            since = cy.live_audio().size
            press([(cy, WRONG_PIN + "#")])
        # "The PIN is not correct.", "Goodbye." and Cordboard hangs up.
        cy.wait_event("CALL_CLOSED", timeout=15, extra_log=pbx.log_tail())
        # In the room for good: the calls stay up (a phone that never got in is hung up on).
        time.sleep(
            max(
                0.0, talking + TALK_SECONDS - time.monotonic(), pin_sent + STAYS_UP_SECONDS - time.monotonic()
            )
        )
        calls = live_calls(pbx, PIN_ROOM)
        assert len(calls) == 2 and {c["state"] for c in calls} == {"answered"}, calls
        for phone in (ann, bo):
            assert phone.event("CALL_CLOSED") is None, f"{phone.name}'s call ended:\n{logs(pbx, members)}"
        hang_up(pbx, [ann, bo])

    for phone, other in ((ann, "bo"), (bo, "ann")):
        audio = phone.received_audio()
        after_pin = audio[pin_at[phone.name] :]
        greeting = times_heard(after_pin, prompt_template(pbx, "conference_enter"))
        assert greeting == 1, f"{phone.name} heard 'You are now in the conference.' {greeting} times"
        assert times_heard(audio, prompt_template(pbx, "wrong_pin")) == 0, f"{phone.name} heard 'wrong PIN'"
        heard = window(audio)
        found = levels(heard)
        assert found[other] > CLEAR * found["floor"], f"{phone.name} does not hear {other}: {describe(heard)}"
        for absent in (phone.name, "cy"):
            assert found[absent] < ABSENT * found["floor"], f"{phone.name} hears {absent}: {describe(heard)}"

    # Cy heard "The PIN is not correct." three times, then "Goodbye.", and never the room.
    cy_heard = cy.received_audio()
    assert times_heard(cy_heard, prompt_template(pbx, "wrong_pin")) == 3, logs(pbx, members)
    assert times_heard(cy_heard, prompt_template(pbx, "goodbye")) == 1, logs(pbx, members)
    assert times_heard(cy_heard, prompt_template(pbx, "conference_enter")) == 0, logs(pbx, members)
    assert not hears(cy_heard, ["ann"]) and not hears(cy_heard, ["bo"]), describe(cy_heard)

    rows = pbx.wait_for(
        lambda: len(found := {r["caller"]: r for r in pbx.calls() if r["callee"] == PIN_ROOM}) == 3 and found,
        what="the three calls in the history",
    )
    assert set(rows) == {"1001", "1002", "1003"}, rows
    assert rows["1003"]["result"] == "answered" and PIN_ROOM in str(rows["1003"]["reason"]), rows["1003"]
    assert_clean_log(pbx)
