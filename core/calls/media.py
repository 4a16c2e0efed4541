"""SDP handling for relayed calls: point each side at its relay leg, learn each side's media address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from cordboard.core.rtp.relay import RelayLeg
from cordboard.core.sip.sdp import SessionDescription, negotiate_answer, parse_sdp, rewrite_for_relay

if TYPE_CHECKING:
    from cordboard.core.media.codecs import Codec as MediaCodec


def first_audio_index(sdp: SessionDescription) -> int | None:
    for index, media in enumerate(sdp.media):
        if media.media == "audio" and media.port != 0:
            return index
    return None


def learn_remote(leg: RelayLeg, sdp: SessionDescription) -> None:
    """Tell ``leg`` where its phone said it receives audio (symmetric latching may correct it)."""
    index = first_audio_index(sdp)
    if index is None:
        return
    media = sdp.media[index]
    connection = sdp.connection_for(media)
    if connection is None:
        return
    leg.set_remote(connection.address, media.port, media.rtcp_port)


def through_relay(sdp: SessionDescription, leg: RelayLeg, address: str) -> bytes:
    """The SDP to send to the far side of ``leg``: our address and ``leg``'s port for the audio stream.

    The relay joins one audio stream per call; other streams are declined (port 0). ``sdp`` is
    rewritten in place: learn from it (``learn_remote``) before, not after.
    """
    index = first_audio_index(sdp)
    ports = [leg.rtp_port if i == index else 0 for i in range(len(sdp.media))]
    return bytes(rewrite_for_relay(sdp, address, ports, in_place=True))


def parse_body_sdp(body: bytes, content_type: str | None) -> SessionDescription | None:
    """The SDP of a message body, None when there is none; SdpParseError when it is broken."""
    if not body or (content_type or "").split(";")[0].strip().lower() != "application/sdp":
        return None
    return parse_sdp(body)


CHANNEL_CODECS: Final = ("G722/8000", "PCMA/8000", "PCMU/8000", "opus/48000/2")
"""What the appliance speaks itself, best first: wideband G.722 when the phone offers it; Opus
(browsers) last, for phones that speak nothing else, since it costs the most CPU."""


@dataclass(frozen=True, slots=True)
class ChannelMedia:
    """The answer to a phone for a channel the appliance terminates, and what it agreed on."""

    answer: SessionDescription
    codec: MediaCodec
    payload_type: int
    dtmf_payload_type: int | None
    dtmf_clock_rate: int
    remote: tuple[str, int] | None


def answer_for_channel(offer: SessionDescription, address: str, port: int) -> ChannelMedia | None:
    """Negotiate our own audio with a phone's offer; None when no audio codec is common."""
    from cordboard.core.media.codecs import find_codec  # numpy and PyAV: only calls that need them

    index = first_audio_index(offer)
    if index is None:
        return None
    supported = [c for c in CHANNEL_CODECS if find_codec(*_name_rate(c)) is not None]
    answer = negotiate_answer(
        offer,
        supported=supported,
        local_address=address,
        local_port=lambda i, _media: port if i == index else 0,
    )
    media = answer.media[index]
    if media.port == 0 or not media.payload_types:
        return None
    rtpmaps = media.rtpmaps()
    payload_type = media.payload_types[0]
    codec = find_codec(rtpmaps[payload_type].name, rtpmaps[payload_type].clock_rate)
    if codec is None:
        return None
    dtmf_pt = media.telephone_event_pt
    dtmf_rate = rtpmaps[dtmf_pt].clock_rate if dtmf_pt is not None and dtmf_pt in rtpmaps else 8000
    offered = offer.media[index]
    connection = offer.connection_for(offered)
    remote = (connection.address, offered.port) if connection is not None else None
    return ChannelMedia(
        answer, codec, payload_type, dtmf_pt, dtmf_rate if dtmf_rate in (8000, 16000) else 8000, remote
    )


def _name_rate(codec: str) -> tuple[str, int]:
    name, rate, *_channels = codec.split("/")
    return name, int(rate)


OFFER_PAYLOAD_TYPES: Final = {"G722/8000": 9, "PCMA/8000": 8, "PCMU/8000": 0, "opus/48000/2": 111}
OFFER_FMTP: Final = {"opus/48000/2": "minptime=20;useinbandfec=1"}
TELEPHONE_EVENT_PT: Final = 101


def offer_for_channel(address: str, port: int) -> bytes:
    """Our SDP offer for a call the appliance places itself (``Channel.dial``): every codec we speak,
    best first, and RFC 4733 telephone-event."""
    formats = [str(OFFER_PAYLOAD_TYPES[c]) for c in CHANNEL_CODECS] + [str(TELEPHONE_EVENT_PT)]
    lines = [
        "v=0",
        f"o=cordboard {port} 1 IN {_addrtype(address)} {address}",
        "s=cordboard",
        f"c=IN {_addrtype(address)} {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(formats)}",
        *(f"a=rtpmap:{OFFER_PAYLOAD_TYPES[c]} {c}" for c in CHANNEL_CODECS),
        *(f"a=fmtp:{OFFER_PAYLOAD_TYPES[c]} {params}" for c, params in OFFER_FMTP.items()),
        f"a=rtpmap:{TELEPHONE_EVENT_PT} telephone-event/8000",
        f"a=fmtp:{TELEPHONE_EVENT_PT} 0-15",
        "a=ptime:20",
        "a=sendrecv",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def media_from_answer(answer: SessionDescription) -> ChannelMedia | None:
    """What a phone's answer to ``offer_for_channel`` agreed on; None when it has no usable audio."""
    from cordboard.core.media.codecs import find_codec

    index = first_audio_index(answer)
    if index is None:
        return None
    media = answer.media[index]
    rtpmaps = media.rtpmaps()
    offered = {pt for pt in OFFER_PAYLOAD_TYPES.values()}
    chosen = next((pt for pt in media.payload_types if pt in offered and pt in rtpmaps), None)
    if chosen is None:
        return None
    codec = find_codec(rtpmaps[chosen].name, rtpmaps[chosen].clock_rate)
    if codec is None:
        return None
    dtmf_pt = media.telephone_event_pt
    connection = answer.connection_for(media)
    remote = (connection.address, media.port) if connection is not None else None
    return ChannelMedia(answer, codec, chosen, dtmf_pt, 8000, remote)


def _addrtype(address: str) -> str:
    return "IP6" if ":" in address else "IP4"
