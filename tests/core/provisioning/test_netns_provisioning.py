"""The issue's end-to-end test (BYD-07, BYD-08, PROV-03/04/07): a new desk phone goes from unknown to
registered as a user, with no manual step but assigning the user in the API.

Two network namespaces joined by a veth pair stand for the appliance and a phone on one LAN (the
multicast of plug-and-play and zeroconf needs a real interface). The Core runs in the appliance's
namespace on the real ports (SIP on 0.0.0.0:5060, so plug-and-play shares the port with it); a
scripted Yealink phone (its sockets made in the phone's namespace) multicasts the plug-and-play
SUBSCRIBE, takes the 200 and the NOTIFY with the provisioning URL, fetches its files over HTTP,
shows up as "not provisioned", gets its account once the test assigns a user, REGISTERs with the
credentials found in the Yealink file and is listed as registered as that user; after a ticket
renewal the old URL is refused. Zeroconf: a browser in the phone's namespace finds the appliance,
and when a second LAN is plugged into the appliance (a third namespace) the announcement follows it.
Needs root (CI runs the tests as root) and iproute2.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sip_phone import TestPhone, _Protocol
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from cordboard.core import network
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.discovery import DiscoveredPhone, ZeroconfService
from cordboard.core.discovery.announce import CORDBOARD_TYPE, SIP_UDP_TYPE, instance_name
from cordboard.core.exceptions import NotFound
from cordboard.core.plugin_api import hookimpl
from cordboard.core.provisioning.pnp import GROUP
from cordboard.core.sip.message import SipRequest, SipResponse, make_response

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("ip") is None, reason="needs root and iproute2 for network namespaces"
)

CLONE_NEWNET = 0x40000000
_TAG = f"{os.getpid() % 100000}"
PBX_NS = f"cbpbx{_TAG}"
PHONE_NS = f"cbphone{_TAG}"
SECOND_NS = f"cbsec{_TAG}"
SUBNET = 100 + os.getpid() % 150
PBX_IP = f"10.213.{SUBNET}.1"
PHONE_IP = f"10.213.{SUBNET}.2"
NEW_PBX_IP = f"10.213.{SUBNET}.3"
SECOND_PBX_IP = f"10.214.{SUBNET}.1"
SECOND_PHONE_IP = f"10.214.{SUBNET}.2"
MAC = "001565a1b2c3"
TEST_TYPE = "_cbtest._tcp.local."
USER_AGENT = "Yealink SIP-T46U 108.86.0.20 00:15:65:a1:b2:c3"
SUBSCRIBE = (
    "SUBSCRIBE sip:MAC%3a001565A1B2C3@224.0.1.75 SIP/2.0\r\n"
    f"Via: SIP/2.0/UDP {PHONE_IP}:5060;branch=z9hG4bK7a1b2c3;rport\r\n"
    "From: <sip:MAC%3a001565A1B2C3@224.0.1.75>;tag=1718281828\r\n"
    "To: <sip:MAC%3a001565A1B2C3@224.0.1.75>\r\n"
    f"Call-ID: 0_2718281828@{PHONE_IP}\r\n"
    "CSeq: 1 SUBSCRIBE\r\n"
    'Event: ua-profile;profile-type="device";vendor="Yealink";model="T46U";version="108.86.0.20"\r\n'
    "Expires: 0\r\n"
    "Accept: application/url\r\n"
    f"Contact: <sip:{PHONE_IP}:5060>\r\n"
    f"User-Agent: {USER_AGENT}\r\n"
    "Max-Forwards: 70\r\n"
    "Content-Length: 0\r\n\r\n"
).encode()

_libc = ctypes.CDLL(None, use_errno=True)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@contextlib.contextmanager
def veth_lan() -> Iterator[None]:
    """Two namespaces and a veth pair between them, removed again whatever happens."""
    try:
        try:
            _ip("netns", "add", PBX_NS)
        except subprocess.CalledProcessError as err:
            message = err.stderr.decode(errors="replace").strip()
            if "not permitted" in message or "Permission denied" in message:
                pytest.skip(f"network namespaces cannot be made here: {message}")
            raise
        _ip("-n", PBX_NS, "link", "set", "lo", "up")
        plug_lan(PHONE_NS, f"cbp{_TAG}", PBX_IP, PHONE_IP, default_route=True)
        yield
    finally:
        for ns in (PBX_NS, PHONE_NS, SECOND_NS):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10, check=False)


def plug_lan(ns: str, veth_pbx: str, pbx_ip: str, phone_ip: str, *, default_route: bool = False) -> None:
    """A namespace for a LAN with one phone on it, cabled to the appliance's namespace (a veth pair)."""
    veth_phone = f"{veth_pbx}x"
    _ip("netns", "add", ns)
    _ip("link", "add", veth_pbx, "type", "veth", "peer", "name", veth_phone)
    _ip("link", "set", veth_pbx, "netns", PBX_NS)
    _ip("link", "set", veth_phone, "netns", ns)
    for side, dev, address, gateway in (
        (PBX_NS, veth_pbx, pbx_ip, phone_ip),
        (ns, veth_phone, phone_ip, pbx_ip),
    ):
        _ip("-n", side, "addr", "add", f"{address}/24", "dev", dev)
        _ip("-n", side, "link", "set", dev, "up", "multicast", "on")
        if side == ns or default_route:
            _ip("-n", side, "route", "add", "default", "via", gateway)
    _ip("-n", ns, "link", "set", "lo", "up")


