"""Cordboard as a real subprocess on loopback, with users made through its CLI, for interop tests."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
from number_blocks import block_for


def require_tool(name: str) -> str:
    """The path of a program the tests drive; `make test` installs them, so missing is a failure."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test`, which installs the Debian packages")
    return path


_HANDED_OUT: set[int] = set()
"""Ports this test process already gave out (a port is free again once its user closes it)."""
TEST_PORTS: Final = range(20000, 29990)
"""Below Linux's ephemeral range (32768-60999), so outgoing connections never take them, and
clear of the RTP ranges the tests give Cordboard (30000 and up)."""


def _bindable(port: int) -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port(kind: int = socket.SOCK_DGRAM, *, span: int = 1) -> int:
    """A port (and the ``span - 1`` after it) free for both UDP and TCP on 127.0.0.1.

    SIP listens on UDP and TCP, and TLS on the next port: Cordboard's SIP port takes ``span=2``.
    ``kind`` is kept for callers that name the protocol they need; both are checked.
    """
    del kind
    for _ in range(200):
        port = random.choice(TEST_PORTS)
        ports = range(port, port + span)
        if _HANDED_OUT.isdisjoint(ports) and all(_bindable(p) for p in ports):
            _HANDED_OUT.update(ports)
            return port
    raise RuntimeError("no free port")


