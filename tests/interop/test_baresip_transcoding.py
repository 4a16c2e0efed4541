"""A G.722-only phone calls a G.711-only phone and both hear each other (BYD-04, issue 4).

Ann's baresip offers G.722 alone, Bo's takes only PCMU and PCMA: Bo refuses the relayed offer
(488), Cordboard answers Ann itself in G.722, rings Bo again with its own offer, Bo answers in
G.711, and the appliance transcodes between the two (decode, resample 16 <-> 8 kHz, encode). Ann
sends 440 Hz, Bo 1000 Hz; each decoded-audio dump (16 kHz for Ann, 8 kHz for Bo) must peak at the
other's tone. The history shows one answered call from 1001 to 1002.
"""

from __future__ import annotations

import time
import wave
from pathlib import Path

import numpy as np
from baresip_phone import BaresipPhone, write_tone
from cordboard_process import CordboardProcess, require_tool

TALK_SECONDS = 4.0
ANN_TONE = 440.0
BO_TONE = 1000.0


def write_wideband_tone(path: Path, frequency: float, seconds: float = 20.0) -> Path:
    """A mono 16-bit 16 kHz WAV holding one sine tone: baresip 1.0's file source does not
    resample, so a G.722 phone needs its audio at 16 kHz."""
    t = np.arange(16000 * int(seconds)) / 16000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((0.5 * 32767 * np.sin(2 * np.pi * frequency * t)).astype("<i2").tobytes())
    return path


def decoded(phone: BaresipPhone) -> tuple[np.ndarray, int]:
    """What the phone decoded in its call (samples, sample rate): the sndfile module's dump."""
    dumps = sorted(phone.folder.glob("dump-*-dec.wav"))
    assert dumps, f"{phone.name} wrote no decoded-audio dump:\n{phone.log_tail()}"
    with wave.open(str(dumps[-1]), "rb") as dump:
        rate = dump.getframerate()
        samples = np.frombuffer(dump.readframes(dump.getnframes()), dtype="<i2").astype(np.float64)
    return samples, rate


def tone_in(samples: np.ndarray, rate: int, frequency: float) -> tuple[float, float]:
    """The spectrum's peak frequency over the loud part, and the share of power within 20 Hz of
    ``frequency`` there."""
    frame = rate // 50
    frames = samples[: samples.size // frame * frame].reshape(-1, frame)
    loud = frames[np.sqrt(np.mean(frames**2, axis=1)) > 1000].ravel()
    assert loud.size > 2 * rate, f"only {loud.size / rate:.2f} s of signal"
    power = np.abs(np.fft.rfft(loud * np.hanning(loud.size))) ** 2
    power[0] = 0.0
    freqs = np.fft.rfftfreq(loud.size, 1 / rate)
    peak = float(freqs[int(np.argmax(power))])
    return peak, float(power[np.abs(freqs - frequency) <= 20].sum() / power.sum())


def test_g722_phone_and_g711_phone_hear_each_other(pbx: CordboardProcess, tmp_path: Path) -> None:
    baresip = require_tool("baresip")
    ann = BaresipPhone(
        "ann",
        tmp_path / "ann",
        pbx.users["ann"],
        pbx.sip_port,
        tone=write_wideband_tone(tmp_path / "ann-440.wav", ANN_TONE),
        codecs="G722/16000/1",
    )
    bo = BaresipPhone(
        "bo",
        tmp_path / "bo",
        pbx.users["bo"],
        pbx.sip_port,
        tone=write_tone(tmp_path / "bo-1000.wav", BO_TONE),
        codecs="PCMU,PCMA",
    )
    try:
        ann.start(baresip)
        bo.start(baresip)
        ann.wait_registered(extra_log=pbx.log_tail())
        bo.wait_registered(extra_log=pbx.log_tail())
        dialled = ann.command("dial", ann.uri(bo.user.extension))
        assert dialled.get("ok"), dialled
        logs = lambda: f"{ann.log_tail()}\n{bo.log_tail()}\n{pbx.log_tail()}"  # noqa: E731
        ann.wait_event("CALL_ESTABLISHED", extra_log=logs())
        bo.wait_event("CALL_ESTABLISHED", extra_log=logs())
        time.sleep(TALK_SECONDS)
        hung = ann.command("hangup")
        assert hung.get("ok"), hung
        ann.wait_event("CALL_CLOSED")
        bo.wait_event("CALL_CLOSED", extra_log=pbx.log_tail())
    finally:
        ann.stop()
        bo.stop()

    ann_heard, ann_rate = decoded(ann)
    bo_heard, bo_rate = decoded(bo)
    assert (ann_rate, bo_rate) == (16000, 8000), "the phones did not talk G.722 and G.711"
    for name, (samples, rate), expected in (
        ("ann", (ann_heard, ann_rate), BO_TONE),
        ("bo", (bo_heard, bo_rate), ANN_TONE),
    ):
        peak, purity = tone_in(samples, rate, expected)
        assert abs(peak - expected) < 5, f"{name} heard {peak:.1f} Hz, not {expected} Hz"
        assert purity > 0.9, f"{name}: only {purity:.0%} of the power is the {expected} Hz tone"

    def ended_call() -> dict | None:
        rows = pbx.calls()
        return rows[0] if rows and rows[0].get("ended") else None

    row = pbx.wait_for(ended_call, timeout=10, what="the call in the history")
    time.sleep(1.0)
    rows = pbx.calls()
    assert len(rows) == 1, rows
    assert (row["caller"], row["callee"], row["result"]) == ("1001", "1002", "answered"), row
    assert float(row["duration"]) > 2.0, row
    problems = [
        line for line in pbx.log_path.read_text().splitlines() if " ERROR " in line or "Traceback" in line
    ]
    assert not problems, "\n".join(problems)
