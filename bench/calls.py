"""Calls per second through a B2BUA: SIPp callers (INVITE, 407, INVITE with digest, 200, ACK, 1 s hold,
BYE) and SIPp callees registered as users. Also the sippy b2bua_simple anchor (it has no auth)."""

from __future__ import annotations

import math
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Final

from bench.common import (
    LOAD_CPU,
    SCENARIOS,
    SERVER_CPU,
    TOOLS,
    BenchCordboard,
    Sipp,
    Step,
    achieved_rate,
    climb,
    core_busy_seconds,
    cpu_seconds,
    cpu_share_while_loaded,
    emit,
    free_port,
    lane_ip,
    log,
    median,
    next_start,
    password_for,
    profile_path,
    render,
    run_delay,
    socket_drops,
    wait_all,
)

CALLERS: Final = 1000
CALLEES: Final = 20
"""SIPp callees, each a registered user on its own address: at 1200 calls/s, 60 calls/s each,
within the per-address limit."""
PER_LANE: Final = 40
"""Calls/s from one caller address (5 requests each)."""
LADDER: Final = (25, 50, 100, *range(150, 1201, 50))
"""Steps of 50 calls/s from 150 to 1200, past where this machine's servers top out (Cordboard near
700, twice sippy's rate near 1100): both programs' figures are the last step passed, so a coarser
ladder would hide a difference of up to a step."""
HOLD_MS: Final = 1000
SIPPY: Final = TOOLS / "b2bua_simple"


@dataclass(frozen=True, slots=True)
class Callee:
    """A SIPp UAS on its own address, registered as user ``username`` (extension ``extension``)."""

    username: str
    extension: str
    ip: str
    port: int


def callers(count: int = CALLERS) -> list[tuple[str, str, str]]:
    return [(f"call{i:04d}", str(40000 + i), password_for(f"call{i:04d}")) for i in range(count)]


def callees(count: int = CALLEES) -> list[Callee]:
    return [Callee(f"uas{i:02d}", str(3000 + i), lane_ip(3, i), free_port()) for i in range(count)]


def register_callees(target: str, found: list[Callee], workdir: Path) -> None:
    """One REGISTER per callee from the address and port its UAS will listen on."""
    runs = []
    for callee in found:
        path = workdir / f"{callee.username}.csv"
        auth = f"[authentication username={callee.username} password={password_for(callee.username)}]"
        path.write_text(f"SEQUENTIAL\n{callee.username};{auth}\n")
        args = [
            "-sf", str(SCENARIOS / "register.xml"), "-inf", str(path), target,
            "-i", callee.ip, "-p", str(callee.port), "-m", "1", "-timeout", "15s",
        ]  # fmt: skip
        runs.append(Sipp(f"register-{callee.username}", args, workdir).start())
    wait_all(runs, 20)
    failed = [run.name for run in runs if run.stats().successful != 1]
    if failed:
        raise RuntimeError(f"callees did not register: {failed}: {runs[0].output_tail()}")


def start_callees(
    found: list[Callee], workdir: Path, media: str = "", template: Path = SCENARIOS / "uas.xml"
) -> list[Sipp]:
    scenario = render(template, workdir / template.name, MEDIA=media)
    runs = []
    for callee in found:
        args = ["-sf", str(scenario), "-i", callee.ip, "-p", str(callee.port), "-mi", callee.ip]
        args += ["-mp", str(free_port())]
        runs.append(Sipp(f"uas-{callee.username}", args, workdir).start())
    time.sleep(0.5)
    return runs


