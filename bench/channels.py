"""Concurrent channels the appliance plays to itself (issue 4): SIPp callers dial the line test number
(the diagnostics plugin reads back the extension, then plays a 1004 Hz tone), sending PCMU RTP too
(offered alone, so the appliance takes and decodes it); then 20 callers in one conference room
(each hears the mix of the 19 others). The server's CPU per channel over a steady window and the
frames it sent more than 5 ms late (GET /api/diagnostics/media)."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from bench.common import emit, log, media_stats, password_for, sip_target, start_cordboard
from bench.media import PCMU_ONLY, RAMP, SETTLE, RelayCounters, run_level
from bench.pcap import write_pcap

LEVELS: Final = (50, 100, 200)
LINE_TEST: Final = "*44"
CONFERENCE_ROOM: Final = "1800"
CONFERENCE_SIZE: Final = 20
RTP: Final = (16000, 17999)
"""The channels' port range, apart from the relay benchmarks' ranges."""


@dataclass(frozen=True, slots=True)
class ChannelLevel:
    dialled: str
    """The line test number, or a conference room (every caller in the same room)."""
    concurrent: int
    active: int
    cpu_per_channel_pct: float
    frames: int
    late_frames: int
    max_late_ms: float
    failed: int
    wait: float


def bench(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[ChannelLevel]:
    results: list[ChannelLevel] = []
    pcap = write_pcap(workdir / "channels-pcmu.pcap", max(levels) / RAMP + SETTLE + steady + 10)
    users = [(f"chan{i:04d}", str(60000 + i), password_for(f"chan{i:04d}")) for i in range(max(levels))]
    for run in range(1, runs + 1):
        pbx, pid = start_cordboard("channels", run, workdir, users, RTP, prompts=True)
        data, target = pbx.data, sip_target(pbx)
        log(f"channels run {run}: cordboard, line test {LINE_TEST}")
        try:
            with RelayCounters(*RTP) as counters:
                plan = [(concurrent, LINE_TEST) for concurrent in levels] + [
                    (CONFERENCE_SIZE, CONFERENCE_ROOM)
                ]
                for concurrent, dialled in plan:
                    before = media_stats(pbx)
                    level = run_level(
                        concurrent, target=target, workdir=data.parent, pcap=pcap, dialled=dialled,
                        users=users, server=[pid], counters=counters, auth=True, steady=steady, sdp=PCMU_ONLY,
                    )  # fmt: skip
                    after = media_stats(pbx)
                    row = ChannelLevel(
                        dialled,
                        concurrent,
                        level.active,
                        100 * level.cpu_per_call,
                        after["frames_sent"] - before["frames_sent"],
                        after["late_frames"] - before["late_frames"],
                        after["max_late_ms"],
                        level.failed,
                        level.wait / level.window,
                    )
                    emit({"bench": "channels", "system": "cordboard", "run": run, **asdict(row)})
                    results.append(row)
                    time.sleep(2)
        finally:
            pbx.stop()
    return results


def summary(levels: list[ChannelLevel]) -> list[dict[str, Any]]:
    """One row per (number dialled, channels): medians of CPU, worst of the rest; line tests first."""
    out: list[dict[str, Any]] = []
    keys = {(lv.dialled, lv.concurrent) for lv in levels}
    for key in sorted(keys, key=lambda k: (k[0] != LINE_TEST, k[1])):
        mine = [lv for lv in levels if (lv.dialled, lv.concurrent) == key]
        out.append(
            {
                "dialled": key[0],
                "concurrent": key[1],
                "cpu_per_channel_pct": statistics.median(lv.cpu_per_channel_pct for lv in mine),
                "late_frames": max(lv.late_frames for lv in mine),
                "frames": max(lv.frames for lv in mine),
                "max_late_ms": max(lv.max_late_ms for lv in mine),
                "failed": max(lv.failed for lv in mine),
                "wait_max": max(lv.wait for lv in mine),
            }
        )
    return out
