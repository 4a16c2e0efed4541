"""Root applies an update from a folder the unprivileged cordboard user owns (the API's uploads), so
it reads the file once into a private copy, hashes exactly what it copies, and checks and writes
only that copy: swapping the upload between the check and the write changes nothing."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cordboard_process import require_tool
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fake_system import fake_system

from cordboard.core.cli import main
from cordboard.core.cli import system as cli_system
from cordboard.core.exceptions import CordboardError
from cordboard.core.system import update
from cordboard.core.system.update import (
    SystemPaths,
    open_upload,
    private_copy,
    read_grubenv,
    read_signature,
    signature_path,
)

SLOT_SIZE = 256 * 1024


def root_image(fill: int) -> bytes:
    """A stand-in root file system: ``fill`` bytes with the ext4 superblock magic the update checks."""
    content = bytearray(bytes([fill]) * (SLOT_SIZE // 2))
    content[1080:1082] = b"\x53\xef"
    return bytes(content)


def compress(content: bytes) -> bytes:
    done = subprocess.run([require_tool("zstd"), "-q", "-c"], input=content, capture_output=True, check=True)
    return done.stdout


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    """grubenv, two slot 'partitions', /proc/cmdline (slot a) and an updates folder."""
    fake_system(tmp_path, SLOT_SIZE)
    (tmp_path / "updates").mkdir()
    return tmp_path


def paths(disk: Path) -> SystemPaths:
    return SystemPaths(grubenv=disk / "grubenv", partitions=disk / "by-partlabel", cmdline=disk / "cmdline")


def slot_b(disk: Path) -> bytes:
    return (disk / "by-partlabel" / "root-b").read_bytes()


@pytest.fixture
def signing(disk: Path) -> tuple[Ed25519PrivateKey, Path]:
    private = Ed25519PrivateKey.generate()
    key_path = disk / "update-signing.pub"
    key_path.write_bytes(private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return private, key_path


def signed_upload(disk: Path, private: Ed25519PrivateKey, content: bytes) -> tuple[Path, str]:
    """ready.ext4.zst and its .sig as the API leaves them; returns the file and its sha256."""
    ready = disk / "updates" / "ready.ext4.zst"
    ready.write_bytes(compress(content))
    digest = hashlib.sha256(ready.read_bytes()).hexdigest()
    signature_path(ready).write_bytes(private.sign(digest.encode()))
    return ready, digest


def swap_after_check(
    monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]
) -> list[tuple[str, bytes | None]]:
    """Run ``swap`` right after root checked the signature of the sha256 it computed: the moment a
    compromised Cordboard would replace the upload. Returns what was checked."""
    checked: list[tuple[str, bytes | None]] = []
    real = cli_system.check_signature

    def check_then_swap(sha256_hex: str, signature: bytes | None, key_path: Path | None = None) -> None:
        real(sha256_hex, signature, key_path)
        checked.append((sha256_hex, signature))
        swap()

    monkeypatch.setattr(cli_system, "check_signature", check_then_swap)
    return checked


def overwrite_in_place(file: Path, content: bytes) -> None:
    with file.open("r+b") as f:  # the same inode: whoever opens the path later reads this
        f.write(content)
        f.truncate()


def replace_by_rename(file: Path, content: bytes) -> None:
    other = file.with_name("evil")
    other.write_bytes(content)
    os.replace(other, file)


@pytest.mark.parametrize("swap", [overwrite_in_place, replace_by_rename])
def test_the_slot_gets_the_verified_bytes_when_the_upload_is_swapped_after_the_check(
    disk: Path,
    signing: tuple[Ed25519PrivateKey, Path],
    monkeypatch: pytest.MonkeyPatch,
    swap: Callable[[Path, bytes], None],
) -> None:
    private, key_path = signing
    good, evil = root_image(0x11), root_image(0x66)
    ready, digest = signed_upload(disk, private, good)
    evil_zst = compress(evil)  # a well-formed root, just not the signed one
    checked = swap_after_check(monkeypatch, lambda: swap(ready, evil_zst))
    assert cli_system.apply_update(paths(disk), ready, digest, signing_key=key_path) == 0
    assert checked and checked[0][0] == digest
    assert ready.read_bytes() == evil_zst  # the swap happened ...
    assert slot_b(disk)[: len(good)] == good  # ... and the slot still holds what was verified
    assert read_grubenv(disk / "grubenv") == {"slot": "a", "try_slot": "b", "tries": "3"}


def test_an_uncompressed_upload_swapped_after_the_check_is_written_as_verified(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, evil = root_image(0x22), root_image(0x77)
    raw = disk / "updates" / "root.ext4"
    raw.write_bytes(good)
    swap_after_check(monkeypatch, lambda: overwrite_in_place(raw, evil))
    digest = hashlib.sha256(good).hexdigest()
    assert cli_system.apply_update(paths(disk), raw, digest, signing_key=disk / "absent.pub") == 0
    assert slot_b(disk)[: len(good)] == good


def copy_while_changing(
    monkeypatch: pytest.MonkeyPatch, upload: Path, change: Callable[[], None]
) -> tuple[bytes, str, os.stat_result]:
    """``private_copy`` of ``upload`` in 4-byte reads, with ``change`` run once the first is hashed."""
    monkeypatch.setattr(update, "CHUNK", 4)

    class Hashlib:
        @staticmethod
        def sha256() -> object:
            real = hashlib.sha256()
            changed: list[bool] = []

            class Digest:
                def update(self, data: bytes) -> None:
                    real.update(data)
                    if not changed:
                        changed.append(True)
                        change()

                def hexdigest(self) -> str:
                    return real.hexdigest()

            return Digest()

    monkeypatch.setattr(update, "hashlib", Hashlib)
    fd = open_upload(upload)
    try:
        copy, digest = private_copy(fd, upload.parent)
    finally:
        os.close(fd)
    with copy:
        return copy.read(), digest, os.fstat(copy.fileno())


def test_the_sha256_is_of_exactly_the_bytes_copied(disk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed while being copied, the copy and its sha256 still agree (and then do not match the
    expected sum, so the update is refused): nothing unhashed is ever kept."""
    upload = disk / "updates" / "ready.ext4.zst"
    upload.write_bytes(b"signed part")
    kept, digest, info = copy_while_changing(
        monkeypatch, upload, lambda: overwrite_in_place(upload, b"X" * 11)
    )
    assert kept == b"signXXXXXXX"
    assert digest == hashlib.sha256(kept).hexdigest()
    assert info.st_nlink == 0  # no name anywhere, so no other process can open it
    assert stat.S_IMODE(info.st_mode) == 0o600
    assert os.listdir(upload.parent) == ["ready.ext4.zst"]


