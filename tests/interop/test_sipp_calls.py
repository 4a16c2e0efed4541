"""Calls between SIPp user agents through a running Cordboard (the B2BUA, its relay and its history).

Most tests register bo (1002) with one or two SIPp UAS phones on known ports, let ann (1001) call
from a SIPp UAC (scenarios/uac_*.xml against scenarios/uas_*.xml), then read both sides' message
traces (-trace_msg) and the call history row (GET /api/calls). Phones' media addresses are distinct
loopback addresses (caller 127.0.0.2, callee 127.0.0.3), so a 127.0.0.1 in what a phone receives
proves that the PBX rewrote the SDP for its relay; the test itself sends RTP from those addresses
once SIPp has written the relay port it was given to a file (<exec> in the scenario).
"""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cordboard_process import CordboardProcess, free_port
from sipp_runner import SCENARIOS, sipp_command, sipp_register

RTP_RANGE = range(30000, 31000)
"""The fixture's [rtp] port_min..port_max."""
CALLER_MEDIA = "127.0.0.2"
CALLEE_MEDIA = "127.0.0.3"
SIPP_TIMEOUT = 60
"""Seconds one SIPp run may take (-timeout): generous, the machine is shared."""


@dataclass
class Message:
    """One SIP message from a SIPp message trace."""

    sent: bool
    text: str

    @property
    def start_line(self) -> str:
        return self.text.split("\n", 1)[0]

    @property
    def method(self) -> str | None:
        first = self.start_line
        return None if first.startswith("SIP/2.0") else first.split(" ", 1)[0]

    @property
    def status(self) -> int | None:
        first = self.start_line
        return int(first.split(" ")[1]) if first.startswith("SIP/2.0") else None

    @property
    def cseq_method(self) -> str:
        return self.header("CSeq").split()[-1]

    def header(self, name: str) -> str:
        for line in self.text.split("\n\n", 1)[0].split("\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        raise AssertionError(f"no {name} header in:\n{self.text}")

    @property
    def body(self) -> str:
        return self.text.split("\n\n", 1)[1] if "\n\n" in self.text else ""

    def sdp_lines(self, prefix: str) -> list[str]:
        return [line[len(prefix) :] for line in self.body.split("\n") if line.startswith(prefix)]

    def sdp_audio_port(self) -> int:
        (media,) = self.sdp_lines("m=audio ")
        return int(media.split()[0])


def parse_trace(path: Path) -> list[Message]:
    """The messages of a SIPp -message_file, in order."""
    text = path.read_text(errors="replace").replace("\r\n", "\n") if path.exists() else ""
    messages = []
    for block in re.split(r"^-{10,}.*$", text, flags=re.MULTILINE):
        header, _, message = block.strip("\n").partition("\n")
        if " message sent" in header or " message received" in header:
            messages.append(Message(" message sent" in header, message.strip("\n") + "\n"))
    return messages


class Sipp:
    """One SIPp process in the background, with its message trace and screen in files."""

    def __init__(self, name: str, work: Path, args: list[str]) -> None:
        self.name = name
        self.trace = work / f"{name}-messages.log"
        self.errors = work / f"{name}-errors.log"
        self.screen = work / f"{name}-screen.log"
        self._screen = self.screen.open("w")
        self.proc = subprocess.Popen(
            [
                *sipp_command(*args, timeout=SIPP_TIMEOUT),
                "-trace_msg",
                "-message_file",
                str(self.trace),
                "-trace_err",
                "-error_file",
                str(self.errors),
            ],
            stdout=self._screen,
            stderr=subprocess.STDOUT,
            cwd=work,
        )

    def wait(self, pbx: CordboardProcess) -> None:
        """Wait for the scenario to end; it must have succeeded."""
        try:
            code = self.proc.wait(timeout=SIPP_TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            self.stop()
            code = None
        self._screen.close()
        if code != 0:
            raise AssertionError(f"SIPp {self.name} ended with {code}\n{self.diagnostics(pbx)}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._screen.close()

    def messages(self) -> list[Message]:
        return parse_trace(self.trace)

    def received(self, method_or_status: str | int) -> list[Message]:
        """Requests of a method or responses of a status that arrived, retransmissions left out."""
        found = {
            m.text: m for m in self.messages() if not m.sent and method_or_status in (m.method, m.status)
        }
        return list(found.values())

    def diagnostics(self, pbx: CordboardProcess) -> str:
        errors = self.errors.read_text(errors="replace")[-3000:] if self.errors.exists() else ""
        trace = self.trace.read_text(errors="replace")[-6000:] if self.trace.exists() else ""
        return f"errors:\n{errors}\nlast messages:\n{trace}\nCordboard log:\n{pbx.log_tail()}"


@pytest.fixture
def sipps() -> Iterator[list[Sipp]]:
    """SIPp processes a test started; killed if still running when it ends."""
    started: list[Sipp] = []
    yield started
    for sipp in started:
        sipp.stop()


QUICK_T1_MS = 100
"""T1 of the appliance in the re-INVITE timeout test: it gives up after 64 x T1 = 6.4 s, not 32 s."""


@pytest.fixture
def quick_pbx(tmp_path: Path, prepared_pbx: CordboardProcess) -> Iterator[CordboardProcess]:
    """``pbx`` with a short T1 (the bootstrap's sip.t1_ms), for a test that waits for a timeout."""
    process = prepared_pbx.copy_to(tmp_path / "data")
    process.sip_t1_ms = QUICK_T1_MS
    process.write_config()
    with process.running():
        yield process


@pytest.fixture
def work(tmp_path: Path) -> Path:
    path = tmp_path / "sipp"
    path.mkdir()
    return path


def register(pbx: CordboardProcess, work: Path, username: str) -> int:
    """Register ``username`` with a Contact on a fresh port (where its SIPp UAS will listen)."""
    port = free_port()
    sipp_register(pbx, work, username, port=port)
    return port


def media_socket(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 0))
    sock.settimeout(5)
    return sock


def start_callee(
    pbx: CordboardProcess,
    work: Path,
    sipps: list[Sipp],
    scenario: str,
    *,
    pause_ms: int = 1000,
    name: str = "callee",
) -> tuple[Sipp, socket.socket]:
    """bo registers a phone, which then answers with ``scenario`` on its Contact port; audio at 127.0.0.3."""
    port = register(pbx, work, "bo")
    media = media_socket(CALLEE_MEDIA)
    uas = Sipp(
        name,
        work,
        [
            "-sf",
            str(SCENARIOS / scenario),
            "-p",
            str(port),
            "-d",
            str(pause_ms),
            "-key",
            "audio_ip",
            CALLEE_MEDIA,
            "-key",
            "audio_port",
            str(media.getsockname()[1]),
            "-key",
            "relay_file",
            str(work / "callee-relay-port"),
        ],
    )
    sipps.append(uas)
    time.sleep(0.5)  # let it bind its port before the call arrives
    return uas, media


def start_caller(
    pbx: CordboardProcess,
    work: Path,
    sipps: list[Sipp],
    scenario: str,
    dialled: str = "1002",
    *,
    pause_ms: int = 1000,
    transport: str = "u1",
    keys: tuple[str, ...] = (),
) -> tuple[Sipp, socket.socket]:
    """ann calls ``dialled`` with ``scenario`` over SIPp ``transport`` (-t); audio at 127.0.0.2.

    ``keys`` are more SIPp arguments (``-key name value`` pairs for the scenario).
    """
    ann = pbx.users["ann"]
    media = media_socket(CALLER_MEDIA)
    uac = Sipp(
        "caller",
        work,
        [
            "-t",
            transport,
            "-sf",
            str(SCENARIOS / scenario),
            f"127.0.0.1:{pbx.sip_port}",
            "-s",
            dialled,
            "-au",
            ann.username,
            "-ap",
            ann.sip_password,
            "-p",
            str(free_port()),
            "-d",
            str(pause_ms),
            "-key",
            "audio_ip",
            CALLER_MEDIA,
            "-key",
            "audio_port",
            str(media.getsockname()[1]),
            "-key",
            "relay_file",
            str(work / "caller-relay-port"),
            *keys,
        ],
    )
    sipps.append(uac)
    return uac, media


def history_row(pbx: CordboardProcess, count: int = 1) -> dict[str, Any]:
    """The newest call history row, once ``count`` rows are there (history is written when a call ends)."""
    rows = pbx.wait_for(lambda: (r := pbx.calls()) and len(r) >= count and r, timeout=20, what="call history")
    assert len(rows) == count, rows
    row: dict[str, Any] = rows[0]
    return row


def assert_ann_called_bo(row: dict[str, Any]) -> None:
    assert row["caller"] == "1001"
    assert row["caller_name"] == "Ann Andersen"
    assert row["callee"] == "1002"
    assert row["callee_name"] == "Bo Berg"
    assert row["caller_user_id"] and row["callee_user_id"]
    assert row["started"] <= row["ended"]
    assert row["ended"] <= time.time() + 1


def assert_unanswered(row: dict[str, Any]) -> None:
    assert row["answered"] is None
    assert row["duration"] == 0
    assert row["ended"] - row["started"] < SIPP_TIMEOUT


def assert_sdp_through_relay(message: Message, phone_address: str) -> int:
    """The SDP points at the appliance (c= and o= 127.0.0.1, a port of the RTP range), not the phone."""
    body = message.body
    assert phone_address not in body, body
    assert message.sdp_lines("c=") == ["IN IP4 127.0.0.1"], body
    assert message.sdp_lines("o=")[0].endswith(" IN IP4 127.0.0.1"), body
    port = message.sdp_audio_port()
    assert port in RTP_RANGE, body
    return port


def rtp_packet(seq: int, ssrc: int) -> bytes:
    """A PCMA RTP packet (version 2, payload type 8) with 20 ms of silence."""
    return struct.pack("!BBHII", 0x80, 8, seq, seq * 160, ssrc) + b"\xd5" * 160


def relay_audio(
    sender: socket.socket,
    to: tuple[str, int],
    receiver: socket.socket,
    ssrc: int,
    other_streams: list[bytes] | None = None,
) -> tuple[str, int]:
    """Send a few RTP packets from ``sender`` to ``to``; ``receiver`` must get them. Returns their source.

    Packets of another stream that were waiting at ``receiver`` (music on hold it was sent while
    held) go to ``other_streams`` when given; the relay's packets must be exactly those sent."""
    sent = [rtp_packet(seq, ssrc) for seq in range(1, 11)]
    for packet in sent:
        sender.sendto(packet, to)
        time.sleep(0.02)
    got: list[bytes] = []
    source = ("", 0)
    deadline = time.monotonic() + 10
    while len(got) < len(sent) and time.monotonic() < deadline:
        try:
            data, source = receiver.recvfrom(2048)
        except TimeoutError:
            break
        if other_streams is not None and struct.unpack("!I", data[8:12])[0] != ssrc:
            other_streams.append(data)
            continue
        got.append(data)
    assert got, f"no RTP arrived through the relay ({sender.getsockname()} -> {to})"
    assert set(got) <= set(sent), "the relay changed the packets"
    assert len(got) >= len(sent) // 2, f"{len(got)} of {len(sent)} packets arrived"
    return source


def talk(
    pbx: CordboardProcess,
    relay_file: Path,
    this_media: socket.socket,
    other_media: socket.socket,
    other_streams: list[bytes] | None = None,
) -> tuple[tuple[str, int], tuple[str, int]]:
    """Once a phone's SIPp wrote the relay port it was given to ``relay_file``, RTP both ways.

    Returns the relay's addresses on this phone's side and on the other phone's side.
    """
    pbx.wait_for(
        lambda: relay_file.exists() and relay_file.read_text().strip().isdigit(),
        timeout=30,
        what=f"the relay port in SDP (written by SIPp to {relay_file.name})",
    )
    relay_this = ("127.0.0.1", int(relay_file.read_text()))
    relay_file.unlink()
    relay_other = relay_audio(this_media, relay_this, other_media, 0x1001, other_streams)
    assert relay_other[0] == "127.0.0.1" and relay_other[1] in RTP_RANGE
    back = relay_audio(other_media, relay_other, this_media, 0x1002, other_streams)
    assert back == relay_this, "the relay must send from the port it gave the phone (symmetric RTP)"
    return relay_this, relay_other


def assert_music_on_hold(packets: list[bytes]) -> None:
    """While held, the phone got music on hold from the appliance: G.711 A-law (what it answered),
    a stream of its own (not the holder's), not silence (MOH-01)."""
    assert len(packets) >= 10, f"the held phone got {len(packets)} packets of music on hold"
    assert {p[1] & 0x7F for p in packets} == {8}, "music on hold not in the phone's codec"
    assert any(set(p[12:]) != {0xD5} for p in packets), "music on hold was silence"


def assert_2xx_resent_until_ack(side: Sipp, cseq: str) -> None:
    """The side ACKed the 200 for ``cseq`` 1.2 s late: the PBX resent it meanwhile (T1 = 0.5 s) and
    stopped once the ACK came (RFC 3261 13.3.1.4); one copy in flight at the ACK is tolerated.
    """
    ack = cseq.replace("INVITE", "ACK")
    copies = {"before": 0, "after": 0}
    when = "before"
    for message in side.messages():
        if message.sent and message.method == "ACK" and message.header("CSeq") == ack:
            when = "after"
        elif not message.sent and message.status == 200 and message.header("CSeq") == cseq:
            copies[when] += 1
    assert copies["before"] >= 2, f"the 200 for {cseq} was not resent while its ACK was missing: {copies}"
    assert copies["after"] <= 1, f"the 200 for {cseq} was still resent after its ACK: {copies}"


# -- the tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("caller_transport", ["u1", "t1"], ids=["caller-udp", "caller-tcp"])
def test_basic_call_presents_caller_rewrites_sdp_relays_audio(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp], caller_transport: str
) -> None:
    """TERM-04 / CLI-01 / CDR-01 / CDR-02: ann calls bo; bo answers; ann hangs up after talking.

    The callee sees the caller's account (name and extension), not what the caller's phone claimed;
    both phones see the appliance in SDP; RTP crosses the relay both ways; the history row says
    answered with a plausible duration. ann's phone uses UDP, then TCP (bo's stays on UDP).
    """
    uas, callee_media = start_callee(pbx, work, sipps, "uas_answer.xml")
    uac, caller_media = start_caller(
        pbx, work, sipps, "uac_call.xml", pause_ms=6000, transport=caller_transport
    )
    relay_a, relay_b = talk(pbx, work / "caller-relay-port", caller_media, callee_media)
    uac.wait(pbx)
    uas.wait(pbx)

    # What the callee got: ann's identity from her user record, SDP pointing at the relay.
    (invite,) = uas.received("INVITE")
    assert invite.header("From").startswith('"Ann Andersen" <sip:1001@127.0.0.1>'), invite.text
    assert "Mallory" not in invite.text and "9999" not in invite.text
    assert assert_sdp_through_relay(invite, CALLER_MEDIA) == relay_b[1]
    assert "a=sendrecv" in invite.body
    assert len(uas.received("ACK")) >= 1
    assert uas.received("BYE")

    # What the caller got: challenged, then ringing and the answer through the relay.
    (challenge,) = uac.received(407)
    assert ";tag=" in challenge.header("To"), "RFC 3261 8.2.6.2: a final response tags To"
    assert uac.received(180)
    (ok,) = [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    assert assert_sdp_through_relay(ok, CALLEE_MEDIA) == relay_a[1]
    assert ok.header("To") != "<sip:1002@127.0.0.1>"  # tagged: a dialog
    assert [m for m in uac.received(200) if m.cseq_method == "BYE"]

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert row["sip_code"] is None
    assert row["started"] <= row["answered"] <= row["ended"]
    assert 5 <= row["duration"] <= SIPP_TIMEOUT, row  # the caller talked 6 s
    assert "caller" in row["reason"]


def test_cancel_while_ringing(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """TERM-04 / CDR-01: the caller gives up while bo's phone rings.

    The caller gets 200 for its CANCEL and 487 for its INVITE; the callee's phone gets a CANCEL;
    the history row says cancelled (487), never answered.
    """
    uas, _ = start_callee(pbx, work, sipps, "uas_ring.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_cancel.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    (cancelled,) = [m for m in uac.received(200) if m.cseq_method == "CANCEL"]
    (terminated,) = uac.received(487)
    assert terminated.cseq_method == "INVITE"
    (ringing,) = uac.received(180)
    tag = ringing.header("To").split(";tag=")[1]
    assert terminated.header("To").split(";tag=")[1] == tag
    assert cancelled.header("To").split(";tag=")[1] == tag, "RFC 3261 9.2: the INVITE's To tag"
    assert uac.received(180)
    assert not [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    (cancel,) = uas.received("CANCEL")
    (invite,) = uas.received("INVITE")
    assert cancel.header("Call-ID") == invite.header("Call-ID")
    assert (
        cancel.header("Via").split(";branch=")[1].split(";")[0]
        == (invite.header("Via").split(";branch=")[1].split(";")[0])
    ), "a CANCEL must match its INVITE's branch"

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "cancelled"
    assert row["sip_code"] == 487
    assert_unanswered(row)


def test_callee_hangs_up(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """CDR-01 / CDR-02: bo answers and hangs up after 3 s; the caller gets a BYE and answers 200."""
    uas, _ = start_callee(pbx, work, sipps, "uas_hang_up.xml", pause_ms=3000)
    uac, _ = start_caller(pbx, work, sipps, "uac_wait_bye.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    (bye,) = uac.received("BYE")
    (ok,) = [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    # The caller's dialog: its own From tag, the PBX's To tag, its Call-ID.
    assert bye.header("Call-ID") == ok.header("Call-ID")
    assert bye.header("To").split(";tag=")[1] == ok.header("From").split(";tag=")[1]
    assert bye.header("From").split(";tag=")[1] == ok.header("To").split(";tag=")[1]
    assert [m for m in uas.received(200) if m.cseq_method == "BYE"]

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert row["started"] <= row["answered"] <= row["ended"]
    assert 2 <= row["duration"] <= SIPP_TIMEOUT, row  # bo talked 3 s
    assert "callee" in row["reason"]


@pytest.mark.parametrize(
    "refusal",
    [
        ("uas_busy.xml", 486, "busy"),
        ("uas_decline.xml", 603, "rejected"),
        ("uas_error.xml", 503, "failed"),
    ],
    ids=["busy", "decline", "server-error"],
)
def test_callee_phone_refuses(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp], refusal: tuple[str, int, str]
) -> None:
    """CDR-01: bo's phone refuses the call (486, 603 or 500); the caller gets the matching final
    response (a phone's own server error reads 503, RFC 3261 16.7) and the history row says why.
    """
    scenario, caller_gets, result = refusal
    uas, _ = start_callee(pbx, work, sipps, scenario)
    uac, _ = start_caller(pbx, work, sipps, "uac_rejected.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    finals = {m.status for m in uac.messages() if not m.sent and (m.status or 0) >= 300}
    assert finals == {407, caller_gets}
    assert uas.received("ACK"), "the PBX must ACK the phone's final response"

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == result
    assert row["sip_code"] == caller_gets
    assert_unanswered(row)


def test_unregistered_extension_is_unavailable(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """CDR-01: bo exists but no phone of his is registered: 480, history no answer."""
    uac, _ = start_caller(pbx, work, sipps, "uac_rejected.xml")
    uac.wait(pbx)

    finals = {m.status for m in uac.messages() if not m.sent and (m.status or 0) >= 300}
    assert finals == {407, 480}

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "no_answer"
    assert row["sip_code"] == 480
    assert_unanswered(row)


def test_unknown_number_is_not_found(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """CDR-01: nobody has 1999: 404, history failed with the code."""
    uac, _ = start_caller(pbx, work, sipps, "uac_rejected.xml", dialled="1999")
    uac.wait(pbx)

    finals = {m.status for m in uac.messages() if not m.sent and (m.status or 0) >= 300}
    assert finals == {407, 404}

    row = history_row(pbx)
    assert row["caller"] == "1001"
    assert row["callee"] == "1999"
    assert row["callee_user_id"] is None
    assert row["result"] == "failed"
    assert row["sip_code"] == 404
    assert_unanswered(row)


def test_caller_holds_and_resumes(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """PKP-10: ann puts bo on hold (a=sendonly) and takes him back (a=sendrecv).

    Each re-INVITE reaches bo with the direction kept and the SDP still pointing at the same relay
    port; bo's answers (recvonly, then sendrecv) reach ann the same way. Audio flows both ways
    before the hold, and after the unhold, which moves ann's audio to another port: the relay
    follows it. ann ACKs the hold late: the PBX resends its 200 until the ACK, as for any INVITE.
    """
    uas, callee_media = start_callee(pbx, work, sipps, "uas_answer_reinvites.xml")
    moved_media = media_socket(CALLER_MEDIA)
    uac, caller_media = start_caller(
        pbx,
        work,
        sipps,
        "uac_hold.xml",
        pause_ms=4000,
        keys=("-key", "audio_port2", str(moved_media.getsockname()[1])),
    )
    relay_a_before, relay_b_before = talk(pbx, work / "caller-relay-port", caller_media, callee_media)
    music: list[bytes] = []
    relay_a_after, relay_b_after = talk(pbx, work / "caller-relay-port", moved_media, callee_media, music)
    uac.wait(pbx)
    uas.wait(pbx)

    first, *reinvites = uas.received("INVITE")
    assert len({m.header("CSeq") for m in reinvites}) == 2, [m.text for m in reinvites]
    hold, unhold = {m.header("CSeq"): m for m in reinvites}.values()
    relay_b = assert_sdp_through_relay(first, CALLER_MEDIA)
    assert assert_sdp_through_relay(hold, CALLER_MEDIA) == relay_b
    assert "a=sendonly" in hold.body
    assert "a=sendrecv" not in hold.body
    assert assert_sdp_through_relay(unhold, CALLER_MEDIA) == relay_b
    assert "a=sendrecv" in unhold.body
    assert hold.header("Call-ID") == first.header("Call-ID")

    answers = {m.header("CSeq"): m for m in uac.received(200) if m.cseq_method == "INVITE"}
    assert set(answers) == {"2 INVITE", "3 INVITE", "4 INVITE"}, answers
    relay_a = assert_sdp_through_relay(answers["2 INVITE"], CALLEE_MEDIA)
    assert assert_sdp_through_relay(answers["3 INVITE"], CALLEE_MEDIA) == relay_a
    assert "a=recvonly" in answers["3 INVITE"].body
    assert assert_sdp_through_relay(answers["4 INVITE"], CALLEE_MEDIA) == relay_a
    assert "a=sendrecv" in answers["4 INVITE"].body
    assert (relay_a_before[1], relay_b_before[1]) == (relay_a, relay_b)
    assert (relay_a_after[1], relay_b_after[1]) == (relay_a, relay_b), "audio flows again after unhold"
    assert_2xx_resent_until_ack(uac, "3 INVITE")
    assert_music_on_hold(music)

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert 1 <= row["duration"] <= SIPP_TIMEOUT, row


def test_callee_holds_and_resumes(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """PKP-10: bo puts ann on hold (a=sendonly) and takes her back; ann's answers reach bo; then
    audio flows both ways. bo ACKs the hold late: the PBX resends its 200 until the ACK.
    """
    uas, callee_media = start_callee(pbx, work, sipps, "uas_hold.xml")
    uac, caller_media = start_caller(pbx, work, sipps, "uac_held.xml", pause_ms=5000)
    music: list[bytes] = []
    relay_a_after, relay_b_after = talk(pbx, work / "caller-relay-port", caller_media, callee_media, music)
    uac.wait(pbx)
    uas.wait(pbx)

    reinvites = {m.header("CSeq"): m for m in uac.received("INVITE")}
    assert len(reinvites) == 2, reinvites
    hold, unhold = reinvites.values()
    (ok,) = [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    relay_a = assert_sdp_through_relay(ok, CALLEE_MEDIA)
    assert assert_sdp_through_relay(hold, CALLEE_MEDIA) == relay_a
    assert "a=sendonly" in hold.body
    assert assert_sdp_through_relay(unhold, CALLEE_MEDIA) == relay_a
    assert "a=sendrecv" in unhold.body
    assert hold.header("Call-ID") == ok.header("Call-ID")
    assert hold.header("From").split(";tag=")[1] == ok.header("To").split(";tag=")[1]

    answers = {m.header("CSeq"): m for m in uas.received(200) if m.cseq_method == "INVITE"}
    assert set(answers) == {"1 INVITE", "2 INVITE"}, answers
    (invite,) = uas.received("INVITE")
    relay_b = assert_sdp_through_relay(invite, CALLER_MEDIA)
    assert assert_sdp_through_relay(answers["1 INVITE"], CALLER_MEDIA) == relay_b
    assert "a=recvonly" in answers["1 INVITE"].body
    assert "a=sendrecv" in answers["2 INVITE"].body
    assert (relay_a_after[1], relay_b_after[1]) == (relay_a, relay_b), "audio flows again after unhold"
    assert_2xx_resent_until_ack(uas, "1 INVITE")
    assert_music_on_hold(music)

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"


def test_ring_timeout_ends_an_unanswered_call(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """CDR-01: bo's phone rings and nobody answers; after the ring timeout (setting core.ring_timeout,
    here its minimum of 5 s) the PBX cancels the ringing phone and tells the caller 480 No Answer.
    """
    status, body = pbx.http("PUT", "/api/settings/org", {"core.ring_timeout": 5})
    assert status == 200, body
    time.sleep(1)  # the B2BUA reloads its settings on the settings-changed event
    uas, _ = start_callee(pbx, work, sipps, "uas_ring.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_rejected.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    assert uac.received(180)
    finals = {m.status for m in uac.messages() if not m.sent and (m.status or 0) >= 300}
    assert finals == {407, 480}
    assert uas.received("CANCEL"), "the ringing phone must be cancelled"

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "no_answer"
    assert row["sip_code"] == 480
    assert_unanswered(row)
    assert 4 <= row["ended"] - row["started"] <= SIPP_TIMEOUT, row


def test_early_media_reaches_the_caller_before_the_answer(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """CDR-01 (early media has no FEATURES.md ID of its own): bo's phone sends 183 with SDP first.

    The caller gets a 183 whose SDP points at the relay, audio crosses the relay both ways before
    the answer, and the 200 keeps the same relay port; the call counts as answered only at the 200.
    """
    uas, callee_media = start_callee(pbx, work, sipps, "uas_early_media.xml", pause_ms=4000)
    uac, caller_media = start_caller(pbx, work, sipps, "uac_call.xml")
    relay_b, relay_a = talk(pbx, work / "callee-relay-port", callee_media, caller_media)
    uac.wait(pbx)
    uas.wait(pbx)

    (progress,) = uac.received(183)
    assert assert_sdp_through_relay(progress, CALLEE_MEDIA) == relay_a[1]
    (ok,) = [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    assert assert_sdp_through_relay(ok, CALLEE_MEDIA) == relay_a[1]
    (invite,) = uas.received("INVITE")
    assert assert_sdp_through_relay(invite, CALLER_MEDIA) == relay_b[1]

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert row["answered"] - row["started"] >= 3, row  # 4 s of early media before the 200
    assert 0.5 <= row["duration"] <= SIPP_TIMEOUT, row


def test_hold_the_other_phone_never_answers(
    quick_pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """PKP-10: ann puts bo on hold but bo's phone never answers the re-INVITE (it hung, say).

    When the PBX's re-INVITE to bo times out (64*T1: 32 s at the usual 500 ms, 6.4 s at this
    appliance's 100 ms) ann gets 408 instead of waiting forever, and her BYE still ends the call
    on both sides.
    """
    pbx = quick_pbx
    uas, _ = start_callee(pbx, work, sipps, "uas_ignore_reinvite.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_hold_unanswered.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    hold_copies = [m for m in uas.messages() if not m.sent and m.method == "INVITE"][1:]
    assert len(hold_copies) >= 3, "the PBX resends its re-INVITE to bo until it gives up"
    (timeout,) = uac.received(408)
    assert timeout.header("CSeq") == "3 INVITE"
    assert uas.received("BYE")

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert 64 * QUICK_T1_MS / 1000 - 1 <= row["duration"] <= SIPP_TIMEOUT, row


def test_re_invite_without_sdp_gets_the_answer_in_the_ack(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """PKP-10 groundwork: ann refreshes the session with a re-INVITE without SDP (RFC 4028 allows it).

    bo's phone then makes the offer in its 200; ann answers in her ACK, and that answer must reach
    bo in the PBX's ACK (RFC 3264 5), pointing at the same relay port as before.
    """
    uas, _ = start_callee(pbx, work, sipps, "uas_offer_in_200.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_refresh.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    first, refresh = uas.received("INVITE")
    assert refresh.body.strip() == "", refresh.text
    relay_b = assert_sdp_through_relay(first, CALLER_MEDIA)
    (ack,) = [m for m in uas.received("ACK") if m.header("CSeq") == "2 ACK"]
    assert assert_sdp_through_relay(ack, CALLER_MEDIA) == relay_b, "bo's offer got no answer"

    answers = {m.header("CSeq"): m for m in uac.received(200) if m.cseq_method == "INVITE"}
    relay_a = assert_sdp_through_relay(answers["2 INVITE"], CALLEE_MEDIA)
    assert assert_sdp_through_relay(answers["3 INVITE"], CALLEE_MEDIA) == relay_a

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"


def test_update_with_sdp_is_passed_on(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """PKP-10: ann holds with an UPDATE (RFC 3311) instead of a re-INVITE; the offer reaches bo
    through the relay and bo's answer comes back in the 200, as offer/answer requires.
    """
    uas, _ = start_callee(pbx, work, sipps, "uas_answer_update.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_update.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    (invite,) = uas.received("INVITE")
    (update,) = uas.received("UPDATE")
    relay_b = assert_sdp_through_relay(invite, CALLER_MEDIA)
    assert assert_sdp_through_relay(update, CALLER_MEDIA) == relay_b
    assert "a=sendonly" in update.body

    answers = {m.header("CSeq"): m for m in uac.received(200)}
    relay_a = assert_sdp_through_relay(answers["2 INVITE"], CALLEE_MEDIA)
    assert assert_sdp_through_relay(answers["3 UPDATE"], CALLEE_MEDIA) == relay_a
    assert "a=recvonly" in answers["3 UPDATE"].body

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"


def test_session_timer_agreed_and_refreshed(pbx: CordboardProcess, work: Path, sipps: list[Sipp]) -> None:
    """RFC 4028 with SIPp as the caller: its INVITE asks for 90 s, the 200 agrees (the caller
    refreshes, Require: timer; the scenario checks the headers), its refresh UPDATE is answered
    with the timer again; bo's side of the B2BUA has a session of its own (no timer asked)."""
    uas, _ = start_callee(pbx, work, sipps, "uas_answer.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_session_timer.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    answers = {m.header("CSeq"): m for m in uac.received(200)}
    assert answers["2 INVITE"].header("Session-Expires") == "90;refresher=uac"
    assert answers["3 UPDATE"].header("Session-Expires") == "90;refresher=uac"
    (invite,) = uas.received("INVITE")
    assert "session-expires:" not in invite.text.split("\n\n", 1)[0].lower()
    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"


def test_every_phone_rings_and_the_first_answer_wins(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """TERM-04: bo has two phones registered; both ring, the desk phone answers, the other one gets
    a CANCEL (and answers it 200 and the INVITE 487); the call and its history go to the desk phone.
    """
    other, _ = start_callee(pbx, work, sipps, "uas_ring.xml", name="other-phone")
    desk, _ = start_callee(pbx, work, sipps, "uas_answer.xml", name="desk-phone")
    uac, _ = start_caller(pbx, work, sipps, "uac_call.xml")
    uac.wait(pbx)
    desk.wait(pbx)
    other.wait(pbx)

    (ringing,) = other.received("INVITE")
    (answered,) = desk.received("INVITE")
    assert ringing.header("Call-ID") != answered.header("Call-ID"), "one INVITE (dialog) per phone"
    for invite in (ringing, answered):
        assert invite.header("From").startswith('"Ann Andersen" <sip:1001@127.0.0.1>')
    assert other.received("CANCEL")
    assert not other.received("BYE")
    assert desk.received("BYE")
    assert len([m for m in uac.received(200) if m.cseq_method == "INVITE"]) == 1

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"


def test_callee_answers_just_as_the_caller_cancels(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """CDR-01: ann gives up at the moment bo picks up: bo's 200 crosses the CANCEL.

    ann gets her 487 (the call was cancelled), and bo's phone must not be left in a call with
    nobody: the PBX ACKs its 200 and hangs up with a BYE at once (RFC 3261 15). History: cancelled.
    """
    uas, _ = start_callee(pbx, work, sipps, "uas_answer_as_cancelled.xml")
    uac, _ = start_caller(pbx, work, sipps, "uac_cancel.xml")
    uac.wait(pbx)
    uas.wait(pbx)

    assert uac.received(487)
    assert not [m for m in uac.received(200) if m.cseq_method == "INVITE"]
    (ack,) = uas.received("ACK")
    assert ack.header("CSeq") == "1 ACK"
    (bye,) = uas.received("BYE")
    assert bye.header("Call-ID") == ack.header("Call-ID")

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "cancelled"
    assert row["sip_code"] == 487
    assert_unanswered(row)


def test_second_phone_answering_too_late_is_hung_up(
    pbx: CordboardProcess, work: Path, sipps: list[Sipp]
) -> None:
    """TERM-04: bo's desk phone answers first; his other phone picks up just as its CANCEL arrives.

    The late phone gets ACK and BYE at once; the call between ann and the desk phone goes on
    undisturbed (same relay, ann's BYE reaches the desk phone).
    """
    late, _ = start_callee(pbx, work, sipps, "uas_answer_as_cancelled.xml", name="late-phone")
    desk, callee_media = start_callee(pbx, work, sipps, "uas_answer.xml", name="desk-phone")
    uac, caller_media = start_caller(pbx, work, sipps, "uac_call.xml", pause_ms=5000)
    late.wait(pbx)  # ACKed and hung up while ann and the desk phone talk
    _, relay_b = talk(pbx, work / "caller-relay-port", caller_media, callee_media)
    uac.wait(pbx)
    desk.wait(pbx)

    assert late.received("ACK") and late.received("BYE")
    (invite,) = desk.received("INVITE")
    assert assert_sdp_through_relay(invite, CALLER_MEDIA) == relay_b[1]
    assert desk.received("BYE")
    assert len([m for m in uac.received(200) if m.cseq_method == "INVITE"]) == 1

    row = history_row(pbx)
    assert_ann_called_bo(row)
    assert row["result"] == "answered"
    assert 4 <= row["duration"] <= SIPP_TIMEOUT, row
