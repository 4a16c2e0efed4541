"""SIP digest authentication (RFC 3261 22, RFC 7616 adapted by RFC 8760): parse, nonces, verify, client."""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import re
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import unquote

from cordboard.core.random_tokens import token_bytes, token_hex

# RFC 8760 section 2.1: MD5 (legacy), SHA-256 and SHA-512-256, each with a "-sess" variant.
_HASHES: Final[dict[str, Callable[[bytes], str]]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
    "SHA-512-256": lambda data: hashlib.new("sha512_256", data).hexdigest(),
}
SESS_SUFFIX: Final = "-sess"
SUPPORTED_ALGORITHMS: Final = tuple(name for base in _HASHES for name in (base, base + SESS_SUFFIX))
_CANONICAL_ALGORITHMS: Final = {name.upper(): name for name in SUPPORTED_ALGORITHMS}
# RFC 8760 section 2.4: challenges in order of preference, strongest first.
CHALLENGE_ALGORITHMS: Final = ("SHA-256", "MD5")

_TCHARS: Final = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WS: Final = " \t\r\n"
_FAST_PARAM: Final = r"([-!#$%&'*+.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*(?:\"([^\"\\]*)\"|([^\s,\"]+))"
_FAST_PARAM_RE: Final = re.compile(_FAST_PARAM)
_FAST_DIGEST: Final = re.compile(
    rf"[ \t]*(?i:digest)[ \t]+{_FAST_PARAM}(?:[ \t]*,[ \t]*{_FAST_PARAM})*[ \t]*"
)
"""The usual one-challenge Digest value (quoted values without escapes, no empty list elements);
anything else goes through the general parser, whose result the fast path must equal."""

NonceStatus = Literal["ok", "stale", "invalid"]


class DigestParseError(ValueError):
    """A Digest challenge or credentials header value cannot be parsed; the message says why."""


class UnsupportedDigestAlgorithm(ValueError):
    """The challenge asks for a digest algorithm this module does not implement."""


class AuthResult(enum.Enum):
    """Outcome of checking Digest credentials."""

    OK = "ok"
    STALE = "stale"
    """The response is right but the nonce is expired or not ours: challenge again with stale=true."""
    BAD_CREDENTIALS = "bad_credentials"
    REPLAY = "replay"
    """The nonce-count was already used (RFC 7616 3.4): a replayed request."""
    MALFORMED = "malformed"


# --- parsing (RFC 7235 section 2.1 auth-param grammar, RFC 7616 section 3.3/3.4) ---


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def _read_token(text: str, pos: int) -> tuple[str, int]:
    start = pos
    while pos < len(text) and text[pos] in _TCHARS:
        pos += 1
    return text[start:pos], pos


