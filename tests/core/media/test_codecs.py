"""Codec registry, G.711 (against FFmpeg's pcm_mulaw/pcm_alaw as an independent reference), L16,
G.722 and Opus round trips, loss concealment, resampling and transcoding (BYD-04)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import av
import numpy as np
import pytest

from cordboard.core.media.codecs import (
    Codec,
    CodecError,
    CodecSpec,
    Resampler,
    Transcoder,
    codecs,
    find_codec,
    g711,
    get_codec,
    register_codec,
    unregister_codec,
)
from cordboard.core.media.codecs.base import FADE_FRAMES, FadeConcealer, Pcm
from cordboard.core.media.codecs.opus import plc_toc
from cordboard.core.sip.sdp import STATIC_PAYLOAD_TYPES

ALL_INT16 = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16).copy()
"""Every int16 value, ordered by its uint16 bit pattern (the encode tables' index)."""


# --- signals -------------------------------------------------------------------------------------


def tone(freq: float, rate: int, seconds: float = 1.0, level: float = 0.3, phase: float = 0.0) -> Pcm:
    t = np.arange(round(rate * seconds)) / rate
    return np.rint(level * 32767 * np.sin(2 * np.pi * freq * t + phase)).astype(np.int16)


def noise(rate: int, seconds: float = 1.0, level: float = 0.1, seed: int = 1) -> Pcm:
    samples = np.random.default_rng(seed).normal(0.0, level * 32767, round(rate * seconds))
    return np.clip(np.rint(samples), -32768, 32767).astype(np.int16)


def frames(pcm: Pcm, size: int) -> Iterator[Pcm]:
    for start in range(0, pcm.shape[0] - size + 1, size):
        yield pcm[start : start + size]


def round_trip(codec: Codec, pcm: Pcm) -> Pcm:
    encoder, decoder = codec.encoder(), codec.decoder()
    size = codec.spec.frame_samples
    return np.concatenate([decoder.decode(encoder.encode(frame)) for frame in frames(pcm, size)])


def snr_db(reference: Pcm, test: Pcm) -> float:
    ref = reference.astype(np.float64)
    err = test.astype(np.float64) - ref
    return float(10 * np.log10(np.sum(ref**2) / max(np.sum(err**2), 1e-9)))


def rms_db(pcm: Pcm) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(pcm.astype(np.float64) ** 2)) / 32768))


def sine_fit(pcm: Pcm, freq: float, rate: int) -> tuple[float, float]:
    """(amplitude, SNR in dB) of the best-fitting sine at ``freq``: everything else counts as noise."""
    t = np.arange(pcm.shape[0]) / rate
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t), np.ones_like(t)], axis=1)
    x = pcm.astype(np.float64)
    coeffs, *_ = np.linalg.lstsq(basis, x, rcond=None)
    fitted = basis @ coeffs
    amplitude = float(np.hypot(coeffs[0], coeffs[1]))
    return amplitude, float(10 * np.log10(np.sum(fitted**2) / max(np.sum((x - fitted) ** 2), 1e-9)))


def dominant_frequency(pcm: Pcm, rate: int) -> float:
    """Peak of the Hann-windowed spectrum, refined by parabolic interpolation between bins."""
    x = pcm.astype(np.float64) * np.hanning(pcm.shape[0])
    spectrum = np.abs(np.fft.rfft(x))
    peak = int(np.argmax(spectrum[1:-1])) + 1
    a, b, c = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
    offset = 0.5 * (a - c) / (a - 2 * b + c)
    return float((peak + offset) * rate / pcm.shape[0])


def best_lag(reference: Pcm, test: Pcm, max_lag: int) -> int:
    """The delay of ``test`` behind ``reference`` (0..max_lag samples) by FFT cross-correlation."""
    n = reference.shape[0] + test.shape[0]
    corr = np.fft.irfft(np.fft.rfft(test.astype(np.float64), n) * np.conj(np.fft.rfft(reference, n)), n)
    return int(np.argmax(corr[: max_lag + 1]))


