"""Trunks to SIP providers (BYD-01..03): the stored model, its validation and the outbound routes."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config.validation import e164

KINDS: Final = ("register", "ip")
"""``register``: we REGISTER to the provider with digest credentials; ``ip``: the provider knows
us by address and sends from a fixed list of addresses."""
TRANSPORTS: Final = ("udp", "tcp", "tls")
CALLED_FROM: Final = ("request_uri", "to", "p_called_party_id")
"""Where an inbound INVITE carries the dialled DID (BYD-02)."""
STATES: Final = ("registered", "failed", "unregistered", "up", "down")
"""Registering trunks: the first three; IP trunks: up or down (OPTIONS); a disabled one: unregistered."""
_NAME_RE: Final = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_HOST_RE: Final = re.compile(r"^[A-Za-z0-9.\-:\[\]]{1,255}$")
_PREFIX_RE: Final = re.compile(r"^\+?[0-9]{0,15}$")
DEFAULT_EXPIRES: Final = 600


@dataclass(slots=True)
class Trunk:
    """One provider trunk. The password is never part of what the API returns (``as_dict``)."""

    name: str
    kind: str = "register"
    host: str = ""
    """The registrar / provider host the trunk's requests go to (unless ``outbound_proxy``)."""
    port: int = 5060
    transport: str = "udp"
    username: str = ""
    auth_username: str = ""
    """The digest user name when it differs from the AOR's user part (``username``)."""
    expires: int = DEFAULT_EXPIRES
    addresses: list[str] = field(default_factory=list)
    """IP trunks: the provider's source addresses, ``host`` or ``host:port``."""
    outbound_proxy: str = ""
    """``host[:port]`` every request goes to instead of ``host``."""
    from_domain: str = ""
    """The host part of From (the provider's domain); ``host`` when empty."""
    caller_ids: list[str] = field(default_factory=list)
    """The E.164 numbers the provider accepts as our caller ID (the DID block); empty: any of
    our public numbers."""
    default_caller_id: str = ""
    """Sent when the caller has no public number of their own the trunk accepts."""
    allow_anonymous: bool = True
    called_from: str = "request_uri"
    default_destination: str = ""
    """Where an inbound call to a DID nobody owns goes (a number); empty: 404."""
    country_code: str = ""
    """The country calling code (``45``) for numbers the provider sends in national form."""
    national_prefix: str = ""
    """The trunk prefix of national numbers (``0`` in Germany, none in Denmark)."""
    priority: int = 10
    """Lower first: the order of outbound failover."""
    enabled: bool = True
    options_interval: int = 30
    """Seconds between OPTIONS keep-alives of an IP trunk (0: none, the trunk counts as up)."""
    id: int | None = None

    @property
    def auth_user(self) -> str:
        return self.auth_username or self.username

    @property
    def domain(self) -> str:
        return self.from_domain or self.host

    @property
    def target(self) -> tuple[str, int]:
        """Where this trunk's requests are sent: the outbound proxy, else the provider host."""
        if self.outbound_proxy:
            return split_host_port(self.outbound_proxy, self.port)
        return self.host, self.port

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class OutboundRoute:
    """Numbers starting with ``prefix`` (E.164, ``+`` included), or of the dial plan's number type
    ``number_type`` (Mobile, Premium ...), go out over ``trunks`` in order."""

    prefix: str
    trunks: tuple[str, ...]
    id: int | None = None
    number_type: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prefix": self.prefix,
            "number_type": self.number_type,
            "trunks": list(self.trunks),
        }


def split_host_port(text: str, default_port: int = 5060) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if sep and port.isdigit() and not host.endswith(":"):
        return host.strip("[]"), int(port)
    return text.strip("[]"), default_port


def _name(value: Any) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value):
        raise vol.Invalid("a-z, 0-9, '_' or '-', starting with a letter, at most 32")
    return value


def _host(value: Any) -> str:
    if not isinstance(value, str) or not _HOST_RE.match(value):
        raise vol.Invalid("a host name or IP address")
    return value