def _read_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a quoted-string starting at the opening quote (RFC 7230 3.2.6: backslash quotes one char)."""
    out: list[str] = []
    pos += 1
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            if pos + 1 >= len(text):
                break
            out.append(text[pos + 1])
            pos += 2
        elif char == '"':
            return "".join(out), pos + 1
        else:
            out.append(char)
            pos += 1
    raise DigestParseError("unterminated quoted string")


def _read_value(text: str, pos: int) -> tuple[str, int]:
    if pos < len(text) and text[pos] == '"':
        return _read_quoted(text, pos)
    start = pos
    # Tolerant: accept any run up to a separator (unquoted nonces with "/" or "=" exist in the wild).
    while pos < len(text) and text[pos] not in ',"' and text[pos] not in _WS:
        pos += 1
    if pos == start:
        raise DigestParseError(f"missing value at offset {start}")
    return text[start:pos], pos


def _starts_new_challenge(text: str, pos: int) -> bool:
    """At ``pos`` (after a comma), is there ``scheme SP token=`` rather than another auth-param?"""
    token, end = _read_token(text, _skip_ws(text, pos))
    if not token:
        return False
    after = _skip_ws(text, end)
    return after >= len(text) or text[after] != "="


def _parse_params(text: str, pos: int) -> tuple[dict[str, str], int]:
    """Parse ``name=value`` pairs from ``pos`` until the end or the start of the next challenge."""
    params: dict[str, str] = {}
    while True:
        pos = _skip_ws(text, pos)
        while pos < len(text) and text[pos] == ",":  # RFC 7230 7: empty list elements
            pos = _skip_ws(text, pos + 1)
        if pos >= len(text):
            return params, pos
        name, end = _read_token(text, pos)
        if not name:
            raise DigestParseError(f"expected a parameter name at offset {pos}")
        eq = _skip_ws(text, end)
        if eq >= len(text) or text[eq] != "=":
            if params:
                return params, pos  # a new scheme begins here
            raise DigestParseError(f"parameter {name!r} has no value")
        value, pos = _read_value(text, _skip_ws(text, eq + 1))
        key = name.lower()
        if key in params:
            raise DigestParseError(f"duplicate parameter {key!r}")
        params[key] = value
        pos = _skip_ws(text, pos)
        if pos >= len(text):
            return params, pos
        if text[pos] != ",":
            raise DigestParseError(f"expected ',' at offset {pos}")
        if _starts_new_challenge(text, pos + 1):
            return params, pos + 1


def _parse_schemes(value: str) -> list[tuple[str, dict[str, str]]]:
    """Split a header value into (scheme, params) pairs; the scheme keeps its case."""
    if not isinstance(value, str):
        raise DigestParseError("header value must be text")
    found: list[tuple[str, dict[str, str]]] = []
    pos = _skip_ws(value, 0)
    while pos < len(value):
        scheme, end = _read_token(value, pos)
        if not scheme:
            raise DigestParseError(f"expected an auth scheme at offset {pos}")
        if end < len(value) and value[end] not in _WS:
            raise DigestParseError(f"bad auth scheme {value[pos : end + 1]!r}")
        params, pos = _parse_params(value, end)
        found.append((scheme, params))
        pos = _skip_ws(value, pos)
    if not found:
        raise DigestParseError("empty header value")
    return found


def _digest_params(value: str) -> dict[str, str]:
    if isinstance(value, str) and _FAST_DIGEST.fullmatch(value) is not None:
        params: dict[str, str] = {}
        start = value.lower().index("digest") + 6
        for match in _FAST_PARAM_RE.finditer(value, start):
            name, quoted, token = match.groups()
            key = name.lower()
            if key in params:
                break  # a duplicate: the general parser words the error
            params[key] = quoted if quoted is not None else token
        else:
            return params
    return _digest_params_general(value)


def _digest_params_general(value: str) -> dict[str, str]:
    schemes = _parse_schemes(value)
    if len(schemes) != 1:
        raise DigestParseError("expected exactly one challenge or credentials")
    scheme, params = schemes[0]
    if scheme.lower() != "digest":
        raise DigestParseError(f"not a Digest scheme: {scheme!r}")
    return params


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _normalise_algorithm(value: str) -> str:
    # RFC 7616 3.3: algorithm tokens compare case-insensitively; keep the registered spelling.
    upper = value.strip().upper()
    return _CANONICAL_ALGORITHMS.get(upper, upper)


def _parse_nc(value: str) -> str:
    # RFC 7616 3.4: nc is exactly 8 hex digits; tolerate shorter forms but not junk.
    if not value or len(value) > 8 or any(c not in "0123456789abcdefABCDEF" for c in value):
        raise DigestParseError(f"bad nonce-count {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class DigestChallenge:
    """One ``Digest`` challenge from WWW-Authenticate or Proxy-Authenticate (RFC 7616 3.3)."""

    realm: str
    nonce: str
    algorithm: str = "MD5"
    qop: tuple[str, ...] = ()
    """The qop options offered, e.g. ``("auth",)``; empty for RFC 2069-style challenges."""
    opaque: str | None = None
    stale: bool = False
    domain: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    """Parameters this model does not name (lower-cased keys)."""

    @classmethod
    def parse(cls, value: str) -> DigestChallenge:
        return cls._from_params(_digest_params(value))

    @classmethod
    def _from_params(cls, params: dict[str, str]) -> DigestChallenge:
        params = dict(params)
        try:
            realm = params.pop("realm")
            nonce = params.pop("nonce")
        except KeyError as err:
            raise DigestParseError(f"challenge lacks {err.args[0]}") from None
        qop_raw = params.pop("qop", "")
        return cls(
            realm=realm,
            nonce=nonce,
            algorithm=_normalise_algorithm(params.pop("algorithm", "MD5")),
            qop=tuple(q.strip().lower() for q in qop_raw.split(",") if q.strip()),
            opaque=params.pop("opaque", None),
            stale=params.pop("stale", "false").lower() == "true",
            domain=params.pop("domain", None),
            extra=params,
        )

    def __str__(self) -> str:
        parts = [f"realm={_quote(self.realm)}"]
        if self.domain is not None:
            parts.append(f"domain={_quote(self.domain)}")
        parts.append(f"nonce={_quote(self.nonce)}")
        if self.opaque is not None:
            parts.append(f"opaque={_quote(self.opaque)}")
        if self.stale:
            parts.append("stale=true")
        parts.append(f"algorithm={self.algorithm}")
        if self.qop:
            parts.append(f"qop={_quote(','.join(self.qop))}")
        parts.extend(f"{key}={_quote(val)}" for key, val in self.extra.items())
        return "Digest " + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class DigestCredentials:
    """``Digest`` credentials from Authorization or Proxy-Authorization (RFC 7616 3.4)."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str = "MD5"
    cnonce: str | None = None
    opaque: str | None = None
    qop: str | None = None
    nc: str | None = None
    """The nonce-count exactly as sent (8 hex digits); see ``nc_value``."""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def nc_value(self) -> int | None:
        return int(self.nc, 16) if self.nc is not None else None

    @classmethod
    def parse(cls, value: str) -> DigestCredentials:
        params = _digest_params(value)
        if "username*" in params:
            # RFC 7616 3.4.4 / RFC 5987 extended notation: charset'lang'pct-encoded
            if "username" in params:
                raise DigestParseError("both username and username* present")
            try:
                charset, _lang, encoded = params.pop("username*").split("'", 2)
                params["username"] = unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (ValueError, LookupError):
                raise DigestParseError("bad username* value") from None
        try:
            username = params.pop("username")
            realm = params.pop("realm")
            nonce = params.pop("nonce")
            uri = params.pop("uri")
            response = params.pop("response")
        except KeyError as err:
            raise DigestParseError(f"credentials lack {err.args[0]}") from None
        nc = params.pop("nc", None)
        qop = params.pop("qop", None)
        return cls(
            username=username,
            realm=realm,
            nonce=nonce,
            uri=uri,
            response=response,
            algorithm=_normalise_algorithm(params.pop("algorithm", "MD5")),
            cnonce=params.pop("cnonce", None),
            opaque=params.pop("opaque", None),
            qop=qop.strip().lower() if qop is not None else None,
            nc=_parse_nc(nc) if nc is not None else None,
            extra=params,
        )

    def __str__(self) -> str:
        parts = [
            f"username={_quote(self.username)}",
            f"realm={_quote(self.realm)}",
            f"nonce={_quote(self.nonce)}",
            f"uri={_quote(self.uri)}",
            f"response={_quote(self.response)}",
            f"algorithm={self.algorithm}",
        ]
        if self.cnonce is not None:
            parts.append(f"cnonce={_quote(self.cnonce)}")
        if self.opaque is not None:
            parts.append(f"opaque={_quote(self.opaque)}")
        if self.qop is not None:
            parts.append(f"qop={self.qop}")
        if self.nc is not None:
            parts.append(f"nc={self.nc}")
        parts.extend(f"{key}={_quote(val)}" for key, val in self.extra.items())
        return "Digest " + ", ".join(parts)


