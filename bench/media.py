"""Concurrent relayed G.711 calls: both SIPp sides play RTP; the server's CPU per relayed call and the
relay's packet loss over a steady window. Anchor: rtpengine (userspace, --table=-1) driven by Kamailio."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench.calls import Callee, register_callees, start_callees
from bench.common import (
    SCENARIOS,
    SERVER_CPU,
    Sipp,
    children,
    cpu_seconds,
    emit,
    free_port,
    log,
    password_for,
    render,
    run_delay,
    sip_target,
    socket_drops,
    start_cordboard,
)
from bench.pcap import write_pcap

LEVELS: Final = (50, 100, 200)
RAMP: Final = 20
"""Calls/s while the calls are set up (one caller and one callee address, within the per-address limit)."""
SETTLE: Final = 3.0
CORDBOARD_RTP: Final = (12000, 13999)
RTPENGINE_RTP: Final = (14000, 15999)
"""Relay port ranges outside the ephemeral range, so the packet counters count only relayed RTP."""
PLAY: Final = '  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>'
PCMU_ONLY: Final = {"RTP/AVP 0 8": "RTP/AVP 0", "\n      a=rtpmap:8 PCMA/8000": ""}
"""Replacements that make uac_auth.xml offer PCMU alone, the codec its pcap sends: a caller the
appliance answers itself must offer it alone, since the appliance prefers PCMA to PCMU and would
drop PCMU packets on a call it agreed PCMA for (relayed calls pass whatever is sent)."""


class RelayCounters:
    """nftables counters of UDP packets into and out of the relay's port range (exact, in the kernel)."""

    def __init__(self, low: int, high: int) -> None:
        self.table = f"cbbench{os.getpid()}"
        self.low, self.high = low, high

    def __enter__(self) -> RelayCounters:
        ports = f"{self.low}-{self.high}"
        rules = f"""table inet {self.table} {{
  chain input {{
    type filter hook input priority 0; policy accept;
    udp dport {ports} counter
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    udp sport {ports} counter
  }}
}}
"""
        subprocess.run(["nft", "-f", "-"], input=rules, text=True, check=True)
        return self

    def __exit__(self, *exc: object) -> None:
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False)

    def read(self) -> tuple[int, int]:
        """(packets into the relay's ports, packets out of them) so far."""
        done = subprocess.run(
            ["nft", "-j", "list", "table", "inet", self.table], capture_output=True, text=True, check=True
        )
        counts: dict[str, int] = {}
        for item in json.loads(done.stdout)["nftables"]:
            rule = item.get("rule")
            if rule:
                for expr in rule["expr"]:
                    if "counter" in expr:
                        counts[rule["chain"]] = int(expr["counter"]["packets"])
        return counts.get("input", 0), counts.get("output", 0)


@dataclass(frozen=True, slots=True)
class Level:
    concurrent: int
    active: int
    """Calls up during the window (SIPp's current calls)."""
    window: float
    cpu: float
    """CPU seconds the server (Cordboard, or rtpengine) used in the window."""
    sip_cpu: float
    """CPU seconds a separate SIP server (Kamailio for rtpengine) used in the window."""
    packets_in: int
    """Packets that reached the relay's ports in the window."""
    packets_out: int
    """Packets the relay sent in the window (more than in when it worked off a backlog)."""
    dropped: int
    """Packets the kernel dropped on the relay's sockets in the window (receive buffers full)."""
    failed: int
    wait: float = 0.0
    """Seconds the server's threads waited for a CPU in the window (noise from other programs)."""

    @property
    def cpu_per_call(self) -> float:
        """Share of one core per relayed call."""
        return self.cpu / self.window / self.active if self.active else 0.0

    @property
    def total_cpu_per_call(self) -> float:
        return (self.cpu + self.sip_cpu) / self.window / self.active if self.active else 0.0

    @property
    def loss(self) -> float:
        """Packets not relayed within the window: dropped by the kernel, or still queued behind a relay
        that does not keep up (packets in - out, less one packet per stream that may be on its way at
        the window's end), whichever is more."""
        behind = self.packets_in - self.packets_out - 2 * self.active
        lost = max(self.dropped, behind, 0)
        return lost / self.packets_in if self.packets_in else 1.0


def current_calls(run: Sipp) -> int:
    text = run.stat_file.read_text().splitlines() if run.stat_file.exists() else []
    if len(text) < 2:
        return 0
    header, last = text[0].split(";"), text[-1].split(";")
    return int(last[header.index("CurrentCall")])


