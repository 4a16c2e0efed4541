"""The echo test (default ``*43``): the appliance answers and sends every packet back to the phone.

It proves a phone's whole audio path (microphone, codec, network, NAT, speaker) in seconds. The
packets are looped on leg A of an ordinary relay, so latching and RTCP work as in a real call.
"""

from __future__ import annotations

from cordboard.core.calls.media import first_audio_index
from cordboard.core.rtp.relay import Relay
from cordboard.core.sip.sdp import SessionDescription, negotiate_answer

ECHO_NAME = "Echo test"


def echo_answer(offer: SessionDescription, relay: Relay, address: str) -> SessionDescription | None:
    """The answer for an echo call: the phone's own first codec (it decodes what it sends), our port.

    None when the offer has no audio stream to echo.
    """
    index = first_audio_index(offer)
    if index is None:
        return None
    codecs = offer.media[index].rtpmaps()
    first = next((codec for codec in codecs.values() if codec.name.lower() != "telephone-event"), None)
    if first is None:
        return None
    return negotiate_answer(
        offer,
        supported=[str(first)],
        local_address=address,
        local_port=lambda i, _media: relay.a.rtp_port if i == index else 0,
    )


def loop_back(relay: Relay) -> None:
    """Send what leg A receives back out of leg A, to the phone's latched address."""
    relay.a.rtp.peer = relay.a.rtp
    relay.a.rtcp.peer = relay.a.rtcp
