"""The codec registry and the contract every codec meets: 20 ms frames of mono int16 PCM in and out.

A codec is registered once under its SDP encoding name and RTP clock rate (``register_codec``) and
looked up by the same pair (``get_codec``), so the media engine never branches on codec names.
``Codec.encoder()`` and ``Codec.decoder()`` make a fresh stateful object per RTP stream: ADPCM and
Opus carry state from packet to packet, and a decoder remembers what it last played for loss
concealment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Protocol, TypeAlias, final

import numpy as np
import numpy.typing as npt

from cordboard.core.exceptions import CordboardError

Pcm: TypeAlias = npt.NDArray[np.int16]
"""Mono 16-bit linear PCM at the codec's ``sample_rate``: a 1-D numpy int16 array."""

FRAME_MS: Final = 20
"""Every encoder takes exactly one frame of this duration (the usual SIP ptime)."""
MAX_PACKET_MS: Final = 120
"""Longest payload a decoder accepts (Opus's maximum packet duration, RFC 6716 3.2.5); longer is refused."""
FADE_FRAMES: Final = 5
"""Consecutive lost frames over which fade concealment reaches silence (100 ms)."""


class CodecError(CordboardError, ValueError):
    """A frame or payload a codec cannot take (wrong size, type or content), or an unknown codec."""


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class CodecSpec:
    """What SDP and RTP say about a codec, and the PCM it encodes from and decodes to."""

    name: str
    """Encoding name as in ``a=rtpmap`` ("PCMU", "PCMA", "G722", "opus"); matched case-insensitively."""
    clock_rate: int
    """RTP timestamp rate. Not always the sampling rate: G.722 samples at 16 kHz but its RTP clock runs
    at 8000 Hz (RFC 3551 4.5.2)."""
    sample_rate: int
    """Rate of the PCM the encoder takes and the decoder returns."""
    channels: int = 1
    """Channel count written in ``a=rtpmap``. Opus always says 2 (RFC 7587 7); the PCM here is mono."""
    payload_type: int | None = None
    """Static RTP payload type (RFC 3551 table 4), or None for a dynamic one negotiated in SDP."""
    frame_ms: int = FRAME_MS
    """Duration of one encoder frame."""

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or " " in self.name:
            raise CodecError(f"invalid codec encoding name {self.name!r}")
        if self.clock_rate <= 0 or self.sample_rate <= 0 or self.channels <= 0:
            raise CodecError(f"{self.name}: clock rate, sample rate and channels must be positive")
        if (self.sample_rate * self.frame_ms) % 1000 or (self.clock_rate * self.frame_ms) % 1000:
            raise CodecError(f"{self.name}: {self.frame_ms} ms is not a whole number of samples")

    @property
    def key(self) -> tuple[str, int]:
        """The registry key: lower-case name and clock rate."""
        return (self.name.lower(), self.clock_rate)

    @property
    def frame_samples(self) -> int:
        """PCM samples in one encoder frame (160 for PCMU, 320 for G.722, 960 for Opus)."""
        return self.sample_rate * self.frame_ms // 1000

    @property
    def timestamp_step(self) -> int:
        """RTP timestamp increment per frame (160 for G.722 as for G.711: its clock is 8000 Hz)."""
        return self.clock_rate * self.frame_ms // 1000

    @property
    def rtpmap(self) -> str:
        """The ``a=rtpmap`` value after the payload type: ``PCMU/8000``, ``opus/48000/2``."""
        base = f"{self.name}/{self.clock_rate}"
        return f"{base}/{self.channels}" if self.channels != 1 else base


class Encoder(Protocol):
    """Turns 20 ms PCM frames of one stream into RTP payloads, keeping whatever state the codec needs."""

    def encode(self, pcm: Pcm) -> bytes:
        """Encode exactly one frame (``spec.frame_samples`` int16 samples); ``CodecError`` otherwise."""
        ...


class Decoder(Protocol):
    """Turns RTP payloads of one stream back into PCM, and fills in for lost packets."""

    def decode(self, payload: bytes) -> Pcm:
        """Decode one payload (any duration up to ``MAX_PACKET_MS``); ``CodecError`` if it is unusable."""
        ...

    def conceal(self) -> Pcm:
        """One frame to play in place of a lost packet (packet loss concealment)."""
        ...


EncoderFactory: TypeAlias = Callable[[CodecSpec], Encoder]
DecoderFactory: TypeAlias = Callable[[CodecSpec], Decoder]


@final
@dataclass(frozen=True, slots=True)
class Codec:
    """A registered codec: its spec and the factories of its per-stream encoders and decoders."""

    spec: CodecSpec
    encoder_factory: EncoderFactory = field(repr=False)
    decoder_factory: DecoderFactory = field(repr=False)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def clock_rate(self) -> int:
        return self.spec.clock_rate

    @property
    def sample_rate(self) -> int:
        return self.spec.sample_rate

    def encoder(self) -> Encoder:
        """A new encoder for one outgoing stream."""
        return self.encoder_factory(self.spec)

    def decoder(self) -> Decoder:
        """A new decoder for one incoming stream."""
        return self.decoder_factory(self.spec)


