"""SIP requests and responses: parse bytes, serialize, validate, build responses, frame TCP/TLS streams."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Final, Literal

from cordboard.core.sip import headers as h
from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.headers import CSeq, Headers, Via
from cordboard.core.sip.status import (
    BadExtension,
    BadRequest,
    UnsupportedUriScheme,
    VersionNotSupported,
    reason_phrase,
)
from cordboard.core.sip.uri import AbsoluteUri, NameAddr, SipUri, Uri, is_token, parse_uri

SIP_VERSION: Final = "SIP/2.0"
MAX_MESSAGE_SIZE: Final = 65536
MAX_MAX_FORWARDS: Final = 255
_MAX_EXPIRES: Final = 2**32 - 1
# Headers that may appear at most once (RFC 3261 7.3.1: not a comma-separated list).
_SINGLE_HEADERS: Final = (h.TO, h.FROM, h.CALL_ID, h.CSEQ, h.MAX_FORWARDS, h.CONTENT_LENGTH, h.CONTENT_TYPE)
# Methods whose 1xx/2xx responses create dialogs: Record-Route is copied (RFC 3261 12.1.1).
_DIALOG_METHODS: Final = frozenset({"INVITE", "SUBSCRIBE", "REFER"})

ContactList = list[NameAddr] | Literal["*"]


def _parse_uint(text: str, what: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise SipParseError(f"Bad {what} {text[:20]!r}")
    digits = text.lstrip("0")
    # int() refuses more than 4300 digits; past 20 digits a value is overlarge for every SIP field.
    return int(digits or "0") if len(digits) <= 20 else 10**20


def _vias(values: list[str]) -> list[Via]:
    return [Via.parse(v) for v in values]


def _name_addr(values: list[str]) -> NameAddr:
    if not values:
        raise SipParseError("Missing address header")
    return NameAddr.parse(values[0])


def _name_addrs(values: list[str]) -> list[NameAddr]:
    return [NameAddr.parse(v) for v in values]


def _contacts(values: list[str]) -> ContactList:
    if values == ["*"]:
        return "*"
    return [NameAddr.parse(v) for v in values]


def _max_forwards(values: list[str]) -> int | None:
    return _parse_uint(values[0], "Max-Forwards") if values else None


def _cseq(values: list[str]) -> CSeq:
    if not values:
        raise SipParseError("Missing CSeq")
    return CSeq.parse(values[0])


class _Message:
    """Typed, lazily parsed accessors shared by requests and responses (cached in ``headers``)."""

    headers: Headers
    body: bytes

    @property
    def via(self) -> list[Via]:
        return self.headers.parsed(h.VIA, _vias)

    @property
    def top_via(self) -> Via:
        vias = self.via
        if not vias:
            raise SipParseError("Missing Via")
        return vias[0]

    @property
    def from_(self) -> NameAddr:
        return self.headers.parsed(h.FROM, _name_addr)

    @property
    def to(self) -> NameAddr:
        return self.headers.parsed(h.TO, _name_addr)

    @property
    def from_tag(self) -> str | None:
        return self.from_.tag

    @property
    def to_tag(self) -> str | None:
        return self.to.tag

    @property
    def call_id(self) -> str:
        value = self.headers.get(h.CALL_ID)
        if not value:
            raise SipParseError("Missing Call-ID")
        return value

    @property
    def cseq(self) -> CSeq:
        return self.headers.parsed(h.CSEQ, _cseq)

    @property
    def contacts(self) -> ContactList:
        """The Contact addresses, or ``"*"`` for the REGISTER wildcard (RFC 3261 10.2.2)."""
        return self.headers.parsed(h.CONTACT, _contacts)

    @property
    def routes(self) -> list[NameAddr]:
        return self.headers.parsed(h.ROUTE, _name_addrs)

    @property
    def record_routes(self) -> list[NameAddr]:
        return self.headers.parsed(h.RECORD_ROUTE, _name_addrs)

    @property
    def max_forwards(self) -> int | None:
        return self.headers.parsed(h.MAX_FORWARDS, _max_forwards)

    @property
    def expires(self) -> int | None:
        """Expires in seconds; None when absent or overlarge (RFC 4475 3.1.2.4: use the default)."""
        value = self.headers.get(h.EXPIRES)
        if value is None:
            return None
        seconds = _parse_uint(value, "Expires")
        return seconds if seconds <= _MAX_EXPIRES else None

    @property
    def content_type(self) -> str | None:
        return self.headers.get(h.CONTENT_TYPE)

    @property
    def media_type(self) -> str | None:
        """``type/subtype`` of Content-Type, lowercase and without parameters."""
        value = self.headers.get(h.CONTENT_TYPE)
        return None if value is None else value.split(";", 1)[0].strip().lower()

    def _serialize(self, start_line: str) -> bytes:
        text = (
            f"{start_line}\r\n{self.headers.serialize(skip=h.CONTENT_LENGTH)}"
            f"Content-Length: {len(self.body)}\r\n\r\n"
        )
        return text.encode("utf-8", "surrogateescape") + self.body


@dataclass(eq=False, init=False)
class SipRequest(_Message):
    """A SIP request (RFC 3261 7.1); ``bytes(request)`` always writes a correct Content-Length."""

    method: str
    uri: Uri
    headers: Headers
    body: bytes
    version: str

    def __init__(
        self,
        method: str,
        uri: Uri,
        headers: Headers | None = None,
        body: bytes = b"",
        version: str = SIP_VERSION,
    ) -> None:
        # Written out (init=False) so that mypyc compiles it: the one @dataclass would generate
        # runs interpreted. The defaults live here only.
        self.method = method
        self.uri = uri
        self.headers = Headers() if headers is None else headers
        self.body = body
        self.version = version

    def __bytes__(self) -> bytes:
        return self._serialize(f"{self.method} {self.uri} {self.version}")

    def __repr__(self) -> str:
        return f"<SipRequest {self.method} {self.uri}>"


@dataclass(eq=False, init=False)
class SipResponse(_Message):
    """A SIP response (RFC 3261 7.2)."""

    status: int
    reason: str
    headers: Headers
    body: bytes
    version: str

    def __init__(
        self,
        status: int,
        reason: str,
        headers: Headers | None = None,
        body: bytes = b"",
        version: str = SIP_VERSION,
    ) -> None:
        # Written out so that mypyc compiles it (see SipRequest.__init__).
        self.status = status
        self.reason = reason
        self.headers = Headers() if headers is None else headers
        self.body = body
        self.version = version

    def __bytes__(self) -> bytes:
        return self._serialize(f"{self.version} {self.status} {self.reason}")

    def __repr__(self) -> str:
        return f"<SipResponse {self.status} {self.reason}>"

    @property
    def is_provisional(self) -> bool:
        return self.status < 200

    @property
    def is_final(self) -> bool:
        return self.status >= 200


SipMessage = SipRequest | SipResponse


def _parse_version(text: str) -> str:
    # RFC 3261 7.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive.
    if text[:4].upper() != "SIP/":
        raise SipParseError(f"Bad protocol version {text!r}")
    major, dot, minor = text[4:].partition(".")
    if not dot or not (major.isascii() and major.isdigit() and minor.isascii() and minor.isdigit()):
        raise SipParseError(f"Bad protocol version {text!r}")
    return text.upper()


def parse_message(data: bytes) -> SipRequest | SipResponse:
    """Parse one datagram or framed stream message (RFC 3261 7); raise SipParseError if malformed.

    Leading CRLFs are skipped (7.5); a body longer than Content-Length is truncated to it and a
    shorter one is an error (18.3); without Content-Length the body runs to the end of the data.
    """
    data = data.lstrip(b"\r\n")
    end = data.find(b"\r\n\r\n")
    skip = 4
    if end == -1:
        end = data.find(b"\n\n")
        skip = 2
        if end == -1:
            raise SipParseError("No empty line after the headers")
    text = data[:end].decode("utf-8", "surrogateescape").replace("\r\n", "\n")
    if "\r" in text:
        raise SipParseError("Stray CR in the header section")
    lines = text.split("\n")
    headers = Headers.parse_lines(lines, 1)
    body = data[end + skip :]
    lengths = headers.get_all(h.CONTENT_LENGTH)
    if lengths:
        length = _parse_uint(lengths[0], "Content-Length")
        if any(_parse_uint(v, "Content-Length") != length for v in lengths[1:]):
            raise SipParseError("Conflicting Content-Length headers")
        if length > len(body):
            raise SipParseError(f"Content-Length {length} larger than the {len(body)} octets of body")
        body = body[:length]
    start = lines[0]
    if start[:4].upper() == "SIP/":
        parts = start.split(" ", 2)
        if len(parts) < 2:
            raise SipParseError(f"Bad status line {start[:60]!r}")
        code = parts[1]
        if len(code) != 3 or not (code.isascii() and code.isdigit()) or not 100 <= int(code) <= 699:
            raise SipParseError(f"Bad status code {code[:20]!r}")
        version = _parse_version(parts[0])
        return SipResponse(int(code), parts[2] if len(parts) == 3 else "", headers, body, version)
    parts = start.split(" ")
    if len(parts) != 3:
        raise SipParseError(f"Request line must be 'Method SP Request-URI SP SIP-Version': {start[:60]!r}")
    method, uri_text, version = parts
    if not is_token(method):
        raise SipParseError(f"Bad method {method[:40]!r}")
    return SipRequest(method, parse_uri(uri_text), headers, body, _parse_version(version))


_REQUIRED: Final = (h.TO, h.FROM, h.CALL_ID, h.CSEQ, h.VIA)
_REQUIRED_RFC3261: Final = (*_REQUIRED, h.MAX_FORWARDS)
_PARSED_IN_VALIDATION: Final[tuple[tuple[str, Callable[[list[str]], object]], ...]] = (
    (h.VIA, _vias),
    (h.FROM, _name_addr),
    (h.TO, _name_addr),
    (h.CSEQ, _cseq),
    (h.MAX_FORWARDS, _max_forwards),
    (h.CONTACT, _contacts),
    (h.ROUTE, _name_addrs),
    (h.RECORD_ROUTE, _name_addrs),
)
"""The headers a request must parse to be served, each with the parser of its accessor: the
parsed values are cached under the same key, so the core's later reads cost nothing."""
_PARSED_IN_RESPONSES: Final = tuple(
    (name, parser) for name, parser in _PARSED_IN_VALIDATION if name not in (h.MAX_FORWARDS, h.ROUTE)
)


