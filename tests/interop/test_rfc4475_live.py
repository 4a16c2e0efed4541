"""RFC 4475 torture messages sent over UDP to a running Cordboard (`cordboard run` as a subprocess).

Valid messages get a sensible answer (or, for responses, are dropped as stray); invalid ones get the
RFC's error status or are dropped; nothing may log an error or a traceback, and the PBX still answers
OPTIONS and registers a phone afterwards. Robustness of the SIP engine (TERM-01 phones keep working).

The messages name foreign hosts and addresses (example.com, 192.0.2.x, 135.180.130.133), and the
PBX answers towards what a Via names. So the PBX *and* the sender run in a network namespace with
only a loopback interface: the test re-executes this file under ``unshare -n``, and the inner run
refuses to send anything unless it sees no interface but ``lo``.
"""

from __future__ import annotations

import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "core" / "sip" / "rfc4475"
DROPPED = None
"""In an allowed-outcome set: sending nothing back is fine."""

# The final status each message may get, per RFC 4475 and RFC 3261. Responses in the corpus
# (bcast, bigcode, noreason, scalarlg, unreason) match no transaction and are dropped.
_UNAUTHENTICATED = {401, 407}
EXPECTED: dict[str, set[int | None]] = {
    # 3.1.1 valid messages: processed like any other request (challenge, 404, 200...)
    "wsinv": {481},  # its To has a tag: a request inside a dialog that does not exist
    "intmeth": {501, 407},
    "esc01": {407, 404},
    "escnull": {401},
    "esc02": {501, 407},
    "lwsdisp": {200},
    "longreq": {407, 404},
    "dblreq": {401},
    "semiuri": {200},
    "transports": {200},
    "mpart01": {407, 404, 415, 501},
    "unreason": {DROPPED},
    "noreason": {DROPPED},
    # 3.1.2 invalid messages: 400 (or the specific code the RFC names), else dropped
    "badinv01": {400, DROPPED},
    "clerr": {400, DROPPED},
    "ncl": {400, DROPPED},
    "scalar02": {400},
    "scalarlg": {DROPPED},
    "quotbal": {400},
    "ltgtruri": {400, DROPPED},
    "lwsruri": {400, DROPPED},
    "lwsstart": {400, DROPPED},
    "trws": {400, DROPPED},
    "escruri": {400},
    "baddate": {400},
    "regbadct": {400},
    "badaspec": {400},
    "baddn": {400, DROPPED},
    "badvers": {505},
    "mismatch01": {400},
    "mismatch02": {400},
    "bigcode": {DROPPED},
    # 3.2 transaction layer
    "badbranch": {200},
    # 3.3 application layer
    "insuf": {400, DROPPED},
    "unkscm": {416},
    "novelsc": {416},
    "unksm2": {401},
    "bext01": {420},
    "invut": {407, 404, 415},
    "regaut01": {401},
    "multi01": {400},
    "mcl01": {400, DROPPED},
    "bcast": {DROPPED},
    "zeromf": {200},
    "cparam01": {401},
    # cparam02 and regescrt reuse the branch and sent-by of cparam01 and escnull: by RFC 3261
    # 17.2.3 they match those transactions, whose answer (with the other Call-ID) is resent.
    "cparam02": {401, DROPPED},
    "regescrt": {401, DROPPED},
    "sdp01": {407, 404, 406},
    # 3.4 backward compatibility: an RFC 2543 INVITE (no branch, no Max-Forwards)
    "inv2543": {407, 404},
}
LISTEN_PORTS = (5060, 5050)
"""Where answers go: the PBX answers to the source address and the Via port (5060 by default)."""


def test_table_covers_every_fixture() -> None:
    assert {p.stem for p in FIXTURES.glob("*.dat")} == set(EXPECTED)


