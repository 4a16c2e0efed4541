"""Administrators see what /api/health says is wrong (a nearly full data disk) on every page.

The appliance's data partition filling up must not go unnoticed: calls would stop being
recorded. The warning threshold is a cordboard.toml setting; here it is set above any real disk's
free space, so the real disk check fires in a real `cordboard run`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, cli, login
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def full_disk_cordboard(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Cordboard]:
    data = tmp_path_factory.mktemp("full") / "data"
    password_file = data.parent / "pw"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    done = cli(data, "setup", "--admin", ADMIN, "--password-file", str(password_file))
    assert done.returncode == 0, done.stderr
    server = Cordboard(data, extra_config="[storage]\nlow_disk_warning_mb = 1000000000\n")
    server.start()
    yield server
    server.stop()


def test_admin_sees_the_disk_warning_and_a_user_does_not(
    full_disk_cordboard: Cordboard, browser: BrowserThread
) -> None:
    cordboard = full_disk_cordboard
    status, health = cordboard.api("GET", "/api/health")
    assert status == 200 and health["status"] == "degraded"
    status, user = cordboard.api(
        "POST",
        "/api/users",
        {
            "username": "una",
            "first_name": "Una",
            "last_name": "User",
            "email": "una@example.com",
            "extension": "1100",
            "password": "una-secret-123456",
        },
        cordboard.token(),
    )
    assert status == 201, user
    browser.run(_banner_for_admin_only, cordboard)


def _banner_for_admin_only(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    banner = page.get_by_test_id("health-problems")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Cordboard needs attention:")
    expect(banner).to_contain_text("The data folder's disk is almost full")
    expect(banner).to_have_attribute("role", "alert")
    page.locator("#nav").get_by_role("link", name="Users").click()
    expect(page.get_by_test_id("health-problems")).to_be_visible()  # on every page
    page.get_by_role("button", name="Log out").click()
    login(page, cordboard.base, "una", "una-secret-123456")
    expect(page.locator("#nav").get_by_role("link", name="My profile")).to_be_visible()
    expect(page.get_by_test_id("health-problems")).to_have_count(0)
