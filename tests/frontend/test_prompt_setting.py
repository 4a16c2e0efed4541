"""Choosing a prompt in a plugin's settings form: a field validated by ``cv.prompt_id`` is a select of
the organisation's prompts (first, by name) and the system prompts, in a real browser over a real
`cordboard run`.

The plugin is a test fixture installed for the process only (a package and its entry point on
PYTHONPATH): its ``greeting`` (default ``please_hold``) and ``closed`` (optional) settings take a
prompt id. The admin chooses the organisation's own "Welcome" for the greeting and a system prompt
for "closed", saves, and sees both again after a reload; the API refuses an unknown id.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, cli, http_raw, login, shot, tone_wav
from playwright.sync_api import expect

DOMAIN = "cbt_prompt_choice"
PLUGIN = '''"""A test plugin whose settings choose voice prompts."""

import voluptuous as vol

from cordboard.core.plugin_api import cv, hookimpl

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("greeting", default="please_hold", description="What callers hear first."): cv.prompt_id,
        vol.Optional("closed"): cv.prompt_id,
    }
)


@hookimpl
def cordboard_config_schema() -> vol.Schema:
    return CONFIG_SCHEMA
'''


def install_plugin(site: Path) -> None:
    """The plugin package and a distribution whose entry point names it (as `pip install` leaves it)."""
    package = site / DOMAIN
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN)
    (package / "manifest.json").write_text(
        json.dumps({"domain": DOMAIN, "name": "Prompt choice test plugin", "version": "1.0.0"})
    )
    dist = site / "cbt_prompt_choice-1.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: cbt-prompt-choice\nVersion: 1.0.0\n")
    (dist / "entry_points.txt").write_text(f"[cordboard.plugins]\n{DOMAIN} = {DOMAIN}\n")


@pytest.fixture(scope="module")
def cordboard(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Cordboard]:
    """Cordboard (administrator root) with the test plugin installed and enabled."""
    site = tmp_path_factory.mktemp("site")
    install_plugin(site)
    data = tmp_path_factory.mktemp("ready") / "data"
    password_file = data.parent / "pw"
    password_file.write_text(ADMIN_PASSWORD + "\n")
    done = cli(data, "setup", "--admin", ADMIN, "--password-file", str(password_file))
    assert done.returncode == 0, done.stderr
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), before) if p)
    try:
        server = Cordboard(data)
        server.start()
    finally:
        if before is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = before
    status, body = server.api("POST", f"/api/plugins/{DOMAIN}/enable", token=server.token())
    assert status == 200, body
    yield server
    server.stop()


def create_prompt(cordboard: Cordboard, name: str, work: Path) -> str:
    """One of the organisation's prompts, uploaded over the API; its id."""
    boundary = secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in (("name", name), ("description", f"{name} for the test"), ("language", "en"))
    ]
    wav = tone_wav(work / f"{name}.wav").read_bytes()
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n".encode()
        + wav
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, created = http_raw(
        "POST",
        cordboard.base + "/api/prompts",
        body,
        cordboard.token(),
        f"multipart/form-data; boundary={boundary}",
    )
    assert status == 201, created
    return str(created["id"])


def test_a_prompt_setting_is_chosen_from_the_prompts(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    welcome = create_prompt(cordboard, "Welcome", tmp_path)
    create_prompt(cordboard, "After hours", tmp_path)
    browser.run(_choose_prompts, cordboard, welcome)
    status, body = cordboard.api("GET", f"/api/plugins/{DOMAIN}/config", token=cordboard.token())
    assert status == 200 and body["config"] == {"greeting": welcome, "closed": "goodbye"}
    # The server checks the same: an id that is no prompt is refused, naming the field.
    for bad in ("no_such_prompt", "org:0"):
        status, body = cordboard.api(
            "PUT", f"/api/plugins/{DOMAIN}/config", {"greeting": bad}, cordboard.token()
        )
        assert status == 400 and "greeting" in body["error"]["fields"], body


def _choose_prompts(page: Any, cordboard: Cordboard, welcome: str) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{cordboard.base}/plugins/{DOMAIN}")
    greeting = page.get_by_label("Greeting")
    closed = page.get_by_label("Closed")
    expect(greeting).to_have_value("please_hold")  # the default
    expect(greeting).to_be_enabled()
    # The organisation's prompts first, by name, then the system's; labels are the names.
    groups = greeting.locator("optgroup")
    expect(groups).to_have_count(2)
    expect(groups.nth(0)).to_have_attribute("label", "Our prompts")
    expect(groups.nth(0).locator("option")).to_have_text(["After hours", "Welcome"])
    expect(groups.nth(1)).to_have_attribute("label", "System prompts")
    expect(groups.nth(1).locator('option[value="goodbye"]')).to_have_text("goodbye")
    expect(closed).to_have_value("")  # optional and unset: the empty choice
    expect(closed.locator("option").first).to_have_text("—")
    expect(page.locator(f"#plugin-{DOMAIN}-greeting-hint")).to_contain_text("What callers hear first.")

    greeting.select_option(label="Welcome")
    expect(greeting).to_have_value(welcome)
    closed.select_option("goodbye")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    shot(page, "prompt-setting-saved", full_page=False)

    page.reload()
    expect(greeting).to_have_value(welcome)
    expect(greeting.locator("option:checked")).to_have_text("Welcome")
    expect(closed).to_have_value("goodbye")
