"""Transfer between phones on relayed calls (PKP-10): blind (REFER) and attended (REFER with
Replaces, RFC 3891). The transferring phone gets 202, the sipfrag NOTIFYs and BYE; the other party
is taken over by a re-INVITE and talks with the target (audio checked both ways); REFERs the
appliance does not carry out are refused and the call goes on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from loopback_pbx import add_cy, registered_phone, running_pbx
from phone_calls import call_between, taken_over, talk
from sip_phone import TestPhone, media_address

from cordboard.core.calls.history import list_calls
from cordboard.core.core import Core
from cordboard.core.sip.message import SipRequest

RTP_MIN, RTP_MAX = 48000, 48199


@pytest.fixture
async def pbx(tmp_path: Path) -> AsyncIterator[Core]:
    async with running_pbx(tmp_path / "data", RTP_MIN, RTP_MAX) as core:
        await add_cy(core)
        yield core


async def refer_accepted(phone: TestPhone, request: SipRequest) -> None:
    """202, the two sipfrag NOTIFYs (100 Trying, 200 OK) and the BYE that ends the phone's part."""
    phone.send(request)
    assert (await phone.final_response(request)).status == 202
    bodies = []
    for _ in range(2):
        notify = await phone.wait_request("NOTIFY", wait=5)
        phone.answer(notify, 200, to_tag="")
        bodies.append(notify.body.decode().strip())
    assert bodies == ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]
    bye = await phone.wait_request("BYE", wait=5)
    phone.answer(bye, 200, to_tag="")


async def test_pkp_10_blind_transfer_from_a_phone(pbx: Core) -> None:
    """ann calls bo; bo transfers ann to 1003: cy's phone rings with ann's number, cy answers and
    talks with ann; bo is out of the call."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        invite, ok, incoming = await call_between(ann, bo, "1002")
        request = bo.request_as_callee(incoming, "REFER", cseq=2)
        request.headers.add("Refer-To", f"<sip:1003@{bo.server[0]}>")
        refer = asyncio.create_task(refer_accepted(bo, request))
        ann_to = await taken_over(ann)
        ringing = await cy.wait_request("INVITE", wait=5)
        assert "1001" in (ringing.headers.get("From") or "")  # the transferred party's number
        cy.answer(ringing, 200)
        await refer
        await talk(ann, ann_to, cy, media_address(ringing.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()
    rows = await pbx.db.call(lambda db: list_calls(db, limit=20))
    first = next(r for r in rows if r["caller"] == "1001" and r["callee"] == "1002")
    assert first["result"] == "answered" and "transferred 1001 to 1003" in first["reason"]


async def test_pkp_10_attended_transfer_with_replaces(pbx: Core) -> None:
    """ann calls bo; bo calls cy to ask first; bo transfers ann to cy with the consultation call's
    dialog in Replaces: ann and cy talk, bo gets BYE on both calls."""
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        invite, ok, incoming = await call_between(ann, bo, "1002")
        consult_invite, consult_ok, _consulted = await call_between(bo, cy, "1003")
        replaces = f"{consult_invite.call_id};to-tag={consult_ok.to_tag};from-tag={consult_invite.from_tag}"
        request = bo.request_as_callee(incoming, "REFER", cseq=2)
        request.headers.add("Refer-To", f"<sip:1003@{bo.server[0]}?Replaces={quote(replaces, safe='')}>")
        bo.send(request)
        answered = asyncio.create_task(bo.final_response(request))
        ann_to = await taken_over(ann)
        cy_to = await taken_over(cy)
        assert (await answered).status == 202
        for _ in range(2):
            notify = await bo.wait_request("NOTIFY", wait=5)
            bo.answer(notify, 200, to_tag="")
        for _ in range(2):
            bye = await bo.wait_request("BYE", wait=5)
            bo.answer(bye, 200, to_tag="")
        await talk(ann, ann_to, cy, cy_to)
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        bye = await cy.wait_request("BYE", wait=5)
        cy.answer(bye, 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()


async def test_refers_that_name_nobody_leave_the_call_as_it_was(pbx: Core) -> None:
    """A REFER to a number nobody has gets 404, one whose Replaces names no call of the phone 481;
    ann and bo still talk."""
    ann, bo = [await registered_phone(pbx, n) for n in ("ann", "bo")]
    try:
        invite, ok, incoming = await call_between(ann, bo, "1002")
        for cseq, (refer_to, status) in enumerate(
            (
                (f"<sip:4711@{bo.server[0]}>", 404),
                (f"<sip:1003@{bo.server[0]}?Replaces=nothing%3Bto-tag%3D1%3Bfrom-tag%3D2>", 481),
            ),
            start=2,
        ):
            request = bo.request_as_callee(incoming, "REFER", cseq=cseq)
            request.headers.add("Refer-To", refer_to)
            bo.send(request)
            assert (await bo.final_response(request)).status == status
        await talk(ann, media_address(ok.body), bo, media_address(incoming.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 1))
        bye = await bo.wait_request("BYE", wait=5)
        bo.answer(bye, 200, to_tag="")
    finally:
        ann.close()
        bo.close()


async def test_pkp_10_transfer_from_the_web(pbx: Core, aiohttp_client: Any) -> None:
    """``POST /api/calls/{id}/transfer``: bo, in a call with ann, sends her to cy from the web; bo's
    phone is hung up, cy's rings showing ann. A user not in the call gets 404, a bad number 404."""
    from cordboard.core.http.server import build_app

    api = await aiohttp_client(build_app(pbx))
    headers = {}
    for name in ("bo", "cy"):
        password = f"{name}-web-password-1"
        await pbx.identity.set_password((await pbx.identity.get_user_by_username(name)).id, password)
        resp = await api.post("/api/auth/login", json={"username": name, "password": password})
        assert resp.status == 200, await resp.text()
        headers[name] = {"Authorization": f"Bearer {(await resp.json())['token']}"}
    api.session.cookie_jar.clear()
    ann, bo, cy = [await registered_phone(pbx, n) for n in ("ann", "bo", "cy")]
    try:
        invite, ok, _incoming = await call_between(ann, bo, "1002")
        assert pbx.calls is not None
        (call_id,) = list(pbx.calls.calls)
        path = f"/api/calls/{call_id}/transfer"
        assert (await api.post(path, json={"target": "1003"}, headers=headers["cy"])).status == 404
        unknown = await api.post(path, json={"target": "4711"}, headers=headers["bo"])
        assert unknown.status == 404 and (await unknown.json())["error"]["fields"]["target"]
        transferring = asyncio.create_task(api.post(path, json={"target": "1003"}, headers=headers["bo"]))
        ann_to = await taken_over(ann)
        accepted = await transferring
        assert accepted.status == 202 and (await accepted.json())["party"] == "caller"
        bo.answer(await bo.wait_request("BYE", wait=5), 200, to_tag="")
        ringing = await cy.wait_request("INVITE", wait=5)
        assert "1001" in (ringing.headers.get("From") or "")
        cy.answer(ringing, 200)
        await talk(ann, ann_to, cy, media_address(ringing.body))
        ann.send(ann.in_dialog("BYE", invite, ok, cseq=invite.cseq.seq + 2))
        cy.answer(await cy.wait_request("BYE", wait=5), 200, to_tag="")
    finally:
        for phone in (ann, bo, cy):
            phone.close()
