"""A PJSIP softphone (pjsua2) run as its own process and driven over stdin/stdout, one JSON object
per line each way.

Run by tests/interop/pjsua_phone.py, not by pytest. Its microphone is a sine tone of its own
(`--tone`); what it hears is kept as the last seconds of decoded audio, so that the test can ask
which tone a call carries. No sound card: pjsua's null device clocks the conference bridge.

Commands: {"cmd": "dial", "uri": ...} -> {"call": id}; {"cmd": "hold", "call": id};
{"cmd": "xfer_replaces", "call": id, "other": id} (attended transfer of `call` to the party of
`other`, RFC 3891 Replaces in the REFER's Refer-To); {"cmd": "xfer", "call": id, "uri": ...};
{"cmd": "hangup", "call": id}; {"cmd": "heard", "call": id, "seconds": s} -> {"frequency": Hz,
"rms": level}; {"cmd": "quit"}. Events: {"event": "registered", "code": n},
{"event": "incoming", "call": id}, {"event": "state", "call": id, "state": "CONFIRMED"},
{"event": "xfer_status", "call": id, "code": n, "final": bool}.
Incoming calls are answered at once.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import sys
import threading
from typing import Any

import numpy as np
import pjsua2 as pj

SAMPLE_RATE = 8000
KEEP_SECONDS = 4


REPLIES = os.fdopen(os.dup(1), "w", buffering=1)
"""The JSON lines go to the original stdout; pjlib's own prints (it writes some before its log
settings apply) are sent to stderr instead."""
os.dup2(2, 1)


def emit(**event: Any) -> None:
    REPLIES.write(json.dumps(event) + "\n")


class Ear(pj.AudioMediaPort):
    """A conference-bridge port that keeps the last KEEP_SECONDS of what it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.samples = np.zeros(SAMPLE_RATE * KEEP_SECONDS, dtype=np.int16)

    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO or not frame.size:
            return
        data = np.frombuffer(bytes(frame.buf), dtype="<i2")
        with self.lock:
            self.samples = np.concatenate((self.samples[len(data) :], data))

    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def heard(self, seconds: float) -> dict[str, float]:
        with self.lock:
            recent = self.samples[-int(SAMPLE_RATE * seconds) :].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(recent * np.hanning(len(recent))))
        spectrum[0] = 0.0
        freqs = np.fft.rfftfreq(len(recent), 1 / SAMPLE_RATE)
        return {
            "frequency": float(freqs[int(np.argmax(spectrum))]),
            "rms": float(np.sqrt(np.mean(recent**2))),
        }


class Phone:
    def __init__(self, tone_hz: int) -> None:
        self.tone_hz = tone_hz
        self.calls: dict[int, PhoneCall] = {}
        self.account: PhoneAccount | None = None

    def adopt(self, call: PhoneCall) -> None:
        self.calls[call.getId()] = call


class PhoneAccount(pj.Account):
    def __init__(self, phone: Phone) -> None:
        super().__init__()
        self.phone = phone

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        emit(event="registered", code=prm.code)

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = PhoneCall(self.phone, self, prm.callId)
        self.phone.adopt(call)
        emit(event="incoming", call=prm.callId)
        answer = pj.CallOpParam()
        answer.statusCode = 200
        call.answer(answer)


class PhoneCall(pj.Call):
    def __init__(self, phone: Phone, account: pj.Account, call_id: int = pj.PJSUA_INVALID_ID):
        super().__init__(account, call_id)
        self.phone = phone
        self.ear = Ear()
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = SAMPLE_RATE
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        self.ear.createPort(f"ear{id(self)}", fmt)
        self.mouth = pj.ToneGenerator()
        self.mouth.createToneGenerator(SAMPLE_RATE, 1)
        tone = pj.ToneDesc()
        tone.freq1 = phone.tone_hz
        tone.freq2 = 0
        tone.on_msec = 1000
        tone.off_msec = 0
        tone.volume = 0
        tones = pj.ToneDescVector()
        tones.append(tone)
        self.mouth.play(tones, True)

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        info = self.getInfo()
        emit(event="state", call=info.id, state=info.stateText, code=info.lastStatusCode)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            if media.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                continue
            audio = self.getAudioMedia(index)
            self.mouth.startTransmit(audio)
            audio.startTransmit(self.ear)

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        emit(event="xfer_status", call=self.getId(), code=prm.statusCode, final=prm.finalNotify)


