"""SIP, SIPS and tel URIs and name-addr values: parsing, formatting and RFC 3261 19.1.4 comparison."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, TypeAlias
from urllib.parse import quote, unquote

from cordboard.core.sip.errors import SipParseError

# RFC 3261 25.1: token, and the characters a URI part may carry unescaped.
_TOKEN: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~"
TOKEN_CHARS: Final = frozenset(_TOKEN)
_HOST: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"
_SCHEME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_HOST_CHARS: Final = frozenset(_HOST)
_IPV6_CHARS: Final = frozenset("0123456789abcdefABCDEF:.")
_MARK: Final = "-_.!~*'()"
_UNRESERVED: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + _MARK
# What each URI part carries unescaped (a superset of what quote() never escapes).
_USER_SAFE: Final = _UNRESERVED + "&=+$,;?/"
_PASSWORD_SAFE: Final = _UNRESERVED + "&=+$,"
_PARAM_SAFE: Final = _UNRESERVED + "[]/:&+$"
_HEADER_SAFE: Final = _UNRESERVED + "[]/?:+$"
_URI_FORBIDDEN: Final = frozenset(' <>"')
_LWS: Final = " \t"
_VALUE_FORBIDDEN: Final = frozenset(' \t"')
# RFC 3261 19.1.4: these URI parameters must match when present in either URI.
_ALWAYS_COMPARED: Final = ("user", "ttl", "method", "maddr", "transport")

Params: TypeAlias = dict[str, str | None]

# Fast paths for the shapes phones send almost always (token display name or a quoted one without
# escapes, <sip:user@host:port;params>, token parameters): one regular expression instead of the
# general parser. Anything else, including every escape, goes to the general parser, whose result
# the fast path must equal (tests/core/sip/test_fast_paths.py).
_PLAIN: Final = r"[A-Za-z0-9\-.!*_+`'~]+"
HOST_PORT_PATTERN: Final = r"([A-Za-z0-9\-._]+)(?::([0-9]{1,5}))?"
PLAIN_PARAMS_PATTERN: Final = rf"((?:;{_PLAIN}(?:={_PLAIN})?)*)"
_FAST_NAME_ADDR: Final = re.compile(
    rf"(?:\"([^\"\\\x00-\x1f\x7f]*)\"[ \t]*|((?:{_PLAIN}[ \t]+)*{_PLAIN})?[ \t]*)"
    rf"<(sips?):(?:({_PLAIN})@)?{HOST_PORT_PATTERN}{PLAIN_PARAMS_PATTERN}>{PLAIN_PARAMS_PATTERN}",
    re.ASCII,
)


_FAST_SIP_URI: Final = re.compile(
    rf"(sips?):(?:({_PLAIN})@)?{HOST_PORT_PATTERN}{PLAIN_PARAMS_PATTERN}", re.ASCII
)
"""A Request-URI or Contact such as ``sip:100@10.0.0.1:5060;transport=udp``."""


def plain_params(text: str) -> Params:
    """``;a=b;c`` already matched by ``PLAIN_PARAMS_PATTERN``: names lowercased, no escapes, no quotes."""
    params: Params = {}
    for piece in text[1:].split(";"):
        name, eq, value = piece.partition("=")
        params[name.lower()] = value if eq else None
    return params


def is_token(text: str) -> bool:
    """True if ``text`` is a non-empty RFC 3261 token."""
    # str.strip runs in C: nothing is left exactly when every character is a token character.
    return bool(text) and not text.strip(_TOKEN)


def split_unquoted(text: str, sep: str, *, angle: bool = False) -> list[str]:
    """Split ``text`` at ``sep`` outside quoted strings (and outside ``<...>`` when ``angle``)."""
    if sep not in text:
        return [text]
    parts: list[str] = []
    start = 0
    in_quote = False
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if in_quote:
            if c == "\\":
                i += 1
            elif c == '"':
                in_quote = False
        elif c == '"':
            in_quote = True
        elif angle and c == "<":
            depth += 1
        elif angle and c == ">" and depth:
            depth -= 1
        elif c == sep and not depth:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read the quoted-string at ``text[start]`` (a ``"``); return its unescaped value and the end index."""
    out: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                break
            out.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise SipParseError(f"Unterminated quoted string in {text!r}")


