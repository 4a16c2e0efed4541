"""`cordboard run` as a real process: health, setup link, CLI setup, log-in over HTTP, SIGTERM within 5 s."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cordboard_process import free_port, http_json


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cordboard.core", *args], capture_output=True, text=True, timeout=60
    )


def test_run_setup_login_and_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port(socket.SOCK_STREAM)
    https_port = free_port(socket.SOCK_STREAM)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cordboard.core",
            "run",
            "--data",
            str(data),
            "--http-port",
            str(port),
            "--https-port",
            str(https_port),
            "--sip-port",
            str(free_port(socket.SOCK_STREAM)),
            "--bind",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                status, health = http_json("GET", f"{base}/api/health")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "no /api/health within 30 s"
            time.sleep(0.2)
        assert health["status"] == "ok" and health["needs_setup"] is True
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline(), proc.stdout.readline()]
        assert lines[0].startswith(f"Cordboard is running: {base}/")
        match = re.search(r"/setup\?token=(\S+)", lines[1])
        assert match, lines
        # BYD-08: the same application over HTTPS, with the certificate made in the data folder.
        assert lines[2].startswith(f"HTTPS (self-signed certificate): https://127.0.0.1:{https_port}/")
        context = ssl.create_default_context(cafile=str(data / "tls" / "web.crt"))
        with urllib.request.urlopen(f"https://127.0.0.1:{https_port}/api/health", context=context) as resp:
            assert json.load(resp)["needs_setup"] is True

        password_file = tmp_path / "pw"
        password_file.write_text("a-long-admin-password\n")
        done = cli("setup", "--data", str(data), "--admin", "root", "--password-file", str(password_file))
        assert done.returncode == 0, done.stderr
        status, body = http_json(
            "POST",
            f"{base}/api/setup",
            {
                "token": match.group(1),
                "username": "eve",
                "password": "another-password",
                "first_name": "E",
                "last_name": "V",
                "email": "eve@example.com",
            },
        )
        assert status in (401, 409), "the setup link must stop working once an admin exists"

        status, body = http_json(
            "POST", f"{base}/api/auth/login", {"username": "root", "password": "wrong-password"}
        )
        assert status in {401, 403}
        status, body = http_json(
            "POST", f"{base}/api/auth/login", {"username": "root", "password": "a-long-admin-password"}
        )
        assert status == 200, body
        status, me = http_json("GET", f"{base}/api/auth/me", token=body["token"])
        assert status == 200 and me["username"] == "root"

        done = cli("plugin", "disable", "system_info", "--data", str(data))
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 10
        while http_json("GET", f"{base}/api/system_info/", token=body["token"])[0] != 404:
            assert time.monotonic() < deadline, "the running Cordboard did not follow the CLI's disable"
            time.sleep(0.2)

        started = time.monotonic()
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
