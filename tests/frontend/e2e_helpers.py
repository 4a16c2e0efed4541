"""Helpers of the end-to-end tests: a real `cordboard run` process, HTTP calls, screenshots, log-in.

The built web UI (frontend/dist) and /usr/bin/chromium are needed; `make test` provides both. When
either is missing the tests are skipped, unless CORDBOARD_REQUIRE_FRONTEND=1 (set by the Makefile),
where they fail instead.
"""

from __future__ import annotations

import json
import math
import re
import struct
import subprocess
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cordboard_process import CordboardProcess, http_json, run_cli
from number_blocks import block_for

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


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    return http_json(method, url, body, token)


def http_raw(
    method: str,
    url: str,
    data: bytes,
    token: str | None = None,
    content_type: str = "application/octet-stream",
) -> tuple[int, Any]:
    """A request with ``data`` as the raw body (an upload); the status and the decoded JSON answer."""
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def tone_wav(path: Path, seconds: float = 1.0, frequency: float = 440.0, rate: int = 8000) -> Path:
    """Write a mono 16-bit WAV file holding a sine tone (a recording to upload)."""
    count = int(seconds * rate)
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * frequency * n / rate))) for n in range(count)
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


def audio_and_text(
    folder: Path, audio_name: str, *, seconds: float, frequency: float = 440.0, rate: int = 8000
) -> tuple[Path, Path]:
    """Two files to upload into ``folder``: a recording (``tone_wav``) named ``audio_name`` and
    ``notes.txt``, text that the appliance must refuse as not audio."""
    text = folder / "notes.txt"
    text.write_text("These are meeting notes, not a recording.\n" * 20)
    return tone_wav(folder / audio_name, seconds=seconds, frequency=frequency, rate=rate), text


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data, *args)


@dataclass
class Cordboard(CordboardProcess):
    """A `cordboard run` process on free loopback ports (HTTP, SIP, RTP) with its own data folder.

    Unlike the interop fixture it creates no administrator: the `fresh_cordboard` fixture needs
    the first-run setup link, the `cordboard` fixture runs `cordboard setup` itself.
    """

    rtp_port_min: int = 32000
    rtp_port_max: int = 32999
    setup_url: str | None = None

    @property
    def port(self) -> int:
        return self.http_port

    @property
    def base(self) -> str:
        return self.base_url

    @property
    def sip_server(self) -> tuple[str, int]:
        return ("127.0.0.1", self.sip_port)

    def start(self, timeout: float = 30) -> None:
        self.write_config()  # `cordboard setup` may have written one with the default ports
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.launch(timeout)
        # The setup link follows the "running" line at once (only while no administrator exists).
        deadline = time.monotonic() + 10
        output = ""
        while "Cordboard is running" not in output:
            assert time.monotonic() < deadline, f"Cordboard did not say it runs:\n{self.log_tail()}"
            time.sleep(0.1)
            output = self.log_path.read_text()[offset:]
        time.sleep(0.2)
        match = re.search(r"Finish setup by opening (\S+)", self.log_path.read_text()[offset:])
        self.setup_url = match.group(1) if match else None

    def token(self, username: str = ADMIN, password: str = ADMIN_PASSWORD) -> str:
        status, body = self.api("POST", "/api/auth/login", {"username": username, "password": password})
        assert status == 200, body
        return str(body["token"])

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        return http_json(method, self.base_url + path, body, token)


def add_user(
    cordboard: Cordboard, username: str, extension: str, first: str, last: str, *, sip: bool = True
) -> tuple[int, str]:
    """A user (made by the administrator over the API) with the web password ``<username>-secret-123456``,
    and the same SIP password if ``sip``; the user's id and that password.
    """
    password = f"{username}-secret-123456"
    body = {
        "username": username,
        "first_name": first,
        "last_name": last,
        "email": f"{username}@example.com",
        "extension": extension,
        "password": password,
    }
    if sip:
        body["sip_password"] = password
    block = block_for(extension)
    if block is not None:  # NUM-01: the number must lie in a range; 409 when it exists already
        status, found = cordboard.api(
            "POST",
            "/api/numbers/ranges",
            {"kind": "local", "first": block[0], "last": block[1]},
            cordboard.token(),
        )
        assert status in (201, 409), found
    status, user = cordboard.api("POST", "/api/users", body, cordboard.token())
    assert status == 201, user
    return int(user["id"]), password