def _address(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise vol.Invalid("host or host:port")
    _host(split_host_port(value)[0])
    return value


def _prefix(value: Any) -> str:
    if not isinstance(value, str) or not _PREFIX_RE.match(value):
        raise vol.Invalid("digits, optionally after +, such as +45 or +49")
    return value


def _number(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^\+?[0-9*#]{2,20}$", value):
        raise vol.Invalid("a number, such as 1001 or +4533123456")
    return value


_PORT = vol.All(int, vol.Range(min=1, max=65535), msg="a port from 1 to 65535")
FIELDS: Final[dict[Any, Any]] = {
    vol.Optional("kind"): vol.In(KINDS, msg="register or ip"),
    vol.Optional("host"): vol.Any("", _host),
    vol.Optional("port"): _PORT,
    vol.Optional("transport"): vol.In(TRANSPORTS, msg="udp, tcp or tls"),
    vol.Optional("username"): str,
    vol.Optional("auth_username"): str,
    vol.Optional("password"): str,
    vol.Optional("expires"): vol.All(int, vol.Range(min=60, max=86400), msg="60 to 86400 seconds"),
    vol.Optional("addresses"): [_address],
    vol.Optional("outbound_proxy"): vol.Any("", _address),
    vol.Optional("from_domain"): vol.Any("", _host),
    vol.Optional("caller_ids"): [e164],
    vol.Optional("default_caller_id"): vol.Any("", e164),
    vol.Optional("allow_anonymous"): bool,
    vol.Optional("called_from"): vol.In(CALLED_FROM, msg="request_uri, to or p_called_party_id"),
    vol.Optional("default_destination"): vol.Any("", _number),
    vol.Optional("country_code"): vol.Any("", vol.Match(r"^[1-9][0-9]{0,2}$", msg="such as 45 or 49")),
    vol.Optional("national_prefix"): vol.Any("", vol.Match(r"^[0-9]{1,2}$", msg="such as 0")),
    vol.Optional("priority"): vol.All(int, vol.Range(min=0, max=1000), msg="0 to 1000"),
    vol.Optional("enabled"): bool,
    vol.Optional("options_interval"): vol.All(int, vol.Range(min=0, max=3600), msg="0 to 3600 seconds"),
}
CREATE: Final = vol.Schema({vol.Required("name"): _name, **FIELDS}, extra=vol.PREVENT_EXTRA)
PATCH: Final = vol.Schema(FIELDS, extra=vol.PREVENT_EXTRA)
ROUTE: Final = vol.Schema(
    {
        vol.Optional("prefix", default=""): _prefix,
        vol.Optional("number_type", default=""): vol.All(str, vol.Length(max=64)),
        vol.Required("trunks"): vol.All([_name], vol.Length(min=1)),
    },
    extra=vol.PREVENT_EXTRA,
)


def check_complete(trunk: Trunk) -> dict[str, str]:
    """Fields a trunk of its kind cannot work without, by name (empty when it can)."""
    errors: dict[str, str] = {}
    if not trunk.host:
        errors["host"] = "the provider's host is needed"
    if trunk.kind == "register" and not trunk.username:
        errors["username"] = "a registering trunk needs the user name the provider gave"
    if trunk.kind == "ip" and not trunk.addresses:
        errors["addresses"] = "an IP trunk needs the provider's addresses"
    return errors


def to_e164(number: str, trunk: Trunk) -> str:
    """NUM-09: a number as the provider sent it, in E.164 (``+4589840798``) when it can be told."""
    text = number.strip().replace(" ", "").replace("-", "")
    if text.startswith("+"):
        return text
    if text.startswith("00") and len(text) > 4:
        return "+" + text[2:]
    if not text.isdigit() or not trunk.country_code:
        return text
    if trunk.national_prefix and text.startswith(trunk.national_prefix):
        return f"+{trunk.country_code}{text[len(trunk.national_prefix) :]}"
    if not trunk.national_prefix:
        return f"+{trunk.country_code}{text}"
    return text


__all__ = [
    "CALLED_FROM",
    "CREATE",
    "KINDS",
    "PATCH",
    "ROUTE",
    "OutboundRoute",
    "Trunk",
    "check_complete",
    "split_host_port",
    "to_e164",
]
