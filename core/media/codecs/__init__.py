"""Audio codecs behind one registry (``base.py``); importing this package registers the built-ins.

Registered here, by SDP ``a=rtpmap`` name and RTP clock rate (PCM is mono int16, 20 ms frames):

============  ==========  ===========  ==================================================
rtpmap        static PT   PCM rate     implementation
============  ==========  ===========  ==================================================
PCMU/8000     0           8000 Hz      ``g711.py``: numpy tables from ITU-T G.711 u-law
PCMA/8000     8           8000 Hz      ``g711.py``: numpy tables from ITU-T G.711 A-law
G722/8000     9           16000 Hz     ``g722.py``: FFmpeg g722 via PyAV (RTP clock 8000)
opus/48000/2  dynamic     48000 Hz     ``opus.py``: libopus via PyAV, mono, VoIP mode
L16/8000      dynamic     8000 Hz      ``l16.py``: linear PCM, network byte order
L16/16000     dynamic     16000 Hz     ``l16.py``
============  ==========  ===========  ==================================================

G.722 and Opus are registered only when PyAV's FFmpeg build has them. ``resample.py`` converts
between 8, 16 and 48 kHz, and ``transcode.py`` joins two legs that share no codec (BYD-04).
"""

from __future__ import annotations

from cordboard.core.media.codecs import g711, g722, l16, opus
from cordboard.core.media.codecs.base import (
    FRAME_MS,
    Codec,
    CodecError,
    CodecSpec,
    Decoder,
    Encoder,
    Pcm,
    codecs,
    find_codec,
    get_codec,
    register_codec,
    unregister_codec,
)
from cordboard.core.media.codecs.resample import Resampler
from cordboard.core.media.codecs.transcode import Transcoder


def register_builtin_codecs() -> None:
    """Register (again) every built-in codec; done on import, idempotent."""
    g711.register()
    g722.register()
    opus.register()
    l16.register()


register_builtin_codecs()

__all__ = [
    "FRAME_MS",
    "Codec",
    "CodecError",
    "CodecSpec",
    "Decoder",
    "Encoder",
    "Pcm",
    "Resampler",
    "Transcoder",
    "codecs",
    "find_codec",
    "get_codec",
    "register_builtin_codecs",
    "register_codec",
    "unregister_codec",
]
