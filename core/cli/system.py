"""``cordboard system``: the appliance image's A/B root slots (update, mark-good, status).

The image (image/README.md) has two root partitions, ``root-a`` and ``root-b``, and GRUB picks one
from its environment block on the ESP: ``slot`` is the known-good slot; ``try_slot`` with ``tries``
is an updated slot on trial, which GRUB boots while ``tries`` lasts and then gives up on.

* ``update FILE`` checks a ``root.ext4.zst`` (or ``root.ext4``) against its sha256 before anything
  is written, writes it to the slot not running now, and asks GRUB to try it on the next boot.
  It reads FILE once, into a private copy, and checks and writes only that copy.
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
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from cordboard.core.config.bootstrap import load_bootstrap
from cordboard.core.exceptions import CordboardError
from cordboard.core.system.update import (
    CMDLINE,
    GRUBENV,
    PARTITIONS,
    READY_FILE,
    READY_INFO,
    STATUS_FILE,
    TRIES,
    UPDATES_DIR,
    SystemPaths,
    carry_identity,
    check_open_image,
    check_signature,
    expected_sha256,
    open_upload,
    other_slot,
    private_copy,
    read_grubenv,
    read_json,
    read_signature,
    record_slots,
    running_slot,
    signature_path,
    slot_status,
    write_grubenv,
    write_image,
    write_json_atomic,
)


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
    apply = actions.add_parser(
        "apply-ready", help="apply an update the web UI left in <data>/updates (cordboard-update.service)"
    )
    data_arg(apply)
    apply.add_argument("--reboot", action="store_true", help="reboot into the new slot when written")
    for action in (update, good, status, apply):
        action.add_argument("--grubenv", type=Path, default=GRUBENV, help=argparse.SUPPRESS)
        action.add_argument("--partitions", type=Path, default=PARTITIONS, help=argparse.SUPPRESS)
        action.add_argument("--cmdline", type=Path, default=CMDLINE, help=argparse.SUPPRESS)


def update(args: argparse.Namespace) -> int:
    return apply_update(paths_from_args(args), args.file, args.sha256, reboot=args.reboot)


def apply_update(
    paths: SystemPaths,
    file: Path,
    sha256: str | None,
    *,
    reboot: bool = False,
    progress: Callable[[str, dict[str, str]], None] | None = None,
    signing_key: Path | None = None,
) -> int:
    """Check ``file`` (sha256, then zstd frame and ext4 magic), write it to the other slot, start
    its trial. ``progress(message, fields)`` hears each step (the web UI's status file).

    The file may sit in a folder the unprivileged cordboard user owns (the API's uploads), so it
    is opened once (no symbolic link, a regular file) and copied into a file only root can reach
    while hashing; the checks and the slot read that copy, never ``file`` again."""

    def say(message: str, **fields: str) -> None:
        print(message, flush=True)
        if progress is not None:
            progress(message, fields)

    upload = open_upload(file)
    try:
        expected = expected_sha256(file, sha256)
        current = running_slot(paths.cmdline)
        env = read_grubenv(paths.grubenv)
        if env.get("try_slot") == current:
            raise CordboardError(f"slot {current} is still on trial: wait until it is marked good")
        say(f"Checking {file.name} ...")
        try:
            copy, actual = private_copy(upload, file.parent)
        except OSError as err:
            raise CordboardError(
                f"cannot copy {file.name} to check it: {err.strerror}; nothing was written"
            ) from err
    finally:
        os.close(upload)
    with copy:  # closing the private copy deletes it, on every way out
        if actual != expected:
            raise CordboardError(
                f"{file.name}: sha256 {actual} does not match {expected}; nothing was written"
            )
        compressed = file.suffix == ".zst"
        try:
            check_signature(actual, read_signature(file), signing_key)
            check_open_image(copy.fileno(), file.name, compressed)
        except CordboardError as err:
            raise CordboardError(f"{err}; nothing was written") from None
        target = other_slot(current)
        if env.get("try_slot") == target:
            # A pending trial of the slot about to be overwritten must not boot a half-written root.
            env.pop("try_slot", None)
            env.pop("tries", None)
            write_grubenv(paths.grubenv, env)
        device = paths.slot_device(target)
        say(f"Writing slot {target} ({device}) ...", target=target)
        started = time.monotonic()
        written = write_image(copy.fileno(), device, compressed=compressed, label=str(file))
        try:
            carry_identity(device)
        except (OSError, subprocess.CalledProcessError) as err:
            raise CordboardError(f"slot {target} was written but cannot be mounted: {err}") from err
        env.update(try_slot=target, tries=str(TRIES))
        write_grubenv(paths.grubenv, env)
        seconds = time.monotonic() - started
        mib = written // (1024 * 1024)
        say(f"Slot {target}: {mib} MiB written in {seconds:.0f} s; it boots next (on trial)", target=target)
    if reboot:
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
    result = _mark_good(args)
    _record(args.data, paths_from_args(args))
    return result


def _record(data: Path, paths: SystemPaths) -> None:
    """Tell the web API (unprivileged, cannot read the ESP) what the slots are now."""
    try:
        record_slots(data, paths)
    except (CordboardError, OSError) as err:
        print(f"cordboard: cannot record the slots in {data}: {err}", file=sys.stderr)


def _mark_good(args: argparse.Namespace) -> int:
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
    info = slot_status(paths_from_args(args))
    if args.json:
        print(json.dumps(info))
    else:
        for key, value in info.items():
            print(f"{key}: {value if value is not None else '-'}")
    return 0


def apply_ready(args: argparse.Namespace) -> int:
    """Apply ``<data>/updates/ready.ext4.zst`` (uploaded through the web API, which checked it) and
    report each step in ``<data>/updates/status.json``. The ready file is removed whatever the
    outcome, so the path unit that starts this does not start it again."""
    updates = Path(args.data) / UPDATES_DIR
    ready = updates / READY_FILE
    if not ready.is_file():
        print(f"cordboard: no update waiting in {updates}", flush=True)
        return 0
    info = read_json(updates / READY_INFO) or {}
    base = {k: str(info[k]) for k in ("sha256", "version", "build_id") if info.get(k)}

    def report(state: str, message: str, **fields: str) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        status = {**base, **fields, "state": state, "message": message, "at": now}
        write_json_atomic(updates / STATUS_FILE, status)

    target: dict[str, str] = {}

    def progress(message: str, fields: dict[str, str]) -> None:
        target.update(fields)
        report("applying", message, **target)

    report("applying", "Starting the update")
    try:
        apply_update(paths_from_args(args), ready, base.get("sha256") or "", progress=progress)
    except (CordboardError, OSError) as err:
        report("failed", str(err), **target)
        ready.unlink(missing_ok=True)
        signature_path(ready).unlink(missing_ok=True)
        (updates / READY_INFO).unlink(missing_ok=True)
        print(f"cordboard: {err}", file=sys.stderr)
        return 1
    ready.unlink(missing_ok=True)
    signature_path(ready).unlink(missing_ok=True)
    (updates / READY_INFO).unlink(missing_ok=True)
    report("applied", "Written; the appliance restarts into the new version", **target)
    _record(args.data, paths_from_args(args))
    if args.reboot:
        subprocess.run(["systemctl", "reboot"], check=False)
    return 0


ACTIONS: Final = {"update": update, "mark-good": mark_good, "status": status, "apply-ready": apply_ready}