# --- registry ------------------------------------------------------------------------------------


def test_builtins_registered_with_rtp_parameters() -> None:
    pcmu, pcma, g722, opus = (
        get_codec(n, r) for n, r in (("PCMU", 8000), ("PCMA", 8000), ("G722", 8000), ("opus", 48000))
    )
    assert (pcmu.spec.payload_type, pcma.spec.payload_type, g722.spec.payload_type) == (0, 8, 9)
    assert opus.spec.payload_type is None
    assert (pcmu.sample_rate, g722.sample_rate, opus.sample_rate) == (8000, 16000, 48000)
    # RFC 3551 4.5.2: G.722's RTP clock runs at 8000 Hz although it samples at 16 kHz.
    assert (g722.spec.frame_samples, g722.spec.timestamp_step) == (320, 160)
    assert (opus.spec.frame_samples, opus.spec.timestamp_step) == (960, 960)
    assert [c.spec.rtpmap for c in (pcmu, g722, opus)] == ["PCMU/8000", "G722/8000", "opus/48000/2"]
    assert {c.spec.rtpmap for c in codecs()} >= {
        "PCMU/8000",
        "PCMA/8000",
        "G722/8000",
        "opus/48000/2",
        "L16/16000",
    }


def test_static_payload_types_agree_with_sdp_table() -> None:
    for codec in codecs():
        if codec.spec.payload_type is not None:
            sdp = STATIC_PAYLOAD_TYPES[codec.spec.payload_type]
            assert (sdp.name, sdp.clock_rate) == (codec.name, codec.clock_rate)


def test_lookup_is_case_insensitive_and_unknown_is_an_error() -> None:
    assert get_codec("pcmu", 8000) is get_codec("PCMU", 8000)
    assert get_codec("OPUS") is get_codec("opus", 48000)
    assert get_codec("g722").name == "G722"
    assert find_codec("PCMU", 16000) is None
    assert find_codec("L16") is None  # at 8000 and 16000: ambiguous without a rate
    with pytest.raises(CodecError, match="no codec GSM/8000"):
        get_codec("GSM", 8000)
    with pytest.raises(CodecError):
        get_codec("L16")


@pytest.fixture
def scratch_spec() -> Iterator[CodecSpec]:
    spec = CodecSpec(name="X-TEST", clock_rate=8000, sample_rate=8000)
    yield spec
    unregister_codec("x-test", 8000)


def test_register_custom_codec_and_refuse_duplicates(scratch_spec: CodecSpec) -> None:
    pcmu = get_codec("PCMU", 8000)
    codec = register_codec(scratch_spec, encoder=pcmu.encoder_factory, decoder=pcmu.decoder_factory)
    assert get_codec("x-test", 8000) is codec and codec in codecs()
    assert codec.decoder().decode(codec.encoder().encode(np.zeros(160, np.int16))).shape == (160,)
    with pytest.raises(CodecError, match="already registered"):
        register_codec(scratch_spec, encoder=pcmu.encoder_factory, decoder=pcmu.decoder_factory)
    register_codec(scratch_spec, encoder=pcmu.encoder_factory, decoder=pcmu.decoder_factory, replace=True)
    unregister_codec("X-Test", 8000)
    assert find_codec("x-test", 8000) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a/b", "clock_rate": 8000, "sample_rate": 8000},
        {"name": "", "clock_rate": 8000, "sample_rate": 8000},
        {"name": "X", "clock_rate": 0, "sample_rate": 8000},
        {"name": "X", "clock_rate": 8000, "sample_rate": 11025},  # 20 ms is 220.5 samples
    ],
)
def test_spec_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(CodecError):
        CodecSpec(**kwargs)  # type: ignore[arg-type]


def test_codec_error_is_a_value_error() -> None:
    assert issubclass(CodecError, ValueError)


