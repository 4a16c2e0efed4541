"""Registrations per second with digest auth over 1000 users: the highest rate with under 1% failures."""

from __future__ import annotations

import math
import time
from functools import partial
from pathlib import Path
from typing import Final

from bench.common import (
    SCENARIOS,
    BenchCordboard,
    Sipp,
    Step,
    achieved_rate,
    climb,
    cpu_seconds,
    emit,
    lane_ip,
    log,
    median,
    next_start,
    password_for,
    profile_path,
    run_delay,
    socket_drops,
    wait_all,
)

USERS: Final = 1000
PER_LANE: Final = 100
"""Registrations/s from one source address (2 requests each: within Cordboard's per-address limit)."""
LADDER: Final = (250, 500, 750, 1000, 1250, 1500, 2000, 2250, 2500, 2750, 3000, 3500, 4000)

User = tuple[str, str, str]


def user_rows(count: int = USERS) -> list[User]:
    return [(f"reg{i:04d}", str(20000 + i), password_for(f"reg{i:04d}")) for i in range(count)]


def write_lane_csv(path: Path, users: list[User]) -> None:
    lines = ["SEQUENTIAL"]
    lines += [f"{u};[authentication username={u} password={p}]" for u, _ext, p in users]
    path.write_text("\n".join(lines) + "\n")


def run_step(
    rate: int, *, target: str, duration: float, workdir: Path, users: list[User], server: list[int]
) -> Step:
    """``rate`` REGISTERs (401, then 200) per second for ``duration`` seconds, from several lanes."""
    lanes = max(1, math.ceil(rate / PER_LANE))
    per_lane = math.ceil(rate / lanes)
    count = max(1, int(per_lane * duration))
    runs = []
    cpu_before, wait_before, wall_before = cpu_seconds(server), run_delay(server), time.monotonic()
    sip_port = int(target.rsplit(":", 1)[1])
    drops_before = socket_drops(sip_port, sip_port)
    for lane in range(lanes):
        csv_path = workdir / f"reg-lane{lane}.csv"
        write_lane_csv(csv_path, users[lane::lanes])
        args = [
            "-sf", str(SCENARIOS / "register.xml"), "-inf", str(csv_path), target,
            "-i", lane_ip(1, lane), "-p", "0",
            "-r", str(per_lane), "-rp", "1000", "-m", str(count), "-l", str(per_lane * 2),
            "-timeout", f"{int(duration) + 15}s", "-recv_timeout", "5000",
        ]  # fmt: skip
        runs.append(Sipp(f"reg-lane{lane}", args, workdir).start())
    wait_all(runs, duration + 25)
    wall = time.monotonic() - wall_before
    cpu, wait = (cpu_seconds(server) - cpu_before) / wall, (run_delay(server) - wait_before) / wall
    stats = [r.stats() for r in runs]
    successful = sum(s.successful for s in stats)
    achieved = achieved_rate(stats, count / per_lane)
    drops = socket_drops(sip_port, sip_port) - drops_before
    return Step(per_lane * lanes, count * lanes, successful, achieved, lanes, cpu, wait, drops)


def bench(workdir: Path, runs: int, duration: float) -> float | None:
    """Cordboard with 1000 users, ``runs`` ladder climbs; the median of the max rates found."""
    users = user_rows()
    found: list[float] = []
    start = 0
    for run in range(1, runs + 1):
        data = workdir / f"reg-run{run}" / "data"
        pbx = BenchCordboard(data, profile=profile_path("registrations", run))
        pbx.write_config()
        log(f"registrations run {run}: {USERS} users")
        pbx.import_users(users)
        pid = pbx.start_pinned()
        target = f"127.0.0.1:{pbx.sip_port}"
        try:
            best = climb(
                "registrations",
                "cordboard",
                run,
                LADDER[start:],
                partial(
                    run_step, target=target, duration=duration, workdir=data.parent, users=users, server=[pid]
                ),
            )
        finally:
            pbx.stop()
        rate = best.achieved if best else 0.0
        emit({"bench": "registrations", "system": "cordboard", "run": run, "max_rate": round(rate, 1)})
        found.append(rate)
        start = next_start(LADDER, rate)
    return median(found)