def validate_request(
    request: SipRequest, *, supported: Collection[str] | None = None, allow_rfc2543: bool = False
) -> None:
    """Check what RFC 3261 8.2 asks of a UAS before the core sees a request; raise a SipStatusError.

    505 for another SIP version, 416 for a Request-URI scheme other than sip/sips/tel, 400 for a
    missing, repeated or malformed mandatory header or a CSeq method mismatch, 420 for Require
    tags not in ``supported`` (skipped when ``supported`` is None; never for ACK/CANCEL, 8.2.2.3).
    ``allow_rfc2543`` accepts requests without Max-Forwards (RFC 4475 3.4.1).
    """
    if request.version != SIP_VERSION:
        raise VersionNotSupported(f"{request.version} is not supported")
    if isinstance(request.uri, AbsoluteUri):
        raise UnsupportedUriScheme(f"Scheme {request.uri.scheme!r} is not supported")
    if isinstance(request.uri, SipUri) and request.uri.headers:
        # RFC 3261 19.1.1 table: headers are not allowed in a Request-URI.
        raise BadRequest("Request-URI with headers")
    headers = request.headers
    missing = headers.first_missing(_REQUIRED if allow_rfc2543 else _REQUIRED_RFC3261)
    if missing is not None:
        raise BadRequest(f"Missing {missing}")
    repeated = headers.first_repeated(_SINGLE_HEADERS)
    if repeated is not None:
        raise BadRequest(f"Multiple {repeated} headers")
    malformed = headers.first_unparsable(_PARSED_IN_VALIDATION)  # the accessors' views (``.via``)
    if malformed is not None:
        raise BadRequest(f"Malformed {malformed}")
    call_id = request.call_id
    if call_id.split() != [call_id]:  # str.split() splits at exactly what str.isspace() matches
        raise BadRequest("Malformed Call-ID")
    max_forwards = request.max_forwards
    if max_forwards is not None and max_forwards > MAX_MAX_FORWARDS:
        raise BadRequest("Max-Forwards above 255")
    if request.cseq.method != request.method:
        raise BadRequest("CSeq method does not match the request method")
    date = headers.get(h.DATE)
    if date is not None and not date.endswith(" GMT"):
        # RFC 3261 20.17: the Date header only allows the GMT zone (RFC 4475 3.1.2.12).
        raise BadRequest("Malformed Date")
    if request.body and h.CONTENT_TYPE not in headers:
        raise BadRequest("Missing Content-Type")  # RFC 3261 7.4.1
    if supported is not None and request.method not in ("ACK", "CANCEL"):
        known = {tag.lower() for tag in supported}
        unknown = [tag for tag in headers.get_all(h.REQUIRE) if tag.lower() not in known]
        if unknown:
            raise BadExtension(unknown)


