"""REST tests of /api/system/update: upload, checks, state, and who may do it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import aiohttp
import pytest
from cordboard_process import require_tool

from cordboard.core.http import api_system
from cordboard.core.system.update import SystemPaths, format_grubenv


def make_update(tmp_path: Path, noise: int = 0) -> bytes:
    """A small real root.ext4.zst: an ext4 file system made with mkfs.ext4 -d, zstd-compressed
    (``noise`` bytes of random content make it that much larger)."""
    mkfs = require_tool("mkfs.ext4")
    zstd = require_tool("zstd")
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "etc" / "cordboard-release").write_text("test\n")
    (tree / "noise").write_bytes(os.urandom(noise))
    raw = tmp_path / "root.ext4"
    subprocess.run([mkfs, "-q", "-F", "-d", str(tree), str(raw), f"{4 + noise // 2**20 * 2}M"], check=True)
    subprocess.run([zstd, "-q", "-f", str(raw), "-o", str(tmp_path / "root.ext4.zst")], check=True)
    return (tmp_path / "root.ext4.zst").read_bytes()


def compress_zeros(tmp_path: Path) -> bytes:
    """A complete zstd frame that holds no file system."""
    (tmp_path / "plain").write_bytes(b"\0" * 4096)
    subprocess.run([require_tool("zstd"), "-q", "-f", str(tmp_path / "plain")], check=True)
    return (tmp_path / "plain.zst").read_bytes()


def form(content: bytes, sha256: str, manifest: str | None = None) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("sha256", sha256)
    if manifest is not None:
        data.add_field("manifest", manifest)
    data.add_field("file", content, filename="root.ext4.zst", content_type="application/zstd")
    return data


def updates_of(core) -> Path:
    return Path(core.data_dir) / "updates"


async def test_only_admins(api, account, check_error) -> None:
    anna = await account("anna")
    await check_error(await api.get("/api/system/update"), 401)
    await check_error(await api.get("/api/system/update", headers=anna.headers), 403)
    resp = await api.post("/api/system/update", data=form(b"x", "0" * 64), headers=anna.headers)
    await check_error(resp, 403)


async def test_good_file_becomes_ready(api, account, core, tmp_path) -> None:
    root = await account("root", admin=True)
    resp = await api.get("/api/system/update", headers=root.headers)
    state = await resp.json()
    assert state["state"] == "none" and state["appliance"] is False
    assert state["note"].startswith("not an appliance") and state["running_slot"] is None
    content = make_update(tmp_path)
    digest = hashlib.sha256(content).hexdigest()
    manifest = json.dumps({"cordboard_version": "9.9.9", "build_id": "b1"})
    # The sha256 field may be the .sha256 file's content.
    resp = await api.post(
        "/api/system/update", data=form(content, f"{digest}  root.ext4.zst\n", manifest), headers=root.headers
    )
    assert resp.status == 202, await resp.text()
    body = await resp.json()
    assert body["state"] == "ready"
    assert body["ready"] == {"sha256": digest, "size": len(content), "version": "9.9.9", "build_id": "b1"}
    updates = updates_of(core)
    assert (updates / "ready.ext4.zst").read_bytes() == content
    assert not (updates / "incoming").exists()
    # A second upload while one waits is refused.
    resp = await api.post("/api/system/update", data=form(content, digest), headers=root.headers)
    assert resp.status == 409
    # It can be discarded (nothing installs it here).
    resp = await api.delete("/api/system/update", headers=root.headers)
    assert resp.status == 200 and (await resp.json())["state"] == "none"
    assert not (updates / "ready.ext4.zst").exists() and not (updates / "ready.json").exists()


async def test_raw_body_upload_larger_than_the_json_body_limit(api, account, core, tmp_path) -> None:
    """The raw body with Content-Length (what image/boottest.py sends) is streamed, not read whole:
    a file above the app's 1 MiB request limit is accepted."""
    root = await account("root", admin=True)
    content = make_update(tmp_path, noise=3 * 2**20)
    assert len(content) > 2 * 2**20
    digest = hashlib.sha256(content).hexdigest()
    resp = await api.post(
        f"/api/system/update?sha256={digest}",
        data=content,
        headers={**root.headers, "Content-Type": "application/octet-stream"},
    )
    assert resp.status == 202, await resp.text()
    assert (updates_of(core) / "ready.ext4.zst").read_bytes() == content


