"""Kamailio (Debian package ``kamailio``) as a SIP provider's registrar for the trunk tests:
digest (qop=auth) for one account, no database (trunk_provider/kamailio.cfg)."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cordboard_process import free_port, require_tool

CONFIG = Path(__file__).parent / "interop" / "trunk_provider" / "kamailio.cfg"
USER, PASSWORD = "acct1", "s3cret"


@contextmanager
def running_kamailio(work: Path) -> Iterator[tuple[int, Path]]:
    """Kamailio in the foreground on a free loopback port: the port and its log file."""
    port = free_port()
    config = work / "kamailio.cfg"
    config.write_text(
        CONFIG.read_text().replace("PORT", str(port)).replace("USER", USER).replace("PASSWORD", PASSWORD)
    )
    log = work / "kamailio.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [require_tool("kamailio"), "-f", str(config), "-DD", "-E", "-Y", str(work)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its children go with it
        )
    try:
        yield port, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # it sometimes lingers over its children's shutdown
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