def http_json(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    """One JSON request; returns the status and the decoded body (None when empty), errors included."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def run_cli(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`cordboard ARGS --data DATA` in a subprocess; the caller checks the return code."""
    return subprocess.run(
        [sys.executable, "-m", "cordboard.core", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        input=stdin,
    )


@dataclass(frozen=True, slots=True)
class SipUser:
    username: str
    extension: str
    sip_password: str
    first_name: str
    last_name: str


@dataclass
class CordboardProcess:
    """One `cordboard run` with its own data folder; `start()` waits until HTTP answers."""

    data: Path
    sip_port: int = field(default_factory=lambda: free_port(span=2))
    http_port: int = field(default_factory=lambda: free_port(socket.SOCK_STREAM))
    https_port: int = field(default_factory=lambda: free_port(socket.SOCK_STREAM))
    rtp_port_min: int = 30000
    rtp_port_max: int = 30999
    digest_algorithms: tuple[str, ...] | None = None
    """None keeps Cordboard's default (MD5 alone); SIPp reads only the first challenge."""
    sip_t1_ms: int | None = None
    """RFC 3261 T1 (None: Cordboard's 500 ms); a shorter one makes unanswered requests time out sooner."""
    admin_password: str = "interop-admin-password"
    extra_config: str = ""
    """More cordboard.toml sections (TOML text), e.g. ``[storage]`` settings."""
    proc: subprocess.Popen[str] | None = None
    users: dict[str, SipUser] = field(default_factory=dict)
    number_blocks: set[tuple[str, str]] = field(default_factory=set)
    """Ranges added for the users' numbers (number_blocks.block_for)."""
    _token: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def log_path(self) -> Path:
        return self.data / "cordboard-run.log"

    def write_config(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        sip_extra = ""
        if self.digest_algorithms is not None:
            chosen = ", ".join(json.dumps(a) for a in self.digest_algorithms)
            sip_extra = f"digest_algorithms = [{chosen}]\n"
        if self.sip_t1_ms is not None:
            sip_extra += f"t1_ms = {self.sip_t1_ms}\n"
        (self.data / "cordboard.toml").write_text(
            f"""[http]
bind = "127.0.0.1"
port = {self.http_port}
https_port = {self.https_port}

[sip]
bind = "127.0.0.1"
port = {self.sip_port}
advertise = "127.0.0.1"
{sip_extra}
[rtp]
port_min = {self.rtp_port_min}
port_max = {self.rtp_port_max}

[logging]
level = "debug"

{self.extra_config}"""
        )

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = run_cli(self.data, *args, stdin=stdin)
        assert done.returncode == 0, f"cordboard {' '.join(args)} failed: {done.stderr}"
        return done

    def add_user(self, username: str, extension: str, first_name: str = "", last_name: str = "") -> SipUser:
        """Create a user with a SIP password (before or while running: the SIP service follows)."""
        user = SipUser(
            username=username,
            extension=extension,
            sip_password=f"sip-{username}-{extension}-pw",
            first_name=first_name or username.capitalize(),
            last_name=last_name or "Tester",
        )
        self.data.mkdir(parents=True, exist_ok=True)
        block = block_for(extension)
        if block is not None and block not in self.number_blocks:
            done = run_cli(self.data, "numbers", "add-range", *block, "--purpose", "users")
            assert done.returncode == 0 or "overlaps" in done.stderr, done.stderr
            self.number_blocks.add(block)
        secret = self.data / f".sip-{username}"
        secret.write_text(user.sip_password + "\n")
        self.cli(
            "user",
            "add",
            username,
            "--extension",
            extension,
            "--first-name",
            user.first_name,
            "--last-name",
            user.last_name,
            "--email",
            f"{username}@example.com",
            "--sip-password-file",
            str(secret),
        )
        secret.unlink()
        self.users[username] = user
        return user

    def prepare(self) -> None:
        """Everything ``start`` needs but the process itself (the config, the first administrator)."""
        if not (self.data / "cordboard.toml").exists():
            self.write_config()
        if not (self.data / "cordboard.db").exists() or "admin" not in self.users:
            self._ensure_admin()

    def copy_to(self, data: Path) -> CordboardProcess:
        """A stopped appliance's data folder copied to ``data``, as another appliance with the same
        users and ports of its own: preparing one with the CLI takes several seconds, copying it none."""
        assert self.proc is None, "copy a stopped appliance"
        shutil.copytree(self.data, data)
        copy = CordboardProcess(data, users=dict(self.users), number_blocks=set(self.number_blocks))
        copy.write_config()
        return copy

    def start(self, timeout: float = 30) -> None:
        if not (self.data / "cordboard.toml").exists():
            self.write_config()
        if not (self.data / "cordboard.db").exists() or "admin" not in self.users:
            self._ensure_admin()
        self.launch(timeout)

    @contextmanager
    def running(self) -> Iterator[CordboardProcess]:
        """Start; afterwards stop and require a clean exit (the fixtures' lifetime of a PBX)."""
        self.start()
        try:
            yield self
        finally:
            code = self.stop()
            assert code == 0, f"cordboard run did not stop cleanly ({code}):\n{self.log_tail()}"

    def launch(self, timeout: float = 30) -> None:
        """Run `cordboard run` on the existing data folder and wait until HTTP answers."""
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cordboard.core", "run", "--data", str(self.data)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"cordboard run exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _ = self.http("GET", "/api/health", auth=False)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no /api/health within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def _ensure_admin(self) -> None:
        if "admin" in self.users:
            return
        self.cli("setup", "--admin", "admin", "--password-file", "-", stdin=self.admin_password + "\n")
        self.users["admin"] = SipUser("admin", "", "", "Admin", "")

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        self._token = None
        return code

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def token(self) -> str:
        if self._token is None:
            status, body = self.http(
                "POST",
                "/api/auth/login",
                {"username": "admin", "password": self.admin_password},
                auth=False,
            )
            assert status == 200, body
            self._token = str(body["token"])
        return self._token

    def http(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> tuple[int, Any]:
        return http_json(method, self.base_url + path, body, self.token() if auth else None)

    def calls(self) -> list[dict[str, Any]]:
        """The call history, newest first, as GET /api/calls returns it."""
        status, body = self.http("GET", "/api/calls")
        assert status == 200, body
        return list(body["calls"] if isinstance(body, dict) else body)

    def wait_for(self, predicate: Any, timeout: float = 10, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}:\n{self.log_tail()}")
            time.sleep(0.1)