@pytest.mark.parametrize(
    ("name", "rate"), [("PCMU", 8000), ("PCMA", 8000), ("G722", 8000), ("opus", 48000), ("L16", 16000)]
)
def test_encoders_refuse_wrong_frames(name: str, rate: int) -> None:
    codec = get_codec(name, rate)
    encoder = codec.encoder()
    n = codec.spec.frame_samples
    for bad in (
        np.zeros(n - 1, np.int16),
        np.zeros(n + 1, np.int16),
        np.zeros(n, np.float32),
        np.zeros(n, np.int32),
        np.zeros((1, n), np.int16),
        [0] * n,
    ):
        with pytest.raises(CodecError):
            encoder.encode(bad)  # type: ignore[arg-type]
    assert encoder.encode(np.zeros(n, np.int16))  # still usable


@pytest.mark.parametrize("codec", codecs(), ids=lambda c: c.spec.rtpmap)
def test_every_registered_codec_meets_the_frame_contract(codec: Codec) -> None:
    """One 20 ms frame in gives one payload; decoding it gives one frame; concealment gives one frame."""
    encoder, decoder = codec.encoder(), codec.decoder()
    n = codec.spec.frame_samples
    for frame in frames(tone(440, codec.sample_rate, seconds=0.1), n):
        pcm = decoder.decode(encoder.encode(frame))
        assert pcm.dtype == np.int16 and pcm.shape == (n,)
    concealed = decoder.conceal()
    assert concealed.dtype == np.int16 and concealed.shape == (n,)


@pytest.mark.parametrize("name", ["PCMU", "PCMA", "G722", "opus"])
def test_decoders_refuse_empty_and_oversized_payloads(name: str) -> None:
    decoder = get_codec(name).decoder()
    with pytest.raises(CodecError, match="empty"):
        decoder.decode(b"")
    with pytest.raises(CodecError, match="longer"):
        decoder.decode(b"\x00" * 4000)
    assert decoder.conceal().shape == (get_codec(name).spec.frame_samples,)


# --- G.711 ---------------------------------------------------------------------------------------


def ffmpeg_encode(name: str, pcm: Pcm) -> np.ndarray:
    context = av.CodecContext.create(name, "w")
    assert isinstance(context, av.AudioCodecContext)
    context.sample_rate, context.format, context.layout = 8000, "s16", "mono"
    context.open()
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = 8000
    return np.frombuffer(b"".join(bytes(p) for p in context.encode(frame)), np.uint8)


def ffmpeg_decode(name: str, payload: bytes) -> Pcm:
    context = av.CodecContext.create(name, "r")
    assert isinstance(context, av.AudioCodecContext)
    context.sample_rate, context.layout = 8000, "mono"
    return np.concatenate([f.to_ndarray().reshape(-1) for f in context.decode(av.Packet(payload))])


@pytest.mark.parametrize(
    ("ffmpeg", "table"), [("pcm_mulaw", g711.ULAW_DECODE), ("pcm_alaw", g711.ALAW_DECODE)]
)
def test_g711_decode_matches_ffmpeg_for_all_256_codes(ffmpeg: str, table: Pcm) -> None:
    assert np.array_equal(ffmpeg_decode(ffmpeg, bytes(range(256))), table)