@contextlib.contextmanager
def in_netns(name: str) -> Iterator[None]:
    """Switch this thread into a network namespace (sockets made meanwhile belong to it), and back."""
    with open("/proc/thread-self/ns/net", "rb") as original, open(f"/run/netns/{name}", "rb") as target:
        if _libc.setns(target.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
        try:
            yield
        finally:
            if _libc.setns(original.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back")


@contextlib.contextmanager
def switched_to(name: str) -> Iterator[None]:
    """Like ``in_netns`` but for the whole test: the Core's sockets are made in the appliance's namespace."""
    with in_netns(name):
        yield


def phone_socket(kind: int, bind: tuple[str, int] | None = None) -> socket.socket:
    with in_netns(PHONE_NS):
        sock = socket.socket(socket.AF_INET, kind)
    if bind is not None:
        sock.bind(bind)
    sock.setblocking(False)
    return sock


async def http_get(url: str) -> tuple[int, bytes]:
    """The phone's HTTP fetch (HTTP/1.0 over a socket of the phone's namespace)."""
    rest = url.split("://", 1)[1]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    sock = phone_socket(socket.SOCK_STREAM)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port or 80)))
    reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(f"GET /{path} HTTP/1.0\r\nHost: {hostport}\r\nUser-Agent: {USER_AGENT}\r\n\r\n".encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def parse_cfg(body: bytes) -> dict[str, str]:
    values = {}
    for line in body.decode().splitlines():
        key, sep, value = line.partition(" = ")
        if sep:
            values[key.strip()] = value
    return values


@pytest.fixture
async def lan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Core]:
    """The appliance's Core in its namespace, with the phone's namespace beside it."""
    monkeypatch.setattr(network, "ADDRESS_CHECK_INTERVAL", 0.2)  # notice new interfaces quickly
    with veth_lan(), switched_to(PBX_NS):
        config = BootstrapConfig(
            http_bind="0.0.0.0",
            http_port=8123,
            sip_bind="0.0.0.0",
            sip_port=5060,
            rtp_port_min=30000,
            rtp_port_max=30100,
        )
        core = Core(tmp_path / "data", config)
        await core.start()
        try:
            yield core
        finally:
            await core.stop()