def test_rfc4475_torture_messages_live(tmp_path: Path) -> None:
    """Runs ``main`` below inside ``unshare -n``; fails (never skips) when that is impossible."""
    for tool in ("unshare", "ip"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed to isolate the torture messages from the network")
    done = subprocess.run(
        [
            "unshare",
            "-n",
            "sh",
            "-c",
            'ip link set lo up && exec "$@"',
            "sh",
            sys.executable,
            __file__,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=170,
    )
    assert done.returncode == 0, f"inner run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert "ALL GOOD" in done.stdout, done.stdout


# -- the inner run, in the namespace -----------------------------------------------------------------


def _isolated() -> bool:
    """True only when this process sees no network interface but loopback."""
    return {name for _, name in socket.if_nameindex()} == {"lo"}


def _status_and_call_id(data: bytes) -> tuple[int | None, str]:
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    parts = head[0].split(" ")
    status = (
        int(parts[1]) if head[0].startswith("SIP/2.0 ") and len(parts) > 1 and parts[1].isdigit() else None
    )
    call_id = ""
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("call-id", "i"):
            call_id = value.strip()
    return status, call_id


class Sender:
    def __init__(self, pbx_port: int) -> None:
        self.pbx = ("127.0.0.1", pbx_port)
        self.sockets = []
        for port in LISTEN_PORTS:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(("127.0.0.1", port))
            self.sockets.append(sock)
        self.probes = 0
        self.seen_call_ids: set[str] = set()

    def receive(self, wait: float) -> list[bytes]:
        got: list[bytes] = []
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select(self.sockets, [], [], left)
            if not ready:
                break
            for sock in ready:
                got.append(sock.recv(70_000))
        return got

    def probe(self) -> bytes:
        self.probes += 1
        return (
            f"OPTIONS sip:127.0.0.1:{self.pbx[1]} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-probe-{self.probes};rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1>\r\n"
            f"Call-ID: probe-{self.probes}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        ).encode()

    def exchange(self, data: bytes, expect_answer: bool) -> list[int | None]:
        """Send ``data``, then an OPTIONS probe: once the probe is answered, whatever the message
        caused has been sent too (one socket, one loop, in order). Returns the statuses of the
        answers to ``data``: those with its Call-ID (retransmitted answers to earlier INVITEs, which
        are never ACKed here, carry theirs)."""
        call_id = _status_and_call_id(data)[1]
        self.sockets[0].sendto(data, self.pbx)
        probe_id = f"probe-{self.probes + 1}"
        self.sockets[0].sendto(self.probe(), self.pbx)
        statuses: list[int | None] = []
        probe_answered = False
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            for answer in self.receive(0.05):
                status, answer_call_id = _status_and_call_id(answer)
                if answer_call_id == probe_id:
                    probe_answered = status is not None and status >= 200
                elif answer_call_id == call_id or answer_call_id not in self.seen_call_ids:
                    statuses.append(status)
            finals = [s for s in statuses if s is None or s >= 200]
            if probe_answered and (finals or not expect_answer):
                break
        self.seen_call_ids.add(call_id)
        if not probe_answered:
            raise AssertionError("the PBX stopped answering OPTIONS")
        return statuses


def main(workdir: Path) -> int:
    if not _isolated():
        print("refusing to send RFC 4475 messages: this is not an isolated network namespace")
        return 2
    sys.path.insert(0, str(TESTS))
    from cordboard_process import CordboardProcess

    pbx = CordboardProcess(workdir / "data")
    pbx.write_config()
    pbx.add_user("alice", "1001")
    pbx.start()
    failures: list[str] = []
    try:
        sender = Sender(pbx.sip_port)
        for path in sorted(FIXTURES.glob("*.dat")):
            name = path.stem
            allowed = EXPECTED[name]
            statuses = sender.exchange(path.read_bytes(), DROPPED not in allowed)
            finals = {s for s in statuses if s is None or s >= 200}  # a retransmission repeats a status
            outcome: int | None = next(iter(finals)) if finals else DROPPED
            ok = outcome in allowed and len(finals) <= 1
            print(f"{name:12} {statuses} {'ok' if ok else 'UNEXPECTED, allowed: ' + str(allowed)}")
            if not ok:
                failures.append(f"{name}: got {statuses}, allowed {sorted(allowed, key=str)}")
        # Still serving: a REGISTER is challenged (and the probe after it answered).
        register = (
            f"REGISTER sip:127.0.0.1:{pbx.sip_port} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-final-register;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=r\r\nTo: <sip:alice@127.0.0.1>\r\n"
            "Call-ID: final-register\r\nCSeq: 1 REGISTER\r\nContact: <sip:alice@127.0.0.1:5060>\r\n"
            "Content-Length: 0\r\n\r\n"
        ).encode()
        after = sender.exchange(register, True)
        print(f"{'(register)':12} {after}")
        if after != [401]:
            failures.append(f"a REGISTER after the torture got {after}, not a 401 challenge")
    finally:
        code = pbx.stop()
    log = pbx.log_path.read_text(errors="replace")
    if code != 0:
        failures.append(f"cordboard run exited {code}")
    bad_lines = [
        line for line in log.splitlines() if "Traceback" in line or " ERROR " in line or "CRITICAL" in line
    ]
    if bad_lines:
        failures.append("server log has errors:\n" + "\n".join(bad_lines[:20]) + "\n" + pbx.log_tail(80))
    if failures:
        print("FAILURES:\n" + "\n".join(failures))
        return 1
    print("ALL GOOD")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
