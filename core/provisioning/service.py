"""ProvisioningService: the device list, the ticket, per-MAC configuration through the vendor
plugins, SIP plug-and-play answers, and the phones' ``phone.<mac>`` states and ``device.*`` events.

The ticket is a random secret in every provisioning URL (``/provision/<ticket>/<path>``); renewing
it refuses every old URL at once (PROV-04). A fetch names a file; a vendor plugin says which MAC
the file belongs to, the device list says whether that phone is known (PROV-03: unknown phones are
added as "not provisioned" when auto-add is on, refused otherwise), and the phone's vendor renders
the file from a ``PhoneConfig``. Credentials go only into the file of the MAC whose assigned user
they belong to. Every fetch is logged with address, MAC, path and result, and the last result is
kept on the device.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

from cryptography.fernet import Fernet

from cordboard.core.bus import Event, EventType
from cordboard.core.config.settings import EVENT_SETTINGS_CHANGED
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.service import EVENT_USER_DELETED
from cordboard.core.keys import DataKey
from cordboard.core.provisioning import devices as db_devices
from cordboard.core.provisioning import key_templates, seats
from cordboard.core.provisioning import secrets as sip_secrets
from cordboard.core.provisioning import settings as prov_settings
from cordboard.core.provisioning.devices import Device
from cordboard.core.provisioning.firmware import FirmwareUrls
from cordboard.core.provisioning.hot_desk import HotDesk
from cordboard.core.provisioning.open_extension import OpenExtension, unknown
from cordboard.core.provisioning.pnp import PORT as PNP_PORT
from cordboard.core.provisioning.vendor import (
    DirectoryEntry,
    FunctionKey,
    LineAccount,
    PhoneConfig,
    ProvisioningVendor,
)
from cordboard.core.storage.store import Store

if TYPE_CHECKING:
    from cordboard.core.core import Core
    from cordboard.core.provisioning.pnp import PnpListener, PnpRequest
    from cordboard.core.sip.location import Binding

_LOGGER = logging.getLogger(__name__)

TICKET_STORE: Final = "core.provisioning.ticket"
TICKET_BYTES: Final = 24
PROVISION_PREFIX: Final = "/provision/"
MAX_PATH: Final = 200
_SEGMENT: Final = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")
FERNET_KEY: Final = DataKey[Fernet]("core.provisioning.fernet")
STATE_DOMAIN: Final = "phone"

EVENT_DEVICE_ADDED: Final = EventType[dict[str, Any]]("device.added")
"""A phone joined the device list: ``mac``, ``source``."""
EVENT_DEVICE_UPDATED: Final = EventType[dict[str, Any]]("device.updated")
"""Description, model or assigned user changed: ``mac``, ``user_id``."""
EVENT_DEVICE_REMOVED: Final = EventType[dict[str, Any]]("device.removed")
EVENT_DEVICE_PROVISIONED: Final = EventType[dict[str, Any]]("device.provisioned")
"""A phone fetched a configuration file: ``mac``, ``path``, ``user_id`` (None: base settings only)."""
EVENT_DEVICE_DISCOVERED: Final = EventType[dict[str, Any]]("device.discovered")
"""A phone asked by SIP plug-and-play: ``mac``, ``vendor``, ``model``, ``firmware``, ``ip``."""
EVENT_TICKET_RENEWED: Final = EventType[dict[str, Any]]("provisioning.ticket_renewed")


class PathRefused(Exception):
    """The provisioning path is malformed (400)."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What the provisioning route answers: ``status`` 200 with a body, or a refusal."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    result: str = ""


@dataclass(frozen=True, slots=True)
class AssignResult:
    device: Device
    generated_password: bool
    """A new SIP password was generated for the user (their hand-configured phones need it)."""


def check_path(path: str) -> str:
    """A provisioning file path: segments of letters, digits, ``._-`` (no dot segments, no
    backslashes, nothing encoded); PathRefused otherwise."""
    if not path or len(path) > MAX_PATH or path.startswith("/") or path.endswith("/"):
        raise PathRefused("empty, absolute or overlong path")
    for segment in path.split("/"):
        if not _SEGMENT.match(segment) or segment.strip(".") == "":
            raise PathRefused(f"bad path segment {segment[:40]!r}")
    return path


def _mac_in(text: str, mac: str) -> bool:
    return mac in re.sub(r"[:\-.]", "", text.lower())


