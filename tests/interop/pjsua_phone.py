"""The test side of a PJSIP softphone: starts tests/interop/pjsua_agent.py in its own process (one
pjsua2 endpoint per phone, as on three desks) and talks to it one JSON line at a time.

pjsua2 comes from PyPI (`pjsua2-python`, in the test extras); it does what the Debian baresip 1.0
cannot: attended transfer (REFER with Replaces, RFC 3891).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

AGENT = Path(__file__).with_name("pjsua_agent.py")
Event = dict[str, Any]


class PjsuaPhone:
    def __init__(self, name: str, password: str, tone_hz: int, folder: Path) -> None:
        self.name = name
        self.password = password
        self.tone_hz = tone_hz
        self.log = folder / f"pjsua-{name}.log"
        self.events: list[Event] = []
        self._replies: asyncio.Queue[Event] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self, registrar: str, sip_port: int, rtp_port: int) -> None:
        if importlib.util.find_spec("pjsua2") is None:
            pytest.fail("pjsua2 is not installed: run `make test` (test extras: pjsua2-python)")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(AGENT),
            f"--user={self.name}",
            f"--password={self.password}",
            f"--registrar={registrar}",
            f"--sip-port={sip_port}",
            f"--rtp-port={rtp_port}",
            f"--tone={self.tone_hz}",
            f"--log={self.log}",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while line := await self._process.stdout.readline():
            message = json.loads(line)
            if "reply" in message:
                self._replies.put_nowait(message)
            else:
                self.events.append(message)
                self._changed.set()
        self._changed.set()

    def log_tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    async def command(self, cmd: str, **arguments: Any) -> Event:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write((json.dumps({"cmd": cmd, **arguments}) + "\n").encode())
        await self._process.stdin.drain()
        reply = await asyncio.wait_for(self._replies.get(), 10)
        assert reply.get("ok"), f"{self.name} {cmd}: {reply}\n{self.log_tail()}"
        return reply

    async def wait_event(self, matches: Callable[[Event], bool], within_s: float = 10.0) -> Event:
        """The first event so far that ``matches``, waiting up to ``within_s`` seconds for it."""
        async with asyncio.timeout(within_s):
            while True:
                for event in self.events:
                    if matches(event):
                        return event
                if self._reader is not None and self._reader.done():
                    raise AssertionError(f"{self.name} exited\n{self.log_tail()}")
                self._changed.clear()
                await self._changed.wait()

    async def wait_state(self, call: int, state: str, within_s: float = 10.0) -> Event:
        try:
            return await self.wait_event(
                lambda e: e.get("event") == "state" and e["call"] == call and e["state"] == state,
                within_s,
            )
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: call {call} never {state}; events {self.events}\n{self.log_tail()}"
            ) from None

    async def heard(self, call: int, seconds: float = 1.0) -> float:
        """The dominant frequency of the last ``seconds`` this phone heard on ``call``."""
        reply = await self.command("heard", call=call, seconds=seconds)
        return float(reply["frequency"])

    async def stop(self) -> None:
        if self._process is None:
            return
        if self._process.returncode is None and self._process.stdin is not None:
            try:
                self._process.stdin.write(b'{"cmd": "quit"}\n')
                await self._process.stdin.drain()
                await asyncio.wait_for(self._process.wait(), 10)
            except (TimeoutError, ConnectionError):
                self._process.kill()
                await self._process.wait()
        if self._reader is not None:
            await self._reader
