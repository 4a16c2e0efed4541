"""`python -m bench.codecs`: CPU cost of every registered codec, the resampler and transcoding pairs.

A micro benchmark, not part of `make bench` or `make test`: it runs in this process on 10 s of a
speech-like test signal (a few harmonics with vibrato plus noise, in bursts) and prints, per codec,
the CPU time (``time.process_time``) of encoding and of decoding one 20 ms frame, and what one
call-second costs: encode + decode of one direction, as a share of one core. A transcoded call
runs two ``Transcoder``s (one per direction); its row is already per direction.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from itertools import cycle
from typing import Final

import numpy as np

from cordboard.core.media.codecs import Resampler, Transcoder, codecs, get_codec
from cordboard.core.media.codecs.base import Pcm

FRAMES_PER_SECOND: Final = 50
TRANSCODE_PAIRS: Final = (
    (("PCMU", 8000), ("G722", 8000)),
    (("G722", 8000), ("PCMU", 8000)),
    (("PCMA", 8000), ("opus", 48000)),
    (("opus", 48000), ("PCMA", 8000)),
    (("G722", 8000), ("opus", 48000)),
    (("opus", 48000), ("G722", 8000)),
)
RESAMPLE_PAIRS: Final = (
    (8000, 16000),
    (16000, 8000),
    (16000, 48000),
    (48000, 16000),
    (8000, 48000),
    (48000, 8000),
)


def speech_like(rate: int, seconds: float, seed: int = 1) -> Pcm:
    """Voiced bursts (120 Hz fundamental with vibrato, falling harmonics) and pauses, plus noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(rate * seconds)) / rate
    pitch = 120 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 30) if k * 120 < rate / 2)
    envelope = (np.sin(2 * np.pi * 1.3 * t) > -0.3).astype(np.float64)
    signal = 0.15 * voiced * envelope + 0.01 * rng.normal(size=t.shape[0])
    return np.clip(np.rint(signal * 32767), -32768, 32767).astype(np.int16)


def cpu_per_call(run: Callable[[], object], calls: int) -> float:
    """CPU seconds per call of ``run`` (best of three passes, to shed noise from other processes)."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for _ in range(calls):
            run()
        best = min(best, (time.process_time() - start) / calls)
    return best


def measure_codec(name: str, clock_rate: int, seconds: float) -> dict[str, object]:
    codec = get_codec(name, clock_rate)
    size = codec.spec.frame_samples
    pcm = speech_like(codec.sample_rate, seconds)
    frames = [pcm[i : i + size] for i in range(0, pcm.shape[0] - size + 1, size)]
    payloads = [codec.encoder().encode(f) for f in frames]
    encoder, decoder = codec.encoder(), codec.decoder()
    frame_cycle, payload_cycle = cycle(frames), cycle(payloads)
    encode_s = cpu_per_call(lambda: encoder.encode(next(frame_cycle)), len(frames))
    decode_s = cpu_per_call(lambda: decoder.decode(next(payload_cycle)), len(payloads))
    return {
        "kind": "codec",
        "name": codec.spec.rtpmap,
        "encode_us": encode_s * 1e6,
        "decode_us": decode_s * 1e6,
        "payload_bytes": sum(map(len, payloads)) / len(payloads),
        "core_pct_per_call_second": (encode_s + decode_s) * FRAMES_PER_SECOND * 100,
    }


def measure_transcode(source: tuple[str, int], target: tuple[str, int], seconds: float) -> dict[str, object]:
    src, dst = get_codec(*source), get_codec(*target)
    size = src.spec.frame_samples
    pcm = speech_like(src.sample_rate, seconds)
    encoder = src.encoder()
    payloads = [encoder.encode(pcm[i : i + size]) for i in range(0, pcm.shape[0] - size + 1, size)]
    transcoder, payload_cycle = Transcoder(src, dst), cycle(payloads)
    per_frame = cpu_per_call(lambda: transcoder.transcode(next(payload_cycle)), len(payloads))
    return {
        "kind": "transcode",
        "name": f"{src.spec.rtpmap} -> {dst.spec.rtpmap}",
        "frame_us": per_frame * 1e6,
        "core_pct_per_call_second": per_frame * FRAMES_PER_SECOND * 100,
    }


def measure_resample(source: int, target: int, seconds: float) -> dict[str, object]:
    pcm = speech_like(source, seconds)
    size = source // FRAMES_PER_SECOND
    frames = [pcm[i : i + size] for i in range(0, pcm.shape[0] - size + 1, size)]
    resampler, frame_cycle = Resampler(source, target), cycle(frames)
    per_frame = cpu_per_call(lambda: resampler.process(next(frame_cycle)), len(frames))
    return {
        "kind": "resample",
        "name": f"{source} -> {target} Hz",
        "frame_us": per_frame * 1e6,
        "core_pct_per_call_second": per_frame * FRAMES_PER_SECOND * 100,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.codecs", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of signal per measurement")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = parser.parse_args(argv)
    rows = [measure_codec(c.name, c.clock_rate, args.seconds) for c in codecs()]
    rows += [measure_resample(a, b, args.seconds) for a, b in RESAMPLE_PAIRS]
    rows += [measure_transcode(a, b, args.seconds) for a, b in TRANSCODE_PAIRS]
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print("| codec | encode µs/20 ms | decode µs/20 ms | bytes/20 ms | % core per call-second, one way |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for row in rows:
        if row["kind"] == "codec":
            print(
                f"| {row['name']} | {row['encode_us']:.1f} | {row['decode_us']:.1f} "
                f"| {row['payload_bytes']:.0f} | {row['core_pct_per_call_second']:.3f} |"
            )
    print()
    print("| resample / transcode (one direction) | µs/20 ms | % of one core per call-second |")
    print("| --- | ---: | ---: |")
    for row in rows:
        if row["kind"] != "codec":
            print(f"| {row['name']} | {row['frame_us']:.1f} | {row['core_pct_per_call_second']:.3f} |")


if __name__ == "__main__":
    main()