async def test_new_phone_unknown_to_registered_byd07_byd08_prov03_prov04(lan: Core) -> None:
    """BYD-07/08: plug-and-play gives the URL, the phone appears as not provisioned (PROV-03), the
    admin assigns a user (PROV-07), the phone finds its credentials and registers as that user;
    a renewed ticket refuses the old URL (PROV-04)."""
    core = lan
    loop = asyncio.get_running_loop()
    assert core.provisioning is not None and core.provisioning.pnp is not None
    anna = await core.identity.create_user(
        username="anna", first_name="Anna", last_name="Berg", email="a@example.com", extension="1001"
    )
    await core.identity.create_user(
        username="root", first_name="Root", last_name="Admin", email="r@example.com", role="admin",
        password="admin-password-1",
    )  # fmt: skip

    # The phone's SIP socket (its port 5060) sends the multicast SUBSCRIBE and gets the answers.
    phone = TestPhone("", "", (PBX_IP, 5060), host=PHONE_IP, port=5060)
    sip_sock = phone_socket(socket.SOCK_DGRAM, (PHONE_IP, 5060))
    sip_sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(PHONE_IP))
    phone._sip, _ = await loop.create_datagram_endpoint(lambda: _Protocol(phone.messages), sock=sip_sock)
    try:
        # Malformed or spoofed requests are dropped (a log line), never answered.
        spoofed = SUBSCRIBE.replace(f"Via: SIP/2.0/UDP {PHONE_IP}".encode(), b"Via: SIP/2.0/UDP 10.99.99.99")
        for bad in (b"SUBSCRIBE nonsense\r\n\r\n", spoofed, SUBSCRIBE.replace(b"ua-profile", b"presence")):
            phone._sip.sendto(bad, (GROUP, 5060))
        with pytest.raises(TimeoutError):
            await phone.receive(0.3)
        assert core.provisioning.pnp.stats["dropped"] == 3
        phone._sip.sendto(SUBSCRIBE, (GROUP, 5060))
        answers = [await phone.receive(), await phone.receive()]
        ok = next(m for m in answers if isinstance(m, SipResponse))
        notify = next(m for m in answers if isinstance(m, SipRequest))
        assert ok.status == 200 and ok.headers.get("Expires") == "0", ok
        assert notify.method == "NOTIFY"
        assert notify.media_type == "application/url"
        assert notify.call_id == f"0_2718281828@{PHONE_IP}"
        via = notify.top_via
        phone.send(make_response(notify, 200), (via.host, via.port or 5060))
        url = notify.body.decode()
        # Nothing else: the SIP server on 0.0.0.0:5060 does not answer the group's SUBSCRIBE too,
        # and the answered NOTIFY is not sent again (its first retransmission is due at 0.5 s).
        with pytest.raises(TimeoutError):
            await phone.receive(0.7)
        assert url.startswith(f"http://{PBX_IP}:8123/provision/")

        device = await core.provisioning.get_device(MAC)
        assert (device.state, device.source, device.vendor) == ("not_provisioned", "pnp", "yealink")
        assert (device.model, device.firmware, device.last_ip) == ("T46U", "108.86.0.20", PHONE_IP)

        status, common = await http_get(url + "y000000000108.cfg")
        assert status == 200 and b"account.1" not in common
        status, body = await http_get(url + f"{MAC}.cfg")
        assert status == 200
        assert "account.1.password" not in parse_cfg(body)  # not provisioned: no credentials

        admin = await _login(core)
        status, answer = await _api(core, admin, "PATCH", f"/api/devices/{MAC}", {"user_id": anna.id})
        assert status == 200, answer
        assert answer["state"] == "assigned" and answer["sip_password_generated"] is True

        status, body = await http_get(url + f"{MAC}.cfg")
        values = parse_cfg(body)
        assert status == 200, body
        phone.username, phone.password = values["account.1.auth_name"], values["account.1.password"]
        registrar = (values["account.1.sip_server.1.address"], int(values["account.1.sip_server.1.port"]))
        assert registrar == (PBX_IP, 5060) and phone.username == "anna"
        phone.server = registrar
        response = await phone.register()
        assert response.status == 200, response

        status, listed = await _api(core, admin, "GET", "/api/devices")
        mine = next(d for d in listed if d["mac"] == MAC)
        assert mine["user"]["username"] == "anna"
        assert mine["registration"]["registered"] is True
        registered = core.states.get(mine["registration"]["entity_id"])
        assert registered is not None and registered.attributes["username"] == "anna"

        # PROV-11: resync reaches the registered phone with NOTIFY check-sync.
        status, sent = await _api(core, admin, "POST", f"/api/devices/{MAC}/resync", {})
        assert status == 202, sent
        check = await phone.wait_request("NOTIFY")
        assert check.headers.get("Event") == "check-sync;reboot=false"
        phone.send(make_response(check, 200), (check.top_via.host, check.top_via.port or 5060))

        status, renewed = await _api(core, admin, "POST", "/api/provisioning/renew-ticket")
        assert status == 200 and renewed["url"] != url
        assert (await http_get(url + f"{MAC}.cfg"))[0] == 404
        assert (await http_get(renewed["url"] + f"{MAC}.cfg"))[0] == 200
    finally:
        phone.close()


async def _resolve(browser: AsyncZeroconf, type_: str) -> AsyncServiceInfo:
    info = AsyncServiceInfo(type_, f"{instance_name()}.{type_}")
    for _ in range(6):
        if await info.async_request(browser.zeroconf, 1500):
            return info
    raise AssertionError(f"no {type_} record of the appliance")


