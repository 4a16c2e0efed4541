"""Smoke check of the interop fixture: SIPp registers ann with digest auth (TERM-01)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cordboard_process import CordboardProcess, require_tool

SCENARIOS = Path(__file__).parent / "scenarios"


def test_sipp_registers_with_digest(pbx: CordboardProcess, tmp_path: Path) -> None:
    sipp = require_tool("sipp")
    ann = pbx.users["ann"]
    users = tmp_path / "users.csv"
    users.write_text(
        f"SEQUENTIAL\n{ann.username};[authentication username={ann.username} password={ann.sip_password}]\n"
    )
    done = subprocess.run(
        [
            sipp,
            "-sf",
            str(SCENARIOS / "register.xml"),
            "-inf",
            str(users),
            f"127.0.0.1:{pbx.sip_port}",
            "-i",
            "127.0.0.1",
            "-p",
            "0",
            "-m",
            "1",
            "-timeout",
            "10",
            "-timeout_error",
            "-nostdin",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr + pbx.log_tail()