def validate_response(response: SipResponse) -> None:
    """Raise SipParseError when a response lacks what the transaction layer needs (it is dropped)."""
    if response.version != SIP_VERSION:
        raise SipParseError(f"Unsupported version {response.version}")
    missing = response.headers.first_missing(_REQUIRED)
    if missing is not None:
        raise SipParseError(f"Missing {missing}")
    malformed = response.headers.first_unparsable(_PARSED_IN_RESPONSES)
    if malformed is not None:
        raise SipParseError(f"Malformed {malformed}")


def make_response(
    request: SipRequest, status: int, reason: str | None = None, *, to_tag: str | None = None
) -> SipResponse:
    """A response copying Via, From, To, Call-ID and CSeq from ``request`` (RFC 3261 8.2.6.2).

    ``to_tag`` is added when the request's To has no tag; Record-Route is copied into 1xx/2xx
    responses to dialog-creating requests (12.1.1).
    """
    src = request.headers
    headers = Headers()
    headers.copy_from(src, h.VIA)
    headers.copy_from(src, h.FROM, first=True)
    tagged: str | None = None
    if to_tag is not None:
        try:
            if request.to.tag is None:
                tagged = str(request.to.with_tag(to_tag))
        except SipParseError:
            pass  # a malformed To is echoed as is (the response is a 400 anyway)
    if tagged is not None:
        headers._add_raw(h.TO, tagged)
    else:
        headers.copy_from(src, h.TO, first=True)
    headers.copy_from(src, h.CALL_ID, first=True)
    headers.copy_from(src, h.CSEQ, first=True)
    if 100 < status < 300 and request.method in _DIALOG_METHODS:
        headers.copy_from(src, h.RECORD_ROUTE)
    if status == 100:
        headers.copy_from(src, h.TIMESTAMP, first=True)  # RFC 3261 8.2.6.1
    return SipResponse(status, reason if reason is not None else reason_phrase(status), headers)