def run_level(
    concurrent: int,
    *,
    target: str,
    workdir: Path,
    pcap: Path,
    dialled: str,
    users: list[tuple[str, str, str]],
    server: list[int],
    counters: RelayCounters,
    auth: bool,
    steady: float,
    signalling: tuple[int, ...] = (),
    hold: float | None = None,
    sdp: Mapping[str, str] | None = None,
    name: str = "media",
    probe: Callable[[], object] | None = None,
) -> Level:
    """Set up ``concurrent`` calls at RAMP calls/s, hold them all through a ``steady`` s window.

    Each caller hangs up ``hold`` s after its call is answered (by default just after the window);
    ``sdp`` replaces text in the callers' scenario (another offer); ``name`` names SIPp's files;
    ``probe`` is called once every call is up, just before the window."""
    ramp = concurrent / RAMP
    if hold is None:
        hold = ramp + SETTLE + steady + 2
    template = SCENARIOS / ("uac_auth.xml" if auth else "uac_noauth.xml")
    scenario = render(
        template,
        workdir / f"{name}-{template.name}",
        HOLD_MS=str(int(hold * 1000)),
        MEDIA=PLAY.format(pcap=pcap),
        **(sdp or {}),
    )
    path = workdir / f"{name}-callers.csv"
    lines = ["SEQUENTIAL"]
    lines += [f"{u};[authentication username={u} password={p}];{dialled}" for u, _e, p in users]
    path.write_text("\n".join(lines) + "\n")
    args = [
        "-sf", str(scenario), "-inf", str(path), target, "-i", "127.0.0.1", "-p", "0",
        "-mi", "127.0.0.1", "-mp", str(free_port()),
        "-r", str(RAMP), "-rp", "1000", "-m", str(concurrent), "-l", str(concurrent),
        "-timeout", f"{int(hold + ramp) + 30}s", "-recv_timeout", "10000",
    ]  # fmt: skip
    if os.environ.get("BENCH_TRACE"):
        args += ["-trace_msg"]
    uac = Sipp(f"{name}-uac-{concurrent}", args, workdir).start()
    time.sleep(ramp + SETTLE)
    if probe is not None:
        probe()
    sip = [p for pid in signalling for p in children(pid)]
    drops0, sip0 = socket_drops(counters.low, counters.high), cpu_seconds(sip)
    cpu0, (in0, out0), t0 = cpu_seconds(server), counters.read(), time.monotonic()
    wait0 = run_delay(server)
    time.sleep(steady)
    cpu1, (in1, out1), t1 = cpu_seconds(server), counters.read(), time.monotonic()
    wait1 = run_delay(server)
    drops1, sip1 = socket_drops(counters.low, counters.high), cpu_seconds(sip)
    active = current_calls(uac)
    uac.wait(hold + ramp + 40)
    stats = uac.stats()
    failed = concurrent - stats.successful
    return Level(
        concurrent, active, t1 - t0, cpu1 - cpu0, sip1 - sip0,
        in1 - in0, out1 - out0, drops1 - drops0, failed, wait1 - wait0,
    )  # fmt: skip


def emit_level(system: str, run: int, level: Level) -> None:
    emit(
        {
            "bench": "media",
            "system": system,
            "run": run,
            "concurrent": level.concurrent,
            "active": level.active,
            "window_s": round(level.window, 2),
            "cpu_s": round(level.cpu, 3),
            "cpu_per_call_pct": round(100 * level.cpu_per_call, 4),
            "sip_cpu_s": round(level.sip_cpu, 3),
            "packets_in": level.packets_in,
            "packets_out": level.packets_out,
            "dropped": level.dropped,
            "loss": round(level.loss, 6),
            "failed_calls": level.failed,
            "server_wait": round(level.wait / level.window, 3),
        }
    )


