"""Hot desking with a scripted desk phone over real sockets (PROV-06, PROV-09): the free seat
fetches its configuration over HTTP, registers with its seat account, dials the log-in code with a
real INVITE and keys extension and PIN (RFC 4733), is told to resync (NOTIFY check-sync), fetches
the user's account and registers as the user; logging out returns it to the seat account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from loopback_pbx import loopback_config
from provisioning_phone import MAC, USER_AGENT, VendorPlugin, parse_cfg
from rtp_audio import send_digits
from sip_phone import TestPhone, media_address

from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest, make_response

RTP_MIN, RTP_MAX = 44800, 44899
ANN_SIP = "ann-sip-password-1"
BO_SIP = "bo-sip-password-1"
ANN_PIN = "4321"
ADMIN_PASSWORD = "admin-password-1"
ANN_PASSWORD = "ann-web-password-1"


@dataclass
class Office:
    core: Core
    http: aiohttp.ClientSession
    base: str
    admin: dict[str, str]
    ann: dict[str, str]
    ann_id: int
    sip: tuple[str, int]

    async def config(self) -> dict[str, str]:
        """What the desk phone reads from its per-MAC file."""
        async with self.http.get(f"{self.base}cbt-{MAC}.cfg", headers={"User-Agent": USER_AGENT}) as resp:
            assert resp.status == 200
            return parse_cfg(await resp.read())

    async def device(self) -> dict[str, object]:
        async with self.http.get(f"/api/devices/{MAC}", headers=self.admin) as resp:
            assert resp.status == 200
            return dict(await resp.json())


async def _token(http: aiohttp.ClientSession, username: str, password: str) -> dict[str, str]:
    async with http.post("/api/auth/login", json={"username": username, "password": password}) as resp:
        assert resp.status == 200, await resp.text()
        token = (await resp.json())["token"]
    http.cookie_jar.clear()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    core = Core(tmp_path / "data", loopback_config(RTP_MIN, RTP_MAX))
    await core.start(serve_http=True, serve_sip=True)
    try:
        core.plugins.pm.register(VendorPlugin(), name="test_provisioning_vendor")
        identity = core.identity
        await identity.create_user(
            username="root", first_name="Root", last_name="Admin", email="root@example.com",
            password=ADMIN_PASSWORD, role="admin",
        )  # fmt: skip
        ann = await identity.create_user(
            username="ann", first_name="Ann", last_name="Tester", email="ann@example.com",
            password=ANN_PASSWORD, sip_password=ANN_SIP, extension="1001", pin=ANN_PIN,
        )  # fmt: skip
        await identity.create_user(
            username="bo", first_name="Bo", last_name="Tester", email="bo@example.com",
            sip_password=BO_SIP, extension="1002", pin="1111",
        )  # fmt: skip
        assert core.http is not None and core.sip is not None and core.provisioning is not None
        async with aiohttp.ClientSession(f"http://127.0.0.1:{core.http.port}") as http:
            admin = await _token(http, "root", ADMIN_PASSWORD)
            async with http.get("/api/provisioning", headers=admin) as resp:
                base = "/" + (await resp.json())["url"].split("/", 3)[3]
            async with http.post(
                "/api/devices", headers=admin, json={"mac": MAC, "vendor": "cbtest", "model": "CBT-1"}
            ) as resp:
                assert resp.status == 201, await resp.text()
            yield Office(
                core, http, base, admin, await _token(http, "ann", ANN_PASSWORD), ann.id,
                core.sip.transports.addresses["udp"],
            )  # fmt: skip
    finally:
        await core.stop()


async def _accept_resync(phone: TestPhone) -> None:
    notify = await phone.wait_request("NOTIFY", wait=5)
    assert notify.headers.get("Event") == "check-sync;reboot=false"
    phone.send(make_response(notify, 200))


async def _dial(phone: TestPhone, number: str, digits: str) -> SipRequest:
    """Dial ``number``, key ``digits`` once answered, and accept the appliance's BYE."""
    invite, ok = await phone.call(number)
    assert ok.status == 200, ok
    await asyncio.sleep(0.3)
    await send_digits(phone, media_address(ok.body), digits, 1)
    bye = await phone.wait_request("BYE", wait=20)
    phone.answer(bye, 200)
    return invite


async def _seat_phone(office: Office) -> TestPhone:
    values = await office.config()
    phone = await TestPhone(values["line1.username"], values["line1.password"], office.sip).open()
    assert (await phone.register()).status == 200
    return phone


