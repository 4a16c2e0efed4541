"""Two baresip phones call each other through Cordboard and hear each other's tone (UDP and TCP).

Ann (1001) sends a 440 Hz tone, Bo (1002) a 1000 Hz tone; Ann dials 1002, Bo answers (at once, or
after ringing a second), they talk about four seconds, one of them hangs up. Each phone dumps what
it decoded, and the spectrum of that dump must peak at the other side's tone. The live-calls API
must show the call while it lasts, the call history must show it answered, and both phones must be
unregistered once they quit.

Not covered: hold and resume. baresip 1.0 stops decoding after any re-INVITE even when two of them
talk directly (no Cordboard), so a received-audio check cannot tell anything there.

Cordboard runs with its default digest setting, MD5 alone: Debian's baresip 1.0 (libre 1.1) gives
up on a 401 as soon as one WWW-Authenticate names an algorithm it does not know ("Register:
Function not implemented"), so it cannot register while SHA-256 is offered at all.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from baresip_phone import BaresipPhone, dominant_frequency, tone_purity, voiced_seconds, write_tone
from cordboard_process import CordboardProcess, require_tool

TALK_SECONDS = 4.0
ANN_TONE = 440.0
BO_TONE = 1000.0


def _talk(
    pbx: CordboardProcess,
    tmp_path: Path,
    transports: tuple[str, str],
    answer: str,
    hangup_by: str,
) -> None:
    baresip = require_tool("baresip")
    ann = BaresipPhone(
        "ann",
        tmp_path / "ann",
        pbx.users["ann"],
        pbx.sip_port,
        transports[0],
        tone=write_tone(tmp_path / "ann-440.wav", ANN_TONE),
    )
    bo = BaresipPhone(
        "bo",
        tmp_path / "bo",
        pbx.users["bo"],
        pbx.sip_port,
        transports[1],
        tone=write_tone(tmp_path / "bo-1000.wav", BO_TONE),
        answer=answer,
    )
    try:
        ann.start(baresip)
        bo.start(baresip)
        ann.wait_registered(extra_log=pbx.log_tail())
        bo.wait_registered(extra_log=pbx.log_tail())

        dialled = ann.command("dial", ann.uri(bo.user.extension))
        assert dialled.get("ok"), dialled
        if answer == "manual":
            bo.wait_event("CALL_INCOMING", extra_log=ann.log_tail() + "\n" + pbx.log_tail())
            ann.wait_event("CALL_RINGING", extra_log=bo.log_tail() + "\n" + pbx.log_tail())
            time.sleep(1.0)
            accepted = bo.command("accept")
            assert accepted.get("ok"), accepted
        ann.wait_event("CALL_ESTABLISHED", extra_log=bo.log_tail() + "\n" + pbx.log_tail())
        bo.wait_event("CALL_ESTABLISHED", extra_log=ann.log_tail() + "\n" + pbx.log_tail())
        status, active = pbx.http("GET", "/api/calls/active")
        assert status == 200 and len(active) == 1, active
        assert active[0]["state"] == "answered", active
        time.sleep(TALK_SECONDS)
        hanging, other = (ann, bo) if hangup_by == "ann" else (bo, ann)
        hung = hanging.command("hangup")
        assert hung.get("ok"), hung
        hanging.wait_event("CALL_CLOSED")
        other.wait_event("CALL_CLOSED", extra_log=pbx.log_tail())
        pbx.wait_for(lambda: pbx.http("GET", "/api/calls/active")[1] == [], what="no live call")
    finally:
        ann.stop()
        bo.stop()

    logs = f"{ann.log_tail()}\n{bo.log_tail()}\n{pbx.log_tail()}"
    for phone in (ann, bo):
        # Every SIP message the phone sent or got (REGISTER, INVITE, ACK, BYE) used its transport.
        assert phone.sip_transports() == {phone.transport.upper()}, (phone.name, phone.sip_transports())
    for phone, expected in ((ann, BO_TONE), (bo, ANN_TONE)):
        heard = phone.received_audio()
        seconds = voiced_seconds(heard)
        assert seconds > 2.0, f"{phone.name} heard only {seconds:.2f} s of signal\n{logs}"
        peak = dominant_frequency(heard)
        assert abs(peak - expected) < 5, f"{phone.name} heard {peak:.1f} Hz, not {expected} Hz\n{logs}"
        purity = tone_purity(heard, expected)
        assert purity > 0.9, f"{phone.name}: only {purity:.0%} of the power is the {expected} Hz tone"

    def ended_call() -> dict | None:
        rows = pbx.calls()
        return rows[0] if rows and rows[0].get("ended") else None

    row = pbx.wait_for(ended_call, timeout=10, what="the call in the history")
    assert row["result"] == "answered", row
    assert float(row["duration"]) > 2.0, row
    assert (row["caller"], row["callee"]) == ("1001", "1002"), row
    assert (row["caller_user_id"], row["callee_user_id"]) == (1, 2), row
    assert ("caller" if hangup_by == "ann" else "callee") in str(row["reason"]), row

    def registered() -> list[str]:
        states = pbx.http("GET", "/api/states")[1]
        return [s["attributes"].get("username") for s in states if s["entity_id"].startswith("device.")]

    # baresip unregisters (REGISTER with Expires 0, digest again) when it quits.
    pbx.wait_for(lambda: not registered(), what="both phones unregistered")
    problems = [
        line for line in pbx.log_path.read_text().splitlines() if " ERROR " in line or "Traceback" in line
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("transports", "answer", "hangup_by"),
    [
        (("udp", "udp"), "auto", "ann"),
        (("tcp", "tcp"), "auto", "ann"),
        (("udp", "udp"), "manual", "bo"),
        (("tcp", "tcp"), "manual", "bo"),
        (("udp", "tcp"), "auto", "ann"),
        (("tcp", "udp"), "manual", "bo"),
    ],
    ids=["udp", "tcp", "udp-ring-callee-hangs-up", "tcp-ring-callee-hangs-up", "udp-to-tcp", "tcp-to-udp"],
)
def test_two_baresip_phones_hear_each_other(
    pbx: CordboardProcess, tmp_path: Path, transports: tuple[str, str], answer: str, hangup_by: str
) -> None:
    """Ann calls Bo; Bo answers at once (auto) or after a second of ringing (manual)."""
    _talk(pbx, tmp_path, transports, answer, hangup_by)
