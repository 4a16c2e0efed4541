"""SDP (RFC 8866, was RFC 4566): model, parse, serialize; offer/answer (RFC 3264); relay rewriting."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal, cast

Direction = Literal["sendrecv", "sendonly", "recvonly", "inactive"]
DIRECTIONS: Final[tuple[Direction, ...]] = ("sendrecv", "sendonly", "recvonly", "inactive")
TELEPHONE_EVENT: Final = "telephone-event"
HOLD_ADDRESSES: Final = frozenset({"0.0.0.0", "::"})
# RFC 8839 / RFC 8445: candidates name the offerer's own addresses, which a relay replaces.
ICE_ATTRIBUTES: Final = frozenset(
    {"candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite", "end-of-candidates", "remote-candidates"}
)

# Where each line type goes when serializing (RFC 8866 section 5); unknown types go before a=.
_SESSION_ORDER: Final = "vosiuepcbtrzk"
_MEDIA_ORDER: Final = "micbk"


class SdpParseError(ValueError):
    """The SDP body cannot be parsed; the message gives the line and the reason."""


@dataclass(frozen=True, slots=True)
class Codec:
    """An RTP payload format as in a=rtpmap: encoding name, clock rate, channels."""

    name: str
    clock_rate: int
    channels: int = 1

    def matches(self, other: Codec) -> bool:
        """Same encoding (names compare case-insensitively, RFC 4855 section 3)."""
        return (
            self.name.lower() == other.name.lower()
            and self.clock_rate == other.clock_rate
            and self.channels == other.channels
        )

    def __str__(self) -> str:
        base = f"{self.name}/{self.clock_rate}"
        return f"{base}/{self.channels}" if self.channels != 1 else base


# RFC 3551 sections 6, tables 4 and 5: static payload types.
STATIC_PAYLOAD_TYPES: Final[dict[int, Codec]] = {
    0: Codec("PCMU", 8000),
    3: Codec("GSM", 8000),
    4: Codec("G723", 8000),
    5: Codec("DVI4", 8000),
    6: Codec("DVI4", 16000),
    7: Codec("LPC", 8000),
    8: Codec("PCMA", 8000),
    9: Codec("G722", 8000),  # RFC 3551 4.5.2: clock rate 8000 for historical reasons
    10: Codec("L16", 44100, 2),
    11: Codec("L16", 44100),
    12: Codec("QCELP", 8000),
    13: Codec("CN", 8000),
    14: Codec("MPA", 90000),
    15: Codec("G728", 8000),
    16: Codec("DVI4", 11025),
    17: Codec("DVI4", 22050),
    18: Codec("G729", 8000),
    25: Codec("CelB", 90000),
    26: Codec("JPEG", 90000),
    28: Codec("nv", 90000),
    31: Codec("H261", 90000),
    32: Codec("MPV", 90000),
    33: Codec("MP2T", 90000),
    34: Codec("H263", 90000),
}


@dataclass(slots=True)
class Origin:
    """o= (RFC 8866 5.2)."""

    username: str = "-"
    sess_id: str = "0"
    sess_version: int = 0
    nettype: str = "IN"
    addrtype: str = "IP4"
    address: str = "0.0.0.0"

    def __str__(self) -> str:
        fields = (self.username, self.sess_id, self.sess_version, self.nettype, self.addrtype, self.address)
        return " ".join(str(f) for f in fields)


@dataclass(slots=True)
class Connection:
    """c= (RFC 8866 5.7); ``address`` keeps any multicast /ttl/count suffix verbatim."""

    address: str
    nettype: str = "IN"
    addrtype: str = "IP4"

    def __str__(self) -> str:
        return f"{self.nettype} {self.addrtype} {self.address}"


@dataclass(slots=True)
class Bandwidth:
    """b= (RFC 8866 5.8), e.g. AS:64 or TIAS:64000."""

    bwtype: str
    value: int

    def __str__(self) -> str:
        return f"{self.bwtype}:{self.value}"


@dataclass(slots=True)
class Attribute:
    """a= (RFC 8866 5.13): a property (``value`` None, ``a=sendrecv``) or ``a=name:value``."""

    name: str
    value: str | None = None

    def __str__(self) -> str:
        return self.name if self.value is None else f"{self.name}:{self.value}"


class _HasAttributes:
    """Attribute helpers shared by session and media level."""

    __slots__ = ()
    attributes: list[Attribute]

    def attribute(self, name: str) -> str | None:
        """The value of the first ``a=name``; "" for a property attribute; None when absent."""
        for attr in self.attributes:
            if attr.name == name:
                return attr.value if attr.value is not None else ""
        return None

    def attribute_values(self, name: str) -> list[str]:
        return [attr.value or "" for attr in self.attributes if attr.name == name]

    def has_attribute(self, name: str) -> bool:
        return any(attr.name == name for attr in self.attributes)

    def remove_attributes(self, *names: str) -> None:
        self.attributes[:] = [attr for attr in self.attributes if attr.name not in names]

    @property
    def direction(self) -> Direction | None:
        """The direction attribute at this level, if any (RFC 3264 section 5.1)."""
        for attr in self.attributes:
            if attr.name in DIRECTIONS and attr.value is None:
                return cast(Direction, attr.name)
        return None

    def set_direction(self, direction: Direction | None) -> None:
        """Replace any direction attribute by ``direction`` (appended), or remove it for None."""
        self.remove_attributes(*DIRECTIONS)
        if direction is not None:
            self.attributes.append(Attribute(direction))


@dataclass(slots=True)
class MediaDescription(_HasAttributes):
    """One m= section (RFC 8866 5.14) with the lines that follow it."""

    media: str
    port: int
    proto: str
    formats: list[str]
    """Payload types as strings, in the order of preference of the sender."""
    port_count: int | None = None
    connection: Connection | None = None
    bandwidth: list[Bandwidth] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    extra: list[tuple[str, str]] = field(default_factory=list)
    """Other lines (i=, k= and unknown types) as (type, value)."""

    @property
    def rejected(self) -> bool:
        """Port 0: the stream is rejected or disabled (RFC 3264 section 6 and 8.2)."""
        return self.port == 0

    @property
    def payload_types(self) -> list[int]:
        return [int(fmt) for fmt in self.formats if fmt.isdigit()]

    def rtpmaps(self) -> dict[int, Codec]:
        """Codec per payload type in m= order, from a=rtpmap or the static table (RFC 3551)."""
        mapped: dict[int, Codec] = {}
        for value in self.attribute_values("rtpmap"):
            codec = _parse_rtpmap(value)
            if codec is not None:
                mapped.setdefault(codec[0], codec[1])
        result: dict[int, Codec] = {}
        for pt in self.payload_types:
            codec_for_pt = mapped.get(pt) or STATIC_PAYLOAD_TYPES.get(pt)
            if codec_for_pt is not None:
                result[pt] = codec_for_pt
        return result

    def fmtp(self, pt: int) -> str | None:
        """The format parameters of payload type ``pt`` (a=fmtp:<pt> <params>)."""
        prefix = str(pt)
        for value in self.attribute_values("fmtp"):
            head, _, params = value.partition(" ")
            if head == prefix:
                return params.strip()
        return None

    @property
    def ptime(self) -> int | None:
        """a=ptime in milliseconds (RFC 8866 6.4), if given and numeric."""
        return _int_or_none(self.attribute("ptime"))

    @property
    def maxptime(self) -> int | None:
        return _int_or_none(self.attribute("maxptime"))

    @property
    def telephone_event_pt(self) -> int | None:
        """The RFC 4733 telephone-event payload type, preferring the 8000 Hz one."""
        found = [pt for pt, c in self.rtpmaps().items() if c.name.lower() == TELEPHONE_EVENT]
        for pt in found:
            if self.rtpmaps()[pt].clock_rate == 8000:
                return pt
        return found[0] if found else None

    @property
    def rtcp_port(self) -> int | None:
        """The RTCP port from a=rtcp (RFC 3605), else None (meaning RTP port + 1)."""
        value = self.attribute("rtcp")
        return _int_or_none(value.split(" ", 1)[0]) if value else None

    def __str__(self) -> str:
        port = f"{self.port}/{self.port_count}" if self.port_count is not None else str(self.port)
        lines = [("m", " ".join([self.media, port, self.proto, *self.formats]))]
        lines += [(t, v) for t, v in self.extra if t == "i"]
        if self.connection is not None:
            lines.append(("c", str(self.connection)))
        lines += [("b", str(b)) for b in self.bandwidth]
        lines += [(t, v) for t, v in self.extra if t != "i"]
        lines += [("a", str(a)) for a in self.attributes]
        return "".join(f"{t}={v}\r\n" for t, v in lines)


@dataclass(slots=True)
class SessionDescription(_HasAttributes):
    """A whole SDP body (RFC 8866 section 5)."""

    origin: Origin = field(default_factory=Origin)
    session_name: str = "-"
    connection: Connection | None = None
    timing: tuple[int, int] = (0, 0)
    attributes: list[Attribute] = field(default_factory=list)
    media: list[MediaDescription] = field(default_factory=list)
    bandwidth: list[Bandwidth] = field(default_factory=list)
    version: int = 0
    extra: list[tuple[str, str]] = field(default_factory=list)
    """Other session-level lines (i=, u=, e=, p=, r=, z=, k=, unknown) as (type, value)."""

    @classmethod
    def parse(cls, data: bytes | str) -> SessionDescription:
        return parse_sdp(data)

    def connection_for(self, media: MediaDescription) -> Connection | None:
        """The effective c= of a stream: media level over session level."""
        return media.connection or self.connection

    def direction_of(self, media: MediaDescription) -> Direction:
        """The effective direction of a stream: media level, session level, else sendrecv."""
        return media.direction or self.direction or "sendrecv"

    def __str__(self) -> str:
        lines: list[tuple[str, str]] = [
            ("v", str(self.version)),
            ("o", str(self.origin)),
            ("s", self.session_name),
        ]
        if self.connection is not None:
            lines.append(("c", str(self.connection)))
        lines += [("b", str(b)) for b in self.bandwidth]
        lines.append(("t", f"{self.timing[0]} {self.timing[1]}"))
        lines += self.extra
        order = {t: i for i, t in enumerate(_SESSION_ORDER)}
        lines.sort(key=lambda line: order.get(line[0], len(order)))  # stable: keeps order within a type
        lines += [("a", str(a)) for a in self.attributes]
        return "".join(f"{t}={v}\r\n" for t, v in lines) + "".join(str(m) for m in self.media)

    def __bytes__(self) -> bytes:
        return str(self).encode("utf-8")


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


def _parse_rtpmap(value: str) -> tuple[int, Codec] | None:
    """``<pt> <name>/<rate>[/<channels>]`` (RFC 8866 6.6); None when unusable."""
    pt_text, _, encoding = value.strip().partition(" ")
    parts = encoding.strip().split("/")
    if not pt_text.isdigit() or len(parts) < 2 or not parts[1].isdigit():
        return None
    channels = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
    return int(pt_text), Codec(parts[0], int(parts[1]), channels)


# --- parsing (RFC 8866 section 5) ---


def _parse_connection(value: str, lineno: int) -> Connection:
    parts = value.split()
    if len(parts) != 3:
        raise SdpParseError(f"line {lineno}: c= needs nettype addrtype address")
    return Connection(nettype=parts[0], addrtype=parts[1], address=parts[2])


def _parse_bandwidth(value: str, lineno: int) -> Bandwidth:
    bwtype, sep, amount = value.partition(":")
    if not sep or not amount.strip().isdigit():
        raise SdpParseError(f"line {lineno}: bad b= value {value!r}")
    return Bandwidth(bwtype, int(amount))


def _parse_attribute(value: str) -> Attribute:
    name, sep, rest = value.partition(":")
    return Attribute(name, rest if sep else None)


def _parse_media(value: str, lineno: int) -> MediaDescription:
    parts = value.split()
    if len(parts) < 3:
        raise SdpParseError(f"line {lineno}: m= needs media port proto")
    port_text, _, count_text = parts[1].partition("/")
    if not port_text.isdigit() or (count_text and not count_text.isdigit()) or int(port_text) > 65535:
        raise SdpParseError(f"line {lineno}: bad m= port {parts[1]!r}")
    return MediaDescription(
        media=parts[0],
        port=int(port_text),
        port_count=int(count_text) if count_text else None,
        proto=parts[2],
        formats=parts[3:],
    )


def parse_sdp(data: bytes | str) -> SessionDescription:
    """Parse an SDP body; CRLF or bare LF line ends; unknown line types are kept.

    Raises SdpParseError when v= or o= is missing or a known line is malformed.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SdpParseError("SDP is not valid UTF-8") from None
    else:
        text = data
    sdp: SessionDescription | None = None
    media: MediaDescription | None = None
    seen_origin = False
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue  # tolerate blank lines, e.g. a trailing empty line
        if len(line) < 2 or line[1] != "=" or not line[0].isalpha():
            raise SdpParseError(f"line {lineno}: expected <type>=<value>, got {line[:40]!r}")
        kind, value = line[0], line[2:]
        if sdp is None:
            if kind != "v":
                raise SdpParseError(f"line {lineno}: SDP must start with v=")
            if value.strip() != "0":
                raise SdpParseError(f"line {lineno}: unsupported SDP version {value!r}")
            sdp = SessionDescription()
            continue
        if kind == "v":
            raise SdpParseError(f"line {lineno}: repeated v=")
        if kind == "m":
            media = _parse_media(value, lineno)
            sdp.media.append(media)
        elif media is not None:
            if kind == "c":
                media.connection = _parse_connection(value, lineno)
            elif kind == "b":
                media.bandwidth.append(_parse_bandwidth(value, lineno))
            elif kind == "a":
                media.attributes.append(_parse_attribute(value))
            else:
                media.extra.append((kind, value))
        elif kind == "o":
            parts = value.split()
            if len(parts) != 6 or not parts[2].isdigit():
                raise SdpParseError(f"line {lineno}: bad o= line {value!r}")
            sdp.origin = Origin(parts[0], parts[1], int(parts[2]), parts[3], parts[4], parts[5])
            seen_origin = True
        elif kind == "s":
            sdp.session_name = value
        elif kind == "c":
            sdp.connection = _parse_connection(value, lineno)
        elif kind == "b":
            sdp.bandwidth.append(_parse_bandwidth(value, lineno))
        elif kind == "t":
            times = value.split()
            if len(times) != 2 or not all(t.isdigit() for t in times):
                raise SdpParseError(f"line {lineno}: bad t= line {value!r}")
            sdp.timing = (int(times[0]), int(times[1]))
        elif kind == "a":
            sdp.attributes.append(_parse_attribute(value))
        else:
            sdp.extra.append((kind, value))
    if sdp is None:
        raise SdpParseError("empty SDP")
    if not seen_origin:
        raise SdpParseError("SDP lacks o=")
    return sdp


