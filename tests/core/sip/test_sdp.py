"""SDP: parse/serialize round trips of real-world offers, offer/answer, hold and relay rewriting."""

from __future__ import annotations

import pytest

from cordboard.core.sip.sdp import (
    Attribute,
    Codec,
    Connection,
    MediaDescription,
    SdpParseError,
    SessionDescription,
    bump_version,
    common_codecs,
    has_common_codec,
    intersect_codecs,
    is_hold,
    negotiate_answer,
    parse_sdp,
    rewrite_for_relay,
    with_direction,
)

YEALINK = (
    "v=0\r\n"
    "o=- 20023 20023 IN IP4 192.168.1.50\r\n"
    "s=SDP data\r\n"
    "c=IN IP4 192.168.1.50\r\n"
    "t=0 0\r\n"
    "m=audio 11780 RTP/AVP 9 0 8 18 101\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
)

POLYCOM = (
    "v=0\r\n"
    "o=- 1714557380 1714557380 IN IP4 10.0.0.23\r\n"
    "s=Polycom IP Phone\r\n"
    "c=IN IP4 10.0.0.23\r\n"
    "t=0 0\r\n"
    "a=sendrecv\r\n"
    "m=audio 2222 RTP/AVP 9 102 0 8 18 127\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:102 G7221/16000\r\n"
    "a=fmtp:102 bitrate=32000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:127 telephone-event/8000\r\n"
)

BARESIP = (
    "v=0\r\n"
    "o=- 3917281836 2518496387 IN IP4 192.168.178.20\r\n"
    "s=-\r\n"
    "c=IN IP4 192.168.178.20\r\n"
    "b=AS:128\r\n"
    "t=0 0\r\n"
    "a=tool:baresip 3.10.1\r\n"
    "m=audio 10396 RTP/AVP 96 9 0 8 101\r\n"
    "b=AS:128\r\n"
    "a=rtpmap:96 opus/48000/2\r\n"
    "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=rtcp:10397 IN IP4 192.168.178.20\r\n"
    "a=sendrecv\r\n"
    "a=label:1\r\n"
    "a=ssrc:1861546297 cname:f3b6e2a8-cc1c\r\n"
    "a=ptime:20\r\n"
    "m=video 0 RTP/AVP 96\r\n"
    "a=rtpmap:96 H264/90000\r\n"
)

WITH_EXTRAS = (
    "v=0\r\n"
    "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "u=http://www.example.com/seminars/sdp.pdf\r\n"
    "e=j.doe@example.com (Jane Doe)\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "t=2873397496 2873404696\r\n"
    "r=7d 1h 0 25h\r\n"
    "x=unknown line kept\r\n"
    "a=recvonly\r\n"
    "m=audio 49170/2 RTP/AVP 0\r\n"
    "i=main audio\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "k=prompt\r\n"
    "a=custom:\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n"
)

SUPPORTED = ["PCMU", "PCMA", "G722"]


@pytest.mark.parametrize("text", [YEALINK, POLYCOM, BARESIP, WITH_EXTRAS])
def test_round_trip_is_byte_exact(text: str) -> None:
    sdp = parse_sdp(text.encode())
    assert str(sdp) == text
    assert bytes(sdp) == text.encode()
    assert parse_sdp(bytes(sdp)) == sdp


def test_bare_lf_and_blank_lines_tolerated() -> None:
    sdp = parse_sdp(YEALINK.replace("\r\n", "\n") + "\n\n")
    assert str(sdp) == YEALINK


def test_parse_fields_baresip() -> None:
    sdp = SessionDescription.parse(BARESIP)
    assert sdp.origin.sess_id == "3917281836"
    assert sdp.origin.sess_version == 2518496387
    assert sdp.origin.address == "192.168.178.20"
    assert sdp.connection == Connection("192.168.178.20")
    assert sdp.attribute("tool") == "baresip 3.10.1"
    assert sdp.bandwidth[0].bwtype == "AS" and sdp.bandwidth[0].value == 128
    audio, video = sdp.media
    assert (audio.media, audio.port, audio.proto) == ("audio", 10396, "RTP/AVP")
    assert audio.formats == ["96", "9", "0", "8", "101"]
    assert audio.rtpmaps() == {
        96: Codec("opus", 48000, 2),
        9: Codec("G722", 8000),
        0: Codec("PCMU", 8000),
        8: Codec("PCMA", 8000),
        101: Codec("telephone-event", 8000),
    }
    assert audio.fmtp(96) == "stereo=1;sprop-stereo=1"
    assert audio.fmtp(0) is None
    assert audio.ptime == 20
    assert audio.telephone_event_pt == 101
    assert audio.rtcp_port == 10397
    assert audio.direction == "sendrecv"
    assert video.rejected


