"""A user's third-party SIP account (TERM-05): the admin sets a user name and a strong password for a
device the appliance cannot provision; it registers as its own SIP user, rings with the user's
phones, calls as the user, and shows its kind on its device state. Refusals named by field."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp.test_utils import TestClient
from api_calls import call
from loopback_pbx import registered_phone, running_pbx
from sip_phone import TestPhone

from cordboard.core.core import Core
from cordboard.core.sip.uri import NameAddr

STRONG = "Ata-Phone-Secret-2026"


async def test_term_05_the_admin_sets_it_up(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    anna = next(u.id for u in await core.identity.list_users() if u.username == "anna")
    path = f"/api/users/{anna}/third_party"
    assert await call(api, "GET", path, admin_headers) == (200, None)
    status, error = await call(
        api, "PUT", path, admin_headers, {"username": "anna-ata", "password": "onlylowercase1234"}
    )
    assert status == 400 and "16 characters" in error["fields"]["password"]
    status, error = await call(api, "PUT", path, admin_headers, {"username": "root", "password": STRONG})
    assert status == 409 and "root is taken" in error["message"]
    status, error = await call(
        api, "PUT", path, admin_headers, {"username": "anna-ata", "password": STRONG, "kind": "fax"}
    )
    assert status == 400 and "kind" in error["fields"]
    status, saved = await call(
        api, "PUT", path, admin_headers, {"username": "anna-ata", "password": STRONG, "kind": "analogue"}
    )
    assert (status, saved) == (200, {"username": "anna-ata", "kind": "analogue"})
    assert await call(api, "GET", path, admin_headers) == (200, {"username": "anna-ata", "kind": "analogue"})
    assert (await call(api, "PUT", path, user_headers, {"username": "x-ata", "password": STRONG}))[0] == 403
    assert (await call(api, "DELETE", path, admin_headers))[0] == 204
    assert (await call(api, "DELETE", path, admin_headers))[0] == 404


async def test_term_05_it_registers_rings_with_the_user_and_calls_as_the_user(tmp_path: Path) -> None:
    async with running_pbx(tmp_path / "data", 43800, 43899) as pbx:
        assert pbx.sip is not None
        ann_id = next(u.id for u in await pbx.identity.list_users() if u.username == "ann")
        await pbx.terminals.set_third_party(
            ann_id, {"username": "ann-ata", "password": STRONG, "kind": "analogue"}
        )
        ata = await TestPhone("ann-ata", STRONG, pbx.sip.transports.addresses["udp"]).open()
        bo = await registered_phone(pbx, "bo")
        try:
            assert (await ata.register()).status == 200
            devices = [s.attributes for s in pbx.states.all("device") if s.attributes["user_id"] == ann_id]
            assert [(d["username"], d["kind"]) for d in devices] == [("ann-ata", "analogue")]

            calling = asyncio.create_task(bo.invite("1001"))  # ann's number rings her adapter
            ringing = await ata.wait_request("INVITE")
            ata.answer(ringing, 486)
            assert (await calling)[1].status == 486

            calling = asyncio.create_task(ata.invite("1002"))  # the adapter calls as ann
            incoming = await bo.wait_request("INVITE")
            shown = NameAddr.parse(incoming.headers.get("From") or "")
            assert (shown.uri.user, shown.display_name) == ("1001", "Ann Tester")
            bo.answer(incoming, 486)
            assert (await calling)[1].status == 486
        finally:
            ata.close()
            bo.close()
