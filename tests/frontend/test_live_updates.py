"""Live updates over the WebSocket: the dashboard follows changes without polling, and after a lost
connection it reconnects and resynchronises what changed while it was away."""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, cli, login, shot
from playwright.sync_api import expect


def test_dashboard_follows_changes_and_resyncs_after_reconnect(
    cordboard: Cordboard, tmp_path: Any, browser: BrowserThread
) -> None:
    browser.run(_dashboard_follows_changes_and_resyncs_after_reconnect, cordboard, tmp_path)


def _dashboard_follows_changes_and_resyncs_after_reconnect(
    page: Any, cordboard: Cordboard, tmp_path: Any
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    count = page.get_by_test_id("user-count")
    expect(count).to_have_text("1")
    expect(page.get_by_test_id("connection")).to_have_text("Live")

    # A change made elsewhere (the REST API) reaches the open page as an event.
    token = cordboard.token()
    body = {"username": "hanna", "first_name": "Hanna", "last_name": "Hav", "email": "hanna@example.com"}
    assert cordboard.api("POST", "/api/users", body, token)[0] == 201
    expect(count).to_have_text("2")
    before = len([u for u in requests if "/api/users" in u])

    # Cordboard stops: the page says so and keeps trying; a user is added while it is down.
    cordboard.stop()
    expect(page.get_by_test_id("connection")).to_have_text("Reconnecting…")
    shot(page, "dashboard-reconnecting")
    password_file = tmp_path / "pw"
    password_file.write_text("ivan-password-1\n")
    added = cli(
        cordboard.data,
        "user",
        "add",
        "ivan",
        "--extension",
        "1320",
        "--first-name",
        "Ivan",
        "--last-name",
        "Iversen",
        "--email",
        "ivan@example.com",
        "--password-file",
        str(password_file),
    )
    assert added.returncode == 0, added.stderr

    cordboard.start()
    expect(page.get_by_test_id("connection")).to_have_text("Live", timeout=20_000)
    expect(count).to_have_text("3")
    expect(page.get_by_test_id("version")).not_to_be_empty()
    # No polling: the user list was fetched again only for the event and the resync.
    assert len([u for u in requests if "/api/users" in u]) - before <= 2
