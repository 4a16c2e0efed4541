"""A baresip softphone driven over its ctrl_tcp socket, with WAV files for its microphone and its ear.

Each phone has its own config folder. Its audio source is the `aufile` module reading a WAV; what it
receives is written by the `sndfile` filter (decoded audio, `dump-<time>-dec.wav` in the folder).
The audio player is an `aubridge` device nobody reads, so no sound card is needed. RTP ports are
kept out of the range the test Cordboard relays on (30000-30999), and `-s` writes the SIP trace to
the log, which `sip_transports()` reads.
Written for the Debian baresip 1.0 (module names and ctrl_tcp's netstring JSON as there).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import threading
import time
import wave
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from cordboard_process import SipUser, free_port

MODULE_PATH = "/usr/lib/baresip/modules"
SAMPLE_RATE = 8000


def write_tone(path: Path, frequency: float, seconds: float = 20.0, amplitude: float = 0.5) -> Path:
    """A mono 16-bit 8 kHz WAV holding one sine tone."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    samples = (amplitude * 32767 * np.sin(2 * np.pi * frequency * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return path


def read_wav(path: Path) -> np.ndarray:
    """The samples of a mono 16-bit 8 kHz WAV as floats."""
    with wave.open(str(path), "rb") as src:
        assert src.getframerate() == SAMPLE_RATE, f"{path}: {src.getframerate()} Hz"
        assert src.getnchannels() == 1 and src.getsampwidth() == 2, f"{path}: not mono 16-bit"
        data = src.readframes(src.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float64)


def dominant_frequency(samples: np.ndarray) -> float:
    """The frequency of the largest peak of the spectrum (Hann window), in Hz."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    spectrum[0] = 0.0
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    return float(freqs[int(np.argmax(spectrum))])


def tone_purity(samples: np.ndarray, frequency: float, width: float = 20.0) -> float:
    """The share of the signal's power within `width` Hz of `frequency` (1.0 for a clean tone)."""
    power = np.abs(np.fft.rfft(samples * np.hanning(len(samples)))) ** 2
    power[0] = 0.0
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    total = float(power.sum())
    if total == 0.0:
        return 0.0
    return float(power[np.abs(freqs - frequency) <= width].sum() / total)


def voiced_seconds(samples: np.ndarray, frame_ms: int = 20, rms_threshold: float = 1000.0) -> float:
    """How many seconds of 20 ms frames carry a signal louder than the threshold (RMS)."""
    size = SAMPLE_RATE * frame_ms // 1000
    count = len(samples) // size
    if count == 0:
        return 0.0
    frames = samples[: count * size].reshape(count, size)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return float(np.count_nonzero(rms > rms_threshold) * frame_ms / 1000)


