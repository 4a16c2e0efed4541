"""SIP header names (canonical and compact), the ordered multi-header container and Via/CSeq values."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from cordboard.core.sip.errors import SipParseError
from cordboard.core.sip.uri import (
    HOST_PORT_PATTERN,
    PLAIN_PARAMS_PATTERN,
    Params,
    format_params,
    is_token,
    parse_host_port,
    parse_params,
    plain_params,
    split_unquoted,
)

_T = TypeVar("_T")

ACCEPT: Final = "Accept"
ACCEPT_CONTACT: Final = "Accept-Contact"
ACCEPT_ENCODING: Final = "Accept-Encoding"
ACCEPT_LANGUAGE: Final = "Accept-Language"
ALERT_INFO: Final = "Alert-Info"
ALLOW: Final = "Allow"
ALLOW_EVENTS: Final = "Allow-Events"
AUTHORIZATION: Final = "Authorization"
CALL_ID: Final = "Call-ID"
CALL_INFO: Final = "Call-Info"
CONTACT: Final = "Contact"
CONTENT_DISPOSITION: Final = "Content-Disposition"
CONTENT_ENCODING: Final = "Content-Encoding"
CONTENT_LANGUAGE: Final = "Content-Language"
CONTENT_LENGTH: Final = "Content-Length"
CONTENT_TYPE: Final = "Content-Type"
CSEQ: Final = "CSeq"
DATE: Final = "Date"
ERROR_INFO: Final = "Error-Info"
EVENT: Final = "Event"
EXPIRES: Final = "Expires"
FROM: Final = "From"
HISTORY_INFO: Final = "History-Info"
IDENTITY: Final = "Identity"
IN_REPLY_TO: Final = "In-Reply-To"
MAX_FORWARDS: Final = "Max-Forwards"
MIN_EXPIRES: Final = "Min-Expires"
MIN_SE: Final = "Min-SE"
MIME_VERSION: Final = "MIME-Version"
ORGANIZATION: Final = "Organization"
P_ASSERTED_IDENTITY: Final = "P-Asserted-Identity"
P_PREFERRED_IDENTITY: Final = "P-Preferred-Identity"
PATH: Final = "Path"
PRIORITY: Final = "Priority"
PRIVACY: Final = "Privacy"
PROXY_AUTHENTICATE: Final = "Proxy-Authenticate"
PROXY_AUTHORIZATION: Final = "Proxy-Authorization"
PROXY_REQUIRE: Final = "Proxy-Require"
RACK: Final = "RAck"
REASON: Final = "Reason"
RECORD_ROUTE: Final = "Record-Route"
REFER_SUB: Final = "Refer-Sub"
REFER_TO: Final = "Refer-To"
REFERRED_BY: Final = "Referred-By"
REJECT_CONTACT: Final = "Reject-Contact"
REPLACES: Final = "Replaces"
REPLY_TO: Final = "Reply-To"
REQUEST_DISPOSITION: Final = "Request-Disposition"
REQUIRE: Final = "Require"
RETRY_AFTER: Final = "Retry-After"
ROUTE: Final = "Route"
RSEQ: Final = "RSeq"
SERVER: Final = "Server"
SERVICE_ROUTE: Final = "Service-Route"
SESSION_EXPIRES: Final = "Session-Expires"
SIP_ETAG: Final = "SIP-ETag"
SIP_IF_MATCH: Final = "SIP-If-Match"
SUBJECT: Final = "Subject"
SUBSCRIPTION_STATE: Final = "Subscription-State"
SUPPORTED: Final = "Supported"
TIMESTAMP: Final = "Timestamp"
TO: Final = "To"
UNSUPPORTED: Final = "Unsupported"
USER_AGENT: Final = "User-Agent"
VIA: Final = "Via"
WARNING: Final = "Warning"
WWW_AUTHENTICATE: Final = "WWW-Authenticate"

_ALL_NAMES: Final = tuple(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))

# RFC 3261 7.3.3 and the IANA "Header Fields" registry compact forms.
COMPACT_FORMS: Final[dict[str, str]] = {
    "a": ACCEPT_CONTACT,
    "b": REFERRED_BY,
    "c": CONTENT_TYPE,
    "d": REQUEST_DISPOSITION,
    "e": CONTENT_ENCODING,
    "f": FROM,
    "i": CALL_ID,
    "j": REJECT_CONTACT,
    "k": SUPPORTED,
    "l": CONTENT_LENGTH,
    "m": CONTACT,
    "o": EVENT,
    "r": REFER_TO,
    "s": SUBJECT,
    "t": TO,
    "u": ALLOW_EVENTS,
    "v": VIA,
    "x": SESSION_EXPIRES,
    "y": IDENTITY,
}

# Lowercase name (and compact letter) -> canonical spelling.
_CANONICAL: Final[dict[str, str]] = {name.lower(): name for name in _ALL_NAMES} | COMPACT_FORMS
KNOWN_SPELLINGS: Final = frozenset(_CANONICAL) | frozenset(_CANONICAL.values())
"""The known header names as usually spelled (canonical, lowercase, compact): all of them tokens."""

# Headers whose grammar is a comma-separated list (RFC 3261 7.3.1); others are never split.
LIST_HEADERS: Final = frozenset(
    name.lower()
    for name in (
        ACCEPT,
        ACCEPT_CONTACT,
        ACCEPT_ENCODING,
        ACCEPT_LANGUAGE,
        ALERT_INFO,
        ALLOW,
        ALLOW_EVENTS,
        CALL_INFO,
        CONTACT,
        CONTENT_ENCODING,
        CONTENT_LANGUAGE,
        ERROR_INFO,
        HISTORY_INFO,
        IN_REPLY_TO,
        P_ASSERTED_IDENTITY,
        P_PREFERRED_IDENTITY,
        PATH,
        PRIVACY,
        PROXY_REQUIRE,
        REASON,
        RECORD_ROUTE,
        REJECT_CONTACT,
        REQUEST_DISPOSITION,
        REQUIRE,
        ROUTE,
        SERVICE_ROUTE,
        SUPPORTED,
        UNSUPPORTED,
        VIA,
        WARNING,
    )
)


def canonical_name(name: str) -> str:
    """The canonical spelling of a header name: compact forms expanded, known names recased."""
    return _CANONICAL.get(name.lower(), name)


_KEYS: dict[str, str] = {}
"""Lookup key per header name as spelled; bounded, since peers choose the names."""


def _key(name: str) -> str:
    """The lookup key of a header name (hot callers try ``_KEYS.get(name)`` first, saving a call)."""
    key = _KEYS.get(name)
    if key is None:
        lowered = name.lower()
        canonical = _CANONICAL.get(lowered)
        key = canonical.lower() if canonical is not None else lowered
        if len(_KEYS) < 4096:
            _KEYS[name] = key
    return key


_SPELLINGS: dict[str, tuple[str, str, bool]] = {}
"""Per header name as spelled: (lookup key, stored name, is a list header); bounded like _KEYS."""


def _spelling(name: str) -> tuple[str, str, bool]:
    found = _SPELLINGS.get(name)
    if found is None:
        key = _key(name)
        found = (key, _CANONICAL.get(name.lower(), name), key in LIST_HEADERS)
        if len(_SPELLINGS) < 4096:
            _SPELLINGS[name] = found
    return found


_KNOWN_SPELLING_PARTS: Final = {name: _spelling(name) for name in KNOWN_SPELLINGS}
"""``_spelling`` of every known header name as usually spelled, for the parser's one look-up."""


