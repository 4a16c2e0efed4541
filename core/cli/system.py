"""``cordboard system``: the appliance image's A/B root slots (update, mark-good, status).

The image (image/README.md) has two root partitions, ``root-a`` and ``root-b``, and GRUB picks one
from its environment block on the ESP: ``slot`` is the known-good slot; ``try_slot`` with ``tries``
is an updated slot on trial, which GRUB boots while ``tries`` lasts and then gives up on.

* ``update FILE`` checks a ``root.ext4.zst`` (or ``root.ext4``) against its sha256 before anything
  is written, writes it to the slot not running now, and asks GRUB to try it on the next boot.
* ``mark-good`` (run at every boot by ``cordboard-boot-ok.service``) waits until Cordboard answers
  ``/api/health`` and then makes the running slot the known-good one; a trial slot that does not
  answer in time reboots, so GRUB falls back once its tries run out.
* ``status`` prints the running slot and the GRUB environment.

The GRUB environment block is read and written here (a 1024-byte file of ``key=value`` lines
padded with ``#``), in place, so it needs no grub-editenv and stays where GRUB's ``save_env``
expects it on the FAT file system.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cordboard.core.config.bootstrap import load_bootstrap
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


def paths_from_args(args: argparse.Namespace) -> SystemPaths:
    return SystemPaths(grubenv=args.grubenv, partitions=args.partitions, cmdline=args.cmdline)


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    data_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``system`` subcommand and its actions (called by cordboard.core.cli.build_parser)."""
    system = sub.add_parser("system", help="appliance image: A/B updates of the root file system")
    actions = system.add_subparsers(dest="system_command", required=True, metavar="ACTION")
    update = actions.add_parser("update", help="write a root.ext4.zst to the other slot and try it next boot")
    update.add_argument("file", type=Path, metavar="FILE", help="root.ext4.zst (or root.ext4) from a build")
    update.add_argument("--sha256", metavar="HEX", help="expected sha256 (default: read FILE.sha256)")
    update.add_argument("--reboot", action="store_true", help="reboot into the new slot when written")
    good = actions.add_parser("mark-good", help="make the running slot the known-good one once healthy")
    data_arg(good)
    good.add_argument("--wait", type=float, default=0, metavar="S", help="seconds to wait for /api/health")
    good.add_argument(
        "--reboot-on-failure", action="store_true", help="reboot when a slot on trial does not answer"
    )
    status = actions.add_parser("status", help="print the running slot and the GRUB environment")
    status.add_argument("--json", action="store_true", help="print JSON")
    for action in (update, good, status):
        action.add_argument("--grubenv", type=Path, default=GRUBENV, help=argparse.SUPPRESS)
        action.add_argument("--partitions", type=Path, default=PARTITIONS, help=argparse.SUPPRESS)
        action.add_argument("--cmdline", type=Path, default=CMDLINE, help=argparse.SUPPRESS)


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_image(file: Path, device: Path) -> int:
    """Stream ``file`` (zstd-decompressed when it ends in .zst) onto ``device``; returns the bytes written."""
    with device.open("r+b") as out:
        capacity = out.seek(0, os.SEEK_END)
        out.seek(0)
        written = 0
        if file.suffix == ".zst":
            proc = subprocess.Popen(["zstd", "-dc", "--", str(file)], stdout=subprocess.PIPE)
            source = proc.stdout
        else:
            proc = None
            source = file.open("rb")
        assert source is not None
        try:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > capacity:
                    raise CordboardError(f"the image is larger than {device} ({capacity} bytes)")
                out.write(chunk)
        finally:
            source.close()
            if proc is not None and proc.wait() != 0:
                raise CordboardError(f"zstd could not decompress {file}")
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


def update(args: argparse.Namespace) -> int:
    paths = paths_from_args(args)
    file: Path = args.file
    if not file.is_file():
        raise CordboardError(f"{file}: no such file")
    expected = expected_sha256(file, args.sha256)
    current = running_slot(paths.cmdline)
    env = read_grubenv(paths.grubenv)
    if env.get("try_slot") == current:
        raise CordboardError(f"slot {current} is still on trial: wait until it is marked good")
    print(f"Checking {file.name} ...", flush=True)
    actual = file_sha256(file)
    if actual != expected:
        raise CordboardError(f"{file.name}: sha256 {actual} does not match {expected}; nothing was written")
    target = other_slot(current)
    if env.get("try_slot") == target:
        # A pending trial of the slot about to be overwritten must not boot a half-written root.
        env.pop("try_slot", None)
        env.pop("tries", None)
        write_grubenv(paths.grubenv, env)
    device = paths.slot_device(target)
    print(f"Writing slot {target} ({device}) ...", flush=True)
    started = time.monotonic()
    written = write_image(file, device)
    try:
        carry_identity(device)
    except (OSError, subprocess.CalledProcessError) as err:
        raise CordboardError(f"slot {target} was written but cannot be mounted: {err}") from err
    env.update(try_slot=target, tries=str(TRIES))
    write_grubenv(paths.grubenv, env)
    seconds = time.monotonic() - started
    mib = written // (1024 * 1024)
    print(f"Slot {target}: {mib} MiB written in {seconds:.0f} s; it boots next (on trial)", flush=True)
    if args.reboot:
        subprocess.run(["systemctl", "reboot"], check=False)
    return 0


def _health_url(data: Path) -> str:
    config = load_bootstrap(data, create=False)
    host = config.http_bind if config.http_bind not in ("0.0.0.0", "::", "") else "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{config.http_port}/api/health"


def wait_healthy(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(1)


def mark_good(args: argparse.Namespace) -> int:
    paths = paths_from_args(args)
    current = running_slot(paths.cmdline)
    url = _health_url(args.data)
    healthy = wait_healthy(url, args.wait)
    env = read_grubenv(paths.grubenv)
    on_trial = env.get("try_slot") == current
    if not healthy:
        print(f"Cordboard: slot {current} is not healthy ({url} did not answer)", file=sys.stderr)
        if on_trial and args.reboot_on_failure:
            print(f"Cordboard: rebooting; GRUB falls back once slot {current} runs out of tries", flush=True)
            subprocess.run(["systemctl", "reboot"], check=False)
        return 1
    if on_trial:
        env["slot"] = current
        env.pop("try_slot", None)
        env.pop("tries", None)
        write_grubenv(paths.grubenv, env)
        print(f"Cordboard: slot {current} is healthy and now the default", flush=True)
    elif env.get("slot") == current:
        print(f"Cordboard: slot {current} is healthy", flush=True)
    else:
        default = env.get("slot", "a")
        print(f"Cordboard: slot {current} is healthy; the default stays slot {default}", flush=True)
    return 0


def status(args: argparse.Namespace) -> int:
    paths = paths_from_args(args)
    env = read_grubenv(paths.grubenv)
    info = {
        "running": running_slot(paths.cmdline),
        "default": env.get("slot", "a"),
        "trial": env.get("try_slot") or None,
        "tries_left": int(env["tries"]) if env.get("tries", "").isdigit() else None,
    }
    if args.json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key}: {value if value is not None else '-'}")
    return 0


ACTIONS: Final = {"update": update, "mark-good": mark_good, "status": status}
