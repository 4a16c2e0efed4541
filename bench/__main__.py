"""`python -m bench [registrations|calls|media|channels|recordings|transcoding|all]`: Cordboard's SIP
engine and media under SIPp load, with anchors.

Prints one JSON line per measurement and a final Markdown table of medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from bench import calls, channels, media, recordings, registrations, transcoding
from bench.common import BENCH, OPTIONS, ROOT, emit, log, median
from cordboard.core import SIP_ENGINE


@dataclass(frozen=True, slots=True)
class Plan:
    register_step: float
    """Seconds per registration rate step."""
    call_step: float
    """Seconds of new calls per call rate step."""
    steady: float
    """Seconds of the measured window with every call of a media level up."""
    levels: tuple[int, ...]
    transcode_levels: tuple[int, ...]


FULL = Plan(
    register_step=8.0, call_step=8.0, steady=10.0, levels=media.LEVELS, transcode_levels=transcoding.LEVELS
)
QUICK = Plan(register_step=5.0, call_step=5.0, steady=5.0, levels=(20, 50), transcode_levels=(10, 25))
BENCHES = ("registrations", "calls", "media", "channels", "recordings", "transcoding")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("which", nargs="*", help=f"all (the default) or some of: {', '.join(BENCHES)}")
    parser.add_argument("--runs", type=int, default=3, help="runs per benchmark; the table shows medians")
    parser.add_argument("--quick", action="store_true", help="short steps and small levels, for development")
    parser.add_argument("--no-anchors", action="store_true", help="skip sippy and rtpengine")
    parser.add_argument("--profile", action="store_true", help="py-spy the first Cordboard run of each")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, SIPp stats)")
    args = parser.parse_args(argv)
    unknown = set(args.which) - {"all", *BENCHES}
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(BENCHES)}")
    return args


def fmt(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(mine: float | None, anchor: float | None) -> str:
    return f"{mine / anchor:.2f}x" if mine and anchor else "n/a"


def table(results: dict[str, Any], runs: int, args: argparse.Namespace) -> str:
    now = datetime.datetime.now(datetime.UTC)
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT
    )
    machine = (
        f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()},"
        f" SIP engine {SIP_ENGINE.description}"
    )
    lines = [
        f"Measured {now:%Y-%m-%d %H:%M} UTC at {commit.stdout.strip() or 'an unknown commit'} ({machine});"
        " server pinned to core 0, SIPp to core 1;"
        f" medians of {runs} run(s){' (quick)' if args.quick else ''}.",
        "",
        "| Benchmark | Cordboard | Anchor | Cordboard / anchor | Target |",
        "| --- | --- | --- | --- | --- |",
    ]
    if "registrations" in results:
        reg = results["registrations"]
        lines.append(
            f"| Registrations/s, digest (MD5) auth, 1000 users, <1% failures | {fmt(reg)} | - | - | >= 2000 |"
        )
    if "calls" in results:
        found: calls.CallsResult = results["calls"]
        paired = "n/a" if found.paired_ratio is None else f"{found.paired_ratio:.2f}x"
        lines.append(
            f"| Calls/s through the B2BUA (INVITE, 407 digest, 200, ACK, 1 s hold, BYE), <1% failures"
            f" | {fmt(found.cordboard)} (with auth) | sippy b2bua_simple: {fmt(found.sippy)} (no auth)"
            f" | {ratio(found.cordboard, found.sippy)} (paired runs: {paired}) | >= 2x sippy |"
        )
    if "media" in results:
        mine, anchor = results["media"]
        for level in sorted(mine):
            here, there = mine[level], anchor.get(level)
            ours = here["cpu_per_call_pct"]
            theirs = there["cpu_per_call_pct"] if there else None
            total = there["total_cpu_per_call_pct"] if there else None
            lines.append(
                f"| CPU per relayed G.711 call at {level} concurrent calls, % of one core"
                f" | {fmt(ours, 3)} | rtpengine --table=-1: {fmt(theirs, 3)} (+ Kamailio: {fmt(total, 3)})"
                f" | {ratio(ours, theirs)} | <= rtpengine |"
            )
        for level in sorted(mine):
            here, there = mine[level], anchor.get(level)
            theirs = f"{100 * there['loss_max']:.3f}%" if there else "n/a"
            lines.append(
                f"| Packet loss at {level} concurrent calls (worst run), failed calls"
                f" | {100 * here['loss_max']:.3f}%, {here['failed_calls']} | {theirs}"
                f"{', ' + str(there['failed_calls']) if there else ''} | - | 0% at 200 |"
            )
    if "channels" in results:
        for row in results["channels"]:
            dialled, level = row["dialled"], row["concurrent"]
            worst = fmt(row["max_late_ms"], 1)
            late = f"{row['late_frames']} of {row['frames']}"
            ours = f"{fmt(row['cpu_per_channel_pct'], 3)}; {late}; {row['failed']}"
            if dialled == channels.LINE_TEST:
                what, target = (
                    f"playing to its caller (line test, G.711 both ways) at {level} channels",
                    "200 on one core, no late frames",
                )
            else:
                room = fmt(level * row["cpu_per_channel_pct"], 2)
                what, target = (
                    f"in one {level}-party conference (whole room: {room}%)",
                    "room < 25% of one core",
                )
            lines.append(
                f"| CPU per channel {what}, % of one core; frames sent >5 ms late (worst {worst} ms);"
                f" failed calls | {ours} | - | - | {target} |"
            )
    for row in results.get("recordings", []):
        late = f"{row['late_frames']} of {row['frames']} (worst {fmt(row['max_late_ms'], 1)} ms)"
        files = (
            f"{row['full_length_min']} full {row['seconds']} s, {row['with_tone_min']} with the callers' tone"
        )
        lines.append(
            "| CPU per channel recording its caller (recorded echo test, PCMU) at"
            f" {row['concurrent']} channels, % of one core; frames sent >5 ms late; recordings (worst run);"
            " failed calls"
            f" | {fmt(row['cpu_per_channel_pct'], 3)}; {late}; {files}; {row['failed']} | - | - | - |"
        )
    for row in results.get("transcoding", []):
        relayed, transcoded = row.get("relayed"), row.get("transcoded")
        if not transcoded:
            continue
        theirs = f"relayed G.711 call, same run: {fmt(relayed['cpu_per_call_pct'], 3)}" if relayed else "n/a"
        times = "n/a" if row["ratio"] is None else f"{row['ratio']:.1f}x"
        lines.append(
            "| CPU per transcoded call (caller G.722, callee PCMU) at"
            f" {row['concurrent']} calls, % of one core; loss; failed calls"
            f" | {fmt(transcoded['cpu_per_call_pct'], 3)}; {100 * transcoded['loss_max']:.3f}%;"
            f" {transcoded['failed']} | {theirs} | {times} | - |"
        )
    waits = server_waits()
    if waits:
        noise = ", ".join(f"{name} {100 * wait:.0f}%" for name, wait in sorted(waits.items()))
        lines += [
            "",
            "Share of the time the server's threads waited for a CPU (other programs on its core), worst"
            f" step or level: {noise}.",
        ]
    return "\n".join(lines)


def server_waits() -> dict[str, float]:
    """The worst server_wait per benchmark and system among this run's JSON lines."""
    worst: dict[str, float] = {}
    if OPTIONS.results is None or not OPTIONS.results.exists():
        return worst
    for line in OPTIONS.results.read_text().splitlines():
        record = json.loads(line)
        if "server_wait" in record and record.get("passed", True):
            name = f"{record['bench']}/{record['system']}"
            worst[name] = max(worst.get(name, 0.0), float(record["server_wait"]))
    return worst


