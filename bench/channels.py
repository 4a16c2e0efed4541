"""Concurrent channels the appliance plays to itself (issue 4): SIPp callers dial the line test number
(the diagnostics plugin reads back the extension, then plays a 1004 Hz tone), sending G.711 RTP
too, so each channel also decodes; then 20 callers in one conference room (each hears the mix of
the 19 others). The server's CPU per channel over a steady window and the frames it sent more than
5 ms late (GET /api/diagnostics/media)."""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from bench.common import BenchCordboard, emit, log, password_for, profile_path
from bench.media import RAMP, SETTLE, RelayCounters, run_level
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


def _media_stats(pbx: BenchCordboard) -> dict[str, Any]:
    status, body = pbx.http("GET", "/api/diagnostics/media")
    if status != 200:
        raise RuntimeError(f"GET /api/diagnostics/media: {status} {body}")
    return dict(body)


def bench(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[ChannelLevel]:
    results: list[ChannelLevel] = []
    pcap = write_pcap(workdir / "channels-pcmu.pcap", max(levels) / RAMP + SETTLE + steady + 10)
    users = [(f"chan{i:04d}", str(60000 + i), password_for(f"chan{i:04d}")) for i in range(max(levels))]
    for run in range(1, runs + 1):
        data = workdir / f"channels-run{run}" / "data"
        pbx = BenchCordboard(
            data, rtp_port_min=RTP[0], rtp_port_max=RTP[1], profile=profile_path("channels", run)
        )
        pbx.write_config()
        pbx.import_users(users)
        pid = pbx.start_pinned()
        pbx.cli("prompts", "generate")  # spoken ahead, so the first callers do not wait for espeak
        target = f"127.0.0.1:{pbx.sip_port}"
        log(f"channels run {run}: cordboard, line test {LINE_TEST}")
        try:
            with RelayCounters(*RTP) as counters:
                plan = [(concurrent, LINE_TEST) for concurrent in levels] + [
                    (CONFERENCE_SIZE, CONFERENCE_ROOM)
                ]
                for concurrent, dialled in plan:
                    before = _media_stats(pbx)
                    level = run_level(
                        concurrent, target=target, workdir=data.parent, pcap=pcap, dialled=dialled,
                        users=users, server=[pid], counters=counters, auth=True, steady=steady,
                    )  # fmt: skip
                    after = _media_stats(pbx)
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
            }
        )
    return out