def make_cancel(request: SipRequest) -> SipRequest:
    """The CANCEL for a pending ``request`` (RFC 3261 9.1): same URI, top Via, Route, tags, CSeq number."""
    src = request.headers
    headers = Headers()
    headers.copy_from(src, h.VIA, first=True)
    headers.copy_from(src, h.ROUTE)
    headers._add_raw(h.MAX_FORWARDS, "70")
    for name in (h.FROM, h.TO, h.CALL_ID):
        headers.copy_from(src, name, first=True)
    headers.add(h.CSEQ, CSeq(request.cseq.seq, "CANCEL"))
    return SipRequest("CANCEL", request.uri, headers)


def _content_length_of(head: bytes) -> int:
    """Content-Length from a raw header block, for stream framing (RFC 3261 18.3)."""
    found: int | None = None
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            continue
        lowered = name.strip(b" \t").lower()
        if lowered in (b"content-length", b"l"):
            text = value.strip(b" \t")
            if not text.isdigit():
                raise SipParseError(f"Bad Content-Length {text[:20]!r}")
            length = int(text)
            if found is not None and found != length:
                raise SipParseError("Conflicting Content-Length headers")
            found = length
    if found is None:
        raise SipParseError("Missing Content-Length on a stream transport")
    return found


class StreamFramer:
    """Cut a TCP/TLS byte stream into SIP messages using Content-Length (RFC 3261 18.3).

    CRLF keep-alives between messages are skipped; ``pings`` counts the double-CRLF pings not yet
    taken with ``take_pings`` so the transport can answer each with one CRLF (RFC 5626 4.4.1). After a
    SipParseError the stream cannot be resynchronised: close the connection.
    """

    __slots__ = ("_buffer", "max_message_size", "pings")

    def __init__(self, *, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        self._buffer = bytearray()
        self.max_message_size = max_message_size
        self.pings = 0

    def take_pings(self) -> int:
        """The number of double-CRLF pings received since the last call (answer each with CRLF)."""
        pings, self.pings = self.pings, 0
        return pings

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Add received bytes; return the complete messages now available, in order."""
        buf = self._buffer
        buf += data
        messages: list[bytes] = []
        while buf:
            if buf[:1] == b"\r":
                if buf[:4] == b"\r\n\r\n":
                    self.pings += 1
                    del buf[:4]
                    continue
                if len(buf) < 4 and b"\r\n\r\n".startswith(buf):
                    break  # maybe the start of a ping: wait for more
                if buf[:2] == b"\r\n":
                    del buf[:2]  # a single CRLF (a pong, or junk before a start line)
                    continue
                raise SipParseError("Stray CR between messages")
            if buf[:1] == b"\n":
                del buf[:1]
                continue
            end = buf.find(b"\r\n\r\n")
            if end == -1:
                if len(buf) > self.max_message_size:
                    raise SipParseError("Header section larger than the maximum message size")
                break
            total = end + 4 + _content_length_of(bytes(buf[:end]))
            if total > self.max_message_size:
                raise SipParseError(f"Message of {total} octets exceeds {self.max_message_size}")
            if len(buf) < total:
                break
            messages.append(bytes(buf[:total]))
            del buf[:total]
        return messages
