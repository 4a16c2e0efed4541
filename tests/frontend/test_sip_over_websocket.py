"""SIP over WebSocket with a real browser SIP stack (issue 3 scope 2, RFC 7118): JsSIP (npm
package ``jssip``, bundled for the browser with the frontend's esbuild) runs in Chromium on the
appliance's own page and registers at ``ws://<appliance>/sip`` with digest authentication; a wrong
password is refused, the right one shows the browser on the dashboard's registered phones (live),
and stopping the user agent unregisters it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login
from playwright.sync_api import expect

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

REGISTER = """async ({url, user, password}) => {
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(url)],
    uri: `sip:${user}@127.0.0.1`,
    password,
    register: true,
    user_agent: "JsSIP in Chromium",
  });
  const outcome = await new Promise((resolve) => {
    ua.on("registered", () => resolve("registered"));
    ua.on("registrationFailed", (e) => resolve(`failed: ${e.cause}`));
    ua.start();
  });
  if (outcome === "registered") window.cbPhone = ua; else ua.stop();
  return outcome;
}"""


@pytest.fixture(scope="module")
def jssip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JsSIP as one script for the page (its npm package is CommonJS)."""
    esbuild = FRONTEND / "node_modules" / ".bin" / "esbuild"
    source = FRONTEND / "node_modules" / "jssip" / "lib" / "JsSIP.js"
    assert esbuild.exists() and source.exists(), (
        "run `make frontend` (npm ci) first: JsSIP is a dev dependency"
    )
    bundle = tmp_path_factory.mktemp("jssip") / "jssip.js"
    subprocess.run(
        [
            str(esbuild),
            str(source),
            "--bundle",
            "--format=iife",
            "--global-name=JsSIP",
            "--platform=browser",
            f"--outfile={bundle}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return bundle


def test_jssip_registers_over_websocket(cordboard: Cordboard, browser: BrowserThread, jssip: Path) -> None:
    user_id, password = add_user(cordboard, "wendy", "1401", "Wendy", "Web")
    browser.run(_jssip_registers, cordboard, jssip, password, user_id)


def _jssip_registers(page: Any, cordboard: Cordboard, jssip: Path, password: str, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    count = page.get_by_test_id("registration-count")
    expect(count).to_have_text("0")
    page.add_script_tag(path=str(jssip))
    url = cordboard.base.replace("http://", "ws://").rstrip("/") + "/sip"

    refused = page.evaluate(REGISTER, {"url": url, "user": "wendy", "password": "not-her-password"})
    assert refused.startswith("failed"), refused
    # TERM-06: the right password is not enough until an administrator turns the softphone on.
    refused = page.evaluate(REGISTER, {"url": url, "user": "wendy", "password": password})
    assert refused == "failed: Rejected", refused
    status, body = cordboard.api(
        "PUT", f"/api/settings/user/{user_id}", {"core.softphone": True}, cordboard.token()
    )
    assert status == 200, body
    # The SIP side follows the setting a moment after the API answers (its cache refreshes on the
    # settings event); a softphone that is refused tries again, as JsSIP does, a little later.
    outcome = ""
    for _ in range(6):
        outcome = page.evaluate(REGISTER, {"url": url, "user": "wendy", "password": password})
        if outcome == "registered":
            break
        page.wait_for_timeout(500)
    assert outcome == "registered", outcome
    expect(count).to_have_text("1")
    registration = page.get_by_test_id("registration")
    expect(registration).to_contain_text("1401")
    expect(registration).to_contain_text("JsSIP in Chromium")
    status, states = cordboard.api("GET", "/api/states", token=cordboard.token())
    assert status == 200, states
    devices = [s["attributes"] for s in states if s["entity_id"].startswith("device.")]
    assert [d["source"].split(":")[0] for d in devices if d["username"] == "wendy"] == ["ws"], devices

    page.evaluate("""() => new Promise((resolve) => {
      window.cbPhone.on("unregistered", () => resolve(true));
      window.cbPhone.unregister();
    })""")
    expect(count).to_have_text("0")
