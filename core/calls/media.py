"""SDP handling for relayed calls: point each side at its relay leg, learn each side's media address."""

from __future__ import annotations

from cordboard.core.rtp.relay import RelayLeg
from cordboard.core.sip.sdp import SessionDescription, parse_sdp, rewrite_for_relay


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
