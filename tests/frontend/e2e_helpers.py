"""Helpers of the end-to-end tests: a real `cordboard run` process, HTTP calls, screenshots, log-in.

The built web UI (frontend/dist) and /usr/bin/chromium are needed; `make test` provides both. When
either is missing the tests are skipped, unless CORDBOARD_REQUIRE_FRONTEND=1 (set by the Makefile),
where they fail instead.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = "root"
ADMIN_PASSWORD = "admin-password-1"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def missing_requirement() -> str | None:
    if not DIST.is_file():
        return "the web UI is not built (run `make frontend`)"
    if not CHROMIUM.is_file():
        return "/usr/bin/chromium is missing (Debian package chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cordboard.core", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class Cordboard:
    """A `cordboard run` process on a free loopback port with its own data folder."""

    data: Path
    port: int = field(default_factory=free_port)
    sip_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    setup_url: str | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        out = self.data.parent / f"{self.data.name}-stdout.txt"
        err = self.data.parent / f"{self.data.name}-stderr.txt"
        with out.open("w") as stdout, err.open("a") as stderr:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cordboard.core",
                    "run",
                    "--data",
                    str(self.data),
                    "--http-port",
                    str(self.port),
                    "--sip-port",
                    str(self.sip_port),
                    "--bind",
                    "127.0.0.1",
                ],
                stdout=stdout,
                stderr=stderr,
                text=True,
            )
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, err.read_text()[-3000:]
            if "Cordboard is running" in out.read_text():
                break
            assert time.monotonic() < deadline, f"Cordboard did not start: {err.read_text()[-3000:]}"
            time.sleep(0.1)
        time.sleep(0.2)  # the setup line follows the "running" line at once
        match = re.search(r"Finish setup by opening (\S+)", out.read_text())
        self.setup_url = match.group(1) if match else None
        status, _ = http("GET", f"{self.base}/api/health")
        assert status == 200

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def token(self, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> str:
        status, body = http(
            "POST", f"{self.base}/api/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        return str(body["token"])

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        return http(method, f"{self.base}{path}", body, token)


class BrowserThread:
    """Headless Chromium driven by Playwright's sync API on a thread of its own.

    The sync API runs an event loop and greenlets; kept off the main thread they cannot disturb
    the asyncio tests that pytest runs afterwards. ``run(fn, *args)`` calls ``fn(page, *args)``
    there with a fresh browser context and fails the test on any JavaScript error of the page.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._manager: Any = None
        self._browser: Any = None
        self._executor.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._manager = sync_playwright()
        playwright = self._manager.__enter__()
        self._browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )

    def _run(self, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        context = self._browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/Berlin")
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            fn(page, *args)
        finally:
            context.close()
        assert not errors, f"JavaScript errors: {errors}"

    def run(self, fn: Callable[..., None], *args: Any) -> None:
        self._executor.submit(self._run, fn, args).result()

    def _stop(self) -> None:
        self._browser.close()
        self._manager.__exit__(None, None, None)

    def close(self) -> None:
        self._executor.submit(self._stop).result()
        self._executor.shutdown()


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/ (gitignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(150)  # let transitions and focus rings settle
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login(page: Any, base: str, username: str, password: str, path: str = "/login") -> None:
    """Log in with the keyboard only: type, Tab, type, Enter."""
    page.goto(base + path)
    page.get_by_label("Username").fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_selector("#nav")
