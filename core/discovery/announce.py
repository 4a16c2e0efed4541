"""Zeroconf announcements of the appliance (python-zeroconf's async API): the web UI
(``_http._tcp``, TXT ``path=/``), SIP (``_sip._udp``, ``_sip._tcp``) and ``_cordboard._tcp`` with
the version, whether first-run setup is still open and the HTTPS port. Announced on every LAN
interface with all of the appliance's LAN addresses (a client on one LAN uses the address of its
own subnet; python-zeroconf sends the same records on each interface), announced again when the
interfaces or their addresses change, withdrawn (goodbye packets) on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from cordboard.core.bus import Event
from cordboard.core.const import __version__
from cordboard.core.core import EVENT_EXTERNAL_CHANGE
from cordboard.core.discovery.browse import Browser, declared_types, service_type
from cordboard.core.event_loop import cancel_and_wait
from cordboard.core.identity.service import EVENT_USER_CREATED

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

CORDBOARD_TYPE: Final = "_cordboard._tcp.local."
HTTP_TYPE: Final = "_http._tcp.local."
SIP_UDP_TYPE: Final = "_sip._udp.local."
SIP_TCP_TYPE: Final = "_sip._tcp.local."
CLOSE_TIMEOUT: Final = 3.0


@dataclass(frozen=True, slots=True)
class Announcement:
    """What to announce: the instance name, the addresses and the ports."""

    name: str
    addresses: tuple[str, ...]
    http_port: int
    https_port: int | None
    sip_udp_port: int | None
    sip_tcp_port: int | None
    setup_open: bool
    host: str


def instance_name() -> str:
    """``Cordboard <hostname>``: unique on a LAN of appliances with distinct host names."""
    return f"Cordboard {socket.gethostname().split('.')[0]}"[:63]


def service_infos(announcement: Announcement) -> list[ServiceInfo]:
    """The DNS-SD records of one announcement."""
    a = announcement
    server = f"{a.host}.local."
    addresses = [socket.inet_aton(address) for address in a.addresses]

    def info(type_: str, port: int, properties: dict[str, str]) -> ServiceInfo:
        return ServiceInfo(
            type_,
            f"{a.name}.{type_}",
            port=port,
            properties=properties,
            server=server,
            addresses=addresses,
        )

    appliance = {"version": __version__, "setup": "open" if a.setup_open else "done", "path": "/"}
    if a.https_port:
        appliance["https_port"] = str(a.https_port)
    infos = [info(HTTP_TYPE, a.http_port, {"path": "/"}), info(CORDBOARD_TYPE, a.http_port, appliance)]
    if a.sip_udp_port:
        infos.append(info(SIP_UDP_TYPE, a.sip_udp_port, {}))
    if a.sip_tcp_port:
        infos.append(info(SIP_TCP_TYPE, a.sip_tcp_port, {}))
    return infos


class Announcer:
    """Announces the appliance on the LAN interfaces; ``set_addresses`` follows their changes."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._zeroconf: AsyncZeroconf | None = None
        self._lock = asyncio.Lock()
        self.addresses: tuple[str, ...] = ()
        self.infos: list[ServiceInfo] = []
        self._registering: asyncio.Task[None] | None = None
        self._browser: Browser | None = None
        self._extra_types: set[str] = set()
        self._unlisten: Callable[[], None] | None = None
        self._unlisten_external: Callable[[], None] | None = None

    async def _announcement(self, addresses: tuple[str, ...]) -> Announcement:
        core = self._core
        http = core.http
        sip = core.sip
        ports = sip.transports.addresses if sip is not None else {}
        return Announcement(
            name=instance_name(),
            addresses=addresses,
            http_port=(http.port if http is not None and http.port else core.config.http_port),
            https_port=http.https_port if http is not None else None,
            sip_udp_port=ports["udp"][1] if "udp" in ports else None,
            sip_tcp_port=ports["tcp"][1] if "tcp" in ports else None,
            setup_open=await core.identity.needs_setup(),
            host=socket.gethostname().split(".")[0] or "cordboard",
        )

    async def start(self, addresses: list[str]) -> None:
        async with self._lock:
            await self._start(tuple(addresses))
        if self._unlisten is None:
            # The first administrator (setup done, the CLI included) changes _cordboard's TXT setup.
            self._unlisten = self._core.bus.listen(EVENT_USER_CREATED, self._users_changed)
            self._unlisten_external = self._core.bus.listen(EVENT_EXTERNAL_CHANGE, self._users_changed)

    async def _users_changed(self, event: Event[Any]) -> None:
        async with self._lock:
            zeroconf = self._zeroconf
            if zeroconf is None or not self.addresses or not self._setup_open():
                return
            if await self._core.identity.needs_setup():
                return
            infos = service_infos(await self._announcement(self.addresses))
            for old, new in zip(self.infos, infos, strict=True):
                if old.type == CORDBOARD_TYPE:
                    new.name = old.name  # a name changed by a conflict stays
                    await zeroconf.async_update_service(new)
            self.infos = infos
            _LOGGER.info("Zeroconf: setup is done; the announcement says so")

    def _setup_open(self) -> bool:
        return any(i.type == CORDBOARD_TYPE and i.properties.get(b"setup") == b"open" for i in self.infos)

    async def _start(self, addresses: tuple[str, ...]) -> None:
        self.addresses = addresses
        if not addresses:
            _LOGGER.warning("Zeroconf: no LAN interface to announce on")
            return
        try:
            zeroconf = AsyncZeroconf(interfaces=list(addresses), ip_version=IPVersion.V4Only)
        except OSError as err:
            _LOGGER.warning("Zeroconf cannot announce on %s: %s", ", ".join(addresses), err)
            return
        self._zeroconf = zeroconf
        self.infos = service_infos(await self._announcement(addresses))
        # Probing takes about a second per name: register in the background, all at once.
        self._registering = self._core.create_task(self._register(zeroconf, self.infos), "zeroconf announce")
        self._browser = Browser(self._core, zeroconf, declared_types(self._core) | self._extra_types)
        self._browser.start()

    async def _register(self, zeroconf: AsyncZeroconf, infos: list[ServiceInfo]) -> None:
        results = await asyncio.gather(
            *(zeroconf.async_register_service(info, allow_name_change=True) for info in infos),
            return_exceptions=True,
        )
        for info, result in zip(infos, results, strict=True):
            if isinstance(result, Exception):
                _LOGGER.warning("Zeroconf: cannot announce %s: %s", info.name, result)
        _LOGGER.info(
            "Zeroconf: announcing %s on %s", ", ".join(i.type for i in infos), ", ".join(self.addresses)
        )

    async def stop(self) -> None:
        for unlisten in (self._unlisten, self._unlisten_external):
            if unlisten is not None:
                unlisten()
        self._unlisten = self._unlisten_external = None
        async with self._lock:
            await self._stop()

    async def _stop(self) -> None:
        zeroconf, self._zeroconf = self._zeroconf, None
        if zeroconf is None:
            return
        if self._browser is not None:
            await self._browser.stop()
            self._browser = None
        if self._registering is not None and not self._registering.done():
            await cancel_and_wait(self._registering)
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await zeroconf.async_unregister_all_services()
        except (TimeoutError, OSError) as err:
            _LOGGER.info("Zeroconf: goodbye not sent completely: %s", err)
        await zeroconf.async_close()

    async def browse(self, type_: str) -> None:
        """Browse for ``type_`` too (besides the types of the plugins' manifests), from now on."""
        found = service_type(type_)
        if found is None:
            raise ValueError(f"not a zeroconf service type: {type_!r}")
        async with self._lock:
            if found in self._extra_types:
                return
            self._extra_types.add(found)
            if self._zeroconf is not None:
                if self._browser is not None:
                    await self._browser.stop()
                self._browser = Browser(
                    self._core, self._zeroconf, declared_types(self._core) | self._extra_types
                )
                self._browser.start()

    def set_addresses(self, addresses: list[str]) -> None:
        """The LAN interfaces or their addresses changed: withdraw and announce again on them."""
        self._core.create_task(self._move(tuple(addresses)), "zeroconf re-announce")

    async def _move(self, addresses: tuple[str, ...]) -> None:
        async with self._lock:
            if addresses == self.addresses and self._zeroconf is not None:
                return
            await self._stop()
            await self._start(addresses)