# --- offer/answer (RFC 3264) ---

_MIRROR: Final[dict[Direction, Direction]] = {
    "sendrecv": "sendrecv",
    "sendonly": "recvonly",
    "recvonly": "sendonly",
    "inactive": "inactive",
}


def mirror_direction(offered: Direction) -> Direction:
    """RFC 3264 6.1: answer sendonly with recvonly, recvonly with sendonly, inactive with inactive."""
    return _MIRROR[offered]


def _supported_codecs(supported: Iterable[str]) -> list[tuple[str, int | None, int | None]]:
    """``"PCMU"``, ``"opus/48000"`` or ``"opus/48000/2"`` -> (lower name, rate or None, channels or None)."""
    result = []
    for entry in supported:
        parts = entry.split("/")
        rate = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        channels = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
        result.append((parts[0].lower(), rate, channels))
    return result


def _rank(codec: Codec, wanted: list[tuple[str, int | None, int | None]]) -> int | None:
    for index, (name, rate, channels) in enumerate(wanted):
        if (
            codec.name.lower() == name
            and (rate is None or rate == codec.clock_rate)
            and (channels is None or channels == codec.channels)
        ):
            return index
    return None


def common_codecs(
    offer_media: MediaDescription, supported: Sequence[str], *, prefer_offerer: bool = False
) -> list[int]:
    """Offered payload types we support (telephone-event excluded), in our order of preference.

    With ``prefer_offerer`` the offer's order is kept instead (RFC 3264 6.1 allows either).
    """
    wanted = _supported_codecs(name for name in supported if name.lower() != TELEPHONE_EVENT)
    ranked: list[tuple[int, int, int]] = []
    for position, (pt, codec) in enumerate(offer_media.rtpmaps().items()):
        if codec.name.lower() == TELEPHONE_EVENT:
            continue
        rank = _rank(codec, wanted)
        if rank is not None:
            ranked.append((position if prefer_offerer else rank, position, pt))
    return [pt for _key, _pos, pt in sorted(ranked)]


