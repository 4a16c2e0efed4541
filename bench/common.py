"""What every benchmark shares: the Cordboard process, CPU pinning and accounting, SIPp runs and stats."""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
BENCH: Final = Path(__file__).resolve().parent
SCENARIOS: Final = BENCH / "scenarios"
sys.path.insert(0, str(ROOT / "tests"))

from cordboard_process import CordboardProcess, free_port  # noqa: E402

__all__ = ["CordboardProcess", "free_port"]

SERVER_CPU: Final = "0"
"""The core the server under test (Cordboard or an anchor) is pinned to."""
LOAD_CPU: Final = "1"
"""The core SIPp and the other load generators are pinned to."""
TOOLS: Final = BENCH / ".venv-tools" / "bin"
"""The venv `make bench` makes for the tools that are no project dependency: sippy, py-spy."""
PY_SPY: Final = TOOLS / "py-spy"
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


@dataclass
class Options:
    """Run-wide options set by ``python -m bench``."""

    results: Path | None = None
    """A JSON-lines file every emitted record is appended to."""
    profile_dir: Path | None = None
    """When set, the first run of each Cordboard benchmark is profiled with py-spy into this folder."""


OPTIONS: Final = Options()


def profile_path(name: str, run: int) -> Path | None:
    if OPTIONS.profile_dir is None or run != 1:
        return None
    OPTIONS.profile_dir.mkdir(parents=True, exist_ok=True)
    return OPTIONS.profile_dir / f"{name}.txt"


def emit(record: dict[str, Any]) -> None:
    """One JSON line on stdout: every measurement is printed as soon as it is made."""
    line = json.dumps(record, sort_keys=False)
    print(line, flush=True)
    if OPTIONS.results is not None:
        with OPTIONS.results.open("a") as out:
            out.write(line + "\n")


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def pin(pid: int, cpus: str) -> None:
    """Pin every thread of ``pid`` (and so the threads it starts later) to ``cpus``."""
    subprocess.run(["taskset", "-a", "-cp", cpus, str(pid)], check=True, capture_output=True)