def media_summary(levels: list[media.Level]) -> dict[int, dict[str, Any]]:
    out = media.summary(levels)
    for level, row in out.items():
        mine = [lv for lv in levels if lv.concurrent == level]
        row["total_cpu_per_call_pct"] = median([100 * lv.total_cpu_per_call for lv in mine])
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    which = set(BENCHES) if not args.which or "all" in args.which else set(args.which)
    plan = QUICK if args.quick else FULL
    runs = max(1, args.runs)
    if shutil.which("sipp") is None:
        print("sipp is not installed: run `make bench`", file=sys.stderr)
        return 2
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    OPTIONS.results = results_dir / f"{stamp}.jsonl"
    if args.profile:
        OPTIONS.profile_dir = results_dir / f"{stamp}-profiles"
    workdir = Path(tempfile.mkdtemp(prefix="cordboard-bench-"))
    log(f"work folder {workdir}; JSON lines also in {OPTIONS.results}")
    results: dict[str, Any] = {}
    try:
        if "registrations" in which:
            results["registrations"] = registrations.bench(workdir, runs, plan.register_step)
        if "calls" in which:
            results["calls"] = calls.bench(workdir, runs, plan.call_step, anchors=not args.no_anchors)
        if "media" in which:
            levels, steady = plan.levels, plan.steady
            mine_levels = media.bench_cordboard(workdir, runs, steady, levels)
            anchor_levels = [] if args.no_anchors else media.bench_rtpengine(workdir, runs, steady, levels)
            results["media"] = (media_summary(mine_levels), media_summary(anchor_levels))
        if "channels" in which:
            results["channels"] = channels.summary(channels.bench(workdir, runs, plan.steady, plan.levels))
        if "recordings" in which:
            results["recordings"] = recordings.summary(
                recordings.bench(workdir, runs, plan.steady, plan.levels)
            )
        if "transcoding" in which:
            found = transcoding.bench(workdir, runs, plan.steady, plan.transcode_levels)
            results["transcoding"] = transcoding.summary(found)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    emit(
        {
            "summary": {
                k: asdict(v) if is_dataclass(v) and not isinstance(v, type) else v for k, v in results.items()
            }
        }
    )
    report = table(results, runs, args)
    (results_dir / f"{stamp}.md").write_text(report + "\n")
    print()
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
