"""The System page: an administrator uploads a system update from the browser (BYD-20).

The update file is a real, small root file system: an ext4 image made with ``mkfs.ext4 -d`` and
compressed with zstd, as the image build makes root.ext4.zst. A tampered copy is refused inline
and nothing is kept; the good one is checked, waits in <data>/updates as ready.ext4.zst, and the
page says that this machine, not being an appliance, does not install it.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cordboard_process import require_tool
from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, login, shot
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def update_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    mkfs = require_tool("mkfs.ext4")
    zstd = require_tool("zstd")
    work = tmp_path_factory.mktemp("update")
    tree = work / "tree" / "etc"
    tree.mkdir(parents=True)
    (tree / "cordboard-release").write_text("e2e\n")
    raw = work / "root.ext4"
    subprocess.run([mkfs, "-q", "-F", "-d", str(work / "tree"), str(raw), "8M"], check=True)
    out = work / "root.ext4.zst"
    subprocess.run([zstd, "-q", "-f", str(raw), "-o", str(out)], check=True)
    return out, hashlib.sha256(out.read_bytes()).hexdigest()


READY_TEXT = "Uploaded and checked; waiting to be installed"


def test_admin_uploads_a_system_update(
    cordboard: Cordboard, browser: BrowserThread, update_file: tuple[Path, str]
) -> None:
    path, digest = update_file
    tampered = path.with_name("tampered.ext4.zst")
    content = bytearray(path.read_bytes())
    content[200] ^= 0xFF
    tampered.write_bytes(bytes(content))
    browser.run(_upload, cordboard, path, tampered, digest)
    updates = cordboard.data / "updates"
    assert (updates / "ready.ext4.zst").read_bytes() == path.read_bytes()
    assert not (updates / "incoming").exists()
    status, state = cordboard.api("GET", "/api/system/update", token=cordboard.token())
    assert status == 200 and state["state"] == "ready" and state["ready"]["sha256"] == digest


def _upload(page: Any, cordboard: Cordboard, good: Path, tampered: Path, digest: str) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="System").click()
    expect(page.get_by_role("heading", name="System", exact=True)).to_be_visible()
    expect(page.get_by_test_id("system-version")).not_to_be_empty()
    expect(page.get_by_test_id("system-running-slot")).to_contain_text("Not an appliance")
    expect(page.get_by_test_id("system-update-state")).to_have_text("No update pending")
    expect(page.get_by_text("falls back to the version running now")).to_be_visible()
    # Missing checksum: refused in the page before anything is sent.
    page.get_by_label("Update file (root.ext4.zst)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and install").click()
    expect(page.locator("#update-error")).to_contain_text("SHA-256 checksum")
    # A tampered file: the server refuses it and says why.
    page.get_by_label("Update file (root.ext4.zst)").set_input_files(str(tampered))
    page.get_by_label("SHA-256 checksum").fill(f"{digest}  root.ext4.zst")
    page.get_by_role("button", name="Upload and install").click()
    expect(page.locator("#update-error")).to_contain_text("damaged or not that file")
    assert not (cordboard.data / "updates" / "ready.ext4.zst").exists()
    shot(page, "system-update-refused")
    # The good file: accepted, checked, waiting to be installed.
    page.get_by_label("Update file (root.ext4.zst)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and install").click()
    expect(page.get_by_test_id("system-update-state")).to_have_text(READY_TEXT)
    expect(page.locator("#update-error")).to_be_hidden()
    expect(page.get_by_text("the uploaded update is kept but not installed here")).to_be_visible()
    expect(page.get_by_role("button", name="Upload and install")).to_be_disabled()
    shot(page, "system-update-ready")
    # Not an appliance: nothing installs it, so it can be discarded again.
    page.get_by_role("button", name="Discard the waiting update").click()
    expect(page.get_by_test_id("system-update-state")).to_have_text("No update pending")
    expect(page.get_by_role("button", name="Upload and install")).to_be_enabled()
    assert not (cordboard.data / "updates" / "ready.ext4.zst").exists()
    # Uploaded once more, with a signature file, for the checks of the test itself.
    page.get_by_label("Update file (root.ext4.zst)").set_input_files(str(good))
    page.get_by_label("SHA-256 checksum").fill(digest)
    signature = good.with_name("root.ext4.zst.sig")
    signature.write_bytes(bytes(range(64)))
    page.get_by_label("Signature (optional)").set_input_files(str(signature))
    page.get_by_role("button", name="Upload and install").click()
    expect(page.get_by_test_id("system-update-state")).to_have_text(READY_TEXT)
    # Kept next to the file for root, which checks it when the appliance has an update key.
    assert (cordboard.data / "updates" / "ready.ext4.zst.sig").read_bytes() == bytes(range(64))