def split_list(value: str) -> list[str]:
    """Split a list header value at commas outside quotes and ``<>``; empty elements are dropped."""
    if "," not in value:
        stripped = value.strip(" \t")
        return [stripped] if stripped else []
    return [s for part in split_unquoted(value, ",", angle=True) if (s := part.strip(" \t"))]


class Headers:
    """Ordered, case-insensitive multi-header container.

    Names are stored canonically (compact forms expanded); values of list headers are split into
    one entry per element. Parsed views (``parsed``) are cached until the next change; lookups go
    through an index by name built on the first one (a parsed message is read far more often than
    it is changed).
    """

    __slots__ = ("_index", "_items", "_views")

    def __init__(self, items: Iterable[tuple[str, object]] = ()) -> None:
        self._items: list[tuple[str, str, str]] = []
        self._views: dict[str, tuple[Callable[..., Any], Any]] = {}
        """The parsed view of a header, by lookup key, with the parser that made it."""
        self._index: dict[str, list[str]] | None = None
        for name, value in items:
            self.add(name, value)

    def add(self, name: str, value: object, *, prepend: bool = False) -> None:
        """Append ``value`` (split if ``name`` is a list header); ``prepend`` puts it above the others."""
        key, stored, is_list = _SPELLINGS.get(name) or _spelling(name)
        text = value if type(value) is str else str(value)
        if "\r" in text or "\n" in text:
            raise ValueError(f"Header {name} value contains a line break")
        values = split_list(text) if is_list else [text.strip(" \t")]
        entries = [(key, stored, v) for v in values]
        self._forget(key)
        if prepend:
            index = next((i for i, (k, _, _) in enumerate(self._items) if k == key), 0)
            self._items[index:index] = entries
        else:
            self._items.extend(entries)

    def _forget(self, key: str) -> None:
        """Drop the index and the cached parsed views of one header (the others stay valid)."""
        self._index = None
        if self._views:
            self._views.pop(key, None)

    @classmethod
    def parse_lines(cls, lines: list[str], start: int = 0) -> Headers:
        """The header section ``lines[start:]`` of a message, unfolded (RFC 3261 7.3.1); raise
        SipParseError for a line that is not ``name: value`` or a continuation."""
        headers = cls()
        items = headers._items
        pairs: list[tuple[tuple[str, str, bool], str]] = []  # (spelling, raw value) per header
        for line in lines[start:]:
            if line[:1] in (" ", "\t"):
                # A line starting with whitespace continues the previous header.
                if not pairs:
                    raise SipParseError("Continuation line before the first header")
                spelling, value = pairs[-1]
                pairs[-1] = (spelling, value + " " + line.strip(" \t"))
                continue
            name, colon, value = line.partition(":")
            found = _KNOWN_SPELLING_PARTS.get(name)
            if found is None or not colon:
                name = name.rstrip(" \t")
                if not colon or not name:
                    raise SipParseError(f"Header line without name or colon: {line[:40]!r}")
                if not is_token(name):
                    raise SipParseError(f"Bad header name {name!r}")
                found = _SPELLINGS.get(name) or _spelling(name)
            pairs.append((found, value))
        for (key, stored, is_list), raw in pairs:
            if is_list:
                items.extend([(key, stored, v) for v in split_list(raw)])
            else:
                items.append((key, stored, raw.strip(" \t")))
        return headers

    def copy_from(self, other: Headers, name: str, *, first: bool = False) -> None:
        """Append the ``name`` values of ``other`` as stored there (already split and stripped);
        ``first``: only its first one."""
        key, stored, _ = _SPELLINGS.get(name) or _spelling(name)
        values = other._lookup().get(key)
        if values:
            self._forget(key)
            if first:
                self._items.append((key, stored, values[0]))
            else:
                self._items.extend([(key, stored, value) for value in values])

    def _add_raw(self, name: str, value: str) -> None:
        """Parser fast path: ``value`` is already unfolded and stripped."""
        key, stored, is_list = _SPELLINGS.get(name) or _spelling(name)
        self._forget(key)
        if is_list:
            self._items.extend((key, stored, v) for v in split_list(value))
        else:
            self._items.append((key, stored, value))

    def set(self, name: str, value: object) -> None:
        """Replace every ``name`` header by ``value``, keeping the position of the first one."""
        key = _key(name)
        index = next((i for i, (k, _, _) in enumerate(self._items) if k == key), None)
        if index is None:
            self.add(name, value)
            return
        self.remove(name)
        tail = self._items[index:]
        del self._items[index:]
        self.add(name, value)
        self._items.extend(tail)

    def remove(self, name: str) -> int:
        """Remove every ``name`` header; return how many were removed."""
        key = _key(name)
        before = len(self._items)
        self._items = [item for item in self._items if item[0] != key]
        self._forget(key)
        return before - len(self._items)

    def pop_first(self, name: str) -> str | None:
        """Remove and return the first ``name`` value (e.g. the top Route), or None."""
        key = _key(name)
        for i, item in enumerate(self._items):
            if item[0] == key:
                del self._items[i]
                self._forget(key)
                return item[2]
        return None

    def restate_first(self, name: str, value: str) -> None:
        """Store ``value`` as the text of the first ``name`` header, whose parsed view the caller
        has already changed in place to match (so the cached views stay; e.g. the top Via's
        received and rport, set on every request)."""
        key = _key(name)
        for i, item in enumerate(self._items):
            if item[0] == key:
                self._items[i] = (key, item[1], value)
                if self._index is not None:
                    self._index[key][0] = value
                return
        raise KeyError(name)

    def first_missing(self, names: Iterable[str]) -> str | None:
        """The first of ``names`` with no value here, or None."""
        index = self._lookup()
        for name in names:
            if (_KEYS.get(name) or _key(name)) not in index:
                return name
        return None

    def first_repeated(self, names: Iterable[str]) -> str | None:
        """The first of ``names`` with more than one value here, or None."""
        index = self._lookup()
        for name in names:
            values = index.get(_KEYS.get(name) or _key(name))
            if values is not None and len(values) > 1:
                return name
        return None

    def first_unparsable(self, parsers: Iterable[tuple[str, Callable[[list[str]], object]]]) -> str | None:
        """Build the parsed view of each ``(name, parser)``, as ``parsed`` does; the first name whose
        parser refuses its values (SipParseError), or None (validation's one call per message)."""
        index = self._lookup()
        views = self._views
        for name, parser in parsers:
            key = _KEYS.get(name) or _key(name)
            view = views.get(key)
            if view is None or view[0] is not parser:
                try:
                    views[key] = (parser, parser(index.get(key) or []))
                except SipParseError:
                    return name
        return None

    def _lookup(self) -> dict[str, list[str]]:
        index = self._index
        if index is None:
            index = {}
            for key, _, value in self._items:
                values = index.get(key)
                if values is None:
                    index[key] = [value]
                else:
                    values.append(value)
            self._index = index
        return index

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._lookup().get(_KEYS.get(name) or _key(name))
        return values[0] if values else default

    def get_all(self, name: str) -> list[str]:
        values = self._lookup().get(_KEYS.get(name) or _key(name))
        return list(values) if values else []

    def count(self, name: str) -> int:
        values = self._lookup().get(_KEYS.get(name) or _key(name))
        return len(values) if values else 0

    def items(self) -> list[tuple[str, str]]:
        return [(n, v) for _, n, v in self._items]

    def names(self) -> list[str]:
        """Distinct header names in order of first appearance."""
        return list(dict.fromkeys(n for _, n, _ in self._items))

    def copy(self) -> Headers:
        new = Headers()
        new._items = list(self._items)
        return new

    def parsed(self, name: str, parser: Callable[[list[str]], _T]) -> _T:
        """``parser(get_all(name))``, cached until the ``name`` headers change (lazy typed access;
        one view per header: a second parser of the same header replaces the first one's)."""
        key = _KEYS.get(name) or _key(name)
        view = self._views.get(key)
        if view is not None and view[0] is parser:
            return view[1]
        # The parsers build their own values from the stored list and keep no reference to it.
        result = parser(self._lookup().get(key) or [])
        self._views[key] = (parser, result)
        return result

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return (_KEYS.get(name) or _key(name)) in self._lookup()

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items())

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return [(k, v) for k, _, v in self._items] == [(k, v) for k, _, v in other._items]

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Headers({self.items()!r})"

    def serialize(self, *, skip: str | None = None) -> str:
        """``Name: value\\r\\n`` lines, one per stored value (none for the header ``skip``)."""
        if skip is None:
            return "".join([f"{n}: {v}\r\n" for _, n, v in self._items])
        skipped = _KEYS.get(skip) or _key(skip)
        return "".join([f"{n}: {v}\r\n" for k, n, v in self._items if k != skipped])