async def _resolve_with(browser: AsyncZeroconf, type_: str, address: str) -> AsyncServiceInfo:
    """The appliance's record once it names ``address`` (announcements follow changes in a moment)."""
    for _ in range(40):
        info = await _resolve(browser, type_)
        if address in info.parsed_addresses():
            return info
        await asyncio.sleep(0.25)
    raise AssertionError(f"the {type_} record never named {address}: {info.parsed_addresses()}")


async def test_zeroconf_announce_and_browse_byd07(lan: Core) -> None:
    """BYD-07: a zeroconf browser on the phone's side of the LAN finds the appliance's records."""
    with in_netns(PHONE_NS):
        browser = AsyncZeroconf(interfaces=[PHONE_IP])
    try:
        info = await _resolve(browser, CORDBOARD_TYPE)
        assert info.port == 8123
        assert info.parsed_addresses() == [PBX_IP]
        properties = {k.decode(): (v or b"").decode() for k, v in info.properties.items()}
        assert properties["setup"] == "open" and properties["version"]
        sip = AsyncServiceInfo(SIP_UDP_TYPE, f"{instance_name()}.{SIP_UDP_TYPE}")
        assert await sip.async_request(browser.zeroconf, 3000)
        assert sip.port == 5060
        # Once the first administrator exists the announcement says setup is done.
        await lan.identity.create_user(
            username="root", first_name="Root", last_name="Admin", email="r@example.com", role="admin"
        )
        for _ in range(40):
            info = await _resolve(browser, CORDBOARD_TYPE)
            if info.properties.get(b"setup") == b"done":
                break
            await asyncio.sleep(0.1)
        assert info.properties.get(b"setup") == b"done"
    finally:
        await browser.async_close()


async def test_zeroconf_on_every_lan_interface_byd07(lan: Core) -> None:
    """BYD-07: a second LAN cabled to the running appliance is announced on too, with the address
    of that LAN, and unplugging it again withdraws it; the first LAN is served all along."""
    core = lan
    assert core.discovery is not None
    assert core.discovery.addresses == (PBX_IP,)
    plug_lan(SECOND_NS, f"cbs{_TAG}", SECOND_PBX_IP, SECOND_PHONE_IP)
    with in_netns(SECOND_NS):
        second = AsyncZeroconf(interfaces=[SECOND_PHONE_IP])
    with in_netns(PHONE_NS):
        first = AsyncZeroconf(interfaces=[PHONE_IP])
    try:
        info = await _resolve_with(second, CORDBOARD_TYPE, SECOND_PBX_IP)
        assert set(info.parsed_addresses()) == {PBX_IP, SECOND_PBX_IP}
        sip = AsyncServiceInfo(SIP_UDP_TYPE, f"{instance_name()}.{SIP_UDP_TYPE}")
        assert await sip.async_request(second.zeroconf, 3000) and sip.port == 5060
        assert core.discovery.addresses == (PBX_IP, SECOND_PBX_IP)
        assert SECOND_PBX_IP in (await _resolve(first, CORDBOARD_TYPE)).parsed_addresses()
    finally:
        await second.async_close()
    _ip("netns", "del", SECOND_NS)  # the second LAN is unplugged
    try:
        for _ in range(50):
            if core.discovery.addresses == (PBX_IP,):
                break
            await asyncio.sleep(0.1)
        assert core.discovery.addresses == (PBX_IP,)
        fresh = AsyncServiceInfo(CORDBOARD_TYPE, f"{instance_name()}.{CORDBOARD_TYPE}")
        for _ in range(20):
            if await fresh.async_request(first.zeroconf, 1500) and fresh.parsed_addresses() == [PBX_IP]:
                break
            await asyncio.sleep(0.25)
        assert fresh.parsed_addresses() == [PBX_IP]
    finally:
        await first.async_close()


class ZeroconfPhones:
    """A test plugin that recognises the ``_cbtest._tcp`` services of the phone namespace."""

    @hookimpl
    def cordboard_zeroconf_discovered(self, core: Core, service: ZeroconfService) -> DiscoveredPhone | None:
        if service.type != TEST_TYPE or "mac" not in service.properties:
            return None
        return DiscoveredPhone(
            service.properties["mac"], vendor="cbtest", model=service.properties.get("model", "")
        )