def run_command(ep: pj.Endpoint, phone: Phone, request: dict[str, Any]) -> dict[str, Any]:
    cmd = request["cmd"]
    if cmd == "dial":
        assert phone.account is not None
        call = PhoneCall(phone, phone.account)
        call.makeCall(request["uri"], pj.CallOpParam(True))
        phone.adopt(call)
        return {"call": call.getId()}
    call = phone.calls[int(request["call"])]
    if cmd == "hold":
        call.setHold(pj.CallOpParam(True))
    elif cmd == "xfer_replaces":
        call.xferReplaces(phone.calls[int(request["other"])], pj.CallOpParam(True))
    elif cmd == "xfer":
        call.xfer(request["uri"], pj.CallOpParam(True))
    elif cmd == "hangup":
        call.hangup(pj.CallOpParam(True))
    elif cmd == "heard":
        return call.ear.heard(float(request.get("seconds", 1.0)))
    else:
        raise ValueError(f"unknown command {cmd!r}")
    return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--registrar", required=True, help="host:port of the PBX (UDP)")
    parser.add_argument("--sip-port", type=int, required=True)
    parser.add_argument("--rtp-port", type=int, required=True)
    parser.add_argument("--tone", type=int, required=True)
    parser.add_argument("--log", required=True, help="file for pjsua's own log (SIP trace)")
    args = parser.parse_args()

    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    config.logConfig.level = 5
    config.logConfig.consoleLevel = 0
    config.logConfig.filename = args.log
    config.medConfig.clockRate = SAMPLE_RATE
    config.medConfig.sndClockRate = SAMPLE_RATE
    config.medConfig.channelCount = 1
    config.medConfig.noVad = True
    config.medConfig.ecTailLen = 0
    ep.libInit(config)
    transport = pj.TransportConfig()
    transport.port = args.sip_port
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    for codec in ep.codecEnum2():
        priority = 255 if codec.codecId.startswith("PCMU/") else 0
        ep.codecSetPriority(codec.codecId, priority)

    phone = Phone(args.tone)
    account_config = pj.AccountConfig()
    account_config.idUri = f"sip:{args.user}@{args.registrar}"
    account_config.regConfig.registrarUri = f"sip:{args.registrar}"
    account_config.mediaConfig.transportConfig.port = args.rtp_port
    account_config.mediaConfig.transportConfig.portRange = 20
    account_config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    credential = pj.AuthCredInfo("digest", "*", args.user, 0, args.password)
    account_config.sipConfig.authCreds.append(credential)
    account = PhoneAccount(phone)
    account.create(account_config)
    phone.account = account

    stdin = sys.stdin.fileno()
    pending = b""
    running = True
    while running:
        ep.libHandleEvents(10)
        readable, _, _ = select.select([stdin], [], [], 0)
        if not readable:
            continue
        chunk = os.read(stdin, 65536)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            if request["cmd"] == "quit":
                running = False
                break
            try:
                emit(reply=request["cmd"], ok=True, **run_command(ep, phone, request))
            except Exception as err:  # the test sees the reason in the reply
                emit(reply=request["cmd"], ok=False, error=f"{type(err).__name__}: {err}")
    ep.hangupAllCalls()
    for _ in range(50):
        ep.libHandleEvents(10)
    account.shutdown()
    ep.libDestroy()


if __name__ == "__main__":
    main()