def has_common_codec(
    offer: SessionDescription | MediaDescription,
    supported: Sequence[str],
    *,
    media_types: Iterable[str] = ("audio",),
    protos: Iterable[str] = ("RTP/AVP",),
) -> bool:
    """True if at least one usable offered stream has a codec in ``supported`` (else answer 488)."""
    streams = [offer] if isinstance(offer, MediaDescription) else offer.media
    media_set, proto_set = set(media_types), set(protos)
    return any(
        not m.rejected and m.media in media_set and m.proto in proto_set and common_codecs(m, supported)
        for m in streams
    )


def intersect_codecs(offer_media: MediaDescription, answer_media: MediaDescription) -> dict[int, Codec]:
    """Codecs of the answer that were offered, keyed by the offerer's payload type, in answer order.

    Matching is by encoding, so it tolerates an answer that renumbered a dynamic type.
    """
    offered = offer_media.rtpmaps()
    result: dict[int, Codec] = {}
    for pt, codec in answer_media.rtpmaps().items():
        if pt in offered and offered[pt].matches(codec):
            result.setdefault(pt, offered[pt])
            continue
        for offer_pt, offer_codec in offered.items():
            if offer_codec.matches(codec) and offer_pt not in result:
                result[offer_pt] = offer_codec
                break
    return result