def cpu_seconds(pids: Iterable[int]) -> float:
    """utime + stime of the given processes (all their threads) from /proc/<pid>/stat."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total / CLOCK_TICKS


def run_delay(pids: Iterable[int]) -> float:
    """Seconds the threads of ``pids`` were runnable but waiting for a CPU (/proc/<pid>/task/*/schedstat):
    how much others on the server's core (other programs on a shared machine) held it back."""
    total = 0
    for pid in pids:
        for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
            try:
                total += int(stat.read_text().split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total / 1e9


def core_busy_seconds(cpu: str) -> float:
    """Seconds core ``cpu`` spent busy (anything but idle and I/O wait) since boot, from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{cpu} "):
            ticks = [int(field) for field in line.split()[1:]]
            return (sum(ticks) - ticks[3] - ticks[4]) / CLOCK_TICKS
    return 0.0


def cpu_share_while_loaded(pids: Sequence[int], start: float, duration: float, settle: float) -> float:
    """Share of one core ``pids`` used from ``settle`` s after ``start`` (time.monotonic) to
    ``start + duration``: while a step's calls both start and end at its rate, without the tail in
    which SIPp waits out calls that failed (which dilutes a whole step's average). Sleeps through
    the window; 0.0 if the window is already over."""
    begin, end = start + min(settle, duration / 2), start + duration
    wait = begin - time.monotonic()
    if wait < 0:
        return 0.0
    time.sleep(wait)
    cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
    time.sleep(max(0.0, end - wall_before))
    return (cpu_seconds(pids) - cpu_before) / (time.monotonic() - wall_before)


def socket_drops(low: int, high: int) -> int:
    """Datagrams the kernel dropped (receive buffer full) on open UDP sockets bound to ``low..high``."""
    total = 0
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        port = int(fields[1].rsplit(":", 1)[1], 16)
        if low <= port <= high:
            total += int(fields[-1])
    return total


def children(pid: int) -> list[int]:
    """``pid`` and all its descendants (Kamailio forks workers)."""
    found = [pid]
    index = 0
    while index < len(found):
        try:
            kids = Path(f"/proc/{found[index]}/task/{found[index]}/children").read_text().split()
        except OSError:
            kids = []
        found.extend(int(k) for k in kids)
        index += 1
    return found


@dataclass
class BenchCordboard(CordboardProcess):
    """The interop tests' Cordboard process, logging at ``log_level`` (debug logs would be measured too)."""

    log_level: str = "warning"
    profile: Path | None = None
    """Where py-spy writes a profile of the run (collapsed stacks), if anywhere."""
    _profiler: subprocess.Popen[bytes] | None = None

    def write_config(self) -> None:
        super().write_config()
        path = self.data / "cordboard.toml"
        path.write_text(path.read_text().replace('level = "debug"', f'level = "{self.log_level}"'))

    def import_users(self, users: Sequence[tuple[str, str, str]]) -> None:
        """Create (username, extension, sip_password) users in one `cordboard user import`."""
        self.data.mkdir(parents=True, exist_ok=True)
        # Every user's number must lie in a number range (NUM-01): add one per length for the
        # bench's extensions (20000..., 3000...) outside the default range 1000-1999.
        by_length: dict[int, list[str]] = {}
        for _username, extension, _password in users:
            by_length.setdefault(len(extension), []).append(extension)
        for extensions in by_length.values():
            first, last = min(extensions), max(extensions)
            if not (len(first) == 4 and first >= "1000" and last <= "1999"):
                self.cli("numbers", "add-range", first, last, "--purpose", "users", "--label", "bench")
        path = self.data / "bench-users.csv"
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["username", "extension", "first_name", "last_name", "email", "sip_password"])
            for username, extension, password in users:
                writer.writerow(
                    [username, extension, "Bench", username.capitalize(), f"{username}@example.com", password]
                )
        self.cli("user", "import", str(path))
        path.unlink()

    def start_pinned(self) -> int:
        self.start(timeout=60)
        assert self.proc is not None
        pin(self.proc.pid, SERVER_CPU)
        if self.profile is not None:
            self._profiler = subprocess.Popen(
                ["taskset", "-c", LOAD_CPU, str(PY_SPY), "record", "--pid", str(self.proc.pid),
                 "--rate", "200", "--format", "raw", "--output", str(self.profile), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        return self.proc.pid

    def stop(self) -> int | None:
        code = super().stop()
        if self._profiler is not None:
            try:
                self._profiler.wait(timeout=30)  # py-spy writes its file once the process is gone
            except subprocess.TimeoutExpired:
                self._profiler.kill()
            self._profiler = None
            log(f"profile written to {self.profile}")
        return code


def password_for(username: str) -> str:
    return f"bench-{username}-secret"


def start_cordboard(
    name: str,
    run: int,
    workdir: Path,
    users: Sequence[tuple[str, str, str]],
    rtp: tuple[int, int],
    *,
    prompts: bool = False,
) -> tuple[BenchCordboard, int]:
    """The set-up of one run of a Cordboard media benchmark: a fresh data folder
    (``workdir/<name>-run<run>/data``), RTP ports ``rtp``, the (username, extension, password) users
    imported, the server started and pinned to its core (py-spy on the first run with --profile);
    with ``prompts`` the prompts are spoken ahead, so the first callers do not wait for espeak.
    Returns the process and its pid; the caller stops it."""
    data = workdir / f"{name}-run{run}" / "data"
    pbx = BenchCordboard(data, rtp_port_min=rtp[0], rtp_port_max=rtp[1], profile=profile_path(name, run))
    pbx.write_config()
    pbx.import_users(users)
    pid = pbx.start_pinned()
    if prompts:
        pbx.cli("prompts", "generate")
    return pbx, pid


def sip_target(pbx: CordboardProcess) -> str:
    return f"127.0.0.1:{pbx.sip_port}"


def media_stats(pbx: CordboardProcess) -> dict[str, Any]:
    """The appliance's own media counters (GET /api/diagnostics/media): open, frames_sent,
    late_frames (sent more than 5 ms after their due time), max_late_ms."""
    status, body = pbx.http("GET", "/api/diagnostics/media")
    if status != 200:
        raise RuntimeError(f"GET /api/diagnostics/media: {status} {body}")
    return dict(body)


@dataclass(frozen=True, slots=True)
class SippStats:
    """The last row of one SIPp -trace_stat file."""

    successful: int
    failed: int
    created: int
    start: float
    end: float
    retransmissions: int
    call_length: float
    """Mean seconds from a call's start to its end."""
    all_created: float
    """When the last call was created (interpolated between the once-a-second statistics rows)."""

    @property
    def elapsed(self) -> float:
        return self.end - self.start

    @classmethod
    def read(cls, path: Path) -> SippStats:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        if not rows:
            return cls(0, 0, 0, 0.0, 0.0, 0, 0.0, 0.0)
        last = rows[-1]
        created = int(last["TotalCallCreated"])
        return cls(
            successful=int(last["SuccessfulCall(C)"]),
            failed=int(last["FailedCall(C)"]),
            created=created,
            start=_epoch(last["StartTime"]),
            end=_epoch(last["CurrentTime"]),
            retransmissions=int(last.get("Retransmissions(C)") or 0),
            call_length=_duration(last.get("CallLength(C)") or "0:0:0:0"),
            all_created=_time_reaching(rows, created),
        )


def _epoch(stamp: str) -> float:
    """SIPp writes times as 'date<TAB>time<TAB>epoch'."""
    return float(stamp.rsplit(maxsplit=1)[-1])


def _time_reaching(rows: list[dict[str, str]], created: int) -> float:
    """The time TotalCallCreated reached ``created``, interpolated between two statistics rows."""
    before_time, before_count = _epoch(rows[0]["StartTime"]), 0
    for row in rows:
        now, count = _epoch(row["CurrentTime"]), int(row["TotalCallCreated"])
        if count >= created:
            if count == before_count:
                return now
            return before_time + (now - before_time) * (created - before_count) / (count - before_count)
        before_time, before_count = now, count
    return _epoch(rows[-1]["CurrentTime"])


def _duration(text: str) -> float:
    """SIPp's 'HH:MM:SS:micro' as seconds."""
    hours, minutes, seconds, micros = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds + micros / 1e6


def achieved_rate(stats: Sequence[SippStats], nominal: float) -> float:
    """Successful calls per second over the window in which SIPp created them (from the first SIPp
    start to the last call created); never shorter than ``nominal`` (calls / rate asked for), so the
    rate found is never above the rate asked for. A call that is slow to finish does not count
    against the rate, only a call that fails."""
    started = [s.start for s in stats if s.start]
    if not started:
        return 0.0
    window = max(s.all_created for s in stats) - min(started)
    return sum(s.successful for s in stats) / max(window, nominal)


@dataclass
class Sipp:
    """One SIPp process pinned to the load core, with its statistics in ``workdir``."""

    name: str
    args: list[str]
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    stat_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.stat_file = self.workdir / f"{self.name}.stat.csv"

    def start(self) -> Sipp:
        sipp = shutil.which("sipp") or "/usr/bin/sipp"
        if self.stat_file.exists():
            self.stat_file.unlink()
        command = [
            "taskset", "-c", LOAD_CPU, sipp, *self.args,
            "-nostdin", "-trace_stat", "-stf", str(self.stat_file), "-fd", "1",
        ]  # fmt: skip
        if os.environ.get("BENCH_TRACE"):  # SIPp's own logs of unexpected messages and aborted calls
            command += ["-trace_err"]
        with (self.workdir / f"{self.name}.out").open("wb") as out:
            self.proc = subprocess.Popen(command, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT)
        return self

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            return -1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stats(self) -> SippStats:
        return (
            SippStats.read(self.stat_file)
            if self.stat_file.exists()
            else SippStats(0, 0, 0, 0.0, 0.0, 0, 0.0, 0.0)
        )

    def output_tail(self, chars: int = 1500) -> str:
        try:
            return (self.workdir / f"{self.name}.out").read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def lane_ip(group: int, lane: int) -> str:
    """A loopback source address per SIPp lane: Cordboard rate-limits each source address
    (core/sip/flood.py, 300 messages/s), so high rates come from many addresses, like real phones."""
    return f"127.0.{group}.{lane + 10}"


MAX_FAILURES: Final = 0.01


@dataclass(frozen=True, slots=True)
class Step:
    """One rate step of a ladder: what was asked, what came back."""

    target: float
    attempted: int
    successful: int
    achieved: float
    lanes: int
    server_cpu: float
    """Share of one core the server used during the step."""
    server_wait: float = 0.0
    """Share of the step the server's threads waited for a CPU (noise from other programs)."""
    udp_drops: int = 0
    """Datagrams the kernel dropped on the server's SIP socket in the step (its receive buffer full)."""
    load_cpu: float = 0.0
    """Share of the load core busy in the step (SIPp, and the kernel's work for it), over the same
    time as ``server_cpu``: when it nears the server's, the load generator may be what limits."""
    server_cpu_loaded: float = 0.0
    """Share of one core the server used while the step's calls both started and ended at its rate
    (``cpu_share_while_loaded``): near 1.0 the server's core is what limits."""

    @property
    def failure_ratio(self) -> float:
        return 1 - self.successful / self.attempted if self.attempted else 1.0

    @property
    def passed(self) -> bool:
        return self.failure_ratio < MAX_FAILURES and self.achieved >= 0.9 * self.target


def climb(
    bench: str, system: str, run: int, ladder: Sequence[int], step: Callable[[int], Step]
) -> Step | None:
    """Run the ladder's rates in order until one fails (1% failures or 10% short of the rate);
    the last passing step is the result."""
    best: Step | None = None
    for rate in ladder:
        result = step(rate)
        emit(
            {
                "bench": bench,
                "system": system,
                "run": run,
                "target_rate": result.target,
                "lanes": result.lanes,
                "attempted": result.attempted,
                "successful": result.successful,
                "failure_ratio": round(result.failure_ratio, 4),
                "achieved_rate": round(result.achieved, 1),
                "server_cpu": round(result.server_cpu, 3),
                "server_wait": round(result.server_wait, 3),
                "udp_drops": result.udp_drops,
                "load_cpu": round(result.load_cpu, 3),
                "server_cpu_loaded": round(result.server_cpu_loaded, 3),
                "passed": result.passed,
            }
        )
        if not result.passed:
            break
        best = result
        time.sleep(2)
    return best


def next_start(ladder: Sequence[int], found: float) -> int:
    """Where the next run's ladder starts: two steps below the highest rate at most ``found``."""
    below = [i for i, rate in enumerate(ladder) if rate <= found]
    return max(0, below[-1] - 2) if below else 0


def render(template: Path, out: Path, **values: str) -> Path:
    """A scenario with its placeholders (HOLD_MS, MEDIA, ...) filled in."""
    text = template.read_text()
    for key, value in values.items():
        text = text.replace(key, value)
    out.write_text(text)
    return out


def wait_all(runs: Sequence[Sipp], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for run in runs:
        run.wait(max(0.1, deadline - time.monotonic()))