def parse_challenge(value: str) -> DigestChallenge:
    """Parse one WWW-Authenticate / Proxy-Authenticate value holding a single Digest challenge."""
    return DigestChallenge.parse(value)


def parse_challenges(value: str) -> list[DigestChallenge]:
    """Every Digest challenge in a header value (others, e.g. Basic, are skipped)."""
    return [
        DigestChallenge._from_params(params)
        for scheme, params in _parse_schemes(value)
        if scheme.lower() == "digest"
    ]


def parse_credentials(value: str) -> DigestCredentials:
    """Parse an Authorization / Proxy-Authorization value holding Digest credentials."""
    return DigestCredentials.parse(value)


# --- hashing (RFC 7616 section 3.4.1-3.4.3) ---


def _hasher(algorithm: str) -> Callable[[bytes], str]:
    base = algorithm.removesuffix(SESS_SUFFIX)
    try:
        return _HASHES[base]
    except KeyError:
        raise UnsupportedDigestAlgorithm(f"unsupported digest algorithm {algorithm!r}") from None


def _h(hash_fn: Callable[[bytes], str], text: str) -> str:
    # surrogateescape: values parsed from a message keep undecodable octets as surrogates; hash the
    # octets that were on the wire instead of raising.
    return hash_fn(text.encode("utf-8", "surrogateescape"))