class ProvisioningService:
    """Owns devices, the ticket and plug-and-play; the HTTP routes call into it."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._ticket: str = ""
        self._store: Store[dict[str, Any]] = Store(core.db, TICKET_STORE, 1)
        self.pnp: PnpListener | None = None
        self.address: str | None = None
        """The LAN address phones reach the appliance at (None: no LAN, discovery off)."""
        self._unlisten: list[Callable[[], None]] = []
        self.hot_desk = HotDesk(core, self)
        self.open_extension = OpenExtension()
        self._pnp_lock = asyncio.Lock()
        self._pnp_port = PNP_PORT
        self.firmware = FirmwareUrls(core.db)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        await self._core.db.call(db_devices.ensure_schema)
        stored = await self._store.load()
        if stored and isinstance(stored.get("ticket"), str) and stored["ticket"]:
            self._ticket = stored["ticket"]
        else:
            await self._save_ticket(secrets.token_urlsafe(TICKET_BYTES))
        for device in await self.list_devices():
            self._publish(device)
        # A deleted user's phones lose their user (ON DELETE SET NULL): their states follow.
        self._unlisten = [
            self._core.bus.listen(EVENT_USER_DELETED, self._user_deleted),
            self._core.bus.listen(EVENT_SETTINGS_CHANGED, self._settings_changed),
        ]

    async def _user_deleted(self, event: Event[Any]) -> None:
        for device in await self.list_devices():
            self._publish(device)

    def _settings_changed(self, event: Event[Any]) -> None:
        """The plug-and-play switch takes effect at once (on the LAN address already known)."""
        if prov_settings.PNP in event.data.get("keys", ()) and self.address is not None:
            self.set_address(self.address)

    async def stop(self) -> None:
        for unlisten in self._unlisten:
            unlisten()
        self._unlisten = []
        if self.pnp is not None:
            self.pnp.close()
            self.pnp = None

    async def start_pnp(self, address: str, *, port: int | None = None) -> None:
        """Listen for plug-and-play on the LAN interface ``address`` when the switch allows it
        (again: a listener already running is closed first)."""
        from cordboard.core.provisioning.pnp import PnpListener

        async with self._pnp_lock:
            self.address = address
            self._pnp_port = port or self._pnp_port
            if self.pnp is not None:
                self.pnp.close()
                self.pnp = None
            value = await self._core.settings.org_value(prov_settings.PNP)
            if not prov_settings.switch_on(value, address):
                _LOGGER.info(
                    "SIP plug-and-play is off (%s = %s, LAN address %s)", prov_settings.PNP, value, address
                )
                return
            listener = PnpListener(address, self._on_pnp, port=self._pnp_port)
            try:
                await listener.start()
            except OSError as err:
                _LOGGER.warning("SIP plug-and-play cannot listen on %s: %s", address, err)
                return
            self.pnp = listener

    def set_address(self, address: str) -> None:
        """The LAN address changed (or the switch did): plug-and-play starts again on ``address``."""
        self._core.create_task(self.start_pnp(address), "plug-and-play restart")

    # -- ticket -------------------------------------------------------------------------------
    async def _save_ticket(self, ticket: str) -> None:
        await self._store.save({"ticket": ticket, "created": time.time()})
        self._ticket = ticket

    def ticket_valid(self, ticket: str) -> bool:
        return bool(self._ticket) and hmac.compare_digest(ticket.encode(), self._ticket.encode())

    async def renew_ticket(self) -> None:
        """A new secret; every URL with the old one is refused from now on (PROV-04)."""
        await self._save_ticket(secrets.token_urlsafe(TICKET_BYTES))
        _LOGGER.warning("Provisioning ticket renewed: phones must be pointed at the new URL")
        self._core.bus.fire(EVENT_TICKET_RENEWED, {})

    def base_url(self, host: str | None = None, port: int | None = None, *, scheme: str = "http") -> str:
        """``http://host:port/provision/<ticket>/`` (host: the LAN address unless given); with
        ``scheme="https"`` the port defaults to the HTTPS one."""
        host = host or self.address or self._core.config.http_bind
        if port is None:
            port = (self._https_port() or 0) if scheme == "https" else self._http_port()
        shown = f"[{host}]" if ":" in host else host
        return f"{scheme}://{shown}:{port}{PROVISION_PREFIX}{self._ticket}/"

    def _http_port(self) -> int:
        http = self._core.http
        return http.port if http is not None and http.port else self._core.config.http_port

    def _https_port(self) -> int | None:
        http = self._core.http
        return http.https_port if http is not None else (self._core.config.https_port or None)

    def https_base_url(self, host: str | None = None) -> str | None:
        """The provisioning URL over HTTPS (BYD-08); None while HTTPS is off."""
        return self.base_url(host, scheme="https") if self._https_port() else None

    async def pnp_base_url(self) -> str:
        """The URL plug-and-play sends: HTTPS when the scheme setting asks for it and HTTPS is on."""
        if await self._core.settings.org_value(prov_settings.SCHEME) == "https":
            url = self.https_base_url()
            if url is not None:
                return url
            _LOGGER.warning("Provisioning over HTTPS is chosen but HTTPS is off: plug-and-play sends HTTP")
        return self.base_url()

    # -- vendors ------------------------------------------------------------------------------
    def vendors(self) -> list[ProvisioningVendor]:
        plugins = getattr(self._core, "plugins", None)
        if plugins is None:
            return []
        return [v for v in plugins.pm.hook.cordboard_provisioning_vendor() if v is not None]

    def vendor_for(self, mac: str, hint: str) -> ProvisioningVendor | None:
        """The vendor of a phone: by User-Agent or plug-and-play vendor/model text, else by MAC prefix."""
        vendors = self.vendors()
        if hint:
            for vendor in vendors:
                if vendor.matches_user_agent(hint):
                    return vendor
        return next((v for v in vendors if mac[:6] in v.mac_prefixes), None)

    # -- devices ------------------------------------------------------------------------------
    async def list_devices(self) -> list[Device]:
        return await self._core.db.call(db_devices.list_devices)

    async def get_device(self, mac: str) -> Device:
        return await self._core.db.call(lambda db: db_devices.get_device(db, mac))

    async def add_device(self, *, source: str, **fields: Any) -> Device:
        user_id = fields.pop("user_id", None)
        device = await self._core.db.call(lambda db: db_devices.add_device(db, source=source, **fields))
        self._core.bus.fire(EVENT_DEVICE_ADDED, {"mac": device.mac, "source": source})
        self._publish(device)
        if user_id is not None:
            device = (await self.update_device(device.mac, {"user_id": user_id})).device
        return device

    async def update_device(self, mac: str, changes: dict[str, Any]) -> AssignResult:
        """Change a phone; assigning a user without a retrievable SIP password gives them a new one."""
        generated = False
        user_id = changes.get("user_id")
        if user_id is not None:
            await self._core.identity.get_user(user_id)  # NotFound before anything changes
            generated = await self._ensure_password(user_id)
        device = await self._core.db.call(lambda db: db_devices.update_device(db, mac, changes))
        self._core.bus.fire(EVENT_DEVICE_UPDATED, {"mac": mac, "user_id": device.user_id})
        self._publish(device)
        return AssignResult(device, generated)

    async def delete_device(self, mac: str) -> None:
        await self._core.db.call(lambda db: db_devices.delete_device(db, mac))
        self._core.states.remove(f"{STATE_DOMAIN}.{mac}")
        self._core.bus.fire(EVENT_DEVICE_REMOVED, {"mac": mac})

    async def import_csv(self, text: str) -> tuple[int, int]:
        rows = db_devices.parse_csv(text)
        added, updated = await self._core.db.call(lambda db: db_devices.import_rows(db, rows))
        for device in await self.list_devices():
            self._publish(device)
        return added, updated

    def _publish(self, device: Device) -> None:
        self._core.states.set(
            f"{STATE_DOMAIN}.{device.mac}",
            device.state,
            {
                "mac": device.mac,
                "vendor": device.vendor,
                "model": device.model,
                "user_id": device.user_id,
                "ip": device.last_ip,
                "source": device.source,
            },
        )

    # -- SIP passwords ------------------------------------------------------------------------
    async def fernet(self) -> Fernet:
        key = self._core.data.get(FERNET_KEY)
        if key is None:
            key = await self._core.run_in_executor(sip_secrets.load_key, self._core.data_dir)
            self._core.data[FERNET_KEY] = key
        return key

    async def remember_password(self, user_id: int, password: str) -> None:
        fernet = await self.fernet()
        await self._core.db.call(lambda db: sip_secrets.remember(db, fernet, user_id, password))

    async def sip_password(self, user_id: int) -> str | None:
        fernet = await self.fernet()
        return await self._core.db.call(lambda db: sip_secrets.retrieve(db, fernet, user_id))

    async def _ensure_password(self, user_id: int) -> bool:
        """Give the user a new SIP password unless theirs is retrievable; True when one was made."""
        if await self.sip_password(user_id) is not None:
            return False
        # Set through the identity so that HA1 follows; it tells us the password to keep.
        await self._core.identity.set_sip_password(user_id, sip_secrets.generate_password())
        _LOGGER.info("Generated a new SIP password for user %d for a provisioned phone", user_id)
        return True

    # -- registration and resync --------------------------------------------------------------
    def bindings_of(self, device: Device) -> list[Binding]:
        """The assigned user's registrations that come from this phone (its address or its MAC)."""
        sip = self._core.sip
        if sip is None:
            return []
        # A free-seat phone may still be registered with its own seat account (PROV-09).
        seat = sip.accounts.by_username(seats.username_for(device.mac)) if device.free_seat else None
        own = sip.location.bindings(seat.user_id, time.time()) if seat is not None else []
        if device.user_id is None:
            return own
        return [
            b
            for b in sip.location.bindings(device.user_id, time.time())
            if (device.last_ip and b.source_host == device.last_ip)
            or _mac_in(b.instance_id, device.mac)
            or _mac_in(b.contact, device.mac)
            or _mac_in(b.user_agent, device.mac)
        ] + own

    def registration(self, device: Device) -> dict[str, Any]:
        from cordboard.core.sip.service import device_id

        bindings = self.bindings_of(device)
        if not bindings:
            return {"registered": False}
        binding = bindings[0]
        return {
            "registered": True,
            "entity_id": f"device.{device_id(binding)}",
            "contact": binding.contact,
            "user_agent": binding.user_agent,
            "since": binding.registered_at,
        }

    def resync(self, device: Device, *, reboot: bool = False) -> list[str]:
        """Send ``NOTIFY Event: check-sync`` to the phone's registered contacts; the contacts reached."""
        from cordboard.core.random_tokens import token_hex
        from cordboard.core.sip import headers as h
        from cordboard.core.sip.headers import CSeq, Headers
        from cordboard.core.sip.message import SipRequest
        from cordboard.core.sip.peer import Peer
        from cordboard.core.sip.transaction import new_branch
        from cordboard.core.sip.uri import parse_uri

        sip = self._core.sip
        if sip is None:
            return []
        sent = []
        peers: set[Peer] = set()
        for binding in self.bindings_of(device):
            peer = Peer(binding.transport, binding.source_host, binding.source_port)
            if peer in peers:  # one phone registered with two accounts (a free seat's and a user's)
                continue
            peers.add(peer)
            headers = Headers()
            headers.add(h.VIA, sip.via_for(peer.transport, new_branch()))
            headers.add(h.MAX_FORWARDS, "70")
            headers.add(h.FROM, f"<sip:cordboard@{sip.advertise}>;tag={token_hex(6)}")
            headers.add(h.TO, f"<{binding.contact}>")
            headers.add(h.CALL_ID, f"{token_hex(12)}@cordboard")
            headers.add(h.CSEQ, str(CSeq(1, "NOTIFY")))
            headers.add(h.CONTACT, sip.contact_for(peer.transport))
            headers.add(h.EVENT, f"check-sync;reboot={'true' if reboot else 'false'}")
            headers.add(h.SUBSCRIPTION_STATE, "terminated")
            sip.send_request(SipRequest("NOTIFY", parse_uri(binding.contact), headers), peer)
            sent.append(binding.contact)
        _LOGGER.info("Resync of phone %s: NOTIFY check-sync sent to %d contact(s)", device.mac, len(sent))
        return sent

    async def resync_users(self, user_ids: list[int]) -> list[str]:
        """Resync the registered phones of these users (after their keys changed); the MACs reached."""
        wanted = set(user_ids)
        reached = []
        for device in await self.list_devices():
            if device.user_id in wanted and self.resync(device):
                reached.append(device.mac)
        return reached

    # -- configuration ------------------------------------------------------------------------
    async def phone_config(self, mac: str, model: str, user_id: int | None, base_url: str) -> PhoneConfig:
        """The configuration of one phone; accounts only when a user with a retrievable password
        is assigned."""
        core = self._core
        settings = core.settings
        accounts: tuple[LineAccount, ...] = ()
        keys: tuple[FunctionKey, ...] = ()
        timezone = await settings.org_value("core.timezone")
        language = await settings.org_value("core.language")
        if user_id is not None:
            with contextlib.suppress(NotFound):
                timezone = await settings.resolve(user_id, "core.timezone")
                language = await settings.resolve(user_id, "core.language")
            account = await self._account(user_id)
            if account is not None:
                accounts = (account,)
                line = FunctionKey(1, "line", "1", account.extension or account.username)
                owner: int = user_id
                others = await core.db.call(lambda db: key_templates.effective_keys(db, owner))
                keys = (line, *others)
        if not accounts and mac != "000000000000":
            seat = await self.hot_desk.seat_account(mac)  # a free seat: its own account (PROV-09)
            accounts = (seat,) if seat is not None else ()
        directory = tuple(
            DirectoryEntry(user.full_name, user.extension)
            for user in sorted(await core.identity.list_users(), key=lambda u: u.full_name.lower())
            if user.extension and not user.locked
        ) + self._plugin_directory(user_id)
        return PhoneConfig(
            mac=mac,
            model=model,
            accounts=accounts,
            base_url=base_url,
            timezone=str(timezone or "UTC"),
            language=str(language or "en"),
            country=str(await settings.org_value("core.country") or ""),
            ntp_server=str(await settings.org_value(prov_settings.NTP_SERVER) or prov_settings.DEFAULT_NTP),
            keys=keys,
            directory=directory,
            admin_password=await settings.org_value(prov_settings.PHONE_ADMIN_PASSWORD),
            pickup_prefix=self._pickup_prefix(),
        )

    def _pickup_prefix(self) -> str | None:
        features = getattr(self._core, "features", None)
        if features is None:
            return None
        with contextlib.suppress(NotFound):
            return f"*{features.get('pickup_directed').digits}*"
        return None

    def _plugin_directory(self, user_id: int | None) -> tuple[DirectoryEntry, ...]:
        """The phone book entries the plugins add (the directory's contacts, BYD-29)."""
        plugins = getattr(self._core, "plugins", None)
        if plugins is None:
            return ()
        try:
            answers = plugins.pm.hook.cordboard_phone_directory(core=self._core, user_id=user_id)
        except Exception:
            _LOGGER.exception("A plugin failed listing its phone book entries")
            return ()
        return tuple(entry for answer in answers for entry in (answer or ()))

    async def _account(self, user_id: int) -> LineAccount | None:
        core = self._core
        user = await core.identity.get_user(user_id)
        if user.locked:
            return None
        password = await self.sip_password(user_id)
        if password is None:
            _LOGGER.warning(
                "User %s has no retrievable SIP password: their phone gets no account until one is set "
                "(set the SIP password again, or assign the phone again to generate one)",
                user.username,
            )
            return None
        registrar, port = self.registrar()
        return LineAccount(
            line=1,
            username=user.username,
            password=password,
            display_name=user.full_name,
            extension=user.extension,
            registrar=registrar,
            port=port,
            transport="udp",
        )

    def registrar(self) -> tuple[str, int]:
        """(host, UDP port) phones register at."""
        core = self._core
        sip = core.sip
        registrar = sip.advertise if sip is not None else (self.address or core.config.sip_bind)
        port = (
            sip.transports.addresses["udp"][1] if sip is not None and "udp" in sip.transports.addresses else 0
        )
        return registrar, int(port or core.config.sip_port)

    # -- fetches ------------------------------------------------------------------------------
    async def fetch(
        self,
        ticket: str,
        path: str,
        *,
        ip: str,
        user_agent: str,
        local: tuple[str, int],
        scheme: str = "http",
    ) -> FetchResult:
        """Answer ``GET /provision/<ticket>/<path>`` from ``ip``; ``local``: the address it reached,
        ``scheme``: over which (files that name other files name them under the same URL)."""
        if not self.ticket_valid(ticket):
            _LOGGER.info("Provisioning: %s asked with an unknown ticket: refused (404)", ip)
            return FetchResult(404, b"Not Found", result="unknown ticket")
        try:
            check_path(path)
        except PathRefused as err:
            _LOGGER.info("Provisioning: %s asked for a malformed path: %s (400)", ip, err)
            return FetchResult(400, b"Bad Request", result="bad path")
        base_url = self.base_url(local[0], local[1], scheme=scheme)
        claims = [(v, mac) for v in self.vendors() if (mac := v.mac_from_path(path, user_agent)) is not None]
        if not claims:
            return await self._common_file(path, ip, user_agent, base_url)
        # Vendors sharing a file name pattern (``<mac>.cfg``) name the same MAC; the device's own
        # vendor, else the User-Agent's, else the MAC's OUI decides whose format it gets.
        device = await self._core.db.call(lambda db: db_devices.find_device(db, claims[0][1]))
        vendor, mac = self._pick_vendor(claims, device, user_agent)
        if device is None or device.mac != mac:
            device = await self._core.db.call(lambda db: db_devices.find_device(db, mac))
        if unknown(device) and (opened_for := self.open_extension.claim(mac, ip)) is not None:
            device = await self._open_extension_claimed(device, mac, vendor.vendor, ip, opened_for)
        if device is None:
            auto_add = await self._core.settings.org_value(prov_settings.AUTO_ADD)
            if not prov_settings.switch_on(auto_add, ip):
                return await self._log_fetch(
                    None, mac, ip, path, FetchResult(403, b"Forbidden", result="unknown MAC")
                )
            try:
                device = await self.add_device(source="http", mac=mac, vendor=vendor.vendor, ip=ip, seen=True)
            except db_devices.DeviceExists:
                device = await self.get_device(mac)
            _LOGGER.info(
                "Provisioning: added phone %s (%s) from %s as not provisioned", mac, vendor.vendor, ip
            )
        config = await self.phone_config(mac, device.model, device.user_id, base_url)
        config = replace(config, firmware_url=await self.firmware.url_for(vendor.vendor, device.model))
        rendered = vendor.render(path, config)
        if rendered is None:
            result = FetchResult(404, b"Not Found", result="no such file")
        else:
            credentials = "with account" if config.accounts else "base settings"
            result = FetchResult(200, rendered.body, rendered.content_type, result=f"served ({credentials})")
            self._core.bus.fire(
                EVENT_DEVICE_PROVISIONED,
                {"mac": mac, "path": path, "user_id": device.user_id if config.accounts else None},
            )
        return await self._log_fetch(device, mac, ip, path, result, vendor=vendor.vendor)

    async def _open_extension_claimed(
        self, device: Device | None, mac: str, vendor: str, ip: str, user_id: int
    ) -> Device | None:
        """An unknown phone fetched within an open window (PROV-12): it gets the window's user."""
        try:
            if device is None:
                device = await self.add_device(source="http", mac=mac, vendor=vendor, ip=ip, seen=True)
            return (await self.update_device(mac, {"user_id": user_id})).device
        except (NotFound, db_devices.DeviceExists, ConfigValidationError) as err:
            _LOGGER.warning("Open extension: phone %s could not take user %d: %s", mac, user_id, err)
            return await self._core.db.call(lambda db: db_devices.find_device(db, mac))

    @staticmethod
    def _pick_vendor(
        claims: list[tuple[ProvisioningVendor, str]], device: Device | None, user_agent: str
    ) -> tuple[ProvisioningVendor, str]:
        if device is not None:
            for vendor, mac in claims:
                if vendor.vendor == device.vendor and mac == device.mac:
                    return vendor, mac
        for vendor, mac in claims:
            if user_agent and vendor.matches_user_agent(user_agent):
                return vendor, mac
        for vendor, mac in claims:
            if mac[:6] in vendor.mac_prefixes:
                return vendor, mac
        return claims[0]

    async def _common_file(self, path: str, ip: str, user_agent: str, base_url: str) -> FetchResult:
        """A file no vendor ties to a MAC (a vendor's common settings): base settings, never an account."""
        for vendor in self.vendors():
            if not (user_agent and vendor.matches_user_agent(user_agent)):
                continue
            config = await self.phone_config("000000000000", "", None, base_url)
            rendered = vendor.render(path, config)
            if rendered is not None:
                _LOGGER.info("Provisioning: %s fetched %s (%s common file): served", ip, path, vendor.vendor)
                return FetchResult(200, rendered.body, rendered.content_type, result="served (common)")
        _LOGGER.info("Provisioning: %s fetched %s: no such file (404)", ip, path)
        return FetchResult(404, b"Not Found", result="no such file")

    async def _log_fetch(
        self, device: Device | None, mac: str, ip: str, path: str, result: FetchResult, *, vendor: str = ""
    ) -> FetchResult:
        _LOGGER.info(
            "Provisioning: %s (MAC %s) fetched %s: %s (%d)", ip, mac, path, result.result, result.status
        )
        if device is not None:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            fetch = f"{stamp} {path} {result.result}"
            updated = await self._core.db.call(
                lambda db: db_devices.record_seen(db, mac, ip=ip, vendor=vendor, fetch=fetch)
            )
            self._publish(updated)
        return result

    async def record_discovered(
        self, mac: str, *, ip: str, vendor: str = "", model: str = "", firmware: str = "", source: str
    ) -> Device | None:
        """A phone found on the LAN (zeroconf): listed (if auto-add allows it for ``ip``) or its
        details refreshed; None when it is unknown and auto-add is off, or the MAC is malformed."""
        normalised = db_devices.mac_or_none(mac)
        if normalised is None:
            _LOGGER.info(
                "Discovery (%s): ignored a phone with a malformed MAC %r at %s", source, mac[:40], ip
            )
            return None
        device = await self._core.db.call(lambda db: db_devices.find_device(db, normalised))
        if device is None:
            auto_add = await self._core.settings.org_value(prov_settings.AUTO_ADD)
            if not prov_settings.switch_on(auto_add, ip):
                _LOGGER.info(
                    "Discovery (%s): unknown phone %s at %s not added: auto-add is off", source, mac, ip
                )
                return None
            with contextlib.suppress(db_devices.DeviceExists):
                await self.add_device(source=source, mac=normalised, vendor=vendor[:32], ip=ip, seen=True)
        updated = await self._core.db.call(
            lambda db: db_devices.record_seen(
                db, normalised, ip=ip, vendor=vendor[:32], model=model[:64], firmware=firmware[:64]
            )
        )
        self._publish(updated)
        self._core.bus.fire(
            EVENT_DEVICE_DISCOVERED,
            {
                "mac": normalised,
                "vendor": vendor,
                "model": model,
                "firmware": firmware,
                "ip": ip,
                "source": source,
            },
        )
        return updated

    # -- plug-and-play ------------------------------------------------------------------------
    def _on_pnp(self, pnp: PnpRequest) -> None:
        self._core.create_task(self._answer_pnp(pnp), f"plug-and-play {pnp.mac}")

    async def _answer_pnp(self, pnp: PnpRequest) -> None:
        ip = pnp.source[0]
        hint = " ".join(x for x in (pnp.vendor, pnp.model, pnp.user_agent) if x)
        vendor = self.vendor_for(pnp.mac, hint)
        vendor_name = vendor.vendor if vendor is not None else pnp.vendor.lower()[:32]
        device = await self._core.db.call(lambda db: db_devices.find_device(db, pnp.mac))
        if device is None:
            auto_add = await self._core.settings.org_value(prov_settings.AUTO_ADD)
            if not prov_settings.switch_on(auto_add, ip):
                _LOGGER.info(
                    "SIP plug-and-play: unknown phone %s (%s %s) at %s not answered: auto-add is off",
                    pnp.mac,
                    pnp.vendor,
                    pnp.model,
                    ip,
                )
                return
            try:
                await self.add_device(source="pnp", mac=pnp.mac, vendor=vendor_name, seen=True, ip=ip)
            except db_devices.DeviceExists:
                pass
        updated = await self._core.db.call(
            lambda db: db_devices.record_seen(
                db, pnp.mac, ip=ip, vendor=vendor_name, model=pnp.model[:64], firmware=pnp.firmware[:64]
            )
        )
        self._publish(updated)
        self._core.bus.fire(
            EVENT_DEVICE_DISCOVERED,
            {"mac": pnp.mac, "vendor": vendor_name, "model": pnp.model, "firmware": pnp.firmware, "ip": ip},
        )
        if self.pnp is None:
            return
        url = await self.pnp_base_url()
        if vendor is not None:
            pnp_path = getattr(vendor, "pnp_path", None)
            if callable(pnp_path):
                config = await self.phone_config(pnp.mac, updated.model, None, url)
                url += str(pnp_path(config) or "")
        _LOGGER.info(
            "SIP plug-and-play: %s %s (MAC %s, firmware %s) at %s: sent the provisioning URL",
            pnp.vendor,
            pnp.model,
            pnp.mac,
            pnp.firmware,
            ip,
        )
        self.pnp.answer(pnp, url)
