"""Test order: the tests that only compute run first, the timed ones (calls with real audio, RTP
timing, browsers, real user agents) after them.

Computing tests are the parsers, state machines, the REST API, storage, provisioning, the plugins'
APIs: a busy machine makes them slower, never wrong. Timed are tests/core/calls, media and rtp, the
browser, interop, image and whole-process tests, and any module that starts a loopback PBX with
phones (it imports one of ``LIVE_HELPERS``).

CI (.ci/run) builds and boots the appliance image in QEMU while the computing tests run: it sets
``CORDBOARD_TIMED_TESTS_AFTER`` to a file that appears once the image is done, and the first timed
test waits for it, so that the timed tests have the machine's cores to themselves.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Final

import pytest

WAIT_ENV: Final = "CORDBOARD_TIMED_TESTS_AFTER"
LONGEST_WAIT_S: Final = 30 * 60.0
TIMED: Final = (
    "tests/core/calls/",
    "tests/core/media/",
    "tests/core/rtp/",
    "tests/frontend/",
    "tests/image/",
    "tests/interop/",
    "tests/test_run_process.py",
)
"""Calls with audio, RTP timing, browsers, real user agents, whole processes."""
LIVE_HELPERS: Final = ("running_pbx", "registered_phone", "TestPhone", "send_audio")
"""Names a module that places calls imports (tests/loopback_pbx.py, sip_phone.py, rtp_audio.py)."""

_waiting_done: list[bool] = []


def is_timed(item: pytest.Item) -> bool:
    path = Path(str(item.path)).as_posix()
    where = path[path.rfind("tests/") :]
    if where.startswith(TIMED):
        return True
    module = getattr(item, "module", None)
    return module is not None and any(name in vars(module) for name in LIVE_HELPERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=is_timed)  # stable: each group keeps its files' order


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = os.environ.get(WAIT_ENV)
    if _waiting_done or not marker or not is_timed(item):
        return
    _waiting_done.append(True)
    # pytest-timeout's alarm (SIGALRM, per test) is paused while waiting: the wait is not the test's.
    alarm_left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
    started = time.monotonic()
    while not Path(marker).exists() and time.monotonic() - started < LONGEST_WAIT_S:
        time.sleep(1.0)
    if alarm_left > 0:
        signal.setitimer(signal.ITIMER_REAL, alarm_left)
    state = "is there" if Path(marker).exists() else f"is still missing after {LONGEST_WAIT_S:.0f} s"
    reporter = item.config.pluginmanager.get_plugin("terminalreporter")
    capture = item.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:  # the test's output is captured by now
        waited = time.monotonic() - started
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\n[timed tests] waited {waited:.0f} s for {marker}: it {state}")