def bench_cordboard(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[Level]:
    results: list[Level] = []
    pcap = write_pcap(workdir / "g711-pcmu.pcap", max(levels) / RAMP + SETTLE + steady + 10)
    users = [(f"media{i:04d}", str(50000 + i), password_for(f"media{i:04d}")) for i in range(max(levels))]
    for run in range(1, runs + 1):
        callee = Callee("mediauas", "3999", "127.0.0.1", free_port())
        accounts = [*users, (callee.username, callee.extension, password_for(callee.username))]
        pbx, pid = start_cordboard("media", run, workdir, accounts, CORDBOARD_RTP)
        data, target = pbx.data, sip_target(pbx)
        uas: list[Sipp] = []
        log(f"media run {run}: cordboard")
        try:
            register_callees(target, [callee], data.parent)
            uas = start_callees([callee], data.parent, PLAY.format(pcap=pcap))
            with RelayCounters(*CORDBOARD_RTP) as counters:
                for concurrent in levels:
                    level = run_level(
                        concurrent, target=target, workdir=data.parent, pcap=pcap, dialled=callee.extension,
                        users=users, server=[pid], counters=counters, auth=True, steady=steady,
                    )  # fmt: skip
                    emit_level("cordboard", run, level)
                    results.append(level)
                    time.sleep(2)
        finally:
            for sipp in uas:
                sipp.stop()
            pbx.stop()
    return results


def anchor_missing() -> str | None:
    for tool in ("kamailio", "rtpengine", "nft"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (make bench installs it)"
    return None


def wait_for_ng(port: int, proc: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Until rtpengine answers an ng-protocol ping (Kamailio disables an engine that does not)."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.3)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"rtpengine exited {proc.returncode}")
            sock.sendto(b"bench d7:command4:pinge", ("127.0.0.1", port))
            try:
                if b"pong" in sock.recv(1000):
                    return
            except TimeoutError:
                continue
    raise RuntimeError("rtpengine does not answer on its ng port")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def bench_rtpengine(workdir: Path, runs: int, steady: float, levels: tuple[int, ...] = LEVELS) -> list[Level]:
    """The same calls through Kamailio + rtpengine; the CPU counted is rtpengine's (and Kamailio's apart)."""
    missing = anchor_missing()
    if missing:
        log(f"rtpengine anchor skipped: {missing}")
        return []
    results: list[Level] = []
    pcap = write_pcap(workdir / "g711-pcmu.pcap", max(levels) / RAMP + SETTLE + steady + 10)
    users = [(f"media{i:04d}", "", "") for i in range(max(levels))]
    for run in range(1, runs + 1):
        here = workdir / f"media-rtpengine-run{run}"
        here.mkdir(parents=True, exist_ok=True)
        callee = Callee("uas", "3000", "127.0.0.1", free_port())
        sip_port, ng_port = free_port(), free_port()
        config = render(
            SCENARIOS / "kamailio.cfg", here / "kamailio.cfg",
            SIP_PORT=str(sip_port), NG_PORT=str(ng_port), CALLEE=f"{callee.ip}:{callee.port}",
        )  # fmt: skip
        log(f"media run {run}: kamailio + rtpengine")
        with (here / "rtpengine.log").open("wb") as out:
            rtpengine = subprocess.Popen(
                ["taskset", "-c", SERVER_CPU, "rtpengine", "--foreground", "--log-stderr", "--log-level=4",
                 "--table=-1", "--interface=127.0.0.1", f"--listen-ng=127.0.0.1:{ng_port}",
                 f"--port-min={RTPENGINE_RTP[0]}", f"--port-max={RTPENGINE_RTP[1]}", "--num-threads=2",
                 "--pidfile", str(here / "rtpengine.pid")],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        wait_for_ng(ng_port, rtpengine)
        with (here / "kamailio.log").open("wb") as out:
            kamailio = subprocess.Popen(
                ["taskset", "-c", SERVER_CPU, "kamailio", "-DD", "-E", "-f", str(config),
                 "-P", str(here / "kamailio.pid"), "-Y", str(here), "-m", "256"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        uas: list[Sipp] = []
        try:
            time.sleep(2)
            for name, proc in (("rtpengine", rtpengine), ("kamailio", kamailio)):
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited {proc.returncode}: see {here}/{name}.log")
            uas = start_callees([callee], here, PLAY.format(pcap=pcap))
            with RelayCounters(*RTPENGINE_RTP) as counters:
                for concurrent in levels:
                    level = run_level(
                        concurrent, target=f"127.0.0.1:{sip_port}", workdir=here, pcap=pcap, dialled="3000",
                        users=users, server=[rtpengine.pid], signalling=(kamailio.pid,), counters=counters,
                        auth=False, steady=steady,
                    )  # fmt: skip
                    emit_level("rtpengine", run, level)
                    results.append(level)
                    time.sleep(2)
        finally:
            for sipp in uas:
                sipp.stop()
            _stop(kamailio)
            _stop(rtpengine)
    return results


def summary(levels: list[Level]) -> dict[int, dict[str, Any]]:
    """Per concurrency level: median CPU per call (% of a core) and the worst loss over the runs."""
    from bench.common import median

    out: dict[int, dict[str, Any]] = {}
    for concurrent in sorted({lv.concurrent for lv in levels}):
        mine = [lv for lv in levels if lv.concurrent == concurrent]
        out[concurrent] = {
            "cpu_per_call_pct": median([100 * lv.cpu_per_call for lv in mine]),
            "loss_max": max(lv.loss for lv in mine),
            "failed_calls": sum(lv.failed for lv in mine),
            "runs": len(mine),
        }
    return out
