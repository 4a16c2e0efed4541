"""Running SIPp (Debian package sip-tester) against a Cordboard subprocess: the command line, registration."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from cordboard_process import CordboardProcess, require_tool

SCENARIOS = Path(__file__).parent / "scenarios"


def sipp_command(*args: str, timeout: int) -> list[str]:
    """SIPp with ``args``, running its scenario once from 127.0.0.1 without a keyboard; after ``timeout``
    seconds it gives up and exits with an error.
    """
    return [
        require_tool("sipp"),
        *args,
        "-i",
        "127.0.0.1",
        "-m",
        "1",
        "-timeout",
        str(timeout),
        "-timeout_error",
        "-nostdin",
    ]


def sipp_register(
    pbx: CordboardProcess, work: Path, username: str, *, port: int = 0, timeout: int = 20
) -> None:
    """Register ``username`` of ``pbx`` with digest auth (scenarios/register.xml) from a SIPp on ``port``
    (0: any free one), which becomes the Contact; the test fails unless SIPp succeeds in ``timeout`` s.
    """
    user = pbx.users[username]
    users = work / f"register-{username}-{port}.csv"
    users.write_text(
        f"SEQUENTIAL\n{user.username};"
        f"[authentication username={user.username} password={user.sip_password}]\n"
    )
    command = sipp_command(
        "-sf",
        str(SCENARIOS / "register.xml"),
        "-inf",
        str(users),
        f"127.0.0.1:{pbx.sip_port}",
        "-p",
        str(port),
        timeout=timeout,
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout * 3, cwd=work)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr + pbx.log_tail()


async def sipp_dials(
    sip_port: int,
    work: Path,
    username: str,
    password: str,
    number: str,
    *,
    audio_port: int,
    scenario: str = "uac_code.xml",
    pause_ms: int = 0,
    give_up_s: int = 40,
) -> None:
    """A SIPp phone of ``username`` dials ``number`` (``#`` sent as ``%23``, as phones do) through
    ``scenario``: uac_code.xml stays until the appliance hangs up, uac_call.xml hangs up itself after
    ``pause_ms``. Its audio goes to 127.0.0.1:``audio_port``. Fails the test unless SIPp succeeds."""
    command = sipp_command(
        "-sf",
        str(SCENARIOS / scenario),
        f"127.0.0.1:{sip_port}",
        "-s",
        number.replace("#", "%23"),
        "-au",
        username,
        "-ap",
        password,
        "-key",
        "username",
        username,
        "-key",
        "audio_ip",
        "127.0.0.1",
        "-key",
        "audio_port",
        str(audio_port),
        "-key",
        "relay_file",
        str(work / "relay-port"),
        "-d",
        str(pause_ms),
        "-p",
        "0",
        timeout=give_up_s,
    )
    process = await asyncio.create_subprocess_exec(
        *command, cwd=work, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), give_up_s + 20)
    assert process.returncode == 0, (
        f"SIPp ({username}) dialling {number} failed:\n{output.decode(errors='replace')[-3000:]}"
    )