def test_static_payload_types_without_rtpmap() -> None:
    sdp = parse_sdp(
        "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\nm=audio 4000 RTP/AVP 0 8 9 18 3 13 97\n"
    )
    rtpmaps = sdp.media[0].rtpmaps()
    assert [str(c) for c in rtpmaps.values()] == [
        "PCMU/8000",
        "PCMA/8000",
        "G722/8000",
        "G729/8000",
        "GSM/8000",
        "CN/8000",
    ]
    assert 97 not in rtpmaps  # dynamic without rtpmap: unknown
    assert sdp.media[0].ptime is None
    assert sdp.media[0].telephone_event_pt is None


def test_direction_media_over_session() -> None:
    sdp = parse_sdp(POLYCOM)
    assert sdp.direction == "sendrecv"
    assert sdp.media[0].direction is None
    assert sdp.direction_of(sdp.media[0]) == "sendrecv"
    sdp.media[0].set_direction("recvonly")
    assert sdp.direction_of(sdp.media[0]) == "recvonly"
    plain = parse_sdp("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 4000 RTP/AVP 0\n")
    assert plain.direction_of(plain.media[0]) == "sendrecv"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("o=- 1 1 IN IP4 1.2.3.4\r\n", "must start with v="),
        ("v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\n", "version"),
        ("v=0\r\ns=-\r\n", "lacks o="),
        ("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", "o="),
        ("v=0\r\no=- 1 x IN IP4 1.2.3.4\r\n", "o="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4\r\n", "c="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nt=0\r\n", "t="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio\r\n", "m="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio abc RTP/AVP 0\r\n", "port"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", "port"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nb=AS\r\n", "b="),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nhello\r\n", "expected"),
        ("v=0\r\nv=0\r\n", "repeated"),
    ],
)
def test_parse_errors(text: str, reason: str) -> None:
    with pytest.raises(SdpParseError, match=reason):
        parse_sdp(text)


def test_parse_rejects_bad_utf8() -> None:
    with pytest.raises(SdpParseError):
        parse_sdp(b"v=0\r\no=\xff 1 1 IN IP4 1.2.3.4\r\n")
    assert issubclass(SdpParseError, ValueError)


# --- offer/answer ---


def answer(offer_text: str, supported: list[str] | None = None, **kwargs: object) -> SessionDescription:
    return negotiate_answer(
        parse_sdp(offer_text),
        supported=supported or SUPPORTED,
        local_address="10.1.1.1",
        local_port=[20000, 20002, 20004],
        session_id="42",
        **kwargs,
    )


def test_answer_yealink_prefers_our_order_and_keeps_offer_numbers() -> None:
    ans = answer(YEALINK)
    media = ans.media[0]
    assert media.port == 20000
    assert media.formats == ["0", "8", "9", "101"]
    assert media.rtpmaps()[101] == Codec("telephone-event", 8000)
    assert media.fmtp(101) == "0-15"
    assert media.ptime == 20
    assert media.direction == "sendrecv"
    assert ans.connection == Connection("10.1.1.1")
    assert ans.origin.address == "10.1.1.1"
    assert ans.origin.sess_id == "42"
    assert ans.timing == (0, 0)
    assert parse_sdp(bytes(ans)) == ans


def test_answer_prefer_offerer_order() -> None:
    assert answer(YEALINK, prefer_offerer=True).media[0].formats == ["9", "0", "8", "101"]


def test_answer_keeps_offerer_dynamic_numbers() -> None:
    ans = answer(POLYCOM, ["G7221/16000", "PCMU"], telephone_event=True)
    assert ans.media[0].formats == ["102", "0", "127"]
    assert ans.media[0].fmtp(102) == "bitrate=32000"
    assert ans.media[0].telephone_event_pt == 127


def test_answer_without_telephone_event() -> None:
    assert answer(YEALINK, telephone_event=False).media[0].formats == ["0", "8", "9"]


def test_answer_opus_and_rejected_video_keeps_m_lines() -> None:
    ans = answer(BARESIP, ["opus/48000/2", "PCMA"])
    audio, video = ans.media
    assert audio.formats == ["96", "8", "101"]
    assert audio.rtpmaps()[96] == Codec("opus", 48000, 2)
    assert audio.port == 20000
    assert (video.media, video.port, video.formats) == ("video", 0, ["96"])
    assert len(ans.media) == len(parse_sdp(BARESIP).media)


def test_answer_local_port_callable() -> None:
    ans = negotiate_answer(
        parse_sdp(YEALINK),
        supported=SUPPORTED,
        local_address="fd00::1",
        local_port=lambda index, media: 30000 + index * 2,
    )
    assert ans.media[0].port == 30000
    assert ans.connection == Connection("fd00::1", addrtype="IP6")


@pytest.mark.parametrize(
    ("offer_dir", "expected"),
    [("sendonly", "recvonly"), ("recvonly", "sendonly"), ("inactive", "inactive"), ("sendrecv", "sendrecv")],
)
def test_answer_mirrors_direction(offer_dir: str, expected: str) -> None:
    text = YEALINK.replace("a=sendrecv", f"a={offer_dir}")
    assert answer(text).media[0].direction == expected


