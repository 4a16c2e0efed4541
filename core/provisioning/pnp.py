"""SIP plug-and-play (BYD-07): desk phones multicast a SUBSCRIBE for ``Event: ua-profile`` to
224.0.1.75:5060 when they boot unconfigured; we answer 200 and NOTIFY them the provisioning URL
(``Content-Type: application/url``), the method of Snom, Yealink, Grandstream, Fanvil and Poly.

The first half is sans-IO (``parse_subscribe``, ``ok_response``, ``build_notify``); the second is the
thin socket adapter (``PnpListener``): one socket bound to the group on port 5060 (SO_REUSEADDR,
so it shares the port with a SIP server bound to the wildcard address, which the SIP transport
allows and which does not take the group's datagrams, IP_MULTICAST_ALL off) and one unicast
socket for the NOTIFYs and their answers.

What phones send (Snom's documented trace; Yealink, Fanvil and Grandstream alike)::

    SUBSCRIBE sip:MAC%3a000413a1b2c3@224.0.1.75 SIP/2.0
    From: <sip:MAC%3a000413a1b2c3@224.0.1.75>;tag=...
    Event: ua-profile;profile-type="device";vendor="snom";model="D785";version="10.1.54.13"
    Expires: 0
    Accept: application/url
    Contact: <sip:192.168.10.67:5060>

Security: a request that does not parse, lacks the ua-profile event, names no well-formed MAC
(or two different ones) or whose Via names another host than the datagram's source is dropped
with a log line. Answers and NOTIFYs go only to the datagram's source host, never to an address
the packet names, so the appliance cannot be used to send NOTIFYs to third parties.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote

from cordboard.core.random_tokens import token_hex
from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.flood import FloodGuard
from cordboard.core.sip.headers import CSeq, Headers
from cordboard.core.sip.message import (
    SipRequest,
    SipResponse,
    make_response,
    parse_message,
    validate_request,
)
from cordboard.core.sip.status import SipStatusError
from cordboard.core.sip.transaction import new_branch
from cordboard.core.sip.uri import SipUri, parse_params, parse_uri

_LOGGER = logging.getLogger(__name__)

GROUP: Final = "224.0.1.75"
PORT: Final = 5060
EVENT_PACKAGE: Final = "ua-profile"
URL_TYPE: Final = "application/url"
MAX_DATAGRAM: Final = 8192
NOTIFY_RETRANSMITS: Final = (0.5, 1.0, 2.0, 4.0)
"""RFC 3261 Timer E doubling from T1 for the NOTIFY over UDP, until the phone answers."""
PER_SOURCE_RATE: Final = 0.5
"""Plug-and-play requests per second one address may send on average (after the burst)."""
PER_SOURCE_BURST: Final = 10.0
IP_MULTICAST_ALL: Final = 49  # linux/in.h; not in the socket module
SERVER_NAME: Final = "Cordboard"


class PnpRefused(Exception):
    """The datagram is not a plug-and-play request we answer; the message says why (for the log)."""


@dataclass(frozen=True, slots=True)
class PnpRequest:
    """A phone's plug-and-play SUBSCRIBE, checked."""

    request: SipRequest
    mac: str
    vendor: str
    model: str
    firmware: str
    profile_type: str
    user_agent: str
    source: tuple[str, int]
    """The datagram's source address: where the 200 goes."""
    notify_to: tuple[str, int]
    """Where the NOTIFY goes: the source host, at the Contact's port if it names that host."""


def _unquote(value: str | None) -> str:
    if value is None:
        return ""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text.replace("\\", "")[:64]


def mac_from_user(user: str | None) -> str | None:
    """The MAC in a ``MAC%3a000413a1b2c3`` (or ``MAC:``, ``MAC=``) user part, normalised; None if absent."""
    from cordboard.core.provisioning.devices import mac_or_none

    if not user:
        return None
    text = unquote(user).strip()
    if text[:4].lower() in ("mac:", "mac="):
        text = text[4:]
    elif text[:3].lower() == "mac":
        text = text[3:]
    else:
        return None
    return mac_or_none(text)


def parse_event(value: str | None) -> tuple[str, dict[str, str]]:
    """The event package of an Event header and its parameters (values unquoted)."""
    if not value:
        raise PnpRefused("no Event header")
    package, _, rest = value.partition(";")
    try:
        params = parse_params(rest, where="Event") if rest.strip() else {}
    except SipParseError as err:
        raise PnpRefused(f"malformed Event header: {err}") from None
    return package.strip().lower(), {k: _unquote(v) for k, v in params.items()}