def _netstring(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return str(len(body)).encode() + b":" + body + b","


@dataclass
class BaresipPhone:
    """One baresip process with one account registered at Cordboard."""

    name: str
    folder: Path
    user: SipUser
    registrar_port: int
    transport: str = "udp"
    tone: Path | None = None
    answer: str = "auto"
    codecs: str = "PCMU,PCMA"
    """The account's audio codecs, baresip names (PCMU, PCMA, G722/16000/1)."""
    modules: tuple[str, ...] = ()
    """More baresip modules to load, such as ``mwi.so`` (the message-waiting lamp's subscription)."""
    sip_port: int = field(default_factory=lambda: free_port(span=2))
    """baresip listens for SIP on UDP and TCP here and for TLS on the next port, so both are reserved
    (a ctrl_tcp port handed out as ``sip_port + 1`` once made the test talk to the TLS listener)."""
    ctrl_port: int = field(default_factory=lambda: free_port(socket.SOCK_STREAM))
    proc: subprocess.Popen[bytes] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    _responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    _sock: socket.socket | None = None
    _reader: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _token: int = 0

    @property
    def log_path(self) -> Path:
        return self.folder / "baresip.log"

    def uri(self, extension: str) -> str:
        """A request URI for an extension at Cordboard (baresip adds the account's transport itself)."""
        return f"sip:{extension}@127.0.0.1:{self.registrar_port}"

    def write_config(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        source = f"aufile,{self.tone}" if self.tone else f"aubridge,mic-{self.name}"
        extra_modules = "".join(f"module_app\t\t{module}\n" for module in self.modules)
        (self.folder / "config").write_text(
            f"""poll_method\t\tepoll
sip_listen\t\t127.0.0.1:{self.sip_port}
net_interface\t\t127.0.0.1
call_local_timeout\t30
call_max_calls\t\t4
audio_player\t\taubridge,ear-{self.name}
audio_source\t\t{source}
audio_alert\t\taubridge,bell-{self.name}
audio_level\t\tno
ausrc_format\t\ts16
auplay_format\t\ts16
auenc_format\t\ts16
audec_format\t\ts16
audio_buffer\t\t20-160
rtp_tos\t\t\t0
rtp_ports\t\t40000-49998
rtcp_mux\t\tno
jitter_buffer_delay\t5-10
rtp_stats\t\tno
module_path\t\t{MODULE_PATH}
module\t\t\tg711.so
module\t\t\tg722.so
module\t\t\tsndfile.so
module\t\t\taufile.so
module\t\t\taubridge.so
{extra_modules}module_tmp\t\taccount.so
module_app\t\tmenu.so
module_app\t\tctrl_tcp.so
ctrl_tcp_listen\t\t127.0.0.1:{self.ctrl_port}
snd_path\t\t{self.folder}
"""
        )
        (self.folder / "accounts").write_text("" if self._account_added_later else f"{self._account}\n")

    @property
    def _account(self) -> str:
        aor = f"sip:{self.user.username}@127.0.0.1:{self.registrar_port};transport={self.transport}"
        return (
            f"<{aor}>;auth_user={self.user.username};auth_pass={self.user.sip_password}"
            f";regint=300;answermode={self.answer};audio_codecs={self.codecs};ptime=20"
        )

    @property
    def _account_added_later(self) -> bool:
        """baresip 1.0's mwi module subscribes for every account in a timer that fires once just after
        start; when the registration completed before that timer, it appends to the list it walks and
        sends SUBSCRIBEs in an endless loop (and never answers ctrl_tcp again). With mwi loaded, the
        account is added through ctrl_tcp (`uanew`) once baresip runs, so the timer always comes first."""
        return "mwi.so" in self.modules

    def start(self, baresip: str, timeout: float = 10) -> None:
        self.write_config()
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [baresip, "-f", str(self.folder), "-s"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"baresip {self.name} exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no ctrl_tcp on {self.name}:\n{self.log_tail()}") from None
                time.sleep(0.1)
        self._sock.settimeout(None)
        self._reader = threading.Thread(
            target=self._read_loop, args=(self._sock,), name=f"baresip-{self.name}", daemon=True
        )
        self._reader.start()
        if self._account_added_later:
            self.command("uanew", self._account)

    def _read_loop(self, sock: socket.socket) -> None:
        buf = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while True:
                colon = buf.find(b":")
                if colon < 0:
                    break
                length = int(buf[:colon])
                end = colon + 1 + length
                if len(buf) < end + 1:
                    break
                message = json.loads(buf[colon + 1 : end])
                buf = buf[end + 1 :]
                with self._lock:
                    if message.get("response"):
                        self._responses[str(message.get("token"))] = message
                    elif message.get("event"):
                        self.events.append(message)

    def command(self, command: str, params: str = "", timeout: float = 10) -> dict[str, Any]:
        """Run a baresip command (as typed in its menu) and return ctrl_tcp's response."""
        assert self._sock is not None, "not started"
        self._token += 1
        token = f"{self.name}-{self._token}"
        payload: dict[str, Any] = {"command": command, "token": token}
        if params:
            payload["params"] = params
        self._sock.sendall(_netstring(payload))
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                response = self._responses.pop(token, None)
            if response is not None:
                return response
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {command} from {self.name}:\n{self.log_tail()}")
            time.sleep(0.05)

    def event(self, kind: str) -> dict[str, Any] | None:
        with self._lock:
            return next((e for e in self.events if e.get("type") == kind), None)

    def wait_event(self, kind: str, timeout: float = 10, extra_log: str = "") -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.event(kind)
            if found is not None:
                return found
            failed = self.event("CALL_CLOSED") if kind.startswith("CALL_") else None
            if failed is not None or time.monotonic() > deadline:
                seen = [e.get("type") for e in self.events]
                raise AssertionError(
                    f"{self.name}: no {kind} (events {seen}, closed: {failed}):\n"
                    f"{self.log_tail()}\n{extra_log}"
                )
            time.sleep(0.05)

    def wait_registered(self, timeout: float = 10, extra_log: str = "") -> None:
        """Until the account is registered (REGISTER_OK event, or `reginfo` says OK)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.event("REGISTER_OK") is not None:
                return
            if "OK" in str(self.command("reginfo").get("data", "")):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not register:\n{self.log_tail()}\n{extra_log}")
            time.sleep(0.2)

    def sip_transports(self) -> set[str]:
        """The transports of the SIP messages in the trace (`-s`): "UDP a -> b" before each one."""
        text = self.log_path.read_text(errors="replace")
        found = re.findall(r"^(UDP|TCP|TLS) [0-9.:]+ -> [0-9.:]+$", text, re.MULTILINE)
        return set(found)

    def received_audio(self) -> np.ndarray:
        """What this phone decoded from the call (the sndfile dump); read it after the call ended."""
        dumps = sorted(self.folder.glob("dump-*-dec.wav"))
        assert dumps, f"{self.name} wrote no decoded-audio dump:\n{self.log_tail()}"
        return read_wav(dumps[-1])

    def live_audio(self) -> np.ndarray:
        """What this phone decoded so far in its latest call, read while the dump is being written
        (its header's sizes are not final yet: everything after the `data` chunk header counts)."""
        dumps = sorted(self.folder.glob("dump-*-dec.wav"))
        if not dumps:
            return np.zeros(0)
        data = dumps[-1].read_bytes()
        at = data.find(b"data", 12)
        if at < 0:
            return np.zeros(0)
        body = data[at + 8 :]
        return np.frombuffer(body[: len(body) // 2 * 2], dtype="<i2").astype(np.float64)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None and self._sock is not None:
            try:
                self._sock.sendall(_netstring({"command": "quit", "token": "quit"}))
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        if self._reader is not None:
            self._reader.join(timeout=2)
            self._reader = None
        code = self.proc.returncode
        self.proc = None
        return code

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        # The menu's status line redraws itself with carriage returns; keep the log readable.
        cleaned = [line.split("\r")[-1] if "\r" in line else line for line in text.splitlines()]
        return f"--- baresip {self.name} ---\n" + "\n".join(cleaned[-lines:])


def last_tone(phone: BaresipPhone, seconds: float = 1.0) -> float:
    """The frequency ``phone`` hears now: the dominant one of its last ``seconds`` of audio, which
    must be sound almost throughout."""
    audio = phone.live_audio()[-int(seconds * SAMPLE_RATE) :]
    assert voiced_seconds(audio) >= seconds - 0.3, f"{phone.name} hears too little:\n{phone.log_tail()}"
    return dominant_frequency(audio)


def wait_call_closed(phone: BaresipPhone, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while phone.event("CALL_CLOSED") is None:
        assert time.monotonic() < deadline, f"{phone.name}'s call never closed:\n{phone.log_tail()}"
        time.sleep(0.1)


def three_phones(
    folder: Path, sip_port: int, passwords: Mapping[str, str], tones: Mapping[str, float], manual: str = ""
) -> list[BaresipPhone]:
    """ann (1001), bo (1002) and cy (1003) as baresip phones registering at ``sip_port``, each with
    a microphone of its own tone; ``manual`` names the one that does not answer by itself."""
    return [
        BaresipPhone(
            name,
            folder / name,
            SipUser(name, f"100{n}", passwords[name], name.title(), "Tester"),
            sip_port,
            tone=write_tone(folder / f"{name}.wav", tones[name], seconds=60, amplitude=0.3),
            answer="manual" if name == manual else "auto",
        )
        for n, name in enumerate(("ann", "bo", "cy"), start=1)
    ]
