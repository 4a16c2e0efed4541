"""`cordboard system`: the appliance's A/B update and mark-good on stand-in files (no real disk)."""

from __future__ import annotations

import hashlib
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cordboard_process import require_tool
from fake_system import fake_system

from cordboard.core.cli import main
from cordboard.core.system.update import GRUBENV_SIZE, format_grubenv, parse_grubenv, read_grubenv

SLOT_SIZE = 1024 * 1024


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    """A stand-in for the running system: grubenv, two slot 'partitions' and /proc/cmdline (slot a)."""
    return fake_system(tmp_path, SLOT_SIZE, "root=PARTLABEL=root-a rw quiet cordboard.slot=a\n")


def system(disk: Path, *args: str) -> int:
    action, *rest = args
    hidden = ["--grubenv", str(disk / "grubenv"), "--partitions", str(disk / "by-partlabel")]
    return main(["system", action, *hidden, "--cmdline", str(disk / "cmdline"), *rest])


def new_root(disk: Path, size: int = SLOT_SIZE // 2) -> tuple[Path, bytes]:
    content = bytearray(bytes(range(256)) * (size // 256))
    content[1080:1082] = b"\x53\xef"  # the ext4 superblock magic the update checks
    content = bytes(content)
    raw = disk / "root.ext4"
    raw.write_bytes(content)
    (disk / "root.ext4.sha256").write_text(f"{hashlib.sha256(content).hexdigest()}  root.ext4\n")
    return raw, content


def test_grubenv_round_trip_keeps_the_block_size() -> None:
    raw = format_grubenv({"slot": "b", "try_slot": "a", "tries": "3"})
    assert len(raw) == GRUBENV_SIZE
    assert raw.startswith(b"# GRUB Environment Block\nslot=b\ntry_slot=a\ntries=3\n#")
    assert parse_grubenv(raw) == {"slot": "b", "try_slot": "a", "tries": "3"}


def test_grubenv_agrees_with_grub_editenv(tmp_path: Path) -> None:
    require_tool("grub-editenv")
    env = tmp_path / "grubenv"
    subprocess.run(["grub-editenv", str(env), "create"], check=True)
    subprocess.run(["grub-editenv", str(env), "set", "slot=a", "try_slot=b", "tries=3"], check=True)
    assert read_grubenv(env) == {"slot": "a", "try_slot": "b", "tries": "3"}
    env.write_bytes(format_grubenv({"slot": "b", "tries": "1"}))
    listed = subprocess.run(["grub-editenv", str(env), "list"], check=True, capture_output=True, text=True)
    assert listed.stdout.split() == ["slot=b", "tries=1"]


def test_update_writes_the_other_slot_and_starts_a_trial(disk: Path) -> None:
    raw, content = new_root(disk)
    assert system(disk, "update", str(raw)) == 0
    slot_b = (disk / "by-partlabel" / "root-b").read_bytes()
    assert slot_b[: len(content)] == content
    assert (disk / "by-partlabel" / "root-a").read_bytes() == b"a" * SLOT_SIZE
    assert read_grubenv(disk / "grubenv") == {"slot": "a", "try_slot": "b", "tries": "3"}


def test_update_decompresses_zst(disk: Path) -> None:
    require_tool("zstd")
    raw, content = new_root(disk)
    subprocess.run(["zstd", "-q", str(raw), "-o", str(disk / "root.ext4.zst")], check=True)
    digest = hashlib.sha256((disk / "root.ext4.zst").read_bytes()).hexdigest()
    assert system(disk, "update", str(disk / "root.ext4.zst"), "--sha256", digest) == 0
    assert (disk / "by-partlabel" / "root-b").read_bytes()[: len(content)] == content


def test_tampered_or_truncated_file_is_refused_before_writing(disk: Path) -> None:
    raw, content = new_root(disk)
    raw.write_bytes(content[:-1])
    assert system(disk, "update", str(raw)) == 1
    raw.write_bytes(content[:-1] + b"X")
    assert system(disk, "update", str(raw)) == 1
    (disk / "root.ext4.sha256").unlink()
    assert system(disk, "update", str(raw)) == 1
    assert (disk / "by-partlabel" / "root-b").read_bytes() == b"b" * SLOT_SIZE
    assert read_grubenv(disk / "grubenv") == {"slot": "a"}


def test_too_large_image_is_refused(disk: Path) -> None:
    raw, _ = new_root(disk, size=SLOT_SIZE * 2)
    assert system(disk, "update", str(raw)) == 1
    assert read_grubenv(disk / "grubenv") == {"slot": "a"}


def test_no_update_while_the_running_slot_is_on_trial(disk: Path) -> None:
    (disk / "grubenv").write_bytes(format_grubenv({"slot": "b", "try_slot": "a", "tries": "2"}))
    raw, _ = new_root(disk)
    assert system(disk, "update", str(raw)) == 1
    assert (disk / "by-partlabel" / "root-b").read_bytes() == b"b" * SLOT_SIZE


@pytest.fixture
def health_port() -> Iterator[int]:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def data_folder(disk: Path, port: int) -> Path:
    data = disk / "data"
    data.mkdir()
    (data / "cordboard.toml").write_text(f'[http]\nbind = "127.0.0.1"\nport = {port}\n')
    return data


def test_mark_good_makes_a_healthy_trial_slot_the_default(disk: Path, health_port: int) -> None:
    (disk / "grubenv").write_bytes(format_grubenv({"slot": "a", "try_slot": "b", "tries": "2"}))
    (disk / "cmdline").write_text("cordboard.slot=b\n")
    data = data_folder(disk, health_port)
    assert system(disk, "mark-good", "--data", str(data), "--wait", "5") == 0
    assert read_grubenv(disk / "grubenv") == {"slot": "b"}
    # What the unprivileged web API reads (it cannot read the ESP).
    recorded = json.loads((data / "system-slots.json").read_text())
    assert recorded == {"running": "b", "default": "b", "trial": None, "tries_left": None}


def test_mark_good_leaves_a_trial_alone_when_unhealthy(disk: Path, health_port: int) -> None:
    (disk / "grubenv").write_bytes(format_grubenv({"slot": "a", "try_slot": "b", "tries": "2"}))
    (disk / "cmdline").write_text("cordboard.slot=b\n")
    data = data_folder(disk, health_port + 1 if health_port < 65535 else health_port - 1)
    assert system(disk, "mark-good", "--data", str(data), "--wait", "0") == 1
    assert read_grubenv(disk / "grubenv") == {"slot": "a", "try_slot": "b", "tries": "2"}


def test_status_prints_json(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (disk / "grubenv").write_bytes(format_grubenv({"slot": "a", "try_slot": "b", "tries": "1"}))
    assert system(disk, "status", "--json") == 0
    expected = {"running": "a", "default": "a", "trial": "b", "tries_left": 1}
    assert json.loads(capsys.readouterr().out) == expected


def test_update_refuses_a_file_without_ext4(disk: Path) -> None:
    raw, content = new_root(disk)
    content = content[:1080] + b"\0\0" + content[1082:]
    raw.write_bytes(content)
    (disk / "root.ext4.sha256").write_text(f"{hashlib.sha256(content).hexdigest()}  root.ext4\n")
    assert system(disk, "update", str(raw)) == 1
    assert (disk / "by-partlabel" / "root-b").read_bytes() == b"b" * SLOT_SIZE


def ready_update(disk: Path, *, tamper: bool = False) -> Path:
    """What POST /api/system/update leaves in <data>/updates: ready.ext4.zst and ready.json."""
    raw, _ = new_root(disk)
    updates = disk / "data" / "updates"
    updates.mkdir(parents=True)
    subprocess.run([require_tool("zstd"), "-q", str(raw), "-o", str(updates / "ready.ext4.zst")], check=True)
    digest = hashlib.sha256((updates / "ready.ext4.zst").read_bytes()).hexdigest()
    if tamper:
        digest = "0" * 64
    (updates / "ready.json").write_text(json.dumps({"sha256": digest, "version": "9.9"}))
    return updates


def test_apply_ready_writes_the_slot_and_reports(disk: Path) -> None:
    updates = ready_update(disk)
    assert system(disk, "apply-ready", "--data", str(disk / "data")) == 0
    assert read_grubenv(disk / "grubenv") == {"slot": "a", "try_slot": "b", "tries": "3"}
    status = json.loads((updates / "status.json").read_text())
    assert status["state"] == "applied" and status["target"] == "b" and status["version"] == "9.9"
    assert json.loads((disk / "data" / "system-slots.json").read_text())["trial"] == "b"
    assert not (updates / "ready.ext4.zst").exists() and not (updates / "ready.json").exists()


def test_apply_ready_reports_a_failure_and_drops_the_file(disk: Path) -> None:
    updates = ready_update(disk, tamper=True)
    assert system(disk, "apply-ready", "--data", str(disk / "data")) == 1
    status = json.loads((updates / "status.json").read_text())
    assert status["state"] == "failed" and "does not match" in status["message"]
    assert not (updates / "ready.ext4.zst").exists()
    assert (disk / "by-partlabel" / "root-b").read_bytes() == b"b" * SLOT_SIZE
    assert read_grubenv(disk / "grubenv") == {"slot": "a"}


def test_apply_ready_with_an_update_key_refuses_an_unsigned_file(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root's own check (the trust boundary): with an update key, an unsigned upload is refused
    before anything is written, whatever the web API let through."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from cordboard.core.system import update

    key_path = disk / "update-signing.pub"
    private = Ed25519PrivateKey.generate()
    key_path.write_bytes(private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    monkeypatch.setattr(update, "SIGNING_KEY", key_path)
    updates = ready_update(disk)
    assert system(disk, "apply-ready", "--data", str(disk / "data")) == 1
    status = json.loads((updates / "status.json").read_text())
    assert status["state"] == "failed" and "only signed updates" in status["message"]
    assert (disk / "by-partlabel" / "root-b").read_bytes() == b"b" * SLOT_SIZE
    assert read_grubenv(disk / "grubenv") == {"slot": "a"}
