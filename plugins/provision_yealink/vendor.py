"""The Yealink ``ProvisioningVendor``: which requests are a Yealink's, and its files.

Per-phone files name the MAC (``<mac>.cfg``, ``<mac>-phonebook.xml``); the model's common file
``y0000000000<code>.cfg`` does not, so its MAC is the one in the User-Agent
(``Yealink SIP-T46U 108.86.0.20 24:9a:d8:..``), and without one the request is refused.
"""

from __future__ import annotations

import re
from typing import Final, final

from cordboard.core.provisioning.vendor import PhoneConfig, RenderedFile
from cordboard.plugins.provision_common import mac_in_user_agent, normalise_mac, path_mac_allowed
from cordboard.plugins.provision_yealink.const import (
    CFG_CONTENT_TYPE,
    MAC_PREFIXES,
    VENDOR,
    XML_CONTENT_TYPE,
)
from cordboard.plugins.provision_yealink.render import (
    common_file_name,
    config_file_name,
    phone_book_file_name,
    render_common,
    render_phone,
    render_phone_book,
)

_PHONE_PATH: Final = re.compile(r"(?P<mac>[0-9A-Fa-f]{12})\.cfg")
_PHONE_BOOK_PATH: Final = re.compile(r"(?P<mac>[0-9A-Fa-f]{12})-phonebook\.xml")
_COMMON_PATH: Final = re.compile(r"y[0-9]{12}\.cfg")
_USER_AGENT: Final = re.compile(r"\byealink\b", re.IGNORECASE)


@final
class YealinkVendor:
    """Yealink desk phones (``key = value`` .cfg files)."""

    @property
    def vendor(self) -> str:
        return VENDOR

    @property
    def mac_prefixes(self) -> tuple[str, ...]:
        return MAC_PREFIXES

    def matches_user_agent(self, user_agent: str) -> bool:
        return bool(_USER_AGENT.search(user_agent))

    def mac_from_path(self, path: str, user_agent: str) -> str | None:
        matches_ua = self.matches_user_agent(user_agent)
        if _COMMON_PATH.fullmatch(path):
            mac = mac_in_user_agent(user_agent) if matches_ua else None
        else:
            match = _PHONE_PATH.fullmatch(path) or _PHONE_BOOK_PATH.fullmatch(path)
            mac = normalise_mac(match["mac"]) if match is not None else None
        if mac is None or not path_mac_allowed(
            mac, user_agent, prefixes=MAC_PREFIXES, user_agent_matches=matches_ua
        ):
            return None
        return mac

    def files(self, config: PhoneConfig) -> list[str]:
        return [
            common_file_name(config.model),
            config_file_name(config.mac),
            phone_book_file_name(config.mac),
        ]

    def render(self, path: str, config: PhoneConfig) -> RenderedFile | None:
        if _COMMON_PATH.fullmatch(path):
            return RenderedFile(render_common(config), CFG_CONTENT_TYPE)
        phone = _PHONE_PATH.fullmatch(path)
        if phone is not None and normalise_mac(phone["mac"]) == config.mac:
            return RenderedFile(render_phone(config), CFG_CONTENT_TYPE)
        book = _PHONE_BOOK_PATH.fullmatch(path)
        if book is not None and normalise_mac(book["mac"]) == config.mac:
            return RenderedFile(render_phone_book(config), XML_CONTENT_TYPE)
        return None