def parse_subscribe(data: bytes, source: tuple[str, int]) -> PnpRequest:
    """Check a datagram received on the plug-and-play group; PnpRefused says why it is dropped."""
    try:
        message = parse_message(data)
    except SipParseError as err:
        raise PnpRefused(f"unparsable: {err}") from None
    if not isinstance(message, SipRequest):
        raise PnpRefused("a response, not a request")
    if message.method != "SUBSCRIBE":
        raise PnpRefused(f"{message.method}, not SUBSCRIBE")
    try:
        validate_request(message, allow_rfc2543=True)
        via = message.top_via
        from_uri = message.from_.uri
        contacts = message.contacts
    except (SipStatusError, SipParseError) as err:
        raise PnpRefused(f"malformed request: {err}") from None
    if message.from_tag is None:
        raise PnpRefused("From without a tag")
    package, params = parse_event(message.headers.get(h.EVENT))
    if package != EVENT_PACKAGE:
        raise PnpRefused(f"event {package!r}, not {EVENT_PACKAGE}")
    profile_type = params.get("profile-type", "").lower()
    if profile_type != "device":
        raise PnpRefused(f"profile-type {profile_type or 'missing'!r}, not device")
    if via.transport.upper() != "UDP":
        raise PnpRefused(f"Via transport {via.transport}, not UDP")
    if via.host != source[0]:
        raise PnpRefused(f"Via names {via.host}, but the datagram came from {source[0]}")
    macs = {
        mac
        for mac in (
            mac_from_user(message.uri.user if isinstance(message.uri, SipUri) else None),
            mac_from_user(from_uri.user if isinstance(from_uri, SipUri) else None),
        )
        if mac is not None
    }
    if not macs:
        raise PnpRefused("no MAC address in the Request-URI or From")
    if len(macs) > 1:
        raise PnpRefused(f"two different MAC addresses: {', '.join(sorted(macs))}")
    notify_port = via.port or PORT
    if contacts != "*" and contacts:
        contact_uri = contacts[0].uri
        if isinstance(contact_uri, SipUri) and contact_uri.host == source[0] and contact_uri.port:
            notify_port = contact_uri.port
    return PnpRequest(
        request=message,
        mac=macs.pop(),
        vendor=params.get("vendor", ""),
        model=params.get("model", ""),
        firmware=params.get("version", ""),
        profile_type=profile_type,
        user_agent=(message.headers.get(h.USER_AGENT) or "")[:200],
        source=source,
        notify_to=(source[0], notify_port),
    )


def ok_response(pnp: PnpRequest, *, local_tag: str, contact: str) -> SipResponse:
    """The 200 to the SUBSCRIBE (Expires 0: the subscription ends with our one NOTIFY)."""
    response = make_response(pnp.request, 200, to_tag=local_tag)
    via = pnp.request.top_via
    if "rport" in via.params:
        via.params["rport"] = str(pnp.source[1])
    via.params["received"] = pnp.source[0]
    response.headers.pop_first(h.VIA)
    response.headers.add(h.VIA, str(via), prepend=True)
    response.headers.set(h.CONTACT, contact)
    response.headers.set(h.EXPIRES, "0")
    response.headers.set(h.SERVER, SERVER_NAME)
    return response


def build_notify(
    pnp: PnpRequest, url: str, *, local_tag: str, local: tuple[str, int], cseq: int = 1
) -> SipRequest:
    """The NOTIFY carrying the provisioning URL, in the SUBSCRIBE's dialog, to ``pnp.notify_to``.

    ``local`` is the (address, port) of the socket the NOTIFY leaves from (Via and Contact).
    """
    if any(c in url for c in "\r\n\0"):
        raise ValueError("a URL cannot hold line breaks")
    request = pnp.request
    host, port = pnp.notify_to
    contacts = request.contacts
    target: Any = None
    if contacts != "*" and contacts and isinstance(contacts[0].uri, SipUri):
        uri = contacts[0].uri
        if uri.host == host and (uri.port or PORT) == port:
            target = uri
    if target is None:
        target = parse_uri(f"sip:{host}:{port}")
    headers = Headers()
    headers.add(h.VIA, f"SIP/2.0/UDP {local[0]}:{local[1]};branch={new_branch()};rport")
    headers.add(h.MAX_FORWARDS, "20")
    # We are the notifier: our From is the SUBSCRIBE's To (with our tag), our To its From.
    headers.add(h.FROM, str(request.to.without_tag().with_tag(local_tag)))
    headers.add(h.TO, str(request.from_))
    headers.add(h.CALL_ID, request.call_id)
    headers.add(h.CSEQ, str(CSeq(cseq, "NOTIFY")))
    headers.add(h.CONTACT, f"<sip:{local[0]}:{local[1]}>")
    headers.add(h.EVENT, request.headers.get(h.EVENT) or EVENT_PACKAGE)
    headers.add(h.SUBSCRIPTION_STATE, "terminated;reason=timeout")
    headers.add(h.USER_AGENT, SERVER_NAME)
    headers.add(h.CONTENT_TYPE, URL_TYPE)
    return SipRequest("NOTIFY", target, headers, url.encode())


def new_tag() -> str:
    return token_hex(6)


# -- the socket adapter ------------------------------------------------------------------------