def quote_string(value: str) -> str:
    """Format ``value`` as an RFC 3261 quoted-string (25.1 quoted-pair for ``"``, ``\\`` and controls)."""
    out = ['"']
    for c in value:
        if c in "\r\n":
            out.append(" ")  # quoted-pair cannot carry CR or LF
        elif c in '"\\' or c < " " or c == "\x7f":
            out.append("\\" + c)
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def parse_params(text: str, *, where: str) -> Params:
    """Parse ``a=b;c;d="x y"`` (the part after the first ``;``) into a dict with lowercase names.

    Values keep their quotes; LWS around ``;`` and ``=`` is allowed (RFC 3261 25.1 SEMI and EQUAL).
    """
    params: Params = {}
    for piece in split_unquoted(text, ";"):
        name, eq, value = piece.partition("=")
        name = name.strip(_LWS)
        if not is_token(name):
            raise SipParseError(f"Bad parameter {piece.strip()!r} in {where}")
        if eq:
            value = value.strip(_LWS)
            if not value:
                raise SipParseError(f"Parameter {name!r} without value in {where}")
            if value[0] == '"':
                _, end = read_quoted(value, 0)
                if end != len(value):
                    raise SipParseError(f"Bad quoted value of {name!r} in {where}")
            elif not _VALUE_FORBIDDEN.isdisjoint(value):
                raise SipParseError(f"Bad value of parameter {name!r} in {where}")
            params[name.lower()] = value
        else:
            params[name.lower()] = None
    return params


def format_params(params: Params) -> str:
    """``;name=value;flag`` for header parameters (values are written as stored)."""
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params.items())


