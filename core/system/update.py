"""The appliance's A/B root slots, shared by ``cordboard system`` (run as root) and the web API.

The GRUB environment block, the running slot, and the checks an update file must pass before
anything is written: its sha256 and, for the contents, a complete zstd frame (``zstd -t``, which
a truncated download fails) holding an ext4 file system (its superblock magic).

Root takes an uploaded file from a folder the unprivileged ``cordboard`` user owns, so it opens
the file once (``open_upload``), copies it into a file only root can reach while hashing the bytes
it copies (``private_copy``), and checks and writes that copy alone: the file cannot be swapped
between the check and the write.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from cordboard.core.exceptions import CordboardError

GRUBENV_SIZE: Final = 1024
GRUBENV_HEADER: Final = "# GRUB Environment Block\n"
SLOTS: Final = ("a", "b")
TRIES: Final = 3
"""Boots GRUB gives an updated slot before it falls back (grub.cfg counts 3, 2, 1)."""
CHUNK: Final = 4 * 1024 * 1024
GRUBENV: Final = Path("/boot/efi/grub/grubenv")
PARTITIONS: Final = Path("/dev/disk/by-partlabel")
CMDLINE: Final = Path("/proc/cmdline")
MACHINE_ID: Final = Path("/etc/machine-id")


@dataclass(frozen=True, slots=True)
class SystemPaths:
    """Where the running system keeps what these commands touch (tests point them elsewhere)."""

    grubenv: Path = GRUBENV
    partitions: Path = PARTITIONS
    cmdline: Path = CMDLINE

    def slot_device(self, slot: str) -> Path:
        return self.partitions / f"root-{slot}"


# -- the GRUB environment block -------------------------------------------------------------------
def parse_grubenv(raw: bytes) -> dict[str, str]:
    text = raw.decode("utf-8", errors="replace")
    if not text.startswith(GRUBENV_HEADER):
        raise CordboardError("not a GRUB environment block (wrong header)")
    env: dict[str, str] = {}
    for line in text[len(GRUBENV_HEADER) :].split("\n"):
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if sep:
            env[key] = value
    return env


def format_grubenv(env: dict[str, str]) -> bytes:
    body = GRUBENV_HEADER + "".join(f"{key}={value}\n" for key, value in env.items())
    raw = body.encode()
    if len(raw) > GRUBENV_SIZE:
        raise CordboardError("the GRUB environment does not fit in its 1024-byte block")
    return raw + b"#" * (GRUBENV_SIZE - len(raw))


def read_grubenv(path: Path) -> dict[str, str]:
    try:
        return parse_grubenv(path.read_bytes())
    except OSError as err:
        raise CordboardError(f"cannot read the GRUB environment {path}: {err.strerror}") from err


def write_grubenv(path: Path, env: dict[str, str]) -> None:
    """Rewrite the block in place (same size, same clusters), then flush it to the disk."""
    raw = format_grubenv(env)
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, raw)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        raise CordboardError(f"cannot write the GRUB environment {path}: {err.strerror}") from err


# -- slots -----------------------------------------------------------------------------------------
def running_slot(cmdline: Path) -> str:
    try:
        words = cmdline.read_text().split()
    except OSError as err:
        raise CordboardError(f"cannot read {cmdline}: {err.strerror}") from err
    for word in words:
        if word.startswith("cordboard.slot="):
            slot = word.split("=", 1)[1]
            if slot in SLOTS:
                return slot
    raise CordboardError("this system was not booted from a Cordboard image slot (no cordboard.slot=)")


def other_slot(slot: str) -> str:
    return "b" if slot == "a" else "a"


def expected_sha256(file: Path, given: str | None) -> str:
    if given:
        digest = given.strip().lower()
    else:
        sidecar = file.with_name(file.name + ".sha256")
        try:
            digest = sidecar.read_text().split()[0].lower()
        except (OSError, IndexError) as err:
            message = f"no checksum: pass --sha256 or put {sidecar.name} next to the file"
            raise CordboardError(message) from err
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise CordboardError(f"not a sha256 checksum: {digest!r}")
    return digest


def _open_regular(path: Path) -> int:
    """Open ``path`` read-only without following a symbolic link; refuse anything but a regular
    file (a FIFO or device could block or never end). Raises OSError as os.open does."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise CordboardError(f"{path}: a symbolic link, refused (give the file itself)") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CordboardError(f"{path}: not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_upload(path: Path) -> int:
    """Open an update file for root, once: read-only, not through a symbolic link, a regular file.
    Everything after works from the returned descriptor, never from ``path`` again."""
    try:
        return _open_regular(path)
    except FileNotFoundError:
        raise CordboardError(f"{path}: no such file") from None
    except OSError as err:
        raise CordboardError(f"cannot open {path}: {err.strerror}") from err


SIGNATURE_MAX: Final = 4096
"""More than any signature (64 bytes, or their base64); a longer .sig is cut here and fails."""