def test_answer_direction_for_override() -> None:
    ans = answer(YEALINK, direction_for=lambda offered: "inactive")
    assert ans.media[0].direction == "inactive"


def test_no_common_codec_rejects_every_m_line() -> None:
    offer = parse_sdp(BARESIP)
    assert not has_common_codec(offer, ["G729"])
    assert has_common_codec(offer, ["pcmu"])
    assert has_common_codec(offer.media[0], ["PCMU"])
    ans = answer(BARESIP, ["G729"])
    assert [m.port for m in ans.media] == [0, 0]
    assert ans.media[0].formats == offer.media[0].formats


def test_telephone_event_alone_is_not_a_common_codec() -> None:
    offer = parse_sdp(YEALINK)
    assert common_codecs(offer.media[0], ["telephone-event", "opus"]) == []
    assert not has_common_codec(offer, ["telephone-event"])


def test_other_proto_rejected() -> None:
    text = YEALINK.replace("RTP/AVP", "RTP/SAVP")
    assert answer(text).media[0].port == 0
    assert answer(text, protos=("RTP/SAVP",)).media[0].port == 20000


def test_intersect_codecs() -> None:
    offer = parse_sdp(BARESIP).media[0]
    ans = MediaDescription(
        "audio",
        5000,
        "RTP/AVP",
        ["8", "100", "97"],
        attributes=[Attribute("rtpmap", "100 telephone-event/8000"), Attribute("rtpmap", "97 iLBC/8000")],
    )
    assert intersect_codecs(offer, ans) == {8: Codec("PCMA", 8000), 101: Codec("telephone-event", 8000)}


# --- hold, relay, version ---


def test_hold_detection() -> None:
    sdp = parse_sdp(YEALINK)
    assert not is_hold(sdp)
    held = with_direction(sdp, "sendonly")
    assert is_hold(held)
    assert held.media[0].direction == "sendonly"
    assert held.direction is None
    assert sdp.media[0].direction == "sendrecv"  # original untouched
    assert is_hold(with_direction(sdp, "inactive"))
    assert not is_hold(with_direction(sdp, "recvonly"))
    assert not is_hold(with_direction(held, "sendrecv"))
    # Old-style RFC 2543 hold: c=0.0.0.0
    assert is_hold(parse_sdp(YEALINK.replace("c=IN IP4 192.168.1.50", "c=IN IP4 0.0.0.0")))
    # Session-level direction counts too.
    assert is_hold(parse_sdp(POLYCOM.replace("a=sendrecv", "a=sendonly")))
    rejected_only = parse_sdp("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 0 RTP/AVP 0\n")
    assert not is_hold(rejected_only)


def test_with_direction_skips_rejected_and_session_level() -> None:
    sdp = with_direction(parse_sdp(BARESIP.replace("a=tool", "a=inactive\r\na=tool")), "sendonly")
    assert sdp.direction is None
    assert sdp.media[0].direction == "sendonly"
    assert sdp.media[1].direction is None


def test_rewrite_for_relay() -> None:
    original = parse_sdp(
        BARESIP.replace(
            "a=sendrecv\r\n", "a=sendrecv\r\na=candidate:1 1 UDP 2130706431 192.168.178.20 10396 typ host\r\n"
        )
    )
    relayed = rewrite_for_relay(original, "203.0.113.5", [40000, 40002])
    assert relayed.connection == Connection("203.0.113.5")
    assert relayed.origin.address == "203.0.113.5"
    assert relayed.origin.sess_version == original.origin.sess_version
    audio, video = relayed.media
    assert audio.port == 40000
    assert audio.attribute("rtcp") == "40001 IN IP4 203.0.113.5"
    assert audio.rtcp_port == 40001
    assert not audio.has_attribute("candidate")
    assert audio.rtpmaps() == original.media[0].rtpmaps()
    assert video.port == 0  # rejected stays rejected
    assert original.media[0].port == 10396  # copy, not in place
    assert "192.168.178.20" not in str(relayed)


def test_rewrite_media_level_connection_and_plain_rtcp() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\na=rtcp:4001\r\n"
    )
    relayed = rewrite_for_relay(parse_sdp(text), "10.0.0.1", [50000])
    assert relayed.connection is None
    assert relayed.media[0].connection == Connection("10.0.0.1")
    assert relayed.media[0].attribute("rtcp") == "50001"
    with pytest.raises(ValueError, match="ports"):
        rewrite_for_relay(parse_sdp(text), "10.0.0.1", [])


def test_bump_version() -> None:
    sdp = parse_sdp(YEALINK)
    bumped = bump_version(sdp)
    assert bumped.origin.sess_version == 20024
    assert sdp.origin.sess_version == 20023
    assert bumped.origin.sess_id == sdp.origin.sess_id