_FAST_VIA: Final = re.compile(
    rf"[ \t]*SIP/2\.0/([A-Za-z]+) {HOST_PORT_PATTERN}{PLAIN_PARAMS_PATTERN}[ \t]*", re.ASCII
)
"""The usual Via (``SIP/2.0/UDP host:port;branch=..;rport``); others take the general parser."""


@dataclass(slots=True, init=False)
class Via:
    """One Via value (RFC 3261 20.42): ``SIP/2.0/UDP host:port;branch=...;received=...;rport``."""

    transport: str
    host: str
    port: int | None
    params: Params
    protocol: str

    def __init__(
        self,
        transport: str,
        host: str,
        port: int | None = None,
        params: Params | None = None,
        protocol: str = "SIP/2.0",
    ) -> None:
        # Written out (init=False): see SipUri.__init__.
        self.transport = transport
        self.host = host
        self.port = port
        self.params = {} if params is None else params
        self.protocol = protocol

    @classmethod
    def parse(cls, text: str) -> Via:
        fast = _FAST_VIA.fullmatch(text)
        if fast is not None:
            transport, host, port, params_text = fast.groups()
            params = plain_params(params_text) if params_text else {}
            rport = params.get("rport")
            if (port is None or int(port) <= 65535) and (
                not rport or (len(rport) <= 5 and rport.isdigit() and int(rport) <= 65535)
            ):
                return cls(transport.upper(), host, None if port is None else int(port), params)
        return cls.parse_general(text)

    @classmethod
    def parse_general(cls, text: str) -> Via:
        """Every form RFC 3261 allows (``parse`` tries a fast path for the usual ones first)."""
        head, semi, params_text = text.partition(";")
        parts = head.split("/", 2)
        if len(parts) != 3:
            raise SipParseError(f"Bad Via sent-protocol in {text!r}")
        name, version = parts[0].strip(" \t"), parts[1].strip(" \t")
        rest = parts[2].strip(" \t").split(None, 1)
        if len(rest) != 2 or not is_token(name) or not is_token(version) or not is_token(rest[0]):
            raise SipParseError(f"Bad Via value {text!r}")
        # RFC 3261 25.1: sent-by = host [ COLON port ], COLON allows SWS around it.
        host, port = parse_host_port("".join(rest[1].split()), "Via")
        params = parse_params(params_text, where="Via") if semi else {}
        if "rport" in params and params["rport"] is not None:
            value = params["rport"] or ""
            if not (value.isascii() and value.isdigit()) or len(value) > 5 or int(value) > 65535:
                raise SipParseError(f"Bad rport in Via {text!r}")
        return cls(rest[0].upper(), host, port, params, f"{name.upper()}/{version}")

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.protocol}/{self.transport} {self.host}{port}{format_params(self.params)}"

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")

    @property
    def received(self) -> str | None:
        return self.params.get("received")

    @property
    def rport(self) -> int | None:
        """The ``rport`` value filled in by the server (RFC 3581), or None (absent or valueless)."""
        value = self.params.get("rport")
        return int(value) if value else None

    @property
    def rport_requested(self) -> bool:
        """True if the Via carries ``rport`` at all (valueless: the client asks for it, RFC 3581 4)."""
        return "rport" in self.params

    @property
    def sent_by(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def maddr(self) -> str | None:
        return self.params.get("maddr")


MAX_CSEQ: Final = 2**31  # RFC 3261 8.1.1.5: the sequence number MUST be less than 2**31


@dataclass(frozen=True, slots=True)
class CSeq:
    """CSeq (RFC 3261 20.16): sequence number and method."""

    seq: int
    method: str

    @classmethod
    def parse(cls, text: str) -> CSeq:
        parts = text.split()
        if len(parts) != 2:
            raise SipParseError(f"Bad CSeq {text!r}")
        number, method = parts
        if not (number.isascii() and number.isdigit()) or len(number) > 10 or int(number) >= MAX_CSEQ:
            raise SipParseError(f"Bad CSeq number {number!r}")
        if not is_token(method):
            raise SipParseError(f"Bad CSeq method {method!r}")
        return cls(int(number), method)

    def __str__(self) -> str:
        return f"{self.seq} {self.method}"