@pytest.mark.parametrize(
    ("ffmpeg", "encode", "decode"),
    [("pcm_mulaw", g711.ULAW_ENCODE, g711.ULAW_DECODE), ("pcm_alaw", g711.ALAW_ENCODE, g711.ALAW_DECODE)],
)
def test_g711_encode_against_ffmpeg_for_all_65536_inputs(
    ffmpeg: str, encode: np.ndarray, decode: Pcm
) -> None:
    """Bit-exact except at two documented kinds of decision threshold (964 of 65536 inputs each).

    FFmpeg (pcm_tablegen.h) does not follow G.711's decision values; it picks the nearer of two
    levels on the input shifted to 14 bits, mirrored around 0. Against G.711 (and the ITU-T G.191
    reference code) that moves two kinds of threshold:

    1. Negative inputs: G.711 takes the one's complement of a negative value (-1 is the smallest
       negative magnitude); FFmpeg mirrors, so each negative threshold sits one 14-bit step (4 input
       values) away, giving runs of exactly 4 negative inputs within one segment.
    2. Segment edges, both signs: where the step size doubles, G.711's decision value is the edge
       itself, FFmpeg's the mid-point between the two levels around it.

    Positive inputs inside a segment agree exactly. Every differing input is bracketed by the two
    (adjacent) levels: both answers are one quantisation step apart, never more.
    """
    ours = encode[ALL_INT16.view(np.uint16)]
    theirs = ffmpeg_encode(ffmpeg, ALL_INT16)
    differ = np.nonzero(ours != theirs)[0]
    assert differ.size == 964
    x = ALL_INT16[differ].astype(np.int32)
    ours_level, theirs_level = decode[ours[differ]].astype(np.int32), decode[theirs[differ]].astype(np.int32)
    assert np.all(np.minimum(ours_level, theirs_level) <= x)
    assert np.all(x <= np.maximum(ours_level, theirs_level))
    positions = np.searchsorted(np.unique(decode), np.stack([ours_level, theirs_level]))
    assert np.all(np.abs(positions[0] - positions[1]) == 1)  # adjacent levels
    inversion = 0xFF if ffmpeg == "pcm_mulaw" else 0x55
    runs: dict[tuple[int, int], list[int]] = {}
    for value, our_code, their_code in zip(x, ours[differ], theirs[differ], strict=True):
        runs.setdefault((int(our_code), int(their_code)), []).append(int(value))
    edges = 0
    for (our_code, their_code), values in runs.items():
        values.sort()
        assert values[-1] - values[0] + 1 == len(values)  # one contiguous run per threshold
        at_edge = ((our_code ^ inversion) >> 4 & 0x07) != ((their_code ^ inversion) >> 4 & 0x07)
        edges += at_edge
        assert at_edge or (values[-1] < 0 and len(values) == 4), (our_code, their_code, values)
    assert edges <= 14  # 7 segment edges on each side of zero


@pytest.mark.parametrize(
    ("encode", "known"),
    [
        (g711.ulaw_encode, {0: 0xFF, -1: 0x7F, 32767: 0x80, -32768: 0x00, 1000: 0xCE}),
        (g711.alaw_encode, {0: 0xD5, -1: 0x55, 32767: 0xAA, -32768: 0x2A, 1000: 0xFA}),
    ],
)
def test_g711_known_codes(encode: object, known: dict[int, int]) -> None:
    pcm = np.array(list(known), dtype=np.int16)
    assert list(encode(pcm)) == list(known.values())  # type: ignore[operator]


@pytest.mark.parametrize(
    ("encode", "decode"), [(g711.ULAW_ENCODE, g711.ULAW_DECODE), (g711.ALAW_ENCODE, g711.ALAW_DECODE)]
)
def test_g711_levels_reencode_to_their_codes_and_quantiser_is_monotonic(
    encode: np.ndarray, decode: Pcm
) -> None:
    codes = np.arange(256)
    again = encode[decode.view(np.uint16)]
    # u-law has two zeros (0x7F decodes to 0, which encodes as 0xFF); every other code is stable.
    assert np.array_equal(decode[again], decode)
    assert np.sum(again != codes) == (1 if decode is g711.ULAW_DECODE else 0)
    ordered = np.sort(ALL_INT16)
    assert np.all(np.diff(decode[encode[ordered.view(np.uint16)]].astype(np.int32)) >= 0)


