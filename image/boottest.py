#!/usr/bin/env python3
"""`make image-test`: boot the appliance image in QEMU (TCG) and prove it works end to end.

1. UEFI boot of a scratch copy of image/out/cordboard.img.zst on a disk 1 GiB larger than the
   image: /api/health, setup with the token from the serial console, two users through the API,
   two SIPp registrations and one call to the echo number *43 whose RTP comes back, a clean
   shutdown, then the data partition (grown to fill the disk) holds the users.
2. Legacy BIOS boot of the same disk to /api/health; then the A/B update as an administrator
   does it in the web UI: root.ext4.zst is uploaded (streamed) to `POST /api/system/update`, the
   image's root-run cordboard-update.path/.service writes it to slot b and reboots; slot b boots,
   reports healthy, is made the default in grubenv, `GET /api/system/update` says so, and slot b
   still has the users and the device's machine-id.
3. GRUB's boot counting, booted only as far as GRUB: a slot on trial boots while tries are left,
   and with none left GRUB clears the trial and boots the known-good slot.

Needs root (loop mounts of the scratch copy's ext4 partitions), qemu-system-x86, ovmf, mtools and
sipp. Prints build time, compressed size and boot-to-health times. Only the standard library.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
WORK = HERE / "work" / "test"
REGISTER_XML = HERE.parent / "tests" / "interop" / "scenarios" / "register.xml"
ECHO_XML = HERE / "test" / "echo_call.xml"
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
GUEST_HTTP, GUEST_SIP = 8123, 5060
RTP_PORTS = range(47100, 47108)  # the guest's relay ports, forwarded 1:1 (the SDP names them)
ADMIN = {"username": "installer", "password": "image-test-admin-password"}
USERS = {
    "ann": {"extension": "1001", "first_name": "Ann", "last_name": "Andersen"},
    "bo": {"extension": "1002", "first_name": "Bo", "last_name": "Berg"},
}
SIP_PASSWORD = "image-test-sip-secret"


def log(message: str) -> None:
    print(f"[image-test {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def http(method: str, url: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        raw = err.read()
        try:
            return err.code, json.loads(raw or b"null")
        except ValueError:
            return err.code, raw.decode(errors="replace")


def run(*cmd: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), check=True, text=True, capture_output=True, **kwargs)


# -- the scratch disk -----------------------------------------------------------------------------
def partitions(disk: Path) -> dict[str, tuple[int, int]]:
    """PARTLABEL -> (offset, size) in bytes."""
    table = json.loads(run("sfdisk", "--json", str(disk)).stdout)["partitiontable"]
    sector = int(table.get("sectorsize", 512))
    return {p["name"]: (int(p["start"]) * sector, int(p["size"]) * sector) for p in table["partitions"]}


@contextlib.contextmanager
def mounted(disk: Path, label: str, *, readonly: bool) -> Iterator[Path]:
    """Loop-mount one ext4 partition of ``disk`` (ext4 mounts work on the build host; vfat does not)."""
    offset, size = partitions(disk)[label]
    target = Path(tempfile.mkdtemp(prefix=f"cb-{label}-", dir=WORK))
    options = f"loop,offset={offset},sizelimit={size}" + (",ro,noload" if readonly else "")
    run("mount", "-t", "ext4", "-o", options, str(disk), str(target))
    try:
        yield target
    finally:
        subprocess.run(["umount", str(target)], check=False)
        target.rmdir()


def grubenv(disk: Path) -> dict[str, str]:
    offset, _ = partitions(disk)["esp"]
    raw = run("mtype", "-i", f"{disk}@@{offset}", "::/grub/grubenv").stdout
    return dict(line.split("=", 1) for line in raw.splitlines() if "=" in line and not line.startswith("#"))


def set_grubenv(disk: Path, env: dict[str, str]) -> None:
    """Overwrite grubenv in place on the ESP (mtools: the build host cannot mount vfat)."""
    offset, _ = partitions(disk)["esp"]
    body = "# GRUB Environment Block\n" + "".join(f"{k}={v}\n" for k, v in env.items())
    local = WORK / "grubenv"
    local.write_bytes(body.encode() + b"#" * (1024 - len(body)))
    run("mcopy", "-o", "-i", f"{disk}@@{offset}", str(local), "::/grub/grubenv")


# -- QEMU -------------------------------------------------------------------------------------------
class Guest:
    """One QEMU run of the scratch disk, with host loopback ports forwarded to the guest."""

    def __init__(self, disk: Path, name: str, *, uefi: bool, http_port: int, sip_port: int) -> None:
        self.disk, self.name, self.uefi = disk, name, uefi
        self.http_port, self.sip_port = http_port, sip_port
        self.serial_log = WORK / f"serial-{name}.log"
        self.monitor = WORK / f"monitor-{name}.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.extra_drives: list[Path] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        forwards = [
            f"hostfwd=tcp:127.0.0.1:{self.http_port}-:{GUEST_HTTP}",
            f"hostfwd=udp:127.0.0.1:{self.sip_port}-:{GUEST_SIP}",
            *(f"hostfwd=udp:127.0.0.1:{port}-:{port}" for port in RTP_PORTS),
        ]
        cmd = [
            "qemu-system-x86_64",
            "-machine", "q35",
            "-m", "1024",
            "-smp", "2",
            "-accel", "tcg",
            "-cpu", "max",  # x86-64-v2 at least (SSE4.2, POPCNT), as numpy needs; qemu64 is v1
            "-display", "none",
            "-serial", f"file:{self.serial_log}",
            "-monitor", f"unix:{self.monitor},server,nowait",
            "-drive", f"file={self.disk},format=raw,if=virtio",
            "-netdev", "user,id=n0," + ",".join(forwards),
            "-device", "virtio-net-pci,netdev=n0",
        ]  # fmt: skip
        for extra in self.extra_drives:
            cmd += ["-drive", f"file={extra},format=raw,if=virtio,readonly=on"]
        if self.uefi:
            vars_fd = WORK / f"ovmf-vars-{self.name}.fd"
            shutil.copyfile(OVMF_VARS, vars_fd)
            cmd += [
                "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={vars_fd}",
            ]  # fmt: skip
        self.monitor.unlink(missing_ok=True)
        self.serial_log.unlink(missing_ok=True)  # never match a previous run's console
        log(f"{self.name}: starting QEMU ({'UEFI' if self.uefi else 'legacy BIOS'}, TCG)")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)

    def serial(self) -> str:
        try:
            return self.serial_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name}: QEMU exited ({self.proc.returncode})\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.serial().splitlines()[-lines:])

    def wait_health(self, timeout: float = 600) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.alive()
            try:
                status, body = http("GET", f"{self.base}/api/health")
                if status == 200 and isinstance(body, dict) and body.get("status") == "ok":
                    seconds = time.monotonic() - self.started
                    log(f"{self.name}: /api/health answered {seconds:.1f} s after QEMU started")
                    return seconds
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise AssertionError(f"{self.name}: no /api/health within {timeout} s\n{self.tail()}")

    def wait_serial(self, pattern: str, timeout: float = 300, after: int = 0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.alive()
            found = re.search(pattern, self.serial()[after:])
            if found:
                return found
            time.sleep(1)
        raise AssertionError(f"{self.name}: {pattern!r} not on the serial console\n{self.tail()}")

    def shutdown(self, timeout: float = 180) -> None:
        """ACPI power button, then wait: the guest must flush and unmount before QEMU exits."""
        assert self.proc is not None
        if self.proc.poll() is None:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(str(self.monitor))
                sock.sendall(b"system_powerdown\n")
                time.sleep(0.5)
            try:
                self.proc.wait(timeout)
                log(f"{self.name}: the guest shut down cleanly")
                return
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(
                    f"{self.name}: no clean shutdown within {timeout} s\n{self.tail()}"
                ) from None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# -- SIP and RTP --------------------------------------------------------------------------------------
def sipp(work: Path, *args: str, timeout: float = 120) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["sipp", *args, "-i", "127.0.0.1", "-m", "1", "-timeout_error", "-nostdin", "-trace_err"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen[str], what: str, timeout: float = 120) -> None:
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
    if proc.returncode != 0:
        raise AssertionError(f"SIPp {what} failed ({proc.returncode}):\n{output[-3000:]}")


def register(guest: Guest, work: Path, username: str) -> None:
    users = work / f"register-{username}.csv"
    users.write_text(f"SEQUENTIAL\n{username};[authentication username={username} password={SIP_PASSWORD}]\n")
    proc = sipp(
        work,
        "-sf", str(REGISTER_XML),
        "-inf", str(users),
        f"127.0.0.1:{guest.sip_port}",
        "-p", str(free_port(socket.SOCK_DGRAM)),
        "-timeout", "60",
    )  # fmt: skip
    finish(proc, f"REGISTER of {username}")
    log(f"{username} registered through the forwarded SIP port")


def echo_payload(seq: int) -> bytes:
    """20 ms of A-law audio, different in every packet: the echo test decodes and re-encodes it,
    and A-law codes come back unchanged, so what returns shows it is the caller's own audio."""
    return bytes((seq * 31 + i * 7) & 0xFF for i in range(160))


