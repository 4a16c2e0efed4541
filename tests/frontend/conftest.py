"""Fixtures for the end-to-end tests: real Chromium (Debian package) over a real `cordboard run` process.

The built web UI (frontend/dist) and /usr/bin/chromium are needed; `make test` provides both. When
either is missing the tests are skipped, unless CORDBOARD_REQUIRE_FRONTEND=1 (set by the Makefile),
where they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_helpers import ADMIN, ADMIN_PASSWORD, ARTIFACTS, BrowserThread, Cordboard, cli, missing_requirement


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserThread]:
    """One headless Chromium for the whole session (the Debian package; never `playwright install`)."""
    reason = missing_requirement()
    if reason:
        if os.environ.get("CORDBOARD_REQUIRE_FRONTEND") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    ARTIFACTS.mkdir(exist_ok=True)
    instance = BrowserThread()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def fresh_cordboard(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Cordboard]:
    """Cordboard on an empty data folder: no administrator yet, so it prints the setup link."""
    server = Cordboard(tmp_path_factory.mktemp("fresh") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cordboard(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Cordboard]:
    """Cordboard whose first administrator (root) was made with `cordboard setup`."""
    data = tmp_path_factory.mktemp("ready") / "data"
    password_file = data.parent / "pw"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    done = cli(data, "setup", "--admin", ADMIN, "--password-file", str(password_file))
    assert done.returncode == 0, done.stderr
    server = Cordboard(data)
    server.start()
    yield server
    server.stop()