def test_a_growing_upload_is_copied_only_as_long_as_it_was(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload = disk / "updates" / "ready.ext4.zst"
    upload.write_bytes(b"signed part")

    def grow() -> None:
        with upload.open("ab") as f:
            f.write(b" and more")

    kept, digest, _ = copy_while_changing(monkeypatch, upload, grow)
    assert kept == b"signed part" and digest == hashlib.sha256(kept).hexdigest()


def test_a_symlinked_upload_is_refused(disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = root_image(0x33)
    target = disk / "root.ext4"
    target.write_bytes(content)
    link = disk / "updates" / "root.ext4"
    link.symlink_to(target)
    digest = hashlib.sha256(content).hexdigest()
    with pytest.raises(CordboardError, match="symbolic link"):
        cli_system.apply_update(paths(disk), link, digest)
    hidden = ["--grubenv", str(disk / "grubenv"), "--partitions", str(disk / "by-partlabel")]
    args = ["system", "update", *hidden, "--cmdline", str(disk / "cmdline"), str(link), "--sha256", digest]
    assert main(args) == 1
    assert "symbolic link" in capsys.readouterr().err
    assert slot_b(disk) == b"b" * SLOT_SIZE
    assert read_grubenv(disk / "grubenv") == {"slot": "a"}


def test_a_fifo_or_folder_is_refused_without_blocking(disk: Path) -> None:
    fifo = disk / "updates" / "ready.ext4.zst"
    os.mkfifo(fifo)
    with pytest.raises(CordboardError, match="not a regular file"):
        cli_system.apply_update(paths(disk), fifo, "0" * 64)
    with pytest.raises(CordboardError, match="not a regular file"):
        open_upload(disk / "updates")
    with pytest.raises(CordboardError, match="no such file"):
        open_upload(disk / "updates" / "absent.ext4.zst")
    assert slot_b(disk) == b"b" * SLOT_SIZE


def test_a_symlinked_signature_is_refused(disk: Path, signing: tuple[Ed25519PrivateKey, Path]) -> None:
    private, key_path = signing
    ready, digest = signed_upload(disk, private, root_image(0x44))
    sig = signature_path(ready)
    signature = sig.read_bytes()
    elsewhere = disk / "elsewhere.sig"
    os.replace(sig, elsewhere)
    sig.symlink_to(elsewhere)
    with pytest.raises(CordboardError, match=r"symbolic link.*nothing was written"):
        cli_system.apply_update(paths(disk), ready, digest, signing_key=key_path)
    assert slot_b(disk) == b"b" * SLOT_SIZE
    sig.unlink()
    assert read_signature(ready) is None
    os.replace(elsewhere, sig)
    assert read_signature(ready) == signature


def track_copies(monkeypatch: pytest.MonkeyPatch) -> list[io.FileIO]:
    """Every private copy apply_update makes, checked to be nameless and root's only on creation."""
    copies: list[io.FileIO] = []
    real = cli_system.private_copy

    def tracked(source: int, near: Path) -> tuple[io.FileIO, str]:
        copy, digest = real(source, near)
        info = os.fstat(copy.fileno())
        assert info.st_nlink == 0 and stat.S_IMODE(info.st_mode) == 0o600
        copies.append(copy)
        return copy, digest

    monkeypatch.setattr(cli_system, "private_copy", tracked)
    return copies


def open_deleted_files(*folders: Path) -> list[str]:
    """Files this process still holds open in ``folders`` that have no name any more."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.endswith(" (deleted)") and any(target.startswith(f"{folder}/") for folder in folders):
            found.append(target)
    return found


def sabotage_write(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(cli_system, "write_image", fail)


@pytest.mark.parametrize("tmpfile", ["O_TMPFILE", "unlinked at once"])
@pytest.mark.parametrize("outcome", ["applied", "wrong sha256", "bad signature", "not ext4", "write fails"])
def test_the_private_copy_is_gone_whatever_the_outcome(
    disk: Path,
    signing: tuple[Ed25519PrivateKey, Path],
    monkeypatch: pytest.MonkeyPatch,
    outcome: str,
    tmpfile: str,
) -> None:
    if tmpfile != "O_TMPFILE":
        monkeypatch.setattr(tempfile, "_O_TMPFILE_WORKS", False)  # the file systems without it
    private, key_path = signing
    content = root_image(0x55)
    if outcome == "not ext4":
        content = content[:1080] + b"\0\0" + content[1082:]
    ready, digest = signed_upload(disk, private, content)
    if outcome == "wrong sha256":
        digest = "0" * 64
    if outcome == "bad signature":
        signature_path(ready).write_bytes(Ed25519PrivateKey.generate().sign(digest.encode()))
    if outcome == "write fails":
        sabotage_write(monkeypatch)
    copies = track_copies(monkeypatch)
    before = sorted(os.listdir(ready.parent))
    held = open_deleted_files(ready.parent, Path(tempfile.gettempdir()))
    if outcome == "applied":
        assert cli_system.apply_update(paths(disk), ready, digest, signing_key=key_path) == 0
        assert slot_b(disk)[: len(content)] == content
    else:
        with pytest.raises((CordboardError, OSError)):
            cli_system.apply_update(paths(disk), ready, digest, signing_key=key_path)
        assert slot_b(disk) == b"b" * SLOT_SIZE
    assert len(copies) == 1 and copies[0].closed
    assert sorted(os.listdir(ready.parent)) == before
    assert open_deleted_files(ready.parent, Path(tempfile.gettempdir())) == held


def test_the_copy_goes_to_roots_temporary_folder_when_the_uploads_folder_takes_none(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Say FILE is on a read-only medium: the copy is made in root's temporary folder instead."""
    upload = disk / "updates" / "root.ext4"
    upload.write_bytes(b"content")
    own_tmp = disk / "tmp"
    own_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_tmp))
    fd = open_upload(upload)
    try:
        copy, digest = private_copy(fd, disk / "no such folder")
    finally:
        os.close(fd)
    with copy:
        assert copy.read() == b"content" and digest == hashlib.sha256(b"content").hexdigest()
        assert os.readlink(f"/proc/self/fd/{copy.fileno()}").startswith(f"{own_tmp}/")
    assert os.listdir(own_tmp) == []


def test_progress_messages_are_unchanged(disk: Path, signing: tuple[Ed25519PrivateKey, Path]) -> None:
    private, key_path = signing
    ready, digest = signed_upload(disk, private, root_image(0x12))
    heard: list[tuple[str, dict[str, str]]] = []
    cli_system.apply_update(
        paths(disk), ready, digest, signing_key=key_path, progress=lambda m, f: heard.append((m, f))
    )
    device = disk / "by-partlabel" / "root-b"
    assert heard[0] == ("Checking ready.ext4.zst ...", {})
    assert heard[1] == (f"Writing slot b ({device}) ...", {"target": "b"})
    assert heard[2][0].startswith("Slot b: 0 MiB written in ") and heard[2][1] == {"target": "b"}