def _addrtype(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def _rejected_copy(offer_media: MediaDescription) -> MediaDescription:
    # RFC 3264 6: a rejected stream keeps the media type, proto and at least one format.
    return MediaDescription(
        media=offer_media.media,
        port=0,
        proto=offer_media.proto,
        formats=list(offer_media.formats) or ["0"],
    )


def negotiate_answer(
    offer: SessionDescription,
    *,
    supported: Sequence[str],
    local_address: str,
    local_port: Callable[[int, MediaDescription], int] | Sequence[int],
    direction_for: Callable[[Direction], Direction] = mirror_direction,
    telephone_event: bool = True,
    prefer_offerer: bool = False,
    media_types: Iterable[str] = ("audio",),
    protos: Iterable[str] = ("RTP/AVP",),
    session_id: str | None = None,
    username: str = "cordboard",
    session_name: str = "cordboard",
) -> SessionDescription:
    """Build the RFC 3264 answer to ``offer``.

    Same number and order of m-lines as the offer (RFC 3264 6); codecs are the intersection
    with ``supported`` (names in preference order, optionally ``name/rate[/channels]``) using
    the offerer's payload type numbers (6.1); telephone-event is kept when offered and
    ``telephone_event`` is set; a=ptime is copied. Streams that are rejected, of another media
    type or proto, or without a common codec are answered with port 0. ``local_port`` gives
    the port per m-line index, as a list or ``callable(index, offer_media)``.
    """
    media_set, proto_set = set(media_types), set(protos)
    sess_id = session_id or str(time.time_ns() // 1000)
    answer = SessionDescription(
        origin=Origin(
            username,
            sess_id,
            int(sess_id) if sess_id.isdigit() else 0,
            "IN",
            _addrtype(local_address),
            local_address,
        ),
        session_name=session_name,
        connection=Connection(local_address, addrtype=_addrtype(local_address)),
        timing=offer.timing,  # RFC 3264 6: the answer's t= equals the offer's
    )
    for index, offered in enumerate(offer.media):
        chosen = [] if offered.rejected else common_codecs(offered, supported, prefer_offerer=prefer_offerer)
        if not chosen or offered.media not in media_set or offered.proto not in proto_set:
            answer.media.append(_rejected_copy(offered))
            continue
        codecs = offered.rtpmaps()
        dtmf_pt = offered.telephone_event_pt if telephone_event else None
        if dtmf_pt is not None:
            chosen.append(dtmf_pt)
        port = local_port(index, offered) if callable(local_port) else local_port[index]
        media = MediaDescription(
            media=offered.media, port=port, proto=offered.proto, formats=[str(pt) for pt in chosen]
        )
        for pt in chosen:
            media.attributes.append(Attribute("rtpmap", f"{pt} {codecs[pt]}"))
            params = offered.fmtp(pt)
            if params is not None:
                media.attributes.append(Attribute("fmtp", f"{pt} {params}"))
        if offered.ptime is not None:
            media.attributes.append(Attribute("ptime", str(offered.ptime)))
        media.set_direction(direction_for(offer.direction_of(offered)))
        answer.media.append(media)
    return answer


# --- rewriting for the relay, hold, versions ---


def rewrite_for_relay(
    sdp: SessionDescription, address: str, ports: Sequence[int], *, in_place: bool = False
) -> SessionDescription:
    """A copy of ``sdp`` pointing at the relay: c=, m= ports, a=rtcp and the o= address replaced.

    ``ports`` has one RTP port per m-line; rejected streams stay at port 0. a=rtcp becomes port+1
    (RFC 3605), ICE attributes are dropped (their candidates name the far end's addresses).
    The caller bumps o= sess-version when the content changed (RFC 3264 8). ``in_place`` skips
    the copy, for a caller that is done with ``sdp`` (the relay's hot path).
    """
    if len(ports) != len(sdp.media):
        raise ValueError(f"{len(ports)} ports for {len(sdp.media)} m-lines")
    out = sdp if in_place else copy.deepcopy(sdp)
    addrtype = _addrtype(address)
    out.origin.address, out.origin.addrtype = address, addrtype
    out.remove_attributes(*ICE_ATTRIBUTES)
    if out.connection is not None or any(m.connection is None for m in out.media):
        out.connection = Connection(address, addrtype=addrtype)
    for media, port in zip(out.media, ports, strict=True):
        media.remove_attributes(*ICE_ATTRIBUTES)
        if media.rejected:
            continue
        media.port = port
        if media.connection is not None:
            media.connection = Connection(address, addrtype=addrtype)
        for attr in media.attributes:
            if attr.name == "rtcp":
                attr.value = (
                    f"{port + 1} IN {addrtype} {address}" if " " in (attr.value or "") else str(port + 1)
                )
    return out


def bump_version(sdp: SessionDescription) -> SessionDescription:
    """A copy with o= sess-version incremented (RFC 3264 8: every changed offer increments it)."""
    out = copy.deepcopy(sdp)
    out.origin = replace(out.origin, sess_version=out.origin.sess_version + 1)
    return out


def with_direction(sdp: SessionDescription, direction: Direction) -> SessionDescription:
    """A copy with ``direction`` on every active stream and none at session level.

    For hold, offer ``sendonly`` (RFC 3264 8.4), or ``inactive`` if we are held already.
    """
    out = copy.deepcopy(sdp)
    out.set_direction(None)
    for media in out.media:
        if not media.rejected:
            media.set_direction(direction)
    return out


def is_hold(sdp: SessionDescription) -> bool:
    """True when every active stream is sendonly/inactive, or uses the old c=0.0.0.0 hold (RFC 3264 8.4)."""
    active = [m for m in sdp.media if not m.rejected]
    if not active:
        return False
    for media in active:
        conn = sdp.connection_for(media)
        if conn is not None and conn.address.split("/")[0] in HOLD_ADDRESSES:
            continue
        if sdp.direction_of(media) not in ("sendonly", "inactive"):
            return False
    return True
