"""Concurrent recordings (issue 4): SIPp callers dial the diagnostics plugin's recorded echo test
(``*45``: a beep, the caller recorded for ``recorded_echo_seconds``, then played back) and send G.711
RTP all along. The recording length is set (through the plugin's settings, PUT
/api/plugins/diagnostics/config) so that every channel is still recording through the whole steady
window; the callers hang up two seconds into the playback. The server's CPU per recording channel
and the frames it sent more than 5 ms late (GET /api/diagnostics/media); afterwards every caller's
WAV file is read back: it must exist and be exactly ``recorded_echo_seconds`` long."""

from __future__ import annotations

import math
import shutil
import statistics
import time
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from bench.common import BenchCordboard, emit, log, media_stats, password_for, sip_target, start_cordboard
from bench.media import PCMU_ONLY, RAMP, SETTLE, RelayCounters, run_level
from bench.pcap import write_pcap

LEVELS: Final = (50, 100, 200)
RECORDED_ECHO: Final = "*45"
RECORDINGS: Final = Path("diagnostics") / "recorded-echo"
"""Where the plugin keeps each caller's last recording, under the data folder."""
RTP: Final = (16000, 17999)
"""The appliance's own media, as in the channels benchmark."""
BEEP_S: Final = 0.25
PLAYBACK_S: Final = 2.0
"""How long the callers listen to their recording before they hang up."""
TONE_HZ: Final = 440
"""What bench/pcap.py's stream carries."""


@dataclass(frozen=True, slots=True)
class RecordingLevel:
    concurrent: int
    active: int
    cpu_per_channel_pct: float
    frames: int
    late_frames: int
    max_late_ms: float
    failed: int
    wait: float
    seconds: int
    """The length every recording should have."""
    recordings: int
    """WAV files found after the level (one per caller expected)."""
    full_length: int
    """Of those, the ones exactly ``seconds`` long."""
    with_tone: int
    """Of those, the ones whose loudest frequency is the callers' 440 Hz tone (what they sent)."""
    shortest_s: float


def recording_seconds(steady: float, levels: tuple[int, ...]) -> int:
    """Long enough that the first caller of the largest level still records at the window's end."""
    return math.ceil(max(levels) / RAMP + SETTLE + steady + 2)


def check_recordings(folder: Path, seconds: int) -> tuple[int, int, int, float]:
    """(files, files exactly ``seconds`` long, files with the callers' tone, the shortest in seconds)."""
    lengths, tones = [], 0
    for path in sorted(folder.glob("*.wav")):
        with wave.open(str(path)) as wav:
            rate = wav.getframerate()
            samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        lengths.append(samples.size / rate)
        if samples.size >= rate:
            spectrum = np.abs(np.fft.rfft(samples[:rate].astype(np.float64)))
            tones += abs(int(np.argmax(spectrum)) - TONE_HZ) <= 2  # 1 Hz bins over one second
    full = sum(1 for length in lengths if abs(length - seconds) < 1e-6)
    return len(lengths), full, tones, min(lengths, default=0.0)


def _configure(pbx: BenchCordboard, seconds: int) -> None:
    status, body = pbx.http("PUT", "/api/plugins/diagnostics/config", {"recorded_echo_seconds": seconds})
    if status != 200 or body["config"]["recorded_echo_number"] != RECORDED_ECHO:
        raise RuntimeError(f"PUT /api/plugins/diagnostics/config: {status} {body}")


def bench(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[RecordingLevel]:
    results: list[RecordingLevel] = []
    seconds = recording_seconds(steady, levels)
    hold = BEEP_S + seconds + PLAYBACK_S
    pcap = write_pcap(workdir / "recordings-pcmu.pcap", hold + 5)
    users = [(f"rec{i:04d}", str(61000 + i), password_for(f"rec{i:04d}")) for i in range(max(levels))]
    for run in range(1, runs + 1):
        pbx, pid = start_cordboard("recordings", run, workdir, users, RTP)
        data, target = pbx.data, sip_target(pbx)
        log(f"recordings run {run}: cordboard, recorded echo test {RECORDED_ECHO}, {seconds} s each")
        try:
            _configure(pbx, seconds)
            with RelayCounters(*RTP) as counters:
                for concurrent in levels:
                    shutil.rmtree(data / RECORDINGS, ignore_errors=True)
                    before = media_stats(pbx)
                    level = run_level(
                        concurrent, target=target, workdir=data.parent, pcap=pcap, dialled=RECORDED_ECHO,
                        users=users, server=[pid], counters=counters, auth=True, steady=steady, hold=hold,
                        sdp=PCMU_ONLY, name="recordings",
                    )  # fmt: skip
                    after = media_stats(pbx)
                    found, full, tones, shortest = check_recordings(data / RECORDINGS, seconds)
                    row = RecordingLevel(
                        concurrent,
                        level.active,
                        100 * level.cpu_per_call,
                        after["frames_sent"] - before["frames_sent"],
                        after["late_frames"] - before["late_frames"],
                        after["max_late_ms"],
                        level.failed,
                        level.wait / level.window,
                        seconds,
                        found,
                        full,
                        tones,
                        shortest,
                    )
                    emit({"bench": "recordings", "system": "cordboard", "run": run, **asdict(row)})
                    if full != concurrent or tones != concurrent:
                        log(
                            f"recordings: of {concurrent} callers {full} have a full {seconds} s recording,"
                            f" {tones} one with their tone"
                        )
                    results.append(row)
                    time.sleep(2)
        finally:
            pbx.stop()
    return results


def summary(levels: list[RecordingLevel]) -> list[dict[str, Any]]:
    """Per level: median CPU per recording channel; the worst late frames and recordings over the runs."""
    out: list[dict[str, Any]] = []
    for concurrent in sorted({lv.concurrent for lv in levels}):
        mine = [lv for lv in levels if lv.concurrent == concurrent]
        out.append(
            {
                "concurrent": concurrent,
                "cpu_per_channel_pct": statistics.median(lv.cpu_per_channel_pct for lv in mine),
                "late_frames": max(lv.late_frames for lv in mine),
                "frames": max(lv.frames for lv in mine),
                "max_late_ms": max(lv.max_late_ms for lv in mine),
                "failed": max(lv.failed for lv in mine),
                "seconds": mine[0].seconds,
                "full_length_min": min(lv.full_length for lv in mine),
                "with_tone_min": min(lv.with_tone for lv in mine),
                "recordings_min": min(lv.recordings for lv in mine),
                "shortest_s": min(lv.shortest_s for lv in mine),
                "wait_max": max(lv.wait for lv in mine),
                "runs": len(mine),
            }
        )
    return out