def rtp_packet(seq: int) -> bytes:
    return struct.pack("!BBHII", 0x80, 8, seq, seq * 160, 0x1A2B3C4D) + echo_payload(seq)


def echo_call(guest: Guest, work: Path, caller: str) -> int:
    """``caller`` dials *43; returns how many of the 50 audio frames it sent came back."""
    relay_file = work / "relay-port"
    relay_file.unlink(missing_ok=True)
    caller_csv = work / "caller.csv"
    caller_csv.write_text(f"SEQUENTIAL\n{caller};\n")
    proc = sipp(
        work,
        "-sf", str(ECHO_XML),
        "-inf", str(caller_csv),
        f"127.0.0.1:{guest.sip_port}",
        "-s", "*43",
        "-au", caller,
        "-ap", SIP_PASSWORD,
        "-p", str(free_port(socket.SOCK_DGRAM)),
        "-d", "8000",
        "-key", "relay_file", str(relay_file),
        "-timeout", "90",
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (relay_file.exists() and relay_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            finish(proc, "echo call", timeout=5)
            raise AssertionError("the echo call was not answered")
        time.sleep(0.1)
    relay_port = int(relay_file.read_text())
    assert relay_port in RTP_PORTS, f"relay port {relay_port} is not forwarded"
    sent = {echo_payload(seq) for seq in range(50)}
    echoed: set[bytes] = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as media:
        media.bind(("127.0.0.1", 0))
        media.settimeout(0.02)
        for seq in range(50):
            media.sendto(rtp_packet(seq), ("127.0.0.1", relay_port))
            with contextlib.suppress(TimeoutError):
                while True:
                    data = media.recv(2048)
                    if data[12:] in sent:
                        echoed.add(data[12:])
        media.settimeout(2)
        with contextlib.suppress(TimeoutError):
            while len(echoed) < 50:
                data = media.recv(2048)
                if data[12:] in sent:
                    echoed.add(data[12:])
    finish(proc, "echo call")
    log(f"{caller} called *43: answered, {len(echoed)}/50 audio frames came back, hung up")
    return len(echoed)


# -- the test ----------------------------------------------------------------------------------------
def prepare_disk() -> Path:
    disk = WORK / "disk.img"
    disk.unlink(missing_ok=True)
    run("zstd", "-q", "-d", str(OUT / "cordboard.img.zst"), "-o", str(disk))
    with disk.open("r+b") as f:  # a disk 1 GiB larger than the image: the data partition must grow
        f.truncate(disk.stat().st_size + 1024**3)
    with mounted(disk, "cb-data", readonly=False) as data:
        (data / "cordboard.toml").write_text(
            "# Written by image/boottest.py before the first boot (QEMU user-mode network).\n"
            "[sip]\n"
            "# SIPp reads only the first digest challenge and knows only MD5.\n"
            'digest_algorithms = ["MD5", "SHA-256"]\n'
            "# The host reaches the guest through forwarded loopback ports.\n"
            'advertise = "127.0.0.1"\n'
            "[rtp]\n"
            f"port_min = {RTP_PORTS.start}\n"
            f"port_max = {RTP_PORTS.stop - 1}\n"
        )
    return disk


def setup_and_users(guest: Guest) -> str:
    token_match = guest.wait_serial(r"/setup\?token=([A-Za-z0-9_\-]+)", timeout=120)
    log("the setup link is on the serial console")
    guest.wait_serial(r"Cordboard appliance .*slot a\)", timeout=120)
    log("the login prompt shows the appliance's banner (issue file)")
    status, body = http(
        "POST",
        f"{guest.base}/api/setup",
        {
            "token": token_match.group(1),
            **ADMIN,
            "first_name": "Image",
            "last_name": "Test",
            "email": "installer@example.com",
        },
    )
    assert 200 <= status < 300, (status, body)
    session = login(guest)
    for username, profile in USERS.items():
        status, body = http(
            "POST",
            f"{guest.base}/api/users",
            {
                "username": username,
                "email": f"{username}@example.com",
                "sip_password": SIP_PASSWORD,
                **profile,
            },
            token=session,
        )
        assert status == 201, (status, body)
    log("setup done through the API; users ann (1001) and bo (1002) created")
    return session


def login(guest: Guest) -> str:
    status, body = http("POST", f"{guest.base}/api/auth/login", ADMIN)
    assert status == 200, (status, body)
    return str(body["token"])


def usernames(guest: Guest, session: str) -> set[str]:
    status, body = http("GET", f"{guest.base}/api/users", token=session)
    assert status == 200, (status, body)
    return {user["username"] for user in body}


def check_data_partition(disk: Path) -> None:
    _, size = partitions(disk)["cb-data"]
    assert size > 1024**3, f"the data partition did not grow: {size} bytes"
    with mounted(disk, "cb-data", readonly=True) as data:
        fs_size = os.statvfs(data).f_blocks * os.statvfs(data).f_frsize
        assert fs_size > 1024**3, f"the data file system did not grow: {fs_size} bytes"
        copy = WORK / "cordboard.db"
        for suffix in ("", "-wal", "-shm"):
            src = data / f"cordboard.db{suffix}"
            dst = WORK / f"cordboard.db{suffix}"
            dst.unlink(missing_ok=True)
            if src.exists():
                shutil.copyfile(src, dst)
    with contextlib.closing(sqlite3.connect(copy)) as db:
        names = {row[0] for row in db.execute("SELECT username FROM users")}
    assert {ADMIN["username"], *USERS} <= names, names
    log(f"data partition: {size / 1024**3:.2f} GiB after growing, users {sorted(names)} on disk")


def upload_update(guest: Guest, session: str) -> dict[str, Any]:
    """Stream root.ext4.zst to the API as the web UI's upload does; it answers once it has checked it."""
    artifact = OUT / "root.ext4.zst"
    digest = (OUT / "root.ext4.zst.sha256").read_text().split()[0]
    with artifact.open("rb") as body:
        request = urllib.request.Request(
            f"{guest.base}/api/system/update?sha256={digest}", data=body, method="POST"
        )
        request.add_header("Content-Type", "application/octet-stream")
        request.add_header("Content-Length", str(artifact.stat().st_size))
        request.add_header("Authorization", f"Bearer {session}")
        try:
            with urllib.request.urlopen(request, timeout=900) as resp:
                status, answer = resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            status, answer = err.code, err.read().decode(errors="replace")
    assert status == 202, (status, answer)
    return answer  # type: ignore[no-any-return]


def boot_counting(disk: Path, ports: dict[str, int]) -> None:
    """GRUB's side of A/B: a slot on trial boots while tries last, then GRUB falls back.

    Each case boots only as far as GRUB's "booting slot X" (legacy BIOS), then stops QEMU: GRUB has
    already saved the counted-down environment by then.
    """
    cases = [
        ({"slot": "b", "try_slot": "a", "tries": "2"}, "a", {"slot": "b", "try_slot": "a", "tries": "1"}),
        ({"slot": "b", "try_slot": "a", "tries": "0"}, "b", {"slot": "b", "try_slot": "", "tries": ""}),
    ]
    for number, (before, booted, after) in enumerate(cases, start=1):
        set_grubenv(disk, before)
        guest = Guest(disk, f"grub-{number}", uefi=False, **ports)
        guest.start()
        try:
            found = guest.wait_serial(r"Cordboard: booting slot ([ab])", timeout=300)
        finally:
            guest.kill()
        env = grubenv(disk)
        assert found.group(1) == booted, f"{before}: GRUB booted slot {found.group(1)}, not {booted}"
        assert {k: env.get(k, "") for k in after} == after, f"{before}: grubenv became {env}"
        log(f"GRUB with {before}: booted slot {booted}, grubenv now {env}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-ab", action="store_true", help="leave out the A/B update boots")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("image-test: run as root (loop mounts of the scratch disk)", file=sys.stderr)
        return 1
    manifest = json.loads((OUT / "manifest.json").read_text())
    for port in RTP_PORTS:
        if not port_free(port, socket.SOCK_DGRAM):
            print(f"image-test: UDP port {port} on 127.0.0.1 is taken", file=sys.stderr)
            return 1
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, float] = {}
    started = time.monotonic()
    disk = prepare_disk()
    ports = {"http_port": free_port(socket.SOCK_STREAM), "sip_port": free_port(socket.SOCK_DGRAM)}
    sipp_work = WORK / "sipp"
    shutil.rmtree(sipp_work, ignore_errors=True)
    sipp_work.mkdir()
    guests: list[Guest] = []
    try:
        # 1. UEFI: setup, users, registrations, the echo call, clean shutdown, data on disk.
        uefi = Guest(disk, "uefi", uefi=True, **ports)
        guests.append(uefi)
        uefi.start()
        results["uefi"] = uefi.wait_health()
        session = setup_and_users(uefi)
        status, info = http("GET", f"{uefi.base}/api/system_info/", token=session)
        assert status == 200 and info["sip_engine"] == "compiled (installed)", (status, info)
        log(f"uefi: the SIP engine is {info['sip_engine']}")
        for username in USERS:
            register(uefi, sipp_work, username)
        echoed = echo_call(uefi, sipp_work, "ann")
        assert echoed >= 25, f"only {echoed}/50 audio frames came back from the echo test"
        assert usernames(uefi, session) >= set(USERS)
        # Once set up, the console drops the (now used) setup link: a banner with no link follows.
        uefi.wait_serial(
            r"=== Cordboard \(slot a\) ===[^\n]*\n[^\n]*Cordboard is running: [^\n]*\n[^\n]*Network:", 120
        )
        uefi.wait_serial(
            r"Cordboard appliance [^\n]*slot a\)\r?\nAddress: [^\n]*\n"
            r"Cordboard is running: [^\n]*\n\s*cordboard login:",
            120,
        )
        log("after setup the console and the login prompt show the address without the setup link")
        uefi.shutdown()
        check_data_partition(disk)

        # 2. Legacy BIOS to /api/health; then the A/B update and slot b with the same data.
        bios = Guest(disk, "bios", uefi=False, **ports)
        guests.append(bios)
        bios.start()
        results["bios"] = bios.wait_health()
        if args.skip_ab:
            bios.shutdown()
        else:
            uploading = time.monotonic()
            answer = upload_update(bios, login(bios))
            results["upload"] = time.monotonic() - uploading
            log(f"bios: root.ext4.zst uploaded and checked in {results['upload']:.0f} s: {answer['state']}")
            wrote = bios.wait_serial(r"Slot b: (\d+) MiB written in (\d+) s", timeout=900)
            log(f"bios: cordboard-update.service wrote slot b ({wrote.group(1)} MiB in {wrote.group(2)} s)")
            results["update_write"] = float(wrote.group(2))
            rebooted = time.monotonic()
            bios.wait_serial(r"slot b is healthy and now the default", timeout=900)
            results["slot_b"] = time.monotonic() - rebooted
            log(f"bios: slot b booted and reported healthy {results['slot_b']:.0f} s after the update")
            session = login(bios)
            kept = usernames(bios, session)
            assert set(USERS) <= kept, kept
            log(f"slot b: users {sorted(kept)} kept across the update")
            status, state = http("GET", f"{bios.base}/api/system/update", token=session)
            assert status == 200 and state["running_slot"] == "b" and state["default_slot"] == "b", state
            assert state["state"] == "none" and state["last"]["state"] == "applied", state
            log(f"slot b: GET /api/system/update says {state['state']}, last update {state['last']['state']}")
            bios.shutdown()
            env = grubenv(disk)
            assert env.get("slot") == "b" and not env.get("try_slot"), env
            log(f"grubenv after the update: {env}")
            ids = []
            for slot in ("root-a", "root-b"):
                with mounted(disk, slot, readonly=True) as root:
                    ids.append((root / "etc/machine-id").read_text().strip())
            assert len(ids[0]) == 32 and ids[0] == ids[1], f"machine-id not carried over: {ids}"
            log("slot b kept the device's machine-id")
            boot_counting(disk, ports)
    finally:
        for guest in guests:
            guest.kill()
    for scratch in (disk, WORK / "cordboard.db"):
        scratch.unlink(missing_ok=True)  # kept only when the test fails, to look into
    files = manifest["files"]
    print()
    print("Appliance image test: PASSED")
    print(f"  build id                 {manifest['build_id']}")
    print(f"  build time               {manifest['build_seconds']} s")
    print(f"  cordboard.img.zst        {files['cordboard.img.zst']['size'] / 1e6:.0f} MB (target < 350 MB)")
    print(f"  root.ext4.zst            {files['root.ext4.zst']['size'] / 1e6:.0f} MB")
    print(f"  boot to /api/health UEFI {results['uefi']:.1f} s (TCG; target < 60 s)")
    print(f"  boot to /api/health BIOS {results['bios']:.1f} s (TCG)")
    if "slot_b" in results:
        write, slot_b = results["update_write"], results["slot_b"]
        print(f"  A/B update upload        {results['upload']:.0f} s (streamed and checked by the API)")
        print(f"  A/B update write         {write:.0f} s; slot b healthy {slot_b:.0f} s later")
    print(f"  test time                {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
