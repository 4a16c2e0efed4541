"""The provisioning settings of the organisation (PROV-03, BYD-07/08): auto-add, plug-and-play, NTP
server and the phones' admin password; and what "private network" means for their defaults."""

from __future__ import annotations

import ipaddress
from typing import Any, Final

import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.config.settings import SettingSpec, domain_name

AUTO_ADD: Final = "core.provisioning_auto_add"
PNP: Final = "core.provisioning_pnp"
NTP_SERVER: Final = "core.ntp_server"
PHONE_ADMIN_PASSWORD: Final = "core.phone_admin_password"
SCHEME: Final = "core.provisioning_scheme"
SCHEMES: Final = ("http", "https")
PRIVATE_NETWORK: Final = "private_network"
"""The default of both switches: on when the address concerned is private (RFC 1918, ULA, link-local)."""
CHOICES: Final = (PRIVATE_NETWORK, "on", "off")
DEFAULT_NTP: Final = "pool.ntp.org"


def _ntp_server(value: Any) -> str:
    text = cv.string(value).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return domain_name(text)


def _admin_password(value: Any) -> str:
    text = cv.string(value)
    if not 8 <= len(text) <= 64 or any(not c.isprintable() or c.isspace() for c in text):
        raise vol.Invalid("8 to 64 printable characters without spaces")
    return text


PROVISIONING_SPECS: Final = (
    SettingSpec(
        key=AUTO_ADD,
        validator=vol.In(CHOICES),
        default=PRIVATE_NETWORK,
        description="Whether a phone that is not in the phone list and asks for its configuration is "
        "added as 'not provisioned' (PROV-03): private_network (when it asks from a private address), "
        "on, or off (unknown phones are refused).",
    ),
    SettingSpec(
        key=PNP,
        validator=vol.In(CHOICES),
        default=PRIVATE_NETWORK,
        description="Whether the appliance answers SIP plug-and-play requests of new phones on the LAN "
        "with the provisioning address: private_network (when the appliance's LAN address is private), "
        "on, or off.",
    ),
    SettingSpec(
        key=NTP_SERVER,
        validator=_ntp_server,
        default=DEFAULT_NTP,
        description="Time server the provisioned phones use.",
    ),
    SettingSpec(
        key=PHONE_ADMIN_PASSWORD,
        validator=vol.Any(None, _admin_password),
        default=None,
        description="Password of the provisioned phones' own web interface (empty: the phones keep theirs).",
    ),
    SettingSpec(
        key=SCHEME,
        validator=vol.In(SCHEMES),
        default="http",
        description="Which provisioning URL SIP plug-and-play sends to new phones: http, or https (the "
        "HTTPS port, with the appliance's self-signed certificate; most phones cannot verify it and "
        "refuse the connection unless told to skip the check, so http is the default). Both URLs "
        "always work.",
    ),
)


def is_private(address: str) -> bool:
    """Whether ``address`` is on a private network (RFC 1918, ULA, link-local or loopback)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _PRIVATE_NETWORKS if network.version == ip.version)


_PRIVATE_NETWORKS: Final = tuple(
    ipaddress.ip_network(n)
    for n in (
        *("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8"),
        *("fc00::/7", "fe80::/10", "::1/128"),
    )
)


def switch_on(value: Any, address: str) -> bool:
    """A switch's value (``on``, ``off``, ``private_network``) for ``address``."""
    if value == "on" or value is True:
        return True
    if value == "off" or value is False:
        return False
    return is_private(address)