@pytest.mark.parametrize("name", ["PCMU", "PCMA"])
def test_g711_snr_on_tone_and_noise(name: str) -> None:
    """Companding keeps the SNR near 38 dB over a wide range of levels.

    An exact 1 kHz tone hits only 8 sample values per period at 8 kHz, so its SNR depends on the
    phase (33-40 dB): it is averaged over phases, and the ITU-T O.132 test tone of 1004 Hz, which
    is no submultiple of 8 kHz, is checked level by level.
    """
    codec = get_codec(name)
    phases = [tone(1000, 8000, level=0.5, phase=p) for p in np.linspace(0, np.pi / 4, 16)]
    assert np.mean([snr_db(s, round_trip(codec, s)) for s in phases]) > 35
    for level, floor in ((0.5, 35), (0.1, 35), (0.01, 33)):  # -6, -20, -40 dBFS
        sine = tone(1004, 8000, level=level)
        assert snr_db(sine, round_trip(codec, sine)) > floor
    for level in (0.3, 0.03):
        hiss = noise(8000, level=level)
        assert snr_db(hiss, round_trip(codec, hiss)) > 33


def test_g711_decoder_takes_any_packet_length() -> None:
    decoder = get_codec("PCMU").decoder()
    assert decoder.decode(b"\xff" * 80).shape == (80,)  # 10 ms
    assert decoder.decode(b"\xff" * 240).shape == (240,)  # 30 ms
    assert decoder.decode(bytes(range(256))).dtype == np.int16  # any byte is a valid code


def test_l16_round_trip_and_odd_byte_count() -> None:
    codec = get_codec("L16", 16000)
    sine = tone(1000, 16000, seconds=0.02)
    payload = codec.encoder().encode(sine)
    assert payload[:2] == int(sine[0]).to_bytes(2, "big", signed=True)
    decoder = codec.decoder()
    assert np.array_equal(decoder.decode(payload), sine)
    with pytest.raises(CodecError, match="odd"):
        decoder.decode(payload[:-1])


# --- loss concealment ----------------------------------------------------------------------------


def test_fade_concealment_repeats_then_fades_to_silence() -> None:
    concealer = FadeConcealer(160)
    assert not np.any(concealer.conceal())  # nothing heard yet: silence
    frame = tone(1000, 8000, seconds=0.02, level=0.5)
    concealer.good(frame)
    energies = [float(np.sum(concealer.conceal().astype(np.float64) ** 2)) for _ in range(FADE_FRAMES + 2)]
    assert 0 < energies[0] < np.sum(frame.astype(np.float64) ** 2)
    assert all(a > b for a, b in pairwise(energies[:FADE_FRAMES]))
    assert energies[FADE_FRAMES] == energies[FADE_FRAMES + 1] == 0
    concealer.good(frame)
    assert concealer.lost == 0
    first = concealer.conceal()
    assert np.corrcoef(first[:40].astype(float), frame[:40].astype(float))[0, 1] > 0.99  # same waveform


def test_fade_concealment_has_no_step_between_concealed_frames() -> None:
    concealer = FadeConcealer(160)
    concealer.good(np.full(160, 10000, np.int16))
    a, b = concealer.conceal(), concealer.conceal()
    assert abs(int(a[-1]) - int(b[0])) < 200  # the gain ramp is continuous across the frame edge


def test_g711_decoder_conceals_after_short_packet() -> None:
    decoder = get_codec("PCMA").decoder()
    decoder.decode(g711.alaw_encode(tone(500, 8000, seconds=0.01)))  # 10 ms packet
    assert decoder.conceal().shape == (160,)


# --- G.722 ---------------------------------------------------------------------------------------


def test_g722_frame_sizes() -> None:
    codec = get_codec("G722", 8000)
    payload = codec.encoder().encode(tone(1000, 16000, seconds=0.02))
    assert len(payload) == 160  # 64 kbit/s: 8 bits per pair of 16 kHz samples
    assert codec.decoder().decode(payload).shape == (320,)


@pytest.mark.parametrize("freq", [300, 1000, 3000, 6000])
def test_g722_tone_round_trip(freq: int) -> None:
    codec = get_codec("G722", 8000)
    sine = tone(freq, 16000, level=0.3)
    out = round_trip(codec, sine)
    lag = best_lag(sine, out, 100)
    steady = slice(1600, 16000 - 200)  # skip the first 100 ms (ADPCM adaptation)
    aligned = out[lag:][: sine.shape[0] - lag]
    assert snr_db(sine[steady], aligned[steady]) > 20
    assert abs(dominant_frequency(out[1600:], 16000) - freq) < 2
    assert abs(rms_db(out[1600:]) - rms_db(sine)) < 1.0