async def test_free_seat_login_and_logout_by_phone_prov06_prov09(office: Office) -> None:
    """PROV-09: free seat -> login with extension and PIN -> seated as ann -> log-out code -> free seat."""
    async with office.http.put(
        f"/api/devices/{MAC}/free-seat", headers=office.admin, json={"enabled": True}
    ) as resp:
        body = await resp.json()
        assert resp.status == 200, body
    assert body["state"] == "free_seat" and body["free_seat"] is True and body["user"] is None

    values = await office.config()
    seat_user = values["line1.username"]
    assert seat_user == f"0seat{MAC}" and len(values["line1.password"]) >= 20
    assert ANN_SIP not in str(values)
    phone = await _seat_phone(office)
    try:
        device = await office.device()
        assert device["state"] == "free_seat"
        assert device["registration"]["registered"] is True  # type: ignore[index]

        # The seat account may not call anyone.
        _, refused = await phone.call("1002")
        assert refused.status == 403

        # A wrong PIN: refused, the phone stays a free seat.
        await _dial(phone, "*11", "1001#9999#")
        assert (await office.device())["state"] == "free_seat"
        assert (await office.config())["line1.username"] == seat_user

        # The right PIN: the phone is told to resync and finds ann's account.
        await _dial(phone, "*11", "1001#" + ANN_PIN + "#")
        await _accept_resync(phone)
        device = await office.device()
        assert device["state"] == "seated"
        assert device["user"]["username"] == "ann"  # type: ignore[index]
        values = await office.config()
        assert values["line1.username"] == "ann" and values["line1.password"] == ANN_SIP
        phone.username, phone.password = "ann", ANN_SIP
        assert (await phone.register()).status == 200
        async with office.http.get("/api/me/seat", headers=office.ann) as resp:
            mine = await resp.json()
        assert mine["seat"]["mac"] == MAC and mine["enabled"] is True
        assert office.core.states.get(f"phone.{MAC}").state == "seated"  # type: ignore[union-attr]

        # The log-out code from the seated phone: back to the seat account.
        await _dial(phone, "*12", "")
        await _accept_resync(phone)
        assert (await office.device())["state"] == "free_seat"
        values = await office.config()
        assert values["line1.username"] == seat_user and ANN_SIP not in str(values)
        phone.username, phone.password = values["line1.username"], values["line1.password"]
        assert (await phone.register()).status == 200
    finally:
        phone.close()


async def test_login_with_extension_in_the_code_and_portal_logout_prov09(office: Office) -> None:
    """``*11*1001`` asks only for the PIN; the user portal logs out (CAPU-20); admins can too."""
    async with office.http.put(
        f"/api/devices/{MAC}/free-seat", headers=office.admin, json={"enabled": True}
    ) as resp:
        assert resp.status == 200
    phone = await _seat_phone(office)
    try:
        await _dial(phone, "*11*1001", ANN_PIN + "#")
        await _accept_resync(phone)
        assert (await office.device())["state"] == "seated"
        phone.username, phone.password = "ann", ANN_SIP
        assert (await phone.register()).status == 200

        async with office.http.delete("/api/me/seat", headers=office.ann) as resp:
            assert resp.status == 200
        await _accept_resync(phone)  # reached through ann's registration from the phone
        assert (await office.device())["state"] == "free_seat"
        assert ANN_SIP not in str(await office.config())
        async with office.http.delete("/api/me/seat", headers=office.ann) as resp:
            assert resp.status == 404

        # An admin logs out whoever sits at a free seat.
        assert office.core.provisioning is not None
        await office.core.provisioning.hot_desk.seat(MAC, office.ann_id)
        async with office.http.delete(f"/api/devices/{MAC}/seat", headers=office.admin) as resp:
            body = await resp.json()
            assert resp.status == 200 and body["state"] == "free_seat"
    finally:
        phone.close()


async def test_wrong_pins_are_throttled_prov09(office: Office) -> None:
    """Five wrong PINs block log-ins on the phone (and as the user) for a while, even the right one."""
    assert office.core.provisioning is not None
    hot_desk = office.core.provisioning.hot_desk
    await hot_desk.set_free_seat(MAC, True)
    assert office.core.sip is not None
    seat = office.core.sip.accounts.by_username(f"0seat{MAC}")
    assert seat is not None and seat.user_id < 0
    for _ in range(5):
        assert (await hot_desk.check_login(seat.user_id, "1001", "0000")).result == "wrong"
    assert (await hot_desk.check_login(seat.user_id, "1001", ANN_PIN)).result == "blocked"
    assert (await hot_desk.check_login(seat.user_id, "1002", "1111")).result == "blocked"  # the phone
    assert (await hot_desk.check_login(-999, "1001", ANN_PIN)).result == "not_free_seat"

    # A deleted phone's seat account can no longer register.
    await office.core.provisioning.delete_device(MAC)
    for _ in range(100):
        if office.core.sip.accounts.by_username(f"0seat{MAC}") is None:
            break
        await asyncio.sleep(0.02)
    assert office.core.sip.accounts.by_username(f"0seat{MAC}") is None


async def test_a_free_seat_calls_emergency_numbers_emr01(office: Office) -> None:
    """EMR-01: a free seat with nobody logged in still reaches the emergency numbers (here 1002 is
    made one, so the call rings bo's phone); any other number stays refused."""
    async with office.http.put(
        f"/api/devices/{MAC}/free-seat", headers=office.admin, json={"enabled": True}
    ) as resp:
        assert resp.status == 200, await resp.text()
    await office.core.settings.set("org", None, "core.emergency_numbers", "112 1002")
    for _ in range(100):
        if "1002" in office.core.dialplan.emergency:
            break
        await asyncio.sleep(0.02)
    seat = await _seat_phone(office)
    bo = await TestPhone("bo", BO_SIP, office.sip).open()
    try:
        assert (await bo.register()).status == 200
        _, refused = await seat.call("1001")
        assert refused.status == 403, "not an emergency number"
        calling = asyncio.create_task(seat.invite("1002"))
        ringing = await bo.wait_request("INVITE", wait=10)
        bo.answer(ringing, 486)
        _, busy = await calling
        assert busy.status == 486, "the emergency call went through to the callee"
    finally:
        seat.close()
        bo.close()
