"""`python -m bench.call_cost RATE [RATE ...] [--steps N] [--seconds S]`: CPU per call at fixed rates.

A fresh Cordboard, the `calls` benchmark's callers and callees, a short warm-up at 50 calls/s,
then ``--steps`` rounds of one step at each RATE. Each step prints a JSON line with the server's
CPU (share of one core) and its CPU per call in milliseconds: the figure to compare before and
after a change to the call path, in a minute or two and without the anchors.

The server runs the SIP engine as ``python -m bench`` does (compiled when ``make native`` has
built the current sources; ``CORDBOARD_NATIVE=0`` for Python), and each line says which.

Use rates just below the server's maximum (e.g. ``507 560 --steps 2``, back to back with the code
before the change): below saturation the server sleeps and wakes for each message, and the
wake-ups cost about as much as the Python work a change saves, so a lower rate hides it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.calls import cordboard_target
from bench.common import emit
from cordboard.core import SIP_ENGINE

WARM_UP_RATE = 50
WARM_UP_SECONDS = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.call_cost", description=__doc__)
    parser.add_argument("rates", type=int, nargs="+", metavar="RATE", help="calls per second")
    parser.add_argument("--steps", type=int, default=3, help="rounds through the rates")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of new calls per step")
    args = parser.parse_args(argv)
    if shutil.which("sipp") is None:
        print("sipp is not installed: run `make bench` once", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="cordboard-call-cost-"))
    try:
        with cordboard_target(workdir / "data") as target:
            target.step(WARM_UP_RATE, WARM_UP_SECONDS)
            for number, rate in enumerate((rate for _ in range(args.steps) for rate in args.rates), start=1):
                step = target.step(rate, args.seconds)
                emit(
                    {
                        "bench": "call_cost",
                        "step": number,
                        "target_rate": step.target,
                        "achieved_rate": round(step.achieved, 1),
                        "failed": step.attempted - step.successful,
                        "server_cpu": round(step.server_cpu, 3),
                        "cpu_ms_per_call": round(1000 * step.server_cpu / max(step.achieved, 1.0), 3),
                        "server_cpu_loaded": round(step.server_cpu_loaded, 3),
                        "server_wait": round(step.server_wait, 3),
                        "udp_drops": step.udp_drops,
                        "load_cpu": round(step.load_cpu, 3),
                        "load_ms_per_call": round(1000 * step.load_cpu / max(step.achieved, 1.0), 3),
                        "sip_engine": SIP_ENGINE.description,
                    }
                )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