def test_g722_encoder_state_is_per_stream() -> None:
    codec = get_codec("G722", 8000)
    sine = tone(1000, 16000, seconds=0.04)
    first, second = sine[:320], sine[320:]
    stream = codec.encoder()
    stream.encode(first)
    assert stream.encode(second) != codec.encoder().encode(second)  # ADPCM predictor carried over


def test_g722_garbage_decodes_to_samples_and_conceals() -> None:
    decoder = get_codec("G722", 8000).decoder()
    junk = np.random.default_rng(3).integers(0, 256, 160, dtype=np.uint8).tobytes()
    assert decoder.decode(junk).shape == (320,)  # every byte is a valid G.722 code word
    assert decoder.decode(b"\x01").shape == (2,)
    assert decoder.conceal().shape == (320,)


# --- Opus ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", [440, 1000, 3000])
def test_opus_tone_at_48k(freq: int) -> None:
    """Opus is perceptual, so no waveform SNR: the decoded tone's frequency and level must hold."""
    codec = get_codec("opus", 48000)
    sine = tone(freq, 48000, level=0.3)
    encoder, decoder = codec.encoder(), codec.decoder()
    payloads = [encoder.encode(frame) for frame in frames(sine, 960)]
    assert all(0 < len(p) < 200 for p in payloads)  # 32 kbit/s is 80 bytes per 20 ms on average
    out = np.concatenate([decoder.decode(p) for p in payloads])
    assert out.shape == sine.shape
    steady = out[4800:]
    assert abs(dominant_frequency(steady, 48000) - freq) < 2
    assert abs(rms_db(steady) - rms_db(sine)) < 2.0


def test_opus_wideband_tone_through_16k_resampling() -> None:
    """The media engine runs Opus from 16 kHz PCM: 16k -> 48k -> Opus -> 48k -> 16k."""
    codec = get_codec("opus")
    up, down = Resampler(16000, 48000), Resampler(48000, 16000)
    encoder, decoder = codec.encoder(), codec.decoder()
    sine = tone(1000, 16000, level=0.3)
    out = np.concatenate(
        [down.process(decoder.decode(encoder.encode(up.process(f)))) for f in frames(sine, 320)]
    )
    assert out.shape == sine.shape
    assert abs(dominant_frequency(out[1600:], 16000) - 1000) < 2
    assert abs(rms_db(out[1600:]) - rms_db(sine)) < 2.0


def test_opus_bad_payloads_raise_codec_error_only() -> None:
    decoder = get_codec("opus").decoder()
    with pytest.raises(CodecError):
        decoder.decode(b"\xff\xff\xff\x00garbage")
    rng = np.random.default_rng(7)
    for _ in range(300):
        junk = rng.integers(0, 256, int(rng.integers(1, 300)), dtype=np.uint8).tobytes()
        try:
            pcm = decoder.decode(junk)
        except CodecError:
            continue
        assert pcm.dtype == np.int16 and pcm.ndim == 1
    assert decoder.conceal().shape == (960,)


def test_opus_concealment_uses_libopus_plc_then_fades() -> None:
    codec = get_codec("opus")
    encoder, decoder = codec.encoder(), codec.decoder()
    assert not np.any(decoder.conceal())  # before any packet: silence
    sine = tone(1000, 48000, seconds=0.2, level=0.3)
    for frame in frames(sine, 960):
        decoder.decode(encoder.encode(frame))
    first = decoder.conceal()
    assert first.shape == (960,)
    assert abs(dominant_frequency(first, 48000) - 1000) < 30  # extrapolated, not repeated silence
    assert rms_db(first) > rms_db(sine) - 10
    for _ in range(10):
        last = decoder.conceal()
    assert rms_db(last) < rms_db(sine) - 30