def run_step(
    rate: int,
    *,
    target: str,
    duration: float,
    workdir: Path,
    dialled: list[str],
    users: list[tuple[str, str, str]],
    server: list[int],
    auth: bool,
) -> Step:
    """``rate`` calls/s for ``duration`` s, from lanes of ~PER_LANE calls/s, each dialling one callee."""
    lanes = max(1, math.ceil(rate / PER_LANE))
    per_lane = math.ceil(rate / lanes)
    count = max(1, int(per_lane * duration))
    template = SCENARIOS / ("uac_auth.xml" if auth else "uac_noauth.xml")
    scenario = render(template, workdir / template.name, HOLD_MS=str(HOLD_MS), MEDIA="")
    cpu_before, wait_before, wall_before = cpu_seconds(server), run_delay(server), time.monotonic()
    load_before = core_busy_seconds(LOAD_CPU)
    sip_port = int(target.rsplit(":", 1)[1])
    drops_before = socket_drops(sip_port, sip_port)
    runs = []
    for lane in range(lanes):
        extension = dialled[lane % len(dialled)]
        path = workdir / f"callers-lane{lane}.csv"
        lines = ["SEQUENTIAL"]
        for username, _ext, password in users[lane::lanes]:
            lines.append(f"{username};[authentication username={username} password={password}];{extension}")
        path.write_text("\n".join(lines) + "\n")
        args = [
            "-sf", str(scenario), "-inf", str(path), target, "-i", lane_ip(2, lane), "-p", "0",
            "-mi", lane_ip(2, lane), "-mp", str(free_port()),
            "-r", str(per_lane), "-rp", "1000", "-m", str(count), "-l", str(per_lane * 10),
            "-timeout", f"{int(duration) + 20}s", "-recv_timeout", "10000",
        ]  # fmt: skip
        runs.append(Sipp(f"uac-lane{lane}", args, workdir).start())
    loaded = cpu_share_while_loaded(server, wall_before, duration, HOLD_MS / 1000)
    wait_all(runs, duration + 30 - (time.monotonic() - wall_before))
    wall = time.monotonic() - wall_before
    cpu, wait = (cpu_seconds(server) - cpu_before) / wall, (run_delay(server) - wait_before) / wall
    load = (core_busy_seconds(LOAD_CPU) - load_before) / wall
    stats = [r.stats() for r in runs]
    successful = sum(s.successful for s in stats)
    achieved = achieved_rate(stats, count / per_lane)
    drops = socket_drops(sip_port, sip_port) - drops_before
    return Step(per_lane * lanes, count * lanes, successful, achieved, lanes, cpu, wait, drops, load, loaded)


def stop_all(runs: list[Sipp]) -> None:
    for run in runs:
        run.stop()


@dataclass(frozen=True, slots=True)
class Target:
    """A running Cordboard with its callees up: where the callers send and what they dial."""

    address: str
    pid: int
    dialled: list[str]
    users: list[tuple[str, str, str]]
    workdir: Path

    def step(self, rate: int, duration: float) -> Step:
        return run_step(
            rate,
            target=self.address,
            duration=duration,
            workdir=self.workdir,
            dialled=self.dialled,
            users=self.users,
            server=[self.pid],
            auth=True,
        )


@contextmanager
def cordboard_target(data: Path, profile: Path | None = None) -> Iterator[Target]:
    """A fresh Cordboard on ``data`` with the callers and callees as users, pinned to its core,
    and the 20 SIPp callees registered and answering; stopped afterwards."""
    users = callers()
    pbx = BenchCordboard(data, rtp_port_min=20000, rtp_port_max=29999, profile=profile)
    pbx.write_config()
    wanted = callees()
    pbx.import_users(users + [(c.username, c.extension, password_for(c.username)) for c in wanted])
    pid = pbx.start_pinned()
    address = f"127.0.0.1:{pbx.sip_port}"
    uas: list[Sipp] = []
    try:
        register_callees(address, wanted, data.parent)
        uas = start_callees(wanted, data.parent)
        yield Target(address, pid, [c.extension for c in wanted], users, data.parent)
    finally:
        stop_all(uas)
        pbx.stop()