def compute_response(
    *,
    algorithm: str,
    ha1: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None,
    nc: str | None,
    cnonce: str | None,
) -> str:
    """The request-digest from a stored HA1 (``H(username:realm:password)``), per RFC 7616 3.4.1.

    Without qop this is the RFC 2617 / RFC 2069 form ``H(HA1:nonce:HA2)`` kept for old phones.
    """
    hash_fn = _hasher(algorithm)
    if algorithm.endswith(SESS_SUFFIX):
        # RFC 7616 3.4.2: HA1 = H(H(user:realm:pass):nonce:cnonce)
        ha1 = _h(hash_fn, f"{ha1}:{nonce}:{cnonce or ''}")
    ha2 = _h(hash_fn, f"{method}:{uri}")  # RFC 7616 3.4.3, qop=auth
    if qop:
        return _h(hash_fn, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _h(hash_fn, f"{ha1}:{nonce}:{ha2}")


# --- server side: nonces (RFC 7616 3.3 leaves the format to the server; ours is stateless) ---

_NONCE_RAW_LEN: Final = 8 + 8 + 16  # issue time (ms), salt, truncated HMAC-SHA256


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


class NonceManager:
    """Issues HMAC-signed nonces that embed their issue time, and tracks nonce-counts against replay.

    ``now`` is any clock in seconds the caller uses consistently (wall or loop time). Memory for
    nonce-counts is bounded by ``max_tracked``; if more nonces are in use at once, the oldest are
    forgotten and every nonce issued up to then is answered as stale (clients simply retry).
    """

    def __init__(self, secret: bytes, lifetime_s: float = 300, *, max_tracked: int = 10_000) -> None:
        if not secret:
            raise ValueError("nonce secret must not be empty")
        self._secret = secret
        self.lifetime_s = lifetime_s
        self._max_tracked = max_tracked
        # nonce -> (highest nc seen, issue time); insertion order is first use.
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._floor: float | None = None
        """Nonces issued at or before this time are treated as stale (their counts were evicted)."""

    def _sign(self, body: bytes) -> bytes:
        return hmac.digest(self._secret, body, "sha256")[:16]

    def issue(self, now: float) -> str:
        body = struct.pack(">q", int(now * 1000)) + token_bytes(8)
        return _b64(body + self._sign(body))

    def issued_at(self, nonce: str) -> float | None:
        """The issue time of one of our nonces, or None if the nonce is not ours or not intact."""
        raw = _unb64(nonce)
        if raw is None or len(raw) != _NONCE_RAW_LEN:
            return None
        body, tag = raw[:16], raw[16:]
        if not hmac.compare_digest(tag, self._sign(body)):
            return None
        return float(struct.unpack(">q", body[:8])[0]) / 1000

    def check(self, nonce: str, now: float) -> NonceStatus:
        issued = self.issued_at(nonce)
        if issued is None or issued > now + 1.0:  # one second of clock skew at most
            return "invalid"
        if now - issued > self.lifetime_s or (self._floor is not None and issued <= self._floor):
            return "stale"
        return "ok"

    def accept_nc(self, nonce: str, nc: int, now: float) -> bool:
        """Record ``nc`` for ``nonce``; False if it is not higher than every count seen (RFC 7616 3.4)."""
        self._evict(now)
        seen = self._counts.get(nonce)
        if seen is not None:
            if nc <= seen[0]:
                return False
            self._counts[nonce] = (nc, seen[1])
            return True
        issued = self.issued_at(nonce)
        if issued is None:
            return False
        self._counts[nonce] = (nc, issued)
        while len(self._counts) > self._max_tracked:
            _evicted, (_nc, evicted_issued) = self._counts.popitem(last=False)
            self._floor = max(self._floor or evicted_issued, evicted_issued)
        return True

    def _evict(self, now: float) -> None:
        cutoff = now - self.lifetime_s
        while self._counts:
            nonce, (_nc, issued) = next(iter(self._counts.items()))
            if issued >= cutoff:
                break
            del self._counts[nonce]

    @property
    def tracked(self) -> int:
        """How many nonces currently have a nonce-count remembered."""
        return len(self._counts)


def verify(
    credentials: DigestCredentials,
    method: str,
    ha1_by_algorithm: dict[str, str],
    *,
    nonce_manager: NonceManager,
    now: float,
    realm: str,
) -> AuthResult:
    """Check Digest credentials for a request ``method`` against the user's stored HA1 values.

    ``ha1_by_algorithm`` maps a base algorithm ("MD5", "SHA-256") to hex ``H(username:realm:password)``.
    The response is checked before the nonce, so STALE is only answered to someone who knows the
    password (RFC 7616 3.3: stale means "retry without asking the user").
    """
    algorithm = credentials.algorithm
    if algorithm not in SUPPORTED_ALGORITHMS:
        return AuthResult.MALFORMED
    if credentials.qop is not None:
        if credentials.qop != "auth" or credentials.cnonce is None or credentials.nc is None:
            return AuthResult.MALFORMED  # auth-int is never offered (RFC 7616 3.3)
    elif algorithm.endswith(SESS_SUFFIX):
        return AuthResult.MALFORMED  # -sess needs a cnonce, which only comes with qop
    if credentials.realm != realm:
        return AuthResult.BAD_CREDENTIALS
    ha1 = ha1_by_algorithm.get(algorithm.removesuffix(SESS_SUFFIX))
    if not ha1:
        return AuthResult.BAD_CREDENTIALS
    expected = compute_response(
        algorithm=algorithm,
        ha1=ha1.lower(),
        nonce=credentials.nonce,
        method=method,
        uri=credentials.uri,
        qop=credentials.qop,
        nc=credentials.nc,
        cnonce=credentials.cnonce,
    )
    # RFC 7616 5.13 / constant-time compare: never short-circuit on the first differing byte.
    given = credentials.response.lower().encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(expected.encode(), given):
        return AuthResult.BAD_CREDENTIALS
    if nonce_manager.check(credentials.nonce, now) != "ok":
        return AuthResult.STALE
    # Without qop (the RFC 2069 form) there is no nonce-count: such a nonce is good for one request,
    # or a captured REGISTER could be replayed with another Contact for the nonce's whole lifetime.
    nc = credentials.nc_value
    if not nonce_manager.accept_nc(credentials.nonce, 1 if nc is None else nc, now):
        return AuthResult.REPLAY
    return AuthResult.OK


@dataclass(slots=True)
class DigestVerifier:
    """Server-side digest for one realm: issues challenges and verifies credentials."""

    nonce_manager: NonceManager
    realm: str
    algorithms: tuple[str, ...] = CHALLENGE_ALGORITHMS
    """Offered in this order; clients that read only the first challenge (SIPp, old phones) need MD5 first."""

    def challenge_headers(self, now: float, *, stale: bool = False, opaque: str | None = None) -> list[str]:
        return challenge_headers(
            self.realm, self.nonce_manager.issue(now), stale=stale, opaque=opaque, algorithms=self.algorithms
        )

    def verify(
        self, credentials: DigestCredentials, method: str, ha1_by_algorithm: dict[str, str], now: float
    ) -> AuthResult:
        return verify(
            credentials, method, ha1_by_algorithm, nonce_manager=self.nonce_manager, now=now, realm=self.realm
        )


def challenge_headers(
    realm: str,
    nonce: str,
    *,
    stale: bool = False,
    opaque: str | None = None,
    algorithms: Iterable[str] = CHALLENGE_ALGORITHMS,
) -> list[str]:
    """One WWW-Authenticate value per algorithm, SHA-256 first (RFC 8760 2.4), all with qop="auth"."""
    return [
        str(
            DigestChallenge(
                realm=realm, nonce=nonce, algorithm=alg, qop=("auth",), opaque=opaque, stale=stale
            )
        )
        for alg in algorithms
    ]


# --- client side (RFC 3261 22.2, RFC 7616 3.4) ---


def select_challenge(challenges: Iterable[DigestChallenge]) -> DigestChallenge | None:
    """The strongest challenge we can answer (RFC 8760 2.4: use the first supported, best first)."""
    best: DigestChallenge | None = None
    rank = {name: i for i, name in enumerate(("SHA-512-256", "SHA-256", "MD5"))}
    for challenge in challenges:
        base = challenge.algorithm.removesuffix(SESS_SUFFIX)
        if challenge.algorithm not in SUPPORTED_ALGORITHMS:
            continue
        if best is None or rank[base] < rank[best.algorithm.removesuffix(SESS_SUFFIX)]:
            best = challenge
    return best


def authorization_for(
    challenge: DigestChallenge,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    nc: int = 1,
    cnonce: str | None = None,
) -> str:
    """The Authorization / Proxy-Authorization value answering ``challenge``.

    Uses qop=auth when offered, else the RFC 2069 form; raises UnsupportedDigestAlgorithm.
    """
    algorithm = challenge.algorithm
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise UnsupportedDigestAlgorithm(f"unsupported digest algorithm {algorithm!r}")
    hash_fn = _hasher(algorithm)
    ha1 = _h(hash_fn, f"{username}:{challenge.realm}:{password}")
    qop: str | None = None
    nc_text: str | None = None
    if "auth" in challenge.qop:
        qop = "auth"
        nc_text = f"{nc:08x}"
        cnonce = cnonce if cnonce is not None else token_hex(8)
    elif algorithm.endswith(SESS_SUFFIX):
        raise UnsupportedDigestAlgorithm(f"{algorithm} needs qop=auth, which the challenge does not offer")
    else:
        cnonce = None
    response = compute_response(
        algorithm=algorithm,
        ha1=ha1,
        nonce=challenge.nonce,
        method=method,
        uri=uri,
        qop=qop,
        nc=nc_text,
        cnonce=cnonce,
    )
    return str(
        DigestCredentials(
            username=username,
            realm=challenge.realm,
            nonce=challenge.nonce,
            uri=uri,
            response=response,
            algorithm=algorithm,
            cnonce=cnonce,
            opaque=challenge.opaque,
            qop=qop,
            nc=nc_text,
        )
    )