PnpHandler = Callable[[PnpRequest], None]


class _GroupProtocol(asyncio.DatagramProtocol):
    def __init__(self, listener: PnpListener) -> None:
        self._listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._listener._received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("Plug-and-play socket error: %s", exc)


class _UnicastProtocol(asyncio.DatagramProtocol):
    def __init__(self, listener: PnpListener) -> None:
        self._listener = listener

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self._listener._unicast_received(data, (str(addr[0]), int(addr[1])))

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("Plug-and-play socket error: %s", exc)


def group_socket(interface: str, *, group: str = GROUP, port: int = PORT) -> socket.socket:
    """A UDP socket receiving ``group``:``port`` on the interface with address ``interface``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        sock.bind((group, port))
        membership = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(interface))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class PnpListener:
    """Receives plug-and-play SUBSCRIBEs on one interface, answers them and sends the NOTIFYs."""

    def __init__(self, interface: str, handler: PnpHandler, *, port: int = PORT) -> None:
        self.interface = interface
        """The LAN address: the group is joined there and NOTIFYs leave from it."""
        self.port = port
        self._handler = handler
        self._group: asyncio.DatagramTransport | None = None
        self._unicast: asyncio.DatagramTransport | None = None
        self.local: tuple[str, int] = (interface, 0)
        self._pending: dict[str, asyncio.TimerHandle] = {}
        """NOTIFYs awaiting the phone's answer, by Via branch."""
        self.stats = {"received": 0, "dropped": 0, "notified": 0, "limited": 0}
        # A phone sends a few SUBSCRIBEs while it boots; more than that from one address is a flood.
        self._flood = FloodGuard(rate=PER_SOURCE_RATE, burst=PER_SOURCE_BURST, max_sources=4096)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        sock = group_socket(self.interface, port=self.port)
        self._group, _ = await loop.create_datagram_endpoint(lambda: _GroupProtocol(self), sock=sock)
        self._unicast, _ = await loop.create_datagram_endpoint(
            lambda: _UnicastProtocol(self), local_addr=(self.interface, 0)
        )
        self.local = (self.interface, int(self._unicast.get_extra_info("sockname")[1]))
        _LOGGER.info("SIP plug-and-play: listening on %s:%d via %s", GROUP, self.port, self.interface)

    def close(self) -> None:
        for handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
        for transport in (self._group, self._unicast):
            if transport is not None:
                transport.close()
        self._group = self._unicast = None

    def _received(self, data: bytes, source: tuple[str, int]) -> None:
        self.stats["received"] += 1
        if not self._flood.allow(source[0], asyncio.get_running_loop().time()):
            self.stats["limited"] += 1
            return
        if len(data) > MAX_DATAGRAM:
            self._drop(source, "too large")
            return
        try:
            pnp = parse_subscribe(data, source)
        except PnpRefused as err:
            self._drop(source, str(err))
            return
        try:
            self._handler(pnp)
        except Exception:
            _LOGGER.exception("Plug-and-play request of %s from %s failed", pnp.mac, source[0])

    def _drop(self, source: tuple[str, int], reason: str) -> None:
        self.stats["dropped"] += 1
        _LOGGER.info("SIP plug-and-play: dropped a datagram from %s:%d: %s", source[0], source[1], reason)

    def answer(self, pnp: PnpRequest, url: str) -> None:
        """Send the 200 to the SUBSCRIBE's source, then the NOTIFY with ``url`` (sent again until
        the phone answers it)."""
        if self._group is None or self._unicast is None:
            return
        tag = new_tag()
        ok = ok_response(pnp, local_tag=tag, contact=f"<sip:{self.local[0]}:{self.local[1]}>")
        self._group.sendto(bytes(ok), pnp.source)
        notify = build_notify(pnp, url, local_tag=tag, local=self.local)
        self.stats["notified"] += 1
        branch = notify.top_via.branch or ""
        self._send_notify(bytes(notify), pnp.notify_to, branch, 0)

    def _send_notify(self, data: bytes, target: tuple[str, int], branch: str, attempt: int) -> None:
        self._pending.pop(branch, None)
        if self._unicast is None:
            return
        self._unicast.sendto(data, target)
        if attempt < len(NOTIFY_RETRANSMITS):
            self._pending[branch] = asyncio.get_running_loop().call_later(
                NOTIFY_RETRANSMITS[attempt], self._send_notify, data, target, branch, attempt + 1
            )

    def _unicast_received(self, data: bytes, source: tuple[str, int]) -> None:
        try:
            message = parse_message(data)
        except SipParseError:
            return
        if isinstance(message, SipResponse) and message.status >= 200:
            with contextlib.suppress(SipParseError):
                handle = self._pending.pop(message.top_via.branch or "", None)
                if handle is not None:
                    handle.cancel()
                    _LOGGER.debug(
                        "SIP plug-and-play: %s answered the NOTIFY with %d", source[0], message.status
                    )