_REGISTRY: dict[tuple[str, int], Codec] = {}


def register_codec(
    spec: CodecSpec, *, encoder: EncoderFactory, decoder: DecoderFactory, replace: bool = False
) -> Codec:
    """Register a codec under its name and clock rate; a second registration of a key needs ``replace``."""
    if spec.key in _REGISTRY and not replace:
        raise CodecError(f"codec {spec.rtpmap} is already registered")
    codec = Codec(spec, encoder, decoder)
    _REGISTRY[spec.key] = codec
    return codec


def unregister_codec(name: str, clock_rate: int) -> None:
    """Remove a codec (a plugin that registered one and is unloaded); unknown keys are ignored."""
    _REGISTRY.pop((name.lower(), clock_rate), None)


def find_codec(name: str, clock_rate: int | None = None) -> Codec | None:
    """The codec for an rtpmap name (any case) and clock rate, or None when none is registered.

    Without a clock rate the name must be unambiguous (L16 exists at 8000 and 16000 Hz).
    """
    lower = name.lower()
    if clock_rate is not None:
        return _REGISTRY.get((lower, clock_rate))
    found = [codec for key, codec in _REGISTRY.items() if key[0] == lower]
    return found[0] if len(found) == 1 else None


def get_codec(name: str, clock_rate: int | None = None) -> Codec:
    """Like ``find_codec``, but an unknown (or, without a clock rate, ambiguous) codec is a ``CodecError``."""
    codec = find_codec(name, clock_rate)
    if codec is None:
        wanted = name if clock_rate is None else f"{name}/{clock_rate}"
        known = ", ".join(c.spec.rtpmap for c in _REGISTRY.values())
        raise CodecError(f"no codec {wanted} registered (known: {known or 'none'})")
    return codec


def codecs() -> list[Codec]:
    """Every registered codec, in registration order."""
    return list(_REGISTRY.values())


def check_frame(spec: CodecSpec, pcm: Pcm) -> Pcm:
    """``pcm`` if it is one encoder frame of ``spec`` (1-D int16, ``frame_samples`` long); else CodecError."""
    if not isinstance(pcm, np.ndarray) or pcm.dtype != np.int16 or pcm.ndim != 1:
        kind = (
            f"{pcm.dtype} array of shape {pcm.shape}" if isinstance(pcm, np.ndarray) else type(pcm).__name__
        )
        raise CodecError(f"{spec.name} encoder takes a 1-D int16 numpy array, not a {kind}")
    if pcm.shape[0] != spec.frame_samples:
        raise CodecError(
            f"{spec.name} encoder takes {spec.frame_samples} samples ({spec.frame_ms} ms at "
            f"{spec.sample_rate} Hz), got {pcm.shape[0]}"
        )
    return pcm


def max_payload_bytes(bytes_per_second: int) -> int:
    """Payload size of ``MAX_PACKET_MS`` at a constant ``bytes_per_second`` (8000 for G.711 and G.722)."""
    return bytes_per_second * MAX_PACKET_MS // 1000


def check_payload(spec: CodecSpec, payload: bytes, max_bytes: int) -> None:
    """Refuse an empty payload, or one longer than ``max_bytes``."""
    if not payload:
        raise CodecError(f"empty {spec.name} payload")
    if len(payload) > max_bytes:
        raise CodecError(
            f"{spec.name} payload of {len(payload)} bytes is longer than the {max_bytes} allowed"
        )


class FadeConcealer:
    """Loss concealment by repetition: the last good frame again, fading to silence.

    The gain falls linearly within each concealed frame (no steps at frame edges) from 1 to 0 over
    ``FADE_FRAMES`` consecutive losses, after which it plays silence; a good frame resets it. This is
    the simple end of ITU-T G.711 Appendix I (which also repeats by pitch period): enough to bridge
    a single lost packet without a gap, and to go quiet rather than buzz when a stream stops.
    """

    __slots__ = ("_frame_samples", "_last", "_lost")

    def __init__(self, frame_samples: int) -> None:
        self._frame_samples = frame_samples
        self._last: Pcm = np.zeros(frame_samples, dtype=np.int16)
        self._lost = 0

    def good(self, pcm: Pcm) -> Pcm:
        """Remember the last frame's worth of a decoded payload; returns ``pcm`` unchanged."""
        n = self._frame_samples
        if pcm.shape[0] >= n:
            self._last = pcm[-n:].copy()
        else:  # a short packet: keep its samples at the end of the remembered frame
            self._last = np.concatenate((self._last[pcm.shape[0] :], pcm))
        self._lost = 0
        return pcm

    def conceal(self) -> Pcm:
        """The frame for the next consecutive lost packet."""
        n = self._frame_samples
        start = max(0.0, 1.0 - self._lost / FADE_FRAMES)
        end = max(0.0, 1.0 - (self._lost + 1) / FADE_FRAMES)
        self._lost += 1
        if start == 0.0:
            return np.zeros(n, dtype=np.int16)
        gain = np.linspace(start, end, n, endpoint=False, dtype=np.float32)
        return (self._last * gain).astype(np.int16)

    @property
    def lost(self) -> int:
        """Consecutive losses concealed since the last good frame."""
        return self._lost
