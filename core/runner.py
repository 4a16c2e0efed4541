"""Run Cordboard: logging, the Core, signal handling, the setup link, exit codes."""

from __future__ import annotations

import asyncio
import gc
import logging
import resource
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cordboard.core import SIP_ENGINE
from cordboard.core.exceptions import CordboardError
from cordboard.core.logging_setup import setup_logging
from cordboard.core.network import reachable_address

if TYPE_CHECKING:  # imported in run(): the CLI checks the CPU before anything loads numpy
    from cordboard.core.config.bootstrap import BootstrapConfig
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

GC_THRESHOLDS = (50_000, 50, 100)
"""Young collections every 50,000 allocations instead of 700: under SIP load the default made
full collections stall the loop for 100-300 ms a second, long enough to overflow the SIP socket."""


def tune_garbage_collection() -> None:
    """Freeze what start-up made (modules, plugins, caches) so collections skip it, and collect
    young objects less often. Reference counting still frees almost everything at once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


THREAD_SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits (Python's default: 5 ms). The database
writer and executor threads run Python code; with the default the loop could wait 5-15 ms for
them, enough to send a tick of 200 channels' audio late."""


def tune_thread_switching() -> None:
    sys.setswitchinterval(THREAD_SWITCH_INTERVAL)


OPEN_FILES_WANTED = 65536
"""The open-file limit the server raises its own soft limit to (at most the hard limit). Each
relayed call holds four sockets (an RTP/RTCP pair per leg) and each TCP or TLS phone a
connection: systemd's default soft limit of 1024 would stop an appliance near 250 calls."""
OPEN_FILES_LOW = 4096
"""Below this many, start-up warns (about a thousand relayed calls)."""


def raise_open_file_limit() -> None:
    """Raise the soft RLIMIT_NOFILE to ``OPEN_FILES_WANTED`` or the hard limit, whichever is lower;
    never lower it; warn when what is left is low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    unlimited = resource.RLIM_INFINITY
    target = OPEN_FILES_WANTED if hard == unlimited else min(OPEN_FILES_WANTED, hard)
    if soft != unlimited and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as err:
            _LOGGER.warning("Cannot raise the open-file limit from %d to %d: %s", soft, target, err)
        else:
            soft = target
    if soft != unlimited and soft < OPEN_FILES_LOW:
        _LOGGER.warning(
            "Open-file limit %d (hard limit %d) allows about %d relayed calls: raise LimitNOFILE",
            soft, hard, soft // 4,
        )  # fmt: skip


def log_sip_engine() -> None:
    """Say whether the SIP engine runs compiled; a checkout's out-of-date build is worth a warning."""
    level = logging.WARNING if SIP_ENGINE.stale else logging.INFO
    _LOGGER.log(level, "SIP engine: %s", SIP_ENGINE.description)


def public_host(config: BootstrapConfig) -> str:
    return reachable_address(config.http_bind, config.public_host)


async def serve(core: Core) -> int:
    raise_open_file_limit()  # before any socket is opened
    loop = asyncio.get_running_loop()
    stop_requested = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_requested.set)
    try:
        await core.start()
    except (CordboardError, OSError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        print(f"cordboard: cannot start: {reason}", file=sys.stderr)
        await core.stop()
        return 1
    except BaseException:
        await core.stop()
        raise
    tune_garbage_collection()
    tune_thread_switching()
    log_sip_engine()
    host = public_host(core.config)
    base = f"http://{host}:{core.http.port if core.http else core.config.http_port}"
    print(f"Cordboard is running: {base}/", flush=True)
    token = core.identity.setup_token
    if token:
        print(f"Finish setup by opening {base}/setup?token={token}", flush=True)
    if core.http is not None and core.http.https_port:
        print(f"HTTPS (self-signed certificate): https://{host}:{core.http.https_port}/", flush=True)
    await stop_requested.wait()
    _LOGGER.info("Stopping")
    await core.stop()
    return 0


def run(
    data_dir: Path,
    *,
    http_port: int | None,
    sip_port: int | None,
    bind: str | None,
    https_port: int | None = None,
    no_https: bool = False,
) -> int:
    from cordboard.core.config.bootstrap import load_bootstrap
    from cordboard.core.core import Core

    try:
        config = load_bootstrap(data_dir)
    except CordboardError as err:
        print(f"cordboard: {err}", file=sys.stderr)
        return 2
    if http_port is not None:
        config = replace(config, http_port=http_port)
    if https_port is not None or no_https:
        config = replace(config, https_port=None if no_https else https_port)
    if sip_port is not None:
        config = replace(config, sip_port=sip_port)
    if bind is not None:
        config = replace(config, http_bind=bind, sip_bind=bind)
    setup_logging(config.log_level)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        return asyncio.run(serve(Core(data_dir, config)))
    return uvloop.run(serve(Core(data_dir, config)))


def main(argv: list[str] | None = None) -> int:
    from cordboard.core.cli import main as cli_main

    return cli_main(argv)