@pytest.mark.parametrize("damage", ["tampered", "truncated", "not_zstd", "not_ext4", "bad_sum"])
async def test_bad_file_is_refused_and_removed(
    api, account, core, tmp_path, check_error, *, damage: str
) -> None:
    root = await account("root", admin=True)
    content = make_update(tmp_path)
    digest = hashlib.sha256(content).hexdigest()
    if damage == "tampered":
        content = content[:100] + bytes([content[100] ^ 1]) + content[101:]
    elif damage == "truncated":
        content = content[: len(content) // 2]
        digest = hashlib.sha256(content).hexdigest()  # even with a matching sum: zstd -t fails
    elif damage == "not_zstd":
        content = b"hello" * 1000
        digest = hashlib.sha256(content).hexdigest()
    elif damage == "not_ext4":
        content = compress_zeros(tmp_path)
        digest = hashlib.sha256(content).hexdigest()
    else:
        digest = "nope"
    resp = await api.post("/api/system/update", data=form(content, digest), headers=root.headers)
    error = await check_error(resp, 400)
    expected = {
        "tampered": "sha256",
        "truncated": "truncated",
        "not_zstd": "not zstd",
        "not_ext4": "ext4",
        "bad_sum": "not a sha256",
    }[damage]
    assert expected in error["message"]
    updates = updates_of(core)
    assert not (updates / "incoming").exists() and not (updates / "ready.ext4.zst").exists()
    state = await (await api.get("/api/system/update", headers=root.headers)).json()
    assert state["state"] == "none"


async def test_too_large_is_refused_while_streaming(api, account, core, monkeypatch, check_error) -> None:
    root = await account("root", admin=True)
    monkeypatch.setattr(api_system, "MAX_UPDATE_BYTES", 64 * 1024)

    async def body():  # chunked: no Content-Length, so the cap must hold while reading
        for _ in range(64):
            yield b"\x28\xb5\x2f\xfd" + b"x" * 4092

    resp = await api.post("/api/system/update?sha256=" + "0" * 64, data=body(), headers=root.headers)
    await check_error(resp, 413)
    resp = await api.post("/api/system/update", data=form(b"y" * 70 * 1024, "0" * 64), headers=root.headers)
    await check_error(resp, 413)
    assert not (updates_of(core) / "incoming").exists()


async def test_state_reports_slots_and_the_apply_result(api, account, core, tmp_path, monkeypatch) -> None:
    root = await account("root", admin=True)
    (tmp_path / "grubenv").write_bytes(format_grubenv({"slot": "a", "try_slot": "b", "tries": "3"}))
    (tmp_path / "cmdline").write_text("quiet cordboard.slot=a\n")
    monkeypatch.setattr(
        api_system, "SYSTEM_PATHS", SystemPaths(grubenv=tmp_path / "grubenv", cmdline=tmp_path / "cmdline")
    )
    updates = updates_of(core)
    updates.mkdir()

    async def state() -> dict:
        return await (await api.get("/api/system/update", headers=root.headers)).json()

    got = await state()
    assert got["appliance"] is True and got["running_slot"] == "a" and got["default_slot"] == "a"
    (updates / "status.json").write_text(json.dumps({"state": "applying", "message": "Writing slot b"}))
    assert (await state())["state"] == "applying"
    (updates / "status.json").write_text(json.dumps({"state": "applied", "target": "b", "message": "ok"}))
    assert (await state())["state"] == "applied-waiting-for-reboot"
    (updates / "status.json").write_text(json.dumps({"state": "failed", "message": "sha256 does not match"}))
    got = await state()
    assert got["state"] == "failed" and got["reason"] == "sha256 does not match"
    # After the reboot GRUB gave up on slot b (no trial left) and slot a runs: a fallback.
    (tmp_path / "grubenv").write_bytes(format_grubenv({"slot": "a"}))
    (updates / "status.json").write_text(json.dumps({"state": "applied", "target": "b", "message": "ok"}))
    got = await state()
    assert got["state"] == "failed" and "did not come up healthy" in got["reason"]
    # Slot b came up and was marked good.
    (tmp_path / "grubenv").write_bytes(format_grubenv({"slot": "b"}))
    (tmp_path / "cmdline").write_text("quiet cordboard.slot=b\n")
    got = await state()
    assert got["state"] == "none" and got["running_slot"] == "b" and got["last"]["state"] == "applied"


async def test_slots_recorded_by_root_are_preferred(api, account, core, tmp_path, monkeypatch) -> None:
    """On the image the ESP is root's only: the API reads what mark-good/apply-ready recorded."""
    root = await account("root", admin=True)
    (tmp_path / "grubenv").write_bytes(format_grubenv({"slot": "a"}))
    (tmp_path / "cmdline").write_text("quiet cordboard.slot=b\n")
    monkeypatch.setattr(
        api_system, "SYSTEM_PATHS", SystemPaths(grubenv=tmp_path / "grubenv", cmdline=tmp_path / "cmdline")
    )
    recorded = {"running": "a", "default": "b", "trial": None, "tries_left": None}
    (Path(core.data_dir) / "system-slots.json").write_text(json.dumps(recorded))
    got = await (await api.get("/api/system/update", headers=root.headers)).json()
    assert got["running_slot"] == "b" and got["default_slot"] == "b" and got["trial_slot"] is None


async def test_with_an_update_key_only_signed_uploads_are_kept(
    api, account, core, tmp_path, *, monkeypatch, check_error
) -> None:
    """Image issue "a signature if configured": an appliance with an update key refuses an unsigned
    or wrongly signed upload at once, and keeps a good signature next to the file for root."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from cordboard.core.system import update

    private = Ed25519PrivateKey.generate()
    key_path = tmp_path / "update-signing.pub"
    key_path.write_bytes(private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setattr(update, "SIGNING_KEY", key_path)
    root = await account("root", admin=True)
    content = make_update(tmp_path)
    digest = hashlib.sha256(content).hexdigest()
    updates = updates_of(core)

    resp = await api.post("/api/system/update", data=form(content, digest), headers=root.headers)
    error = await check_error(resp, 400)
    assert error["code"] == "bad_signature" and "only signed updates" in error["message"]
    assert not (updates / "ready.ext4.zst").exists() and not (updates / "incoming").exists()

    forged = form(content, digest)
    forged.add_field("signature", Ed25519PrivateKey.generate().sign(digest.encode()), filename="u.sig")
    resp = await api.post("/api/system/update", data=forged, headers=root.headers)
    assert "does not match" in (await check_error(resp, 400))["message"]

    signed = form(content, digest)
    signature = private.sign(digest.encode())
    signed.add_field("signature", signature, filename="root.ext4.zst.sig")
    resp = await api.post("/api/system/update", data=signed, headers=root.headers)
    assert resp.status == 202, await resp.text()
    assert (updates / "ready.ext4.zst.sig").read_bytes() == signature
    resp = await api.delete("/api/system/update", headers=root.headers)
    assert not (updates / "ready.ext4.zst.sig").exists()