async def test_zeroconf_browse_adds_a_phone_byd07(lan: Core) -> None:
    """BYD-07: a phone announcing a service type a plugin browses for joins the list (source zeroconf)."""
    core = lan
    assert core.discovery is not None and core.provisioning is not None
    core.plugins.pm.register(ZeroconfPhones(), name="test_zeroconf_phones")
    with in_netns(PHONE_NS):
        phone_side = AsyncZeroconf(interfaces=[PHONE_IP])
    try:
        info = AsyncServiceInfo(
            TEST_TYPE,
            f"CBT phone.{TEST_TYPE}",
            port=80,
            properties={"mac": "02:cb:00:a1:b2:c4", "model": "CBT-2"},
            server="cbt-phone.local.",
            addresses=[socket.inet_aton(PHONE_IP)],
        )
        await (await phone_side.async_register_service(info))
        await core.discovery.browse(TEST_TYPE)
        for _ in range(100):
            with contextlib.suppress(NotFound):
                device = await core.provisioning.get_device("02cb00a1b2c4")
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the phone announced over zeroconf never joined the list")
        assert (device.source, device.model, device.last_ip, device.state) == (
            "zeroconf",
            "CBT-2",
            PHONE_IP,
            "not_provisioned",
        )
    finally:
        await phone_side.async_close()


async def test_new_lan_address_followed_byd07(lan: Core) -> None:
    """BYD-07: when DHCP gives the appliance a new address, zeroconf announces it and plug-and-play
    answers with URLs naming it."""
    core = lan
    assert core.provisioning is not None
    _ip("-n", PBX_NS, "addr", "add", f"{NEW_PBX_IP}/24", "dev", f"cbp{_TAG}")
    core._lan_address_changed(NEW_PBX_IP)  # what the routing lookup would say after a new lease
    with in_netns(PHONE_NS):
        browser = AsyncZeroconf(interfaces=[PHONE_IP])
    phone = TestPhone("", "", (NEW_PBX_IP, 5060), host=PHONE_IP, port=5060)
    sock = phone_socket(socket.SOCK_DGRAM, (PHONE_IP, 5060))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(PHONE_IP))
    phone._sip, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Protocol(phone.messages), sock=sock
    )
    try:
        await _resolve_with(browser, CORDBOARD_TYPE, NEW_PBX_IP)  # the interfaces watch saw it
        for _ in range(50):
            if core.provisioning.pnp is not None and core.provisioning.pnp.interface == NEW_PBX_IP:
                break
            await asyncio.sleep(0.05)
        phone._sip.sendto(SUBSCRIBE, (GROUP, 5060))
        notify = await phone.wait_request("NOTIFY")
        assert notify.body.decode().startswith(f"http://{NEW_PBX_IP}:8123/provision/")
    finally:
        phone.close()
        await browser.async_close()


async def test_pnp_switch_byd07(lan: Core) -> None:
    """BYD-07: the admin switch turns plug-and-play off (no answer) and on again, without a restart."""
    core = lan
    assert core.provisioning is not None
    phone = TestPhone("", "", (PBX_IP, 5060), host=PHONE_IP, port=5060)
    sock = phone_socket(socket.SOCK_DGRAM, (PHONE_IP, 5060))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(PHONE_IP))
    phone._sip, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Protocol(phone.messages), sock=sock
    )
    try:
        await core.settings.set("org", None, "core.provisioning_pnp", "off")
        for _ in range(50):
            if core.provisioning.pnp is None:
                break
            await asyncio.sleep(0.02)
        phone._sip.sendto(SUBSCRIBE, (GROUP, 5060))
        with pytest.raises(TimeoutError):
            await phone.receive(0.3)
        await core.settings.set("org", None, "core.provisioning_pnp", "private_network")
        for _ in range(50):
            if core.provisioning.pnp is not None:
                break
            await asyncio.sleep(0.02)
        phone._sip.sendto(SUBSCRIBE, (GROUP, 5060))
        assert (await phone.wait_request("NOTIFY")).body.startswith(f"http://{PBX_IP}:8123/".encode())
    finally:
        phone.close()


async def _login(core: Core) -> dict[str, str]:
    status, body = await _api(
        core, {}, "POST", "/api/auth/login", {"username": "root", "password": "admin-password-1"}
    )
    assert status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


async def _api(
    core: Core, headers: dict[str, str], method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"http://{PBX_IP}:8123{path}", headers=headers, json=body) as resp,
    ):
        return resp.status, await resp.json()