@dataclass(frozen=True, slots=True)
class CallsResult:
    """Medians of each program's highest passed rate, and of the paired runs' ratios."""

    cordboard: float | None
    sippy: float | None
    paired_ratio: float | None
    """Median of Cordboard / sippy per run pair: each pair ran minutes apart, so the machine's
    drift over the whole benchmark (sippy's figure has moved by a quarter in an hour) cancels."""


def bench(workdir: Path, runs: int, duration: float, anchors: bool = True) -> CallsResult:
    """``runs`` pairs of one Cordboard run and one sippy run, the pair's order alternating."""
    if anchors and not SIPPY.exists():
        log(f"sippy anchor skipped: {SIPPY} missing (make bench installs it)")
        anchors = False
    mine: list[float] = []
    theirs: list[float] = []
    ratios: list[float] = []
    starts = {"cordboard": 0, "sippy": 0}
    for run in range(1, runs + 1):
        order = ("cordboard", "sippy") if run % 2 else ("sippy", "cordboard")
        found: dict[str, float] = {}
        for system in order:
            if system == "sippy" and not anchors:
                continue
            measure = cordboard_run if system == "cordboard" else sippy_run
            rate = measure(workdir, run, LADDER[starts[system] :], duration)
            emit({"bench": "calls", "system": system, "run": run, "max_rate": round(rate, 1)})
            found[system] = rate
            starts[system] = next_start(LADDER, rate)
        mine.append(found["cordboard"])
        if "sippy" in found:
            theirs.append(found["sippy"])
            if found["sippy"]:
                ratios.append(found["cordboard"] / found["sippy"])
                emit({"bench": "calls", "run": run, "ratio": round(ratios[-1], 3)})
    return CallsResult(median(mine), median(theirs), median(ratios))


def cordboard_run(workdir: Path, run: int, ladder: tuple[int, ...], duration: float) -> float:
    """Cordboard's highest passed rate on ``ladder``, in a fresh data folder."""
    data = workdir / f"calls-run{run}" / "data"
    with cordboard_target(data, profile_path("calls", run)) as target:
        log(f"calls run {run}: cordboard, {len(target.dialled)} callees")
        best = climb("calls", "cordboard", run, ladder, partial(target.step, duration=duration))
    return best.achieved if best else 0.0


def sippy_run(workdir: Path, run: int, ladder: tuple[int, ...], duration: float) -> float:
    """The same callers through sippy's b2bua_simple, which forwards every INVITE to one SIPp callee."""
    users = callers()
    workdir_run = workdir / f"calls-sippy-run{run}"
    workdir_run.mkdir(parents=True, exist_ok=True)
    callee = Callee("uas", "3000", "127.0.0.1", free_port())
    port = free_port()
    log(f"calls run {run}: sippy b2bua_simple")
    with (workdir_run / "sippy.log").open("wb") as out:
        sippy = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, str(SIPPY), "-f", "-l", "127.0.0.1", "-p", str(port),
             "-n", f"{callee.ip}:{callee.port}", "-L", str(workdir_run / "sippy-sip.log")],
            stdout=out, stderr=subprocess.STDOUT, cwd=workdir_run,
            env={**os.environ, "SIPLOG_BEND": "none"},
        )  # fmt: skip
    uas: list[Sipp] = []
    try:
        time.sleep(1.5)
        if sippy.poll() is not None:
            raise RuntimeError(f"b2bua_simple exited {sippy.returncode}")
        uas = start_callees([callee], workdir_run)
        best = climb(
            "calls",
            "sippy",
            run,
            ladder,
            partial(
                run_step,
                target=f"127.0.0.1:{port}",
                duration=duration,
                workdir=workdir_run,
                dialled=["3000"],
                users=users,
                server=[sippy.pid],
                auth=False,
            ),
        )
    finally:
        stop_all(uas)
        sippy.terminate()
        try:
            sippy.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sippy.kill()
            sippy.wait()
    return best.achieved if best else 0.0