def read_signature(file: Path) -> bytes | None:
    """The signature kept next to ``file`` (``signature_path``), read once like the update itself
    (not through a symbolic link); None when there is none."""
    path = signature_path(file)
    try:
        fd = _open_regular(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise CordboardError(f"cannot read {path.name}: {err.strerror}") from err
    try:
        raw = b""
        while len(raw) < SIGNATURE_MAX and (chunk := os.read(fd, SIGNATURE_MAX - len(raw))):
            raw += chunk
        return raw
    finally:
        os.close(fd)


def private_copy(source: int, near: Path) -> tuple[io.FileIO, str]:
    """Copy the open update ``source`` into a file only root can reach, hashing exactly the bytes it
    copies; returns the copy (at offset 0; closing it deletes it) and their sha256 in hex.

    The copy has no name anywhere: ``tempfile.TemporaryFile`` makes it with O_TMPFILE|O_EXCL (never
    linkable), else as a 0600 file unlinked at once. It goes first in ``near`` (the upload's own
    folder: on the appliance the data partition, which held the upload and grows to fill the disk,
    while the root slot has only some 280 MB free and /run is RAM), else in root's temporary folder
    (say a read-only medium). The copy is the compressed file (~260 MB): the price of a check that
    cannot be raced. Only as many bytes as ``source`` held when the copy began are copied, so a
    file that keeps growing cannot fill the disk."""
    size = os.fstat(source).st_size
    try:
        copy = tempfile.TemporaryFile(buffering=0, prefix=".cordboard-update-", dir=near)  # noqa: SIM115
    except OSError:
        copy = tempfile.TemporaryFile(buffering=0, prefix="cordboard-update-")  # noqa: SIM115
    try:
        digest = hashlib.sha256()
        os.lseek(source, 0, os.SEEK_SET)
        left = size
        while left > 0 and (chunk := os.read(source, min(CHUNK, left))):
            digest.update(chunk)
            left -= len(chunk)
            view = memoryview(chunk)
            while view:
                view = view[copy.write(view) or 0 :]
        copy.seek(0)
    except BaseException:
        copy.close()
        raise
    return copy, digest.hexdigest()


def write_image(source: int, device: Path, *, compressed: bool, label: str) -> int:
    """Stream the open file ``source`` (zstd-decompressed when ``compressed``) onto ``device``;
    returns the bytes written. ``label`` names the file in errors."""
    with device.open("r+b") as out:
        capacity = out.seek(0, os.SEEK_END)
        out.seek(0)
        written = 0
        os.lseek(source, 0, os.SEEK_SET)
        if compressed:
            proc = subprocess.Popen(["zstd", "-dc"], stdin=source, stdout=subprocess.PIPE)
            stream = proc.stdout
        else:
            proc = None
            stream = open(os.dup(source), "rb")  # noqa: SIM115 (closed below; the dup keeps source open)
        assert stream is not None
        try:
            while chunk := stream.read(CHUNK):
                written += len(chunk)
                if written > capacity:
                    raise CordboardError(f"the image is larger than {device} ({capacity} bytes)")
                out.write(chunk)
        finally:
            stream.close()
            if proc is not None and proc.wait() != 0:
                raise CordboardError(f"zstd could not decompress {label}")
        out.flush()
        os.fsync(out.fileno())
    return written


def carry_identity(device: Path, machine_id: Path = MACHINE_ID) -> bool:
    """Copy this device's machine-id into the freshly written slot, so the journal and anything keyed
    by it keep their identity across the update. Only for a real block device (a mount is needed)."""
    if not device.is_block_device():
        return False
    try:
        ident = machine_id.read_text().strip()
    except OSError:
        return False
    if len(ident) != 32:
        return False
    with tempfile.TemporaryDirectory(prefix="cordboard-slot-") as mnt:
        subprocess.run(["mount", "-t", "ext4", str(device), mnt], check=True)
        try:
            target = Path(mnt) / "etc" / "machine-id"
            target.write_text(ident + "\n")
            with target.open("rb") as f:
                os.fsync(f.fileno())
        finally:
            subprocess.run(["umount", mnt], check=True)
    return True


ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
EXT4_MAGIC_OFFSET: Final = 1080
EXT4_MAGIC: Final = b"\x53\xef"
UPDATES_DIR: Final = "updates"
READY_FILE: Final = "ready.ext4.zst"
READY_INFO: Final = "ready.json"
STATUS_FILE: Final = "status.json"
SLOTS_FILE: Final = "system-slots.json"
SIGNING_KEY: Final = Path("/etc/cordboard/update-signing.pub")
"""An Ed25519 public key (PEM). When the root file system has one, only updates signed with its
private key are written: root checks, so a compromised Cordboard process cannot install a root."""
SIGNATURE_SUFFIX: Final = ".sig"
"""In the data folder: the slots as root last saw them (boot, update), for the unprivileged API,
which cannot read the ESP (mounted for root only) and should not keep it mounted."""


def parse_sha256(text: str) -> str:
    """A sha256 given as hex or as a ``.sha256`` file's content (``HEX  NAME``)."""
    words = text.split()
    digest = words[0].lower() if words else ""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise CordboardError(f"not a sha256 checksum: {digest[:80]!r}")
    return digest


def check_image(file: Path, compressed: bool | None = None) -> None:
    """Refuse a file that is not a complete root file system: for ``.zst`` a zstd frame that
    decompresses to its end (``zstd -t``), and in any case the ext4 superblock magic."""
    if compressed is None:
        compressed = file.suffix == ".zst"
    try:
        fd = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as err:
        raise CordboardError(f"cannot read {file.name}: {err.strerror}") from err
    try:
        check_open_image(fd, file.name, compressed)
    finally:
        os.close(fd)


def check_open_image(fd: int, name: str, compressed: bool) -> None:
    """``check_image`` on an open file (root's private copy); ``name`` names it in errors."""
    try:
        head = os.pread(fd, EXT4_MAGIC_OFFSET + 2, 0)
    except OSError as err:
        raise CordboardError(f"cannot read {name}: {err.strerror}") from err
    if compressed:
        if not head.startswith(ZSTD_MAGIC):
            raise CordboardError(f"{name} is not zstd-compressed (no zstd frame)")
        os.lseek(fd, 0, os.SEEK_SET)
        tested = subprocess.run(["zstd", "-tq"], stdin=fd, capture_output=True, text=True)
        if tested.returncode != 0:
            detail = tested.stderr.strip().splitlines()[-1:] or ["zstd -t failed"]
            # zstd calls its standard input "/*stdin*\"; name the file instead.
            line = re.sub(r"^\S*\*stdin\*\S*", lambda _: name, detail[0])
            raise CordboardError(f"{name} is truncated or damaged: {line}")
        os.lseek(fd, 0, os.SEEK_SET)
        with subprocess.Popen(["zstd", "-dcq"], stdin=fd, stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            head = proc.stdout.read(EXT4_MAGIC_OFFSET + 2)
            proc.stdout.close()
            proc.kill()
    if head[EXT4_MAGIC_OFFSET : EXT4_MAGIC_OFFSET + 2] != EXT4_MAGIC:
        raise CordboardError(f"{name} does not hold an ext4 file system")


def is_appliance(paths: SystemPaths) -> bool:
    """Booted from a Cordboard image slot, with the GRUB environment where the image keeps it
    (the ESP is root's only: a permission error means it is there)."""
    try:
        running_slot(paths.cmdline)
    except CordboardError:
        return False
    try:
        return paths.grubenv.is_file()
    except PermissionError:
        return True
    except OSError:
        return False


def slot_status(paths: SystemPaths) -> dict[str, Any]:
    """What ``cordboard system status`` prints (raises when this is not an appliance)."""
    env = read_grubenv(paths.grubenv)
    return {
        "running": running_slot(paths.cmdline),
        "default": env.get("slot", "a"),
        "trial": env.get("try_slot") or None,
        "tries_left": int(env["tries"]) if env.get("tries", "").isdigit() else None,
    }


def write_json_atomic(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` as JSON in one rename (readers never see half a file)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def record_slots(data: Path, paths: SystemPaths) -> None:
    """Save ``slot_status`` as ``<data>/system-slots.json`` (run as root; readable by Cordboard)."""
    write_json_atomic(Path(data) / SLOTS_FILE, slot_status(paths))


def known_slots(data: Path, paths: SystemPaths) -> dict[str, Any]:
    """The slots for the API: the running one from the kernel command line, the rest from what root
    recorded, else from the GRUB environment itself (readable when not on the image's ESP)."""
    running = running_slot(paths.cmdline)
    recorded = read_json(Path(data) / SLOTS_FILE)
    if recorded is None:
        return slot_status(paths)
    return {
        "running": running,
        "default": recorded.get("default"),
        "trial": recorded.get("trial"),
        "tries_left": recorded.get("tries_left"),
    }


def signature_path(file: Path) -> Path:
    """Where the signature of ``file`` is kept: ``<file>.sig``."""
    return file.with_name(file.name + SIGNATURE_SUFFIX)


def check_signature(sha256_hex: str, signature: bytes | None, key_path: Path | None = None) -> None:
    """Raise CordboardError unless ``signature`` (64 raw bytes, or their base64) is the key's Ed25519
    signature of the update's sha256 in hex. Without a key file there is nothing to check."""
    key_path = key_path or SIGNING_KEY
    if not key_path.exists():
        return
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    if not signature:
        raise CordboardError("this appliance installs only signed updates, and this one has no signature")
    try:
        key = load_pem_public_key(key_path.read_bytes())
    except ValueError:
        raise CordboardError(f"{key_path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CordboardError(f"{key_path} is not an Ed25519 public key")
    raw = signature if len(signature) == 64 else signature.strip()
    if len(raw) != 64:
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise CordboardError("the signature is neither 64 bytes nor their base64") from None
    try:
        key.verify(raw, sha256_hex.encode("ascii"))
    except InvalidSignature:
        raise CordboardError("the update's signature does not match this appliance's update key") from None