def add_group(cordboard: Cordboard, name: str, member_ids: list[int]) -> int:
    """A user group with these members (made by the administrator over the API); its id."""
    token = cordboard.token()
    status, group = cordboard.api("POST", "/api/groups", {"name": name}, token)
    assert status == 201, group
    status, body = cordboard.api("PUT", f"/api/groups/{group['id']}/members", {"user_ids": member_ids}, token)
    assert status == 200, body
    return int(group["id"])


def add_ip_trunk(cordboard: Cordboard, name: str) -> int:
    """An IP trunk nothing listens behind (never called): outside numbers become reachable; its id."""
    body = {
        "name": name,
        "kind": "ip",
        "host": "127.0.0.1",
        "addresses": ["127.0.0.1:5999"],
        "options_interval": 0,
    }
    status, trunk = cordboard.api("POST", "/api/trunks", body, cordboard.token())
    assert status == 201, trunk
    return int(trunk["id"])


def add_blocking_groups(cordboard: Cordboard, groups: list[int]) -> None:
    """BAR-04: "No international" (every international number) and "No premium" (+45900...),
    their ids appended to ``groups`` in that order."""
    for name, fields in (
        ("No international", {"international": True}),
        ("No premium", {"prefixes": ["+45900"]}),
    ):
        body = {"name": name, "number_types": [], "international": False, "prefixes": [], **fields}
        status, group = cordboard.api("POST", "/api/dialplan/blocking_groups", body, cordboard.token())
        assert status == 201, group
        groups.append(group["id"])


def not_a_group_administrator(
    page: Any, cordboard: Cordboard, who: tuple[str, str], where: tuple[str, str]
) -> None:
    """ROLE-04: a user (``who``: user name and password) who administers nothing has no Group
    administration menu, and the admin page (``where``: its path and the test id of its rows) says
    Not allowed and shows none of its rows."""
    from playwright.sync_api import expect

    path, rows_test_id = where
    login(page, cordboard.base, *who)
    nav = page.locator("#nav")
    expect(nav.get_by_role("link", name="My profile")).to_be_visible()
    expect(nav.get_by_role("heading", name="Group administration")).to_have_count(0)
    page.goto(cordboard.base + path)
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_test_id(rows_test_id)).to_have_count(0)


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
        from playwright.sync_api import expect, sync_playwright

        # Assertions wait as long as actions do: on a loaded CI machine a save and its reload of a
        # list can take longer than Playwright's 5 s default (seen once in a full run).
        expect.set_options(timeout=10_000)
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
        except Exception as failure:
            failure.add_note(_what_the_page_showed(page, fn.__name__.strip("_")))
            raise
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


def _what_the_page_showed(page: Any, name: str) -> str:
    """For a failed browser test: a screenshot of the page as it was, and the messages it showed
    (form errors, toasts), so that a failure seen only in CI can be understood from its log."""
    lines = []
    try:
        lines.append(f"page at failure: {page.url}, screenshot {shot(page, f'failed-{name}')}")
        messages = page.locator(".form-error:not([hidden]), .field-error, .toast, [role=alert]")
        shown = messages.all_inner_texts()
        lines.append(f"messages on the page: {[text for text in shown if text.strip()]}")
    except Exception as err:  # the page may be gone; the test's own failure matters more
        lines.append(f"page not readable after the failure: {err}")
    return "\n".join(lines)


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/ (gitignored) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(150)  # let transitions and focus rings settle
    if full_page:
        # Chromium draws the fixed header and sidebar where the page is scrolled to: from the top
        # they stand where a person sees them.
        page.evaluate("window.scrollTo(0, 0)")
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


def api_list(cordboard: Cordboard, path: str) -> list[dict[str, Any]]:
    """What GET ``path`` lists, asked as the administrator."""
    status, body = cordboard.api("GET", path, token=cordboard.token())
    assert status == 200, body
    return list(body)


def delete_after_confirming(
    page: Any, delete: Any, question: str, toast: str, count: Callable[[], int]
) -> None:
    """Delete an entry of an admin list page with its ``delete`` button: the dialog asks
    ``question`` first; cancelling keeps the entry (``count()`` is still 1) and gives the focus back
    to the button; confirming deletes it and says ``toast``."""
    from playwright.sync_api import expect

    delete.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(question)
    dialog.get_by_role("button", name="Cancel").click()
    expect(delete).to_be_focused()
    assert count() == 1
    delete.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast").last).to_have_text(toast)