@pytest.mark.parametrize(
    ("toc", "expected"),
    [
        (0 << 3, 1 << 3),  # SILK NB 10 ms -> SILK NB 20 ms
        (11 << 3 | 0x04 | 0x03, 9 << 3 | 0x04),  # SILK WB 60 ms stereo, code 3 -> WB 20 ms stereo, code 0
        (12 << 3, 13 << 3),  # hybrid SWB
        (14 << 3 | 0x01, 15 << 3),  # hybrid FB
        (16 << 3, 19 << 3),  # CELT NB 2.5 ms -> 20 ms
        (30 << 3, 31 << 3),  # CELT FB
    ],
)
def test_plc_toc_keeps_mode_and_bandwidth_at_20ms(toc: int, expected: int) -> None:
    assert plc_toc(toc) == expected


# --- resampling ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [(8000, 16000), (16000, 8000), (16000, 48000), (48000, 16000), (8000, 48000), (48000, 8000)],
)
def test_resampler_frame_sizes_and_chunking(source: int, target: int) -> None:
    signal = noise(source, seconds=0.2, level=0.1)
    framed = Resampler(source, target)
    size = source // 50
    pieces = [framed.process(f) for f in frames(signal, size)]
    assert all(p.shape == (target // 50,) for p in pieces)
    whole = Resampler(source, target).process(signal)
    assert np.array_equal(np.concatenate(pieces), whole)  # state carries across frame edges
    odd = Resampler(source, target)  # odd chunk sizes give the same stream too
    cuts = [0, 7, 13, 301, 302, 999, signal.shape[0]]
    chunked = np.concatenate([odd.process(signal[a:b]) for a, b in pairwise(cuts)])
    assert np.array_equal(chunked, whole)


def test_resampler_tone_keeps_frequency_and_level_8k_16k_8k() -> None:
    sine = tone(1000, 8000, level=0.5)
    up, down = Resampler(8000, 16000), Resampler(16000, 8000)
    wide = np.concatenate([up.process(f) for f in frames(sine, 160)])
    back = np.concatenate([down.process(f) for f in frames(wide, 320)])
    assert back.shape == sine.shape
    for pcm, rate in ((wide, 16000), (back, 8000)):
        steady = pcm[rate // 10 :]
        amplitude, snr = sine_fit(steady, 1000, rate)
        assert abs(dominant_frequency(steady, rate) - 1000) < 0.5
        assert abs(20 * np.log10(amplitude / (0.5 * 32767))) < 0.1
        assert snr > 60
    delay = up.delay / 2 + down.delay
    assert 50 < delay < 70  # about 7 ms at 8 kHz there and back


def test_resampler_rejects_images_and_aliases() -> None:
    """Down-sampling removes what the lower rate cannot carry; up-sampling adds no images."""
    high = tone(5000, 16000, level=0.5)  # above 4 kHz: would alias to 3 kHz at 8 kHz
    out = Resampler(16000, 8000).process(high)[400:]
    assert rms_db(out) < rms_db(high) - 60
    low = tone(3000, 8000, level=0.5)
    wide = Resampler(8000, 16000).process(low)[400:]
    spectrum = np.abs(np.fft.rfft(wide * np.hanning(wide.shape[0])))
    freqs = np.fft.rfftfreq(wide.shape[0], 1 / 16000)
    image = spectrum[np.abs(freqs - 5000) < 50].max()
    assert 20 * np.log10(image / spectrum.max()) < -60


def test_resampler_rejects_unsupported_ratios_and_passes_equal_rates() -> None:
    with pytest.raises(CodecError):
        Resampler(8000, 44100)
    with pytest.raises(CodecError):
        Resampler(0, 8000)
    same = Resampler(16000, 16000)
    pcm = tone(1000, 16000, seconds=0.02)
    assert same.process(pcm) is pcm and same.delay == 0


# --- transcoding (BYD-04) ------------------------------------------------------------------------


def transcode_stream(transcoder: Transcoder, payloads: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for payload in payloads:
        produced = transcoder.transcode(payload)
        assert len(produced) == 1  # 20 ms in, 20 ms out
        out.extend(produced)
    return out


def test_transcode_g722_to_pcmu_with_a_tone() -> None:
    g722, pcmu = get_codec("G722", 8000), get_codec("PCMU", 8000)
    encoder = g722.encoder()
    payloads = [encoder.encode(f) for f in frames(tone(1000, 16000, level=0.3), 320)]
    out = transcode_stream(Transcoder(g722, pcmu), payloads)
    assert all(len(p) == 160 for p in out)
    heard = np.concatenate([g711.ulaw_decode(p) for p in out])[800:]
    amplitude, snr = sine_fit(heard, 1000, 8000)
    assert abs(dominant_frequency(heard, 8000) - 1000) < 1
    assert abs(20 * np.log10(amplitude / (0.3 * 32767))) < 1.0
    assert snr > 20


def test_transcode_pcmu_to_g722_with_a_tone() -> None:
    g722, pcmu = get_codec("G722", 8000), get_codec("PCMU", 8000)
    payloads = [g711.ulaw_encode(f) for f in frames(tone(1000, 8000, level=0.3), 160)]
    out = transcode_stream(Transcoder(pcmu, g722), payloads)
    assert all(len(p) == 160 for p in out)
    decoder = g722.decoder()
    heard = np.concatenate([decoder.decode(p) for p in out])[1600:]
    amplitude, snr = sine_fit(heard, 1000, 16000)
    assert abs(dominant_frequency(heard, 16000) - 1000) < 1
    assert abs(20 * np.log10(amplitude / (0.3 * 32767))) < 1.0
    assert snr > 20


def test_transcode_opus_to_pcma() -> None:
    opus, pcma = get_codec("opus"), get_codec("PCMA")
    encoder = opus.encoder()
    payloads = [encoder.encode(f) for f in frames(tone(440, 48000, level=0.3), 960)]
    out = transcode_stream(Transcoder(opus, pcma), payloads)
    heard = np.concatenate([g711.alaw_decode(p) for p in out])[800:]
    assert abs(dominant_frequency(heard, 8000) - 440) < 2
    assert abs(rms_db(heard) - rms_db(tone(440, 8000, level=0.3))) < 2


def test_transcoder_conceals_bad_and_lost_packets() -> None:
    opus, pcmu = get_codec("opus"), get_codec("PCMU")
    transcoder = Transcoder(opus, pcmu)
    encoder = opus.encoder()
    for frame in frames(tone(440, 48000, seconds=0.1), 960):
        assert len(transcoder.transcode(encoder.encode(frame))) == 1
    assert [len(p) for p in transcoder.transcode(b"")] == [160]
    assert [len(p) for p in transcoder.transcode(b"\xff\xff\xff\x00garbage")] == [160]
    assert transcoder.bad_payloads == 2
    assert [len(p) for p in transcoder.lost()] == [160]


def test_transcode_between_g711_laws_needs_no_resampling() -> None:
    pcmu, pcma = get_codec("PCMU"), get_codec("PCMA")
    sine = tone(1004, 8000, level=0.3)
    out = transcode_stream(Transcoder(pcmu, pcma), [g711.ulaw_encode(f) for f in frames(sine, 160)])
    heard = np.concatenate([g711.alaw_decode(p) for p in out])
    assert snr_db(sine, heard) > 30  # two quantisations, no delay
    assert [len(p) for p in Transcoder(pcmu, pcma).lost()] == [160]


def test_transcoder_reframes_other_packet_durations() -> None:
    pcmu, g722 = get_codec("PCMU"), get_codec("G722")
    transcoder = Transcoder(pcmu, g722)
    produced = [len(transcoder.transcode(g711.ulaw_encode(f))) for f in frames(tone(1000, 8000, 0.3), 240)]
    assert produced[:4] == [1, 2, 1, 2]  # 30 ms packets in, 20 ms frames out
    assert sum(produced) == 15
