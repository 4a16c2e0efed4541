"""Browsing the LAN for the zeroconf service types plugins declare (their manifest's ``zeroconf``
list, as in Home Assistant), and handing what is found to the ``cordboard_zeroconf_discovered``
hook; a plugin that recognises a desk phone returns a ``DiscoveredPhone`` and the phone joins the
device list with source "zeroconf"."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from zeroconf import ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)
RESOLVE_TIMEOUT_MS: Final = 3000
MAX_PENDING: Final = 64


@dataclass(frozen=True, slots=True)
class ZeroconfService:
    """A service found on the LAN: its type (``_x._tcp.local.``), instance name, addresses, port, TXT."""

    type: str
    name: str
    addresses: tuple[str, ...]
    port: int | None
    properties: dict[str, str] = field(default_factory=dict)
    server: str = ""


@dataclass(frozen=True, slots=True)
class DiscoveredPhone:
    """What a plugin makes of a service: a desk phone for the device list."""

    mac: str
    vendor: str = ""
    model: str = ""
    ip: str = ""
    firmware: str = ""


def service_type(entry: Any) -> str | None:
    """A manifest ``zeroconf`` entry (``"_x._tcp.local."`` or ``{"type": ...}``) as a full type."""
    value = entry.get("type") if isinstance(entry, dict) else entry
    if not isinstance(value, str) or not value.startswith("_") or "._" not in value:
        return None
    value = value.rstrip(".")
    if not value.endswith(".local"):
        value += ".local"
    return value + "."


def declared_types(core: Core) -> set[str]:
    """The service types the loaded plugins' manifests declare."""
    plugins = getattr(core, "plugins", None)
    types: set[str] = set()
    if plugins is None:
        return types
    for record in plugins.all():
        if plugins.loaded(record.domain):
            for entry in record.info.manifest.get("zeroconf", []):
                if (found := service_type(entry)) is not None:
                    types.add(found)
    return types


def _text(value: bytes | None) -> str:
    return "" if value is None else value.decode("utf-8", "replace")[:255]


class Browser:
    """One AsyncServiceBrowser over the types wanted, on the announcer's zeroconf instance."""

    def __init__(self, core: Core, zeroconf: AsyncZeroconf, types: Iterable[str]) -> None:
        self._core = core
        self._zeroconf = zeroconf
        self.types = sorted(set(types))
        self._browser: AsyncServiceBrowser | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        if not self.types:
            return
        self._browser = AsyncServiceBrowser(self._zeroconf.zeroconf, self.types, handlers=[self._on_change])
        _LOGGER.info("Zeroconf: browsing for %s", ", ".join(self.types))

    async def stop(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._browser is not None:
            await self._browser.async_cancel()
            self._browser = None

    def _on_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Removed or len(self._pending) >= MAX_PENDING:
            return
        task = self._core.create_task(self._resolve(service_type, name), f"zeroconf resolve {name}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _resolve(self, type_: str, name: str) -> None:
        info = AsyncServiceInfo(type_, name)
        if not await info.async_request(self._zeroconf.zeroconf, RESOLVE_TIMEOUT_MS):
            return
        service = ZeroconfService(
            type=type_,
            name=name,
            addresses=tuple(info.parsed_addresses()),
            port=info.port,
            properties={_text(k): _text(v) for k, v in info.properties.items()},
            server=info.server or "",
        )
        await handle_service(self._core, service)


async def handle_service(core: Core, service: ZeroconfService) -> None:
    """Ask the plugins about a service; put the phones they recognise in the device list."""
    plugins = getattr(core, "plugins", None)
    if plugins is None:
        return
    try:
        answers = plugins.pm.hook.cordboard_zeroconf_discovered(core=core, service=service)
    except Exception:
        _LOGGER.exception("A plugin failed on the zeroconf service %s", service.name)
        return
    provisioning = core.provisioning
    for phone in answers:
        if isinstance(phone, DiscoveredPhone) and provisioning is not None:
            ip = phone.ip or (service.addresses[0] if service.addresses else "")
            await provisioning.record_discovered(
                phone.mac,
                ip=ip,
                vendor=phone.vendor,
                model=phone.model,
                firmware=phone.firmware,
                source="zeroconf",
            )
