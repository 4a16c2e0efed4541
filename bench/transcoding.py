"""Calls the appliance transcodes (BYD-04): SIPp callers offer G.722 only (payload type 9) and play
G.722; the callee, a registered SIPp UAS with PCMU only (scenarios/uas_transcode.xml), answers the
relayed offer 488, so the B2BUA answers the caller itself and rings the callee again with its own
offer, answered with PCMU: each call is two of the appliance's media endpoints bridged, G.722 <->
PCMU both ways. At each level the same Cordboard first relays as many plain G.711 calls (PCMU both
sides, scenarios/uas.xml), for the ratio. The server's CPU per call over a steady window."""

from __future__ import annotations

import functools
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from bench.calls import Callee, register_callees, start_callees
from bench.common import (
    SCENARIOS,
    BenchCordboard,
    Sipp,
    emit,
    free_port,
    log,
    media_stats,
    password_for,
    sip_target,
    start_cordboard,
)
from bench.media import CORDBOARD_RTP, PLAY, RAMP, SETTLE, Level, RelayCounters, run_level
from bench.pcap import write_pcap

LEVELS: Final = (25, 50, 100)
G722_OFFER: Final = {
    "RTP/AVP 0 8": "RTP/AVP 9",
    "a=rtpmap:0 PCMU/8000\n      a=rtpmap:8 PCMA/8000": "a=rtpmap:9 G722/8000",
}
"""Replacements that turn uac_auth.xml's G.711 offer into a G.722-only one."""


@dataclass(frozen=True, slots=True)
class TranscodeLevel:
    kind: str
    """``"relayed"`` (G.711 both sides) or ``"transcoded"`` (G.722 caller, PCMU callee)."""
    concurrent: int
    active: int
    cpu_per_call_pct: float
    endpoints: int
    """The appliance's own media endpoints open in the window: 2 per transcoded call, 0 relayed."""
    packets_in: int
    """RTP packets into the appliance's ports in the window (both legs)."""
    packets_out: int
    """Packets out of them: for a transcoded call the appliance's own frames, one per 20 ms tick of its
    media clock, so fewer out than in means ticks it skipped (its core was busy), not lost packets."""
    loss: float
    failed: int
    wait: float


def _probe(pbx: BenchCordboard, into: list[dict[str, Any]]) -> None:
    into.append(media_stats(pbx))


def _row(kind: str, level: Level, endpoints: int) -> TranscodeLevel:
    return TranscodeLevel(
        kind,
        level.concurrent,
        level.active,
        100 * level.cpu_per_call,
        endpoints,
        level.packets_in,
        level.packets_out,
        level.loss,
        level.failed,
        level.wait / level.window if level.window else 0.0,
    )


def bench(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[TranscodeLevel]:
    results: list[TranscodeLevel] = []
    seconds = max(levels) / RAMP + SETTLE + steady + 10
    pcmu = write_pcap(workdir / "transcoding-pcmu.pcap", seconds)
    g722 = write_pcap(workdir / "transcoding-g722.pcap", seconds, "G722")
    users = [(f"tc{i:04d}", str(62000 + i), password_for(f"tc{i:04d}")) for i in range(max(levels))]
    for run in range(1, runs + 1):
        relay = Callee("relayuas", "3998", "127.0.0.1", free_port())
        g711 = Callee("g711uas", "3997", "127.0.0.1", free_port())
        accounts = [*users, *((c.username, c.extension, password_for(c.username)) for c in (relay, g711))]
        pbx, pid = start_cordboard("transcoding", run, workdir, accounts, CORDBOARD_RTP)
        data, target = pbx.data, sip_target(pbx)
        uas: list[Sipp] = []
        log(f"transcoding run {run}: cordboard")
        try:
            register_callees(target, [relay, g711], data.parent)
            uas = start_callees([relay], data.parent, PLAY.format(pcap=pcmu))
            uas += start_callees([g711], data.parent, PLAY.format(pcap=pcmu), SCENARIOS / "uas_transcode.xml")
            with RelayCounters(*CORDBOARD_RTP) as counters:
                for concurrent in levels:
                    for kind, callee, pcap, sdp in (
                        ("relayed", relay, pcmu, None),
                        ("transcoded", g711, g722, G722_OFFER),
                    ):
                        seen: list[dict[str, Any]] = []
                        level = run_level(
                            concurrent, target=target, workdir=data.parent, pcap=pcap,
                            dialled=callee.extension,
                            users=users, server=[pid], counters=counters, auth=True, steady=steady,
                            sdp=sdp, name=kind, probe=functools.partial(_probe, pbx, seen),
                        )  # fmt: skip
                        row = _row(kind, level, int(seen[0]["open"]) if seen else -1)
                        emit({"bench": "transcoding", "system": "cordboard", "run": run, **asdict(row)})
                        results.append(row)
                        time.sleep(2)
        finally:
            for sipp in uas:
                sipp.stop()
            pbx.stop()
    return results


def summary(levels: list[TranscodeLevel]) -> list[dict[str, Any]]:
    """Per level: median CPU per call relayed and transcoded (the same runs) and the ratio of the two
    medians; the worst loss and failures."""
    out: list[dict[str, Any]] = []
    for concurrent in sorted({lv.concurrent for lv in levels}):
        row: dict[str, Any] = {"concurrent": concurrent}
        for kind in ("relayed", "transcoded"):
            mine = [lv for lv in levels if lv.concurrent == concurrent and lv.kind == kind]
            if not mine:
                continue
            row[kind] = {
                "cpu_per_call_pct": statistics.median(lv.cpu_per_call_pct for lv in mine),
                "loss_max": max(lv.loss for lv in mine),
                "failed": max(lv.failed for lv in mine),
                "endpoints_min": min(lv.endpoints for lv in mine),
                "wait_max": max(lv.wait for lv in mine),
                "runs": len(mine),
            }
        relayed, transcoded = row.get("relayed"), row.get("transcoded")
        row["ratio"] = (
            transcoded["cpu_per_call_pct"] / relayed["cpu_per_call_pct"]
            if relayed and transcoded and relayed["cpu_per_call_pct"]
            else None
        )
        out.append(row)
    return out