def _parse_port(text: str, where: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 65535:
        raise SipParseError(f"Bad port {text!r} in {where}")
    return int(text)


def parse_host_port(text: str, where: str) -> tuple[str, int | None]:
    """Split ``host[:port]`` (IPv6 references stay bracketed) and check the host's characters."""
    if text.startswith("["):
        close = text.find("]")
        if close == -1 or not all(c in _IPV6_CHARS for c in text[1:close]) or close == 1:
            raise SipParseError(f"Bad IPv6 reference in {where}")
        host, rest = text[: close + 1], text[close + 1 :]
        if not rest:
            return host, None
        if rest[0] != ":":
            raise SipParseError(f"Bad host in {where}")
        return host, _parse_port(rest[1:], where)
    host, colon, port = text.partition(":")
    if not host or host.strip(_HOST):
        raise SipParseError(f"Bad host {host!r} in {where}")
    return host, _parse_port(port, where) if colon else None


def _unescape(text: str) -> str:
    return unquote(text, errors="surrogateescape") if "%" in text else text


def _escape(text: str, safe: str) -> str:
    if not text.strip(safe):  # the usual case, nothing to escape: no quote() call
        return text
    return quote(text, safe=safe, errors="surrogateescape")


@dataclass(eq=False, slots=True, init=False)
class SipUri:
    """A ``sip:`` or ``sips:`` URI (RFC 3261 19.1); user, password and parameters are stored unescaped."""

    host: str
    scheme: str
    user: str | None
    password: str | None
    port: int | None
    params: Params
    """URI parameters, names lowercase; a valueless parameter (``;lr``) maps to None."""
    headers: dict[str, str]

    def __init__(
        self,
        *,
        host: str,
        scheme: str = "sip",
        user: str | None = None,
        password: str | None = None,
        port: int | None = None,
        params: Params | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        # Written out (init=False): mypyc compiles this one, while the one @dataclass would write
        # runs interpreted. The defaults live here only.
        self.host = host
        self.scheme = scheme
        self.user = user
        self.password = password
        self.port = port
        self.params = {} if params is None else params
        self.headers = {} if headers is None else headers

    @classmethod
    def parse(cls, text: str) -> SipUri:
        uri = parse_uri(text)
        if not isinstance(uri, SipUri):
            raise SipParseError(f"Not a SIP URI: {text!r}")
        return uri

    @classmethod
    def _parse_rest(cls, scheme: str, rest: str, text: str) -> SipUri:
        user: str | None = None
        password: str | None = None
        at = rest.find("@")
        if at != -1:
            userinfo, rest = rest[:at], rest[at + 1 :]
            raw_user, colon, raw_password = userinfo.partition(":")
            if not raw_user:
                raise SipParseError(f"Empty user part in {text!r}")
            user = _unescape(raw_user)
            password = _unescape(raw_password) if colon else None
        qmark = rest.find("?")
        headers_text = ""
        if qmark != -1:
            rest, headers_text = rest[:qmark], rest[qmark + 1 :]
        hostport, semi, params_text = rest.partition(";")
        host, port = parse_host_port(hostport, text)
        params: Params = {}
        if semi:
            for piece in params_text.split(";"):
                name, eq, value = piece.partition("=")
                if not name:
                    raise SipParseError(f"Empty URI parameter in {text!r}")
                params[_unescape(name).lower()] = _unescape(value) if eq else None
        headers: dict[str, str] = {}
        if qmark != -1:
            for piece in headers_text.split("&"):
                name, eq, value = piece.partition("=")
                if not name or not eq:
                    raise SipParseError(f"Bad URI header {piece!r} in {text!r}")
                headers[_unescape(name)] = _unescape(value)
        return cls(
            scheme=scheme, user=user, password=password, host=host, port=port, params=params, headers=headers
        )

    def __str__(self) -> str:
        out = [self.scheme, ":"]
        if self.user is not None:
            out.append(_escape(self.user, _USER_SAFE))
            if self.password is not None:
                out.append(":" + _escape(self.password, _PASSWORD_SAFE))
            out.append("@")
        out.append(self.host)
        if self.port is not None:
            out.append(f":{self.port}")
        for name, value in self.params.items():
            out.append(";" + _escape(name, _PARAM_SAFE))
            if value is not None:
                out.append("=" + _escape(value, _PARAM_SAFE))
        if self.headers:
            out.append("?")
            items = self.headers.items()
            pairs = (f"{_escape(k, _HEADER_SAFE)}={_escape(v, _HEADER_SAFE)}" for k, v in items)
            out.append("&".join(pairs))
        return "".join(out)

    def __repr__(self) -> str:
        return f"SipUri({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        # RFC 3261 19.1.4 (userinfo case-sensitive, the rest case-insensitive, escapes decoded).
        if not isinstance(other, SipUri):
            return NotImplemented
        if (
            self.scheme != other.scheme
            or self.user != other.user
            or self.password != other.password
            or self.host.lower() != other.host.lower()
            or self.port != other.port
        ):
            return False
        mine, theirs = self.params, other.params
        if any((name in mine) != (name in theirs) for name in _ALWAYS_COMPARED):
            return False
        for name in mine.keys() & theirs.keys():
            if (mine[name] or "").lower() != (theirs[name] or "").lower():
                return False
        return {k.lower(): v for k, v in self.headers.items()} == {
            k.lower(): v for k, v in other.headers.items()
        }

    def __hash__(self) -> int:
        return hash((self.scheme, self.user, self.host.lower(), self.port))

    @property
    def host_port(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"

    @property
    def transport(self) -> str:
        """The ``transport`` parameter lowercased, else "tls" for sips and "udp" for sip (RFC 3263)."""
        value = self.params.get("transport")
        if value:
            return value.lower()
        return "tls" if self.scheme == "sips" else "udp"

    @property
    def lr(self) -> bool:
        """True when the URI has the loose-routing ``lr`` parameter (RFC 3261 19.1.1)."""
        return "lr" in self.params

    @property
    def aor(self) -> str:
        """The address of record: ``scheme:user@host`` without port, parameters or headers."""
        return f"{self.scheme}:{self.user}@{self.host.lower()}" if self.user else f"{self.scheme}:{self.host}"

    def copy(self) -> SipUri:
        return SipUri(
            scheme=self.scheme,
            user=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            params=dict(self.params),
            headers=dict(self.headers),
        )


@dataclass(eq=False, slots=True)
class TelUri:
    """A ``tel:`` URI (RFC 3966): the number as written and its parameters."""

    number: str
    params: Params = field(default_factory=dict)

    @classmethod
    def _parse_rest(cls, rest: str, text: str) -> TelUri:
        number, semi, params_text = rest.partition(";")
        if not number or not all(c in "0123456789+-.()*#abcdefABCDEF" for c in number):
            raise SipParseError(f"Bad telephone number in {text!r}")
        params: Params = {}
        if semi:
            for piece in params_text.split(";"):
                name, eq, value = piece.partition("=")
                if not name:
                    raise SipParseError(f"Empty parameter in {text!r}")
                params[_unescape(name).lower()] = _unescape(value) if eq else None
        return cls(number, params)

    @property
    def digits(self) -> str:
        """The number without visual separators (RFC 3966 5.1.1)."""
        return "".join(c for c in self.number if c not in "-.()")

    def __str__(self) -> str:
        params = "".join(
            f";{k}" if v is None else f";{k}={_escape(v, _PARAM_SAFE)}" for k, v in self.params.items()
        )
        return f"tel:{self.number}{params}"

    def __repr__(self) -> str:
        return f"TelUri({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        # RFC 3966 4: visual separators are ignored, parameters compare case-insensitively.
        if not isinstance(other, TelUri):
            return NotImplemented
        lowered = {k: (v or "").lower() for k, v in self.params.items()}
        return self.digits.lower() == other.digits.lower() and lowered == {
            k: (v or "").lower() for k, v in other.params.items()
        }

    def __hash__(self) -> int:
        return hash(self.digits.lower())


@dataclass(frozen=True, slots=True)
class AbsoluteUri:
    """A URI of any other scheme, kept as text so the core can answer 416 (RFC 3261 8.2.2.1)."""

    scheme: str
    text: str

    def __str__(self) -> str:
        return self.text


Uri: TypeAlias = "SipUri | TelUri | AbsoluteUri"


def parse_uri(text: str) -> Uri:
    """Parse a SIP, SIPS or tel URI; any other well-formed scheme becomes an AbsoluteUri."""
    fast = _FAST_SIP_URI.fullmatch(text)
    if fast is not None:
        uri = _plain_sip_uri(*fast.groups())
        if uri is not None:
            return uri
    return parse_uri_general(text)


def _plain_sip_uri(
    scheme: str, user: str | None, host: str, port: str | None, params: str | None
) -> SipUri | None:
    """The SipUri of a fast-path match's parts; None when the port is out of range (the general parser
    then names the error)."""
    if port is None:
        port_number = None
    else:
        port_number = int(port)
        if port_number > 65535:
            return None
    return SipUri(
        scheme=scheme, user=user, host=host, port=port_number, params=plain_params(params) if params else {}
    )


def parse_uri_general(text: str) -> Uri:
    """Every URI form (``parse_uri`` tries a fast path for the usual SIP ones first)."""
    colon = text.find(":")
    if colon <= 0:
        raise SipParseError(f"URI without scheme: {text!r}")
    if not text.isascii() or not text.isprintable() or not _URI_FORBIDDEN.isdisjoint(text):
        raise SipParseError(f"Invalid characters in URI {text!r}")
    scheme = text[:colon]
    if not scheme[0].isalpha() or not all(c in _SCHEME_CHARS for c in scheme):
        raise SipParseError(f"Bad URI scheme in {text!r}")
    scheme = scheme.lower()
    rest = text[colon + 1 :]
    if not rest:
        raise SipParseError(f"Empty URI {text!r}")
    if scheme in ("sip", "sips"):
        return SipUri._parse_rest(scheme, rest, text)
    if scheme == "tel":
        return TelUri._parse_rest(rest, text)
    return AbsoluteUri(scheme, text)


@dataclass(slots=True, init=False)  # eq: uri, display name and parameters; unhashable
class NameAddr:
    """``"Display" <uri>;tag=x`` (RFC 3261 20.10, 25.1 name-addr / addr-spec with header parameters)."""

    uri: Uri
    display_name: str | None
    params: Params
    """Header parameters (not URI parameters), names lowercase, values as written."""

    def __init__(self, uri: Uri, display_name: str | None = None, params: Params | None = None) -> None:
        # Written out so that mypyc compiles it (see SipUri.__init__).
        self.uri = uri
        self.display_name = display_name
        self.params = {} if params is None else params

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        s = text.strip(" \t")
        fast = _FAST_NAME_ADDR.fullmatch(s)
        if fast is not None:
            quoted, words, scheme, user, host, port, uri_params, params = fast.groups()
            uri = _plain_sip_uri(scheme, user, host, port, uri_params)
            if uri is not None:
                display = quoted if quoted is not None else (" ".join(words.split()) if words else None)
                return cls(uri, display, plain_params(params) if params else {})
        return cls.parse_general(text)

    @classmethod
    def parse_general(cls, text: str) -> NameAddr:
        """Every form RFC 3261 allows (``parse`` tries a fast path for the usual ones first)."""
        s = text.strip(" \t")
        if not s:
            raise SipParseError("Empty address")
        if s[0] == '"':
            display, end = read_quoted(s, 0)
            rest = s[end:].lstrip(_LWS)
            if not rest.startswith("<"):
                raise SipParseError(f"Expected '<' after display name in {text!r}")
            return cls._parse_bracketed(rest, display, text)
        lt = s.find("<")
        semi = s.find(";")
        if lt != -1 and (semi == -1 or lt < semi):
            display_text = s[:lt]
            words = display_text.split()
            bad_space = any(c not in _LWS for c in display_text if c.isspace())
            if bad_space or not all(is_token(w) for w in words):
                raise SipParseError(f"Display name must be tokens or a quoted string in {text!r}")
            return cls._parse_bracketed(s[lt:], " ".join(words) or None, text)
        # addr-spec form: parameters after ';' belong to the header (RFC 3261 20.10).
        uri_text, semi_found, params_text = s.partition(";")
        uri_text = uri_text.rstrip(_LWS)
        if any(c in uri_text for c in " \t,?"):
            raise SipParseError(f"A URI with ',', '?' or ';' must be enclosed in '<>': {text!r}")
        params = parse_params(params_text, where=text) if semi_found else {}
        return cls(parse_uri(uri_text), None, params)

    @classmethod
    def _parse_bracketed(cls, s: str, display: str | None, text: str) -> NameAddr:
        gt = s.find(">")
        if gt == -1:
            raise SipParseError(f"Missing '>' in {text!r}")
        uri_text = s[1:gt]
        rest = s[gt + 1 :].strip(_LWS)
        params: Params = {}
        if rest:
            if rest[0] != ";":
                raise SipParseError(f"Unexpected text after '>' in {text!r}")
            params = parse_params(rest[1:], where=text)
        return cls(parse_uri(uri_text), display, params)

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")

    def with_tag(self, tag: str) -> NameAddr:
        """A copy with ``tag`` set."""
        return NameAddr(self.uri, self.display_name, {**self.params, "tag": tag})

    def without_tag(self) -> NameAddr:
        return NameAddr(self.uri, self.display_name, {k: v for k, v in self.params.items() if k != "tag"})

    def __str__(self) -> str:
        display = f"{quote_string(self.display_name)} " if self.display_name else ""
        return f"{display}<{self.uri}>{format_params(self.params)}"
