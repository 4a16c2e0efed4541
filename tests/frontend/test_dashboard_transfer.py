"""Transferring a live call from the web (PKP-10): the admin dashboard's "Transfer" action on an
answered call, and the same action in a user's own live calls ("My calls").

Real SIP phones (tests/frontend/e2e_phone.py) over a real `cordboard run`: ann (1001) calls bo
(1002), bo answers; the browser sends the transfer (POST /api/calls/{id}/transfer), ann's phone
answers the appliance's re-INVITE, bo's phone is hung up, cy's phone (1003) rings showing 1001.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Dialog, Phone
from playwright.sync_api import expect

TRANSFER_PATH = "/transfer"
ANN_GOES = "Ann Tester is connected to this number; Bo Berg is hung up."
BO_GOES = "Bo Berg is connected to this number; Ann Tester is hung up."
NOT_A_NUMBER = re.compile(r"Enter a number: 1 to 32 digits, \*, # or \+\.$")
TRANSFERRING = "Transferring Ann Tester to 1003"


def toast(page: Any, text: str) -> Any:
    """The status message (toast) that contains ``text``."""
    return page.locator(".toast").filter(has_text=text)


@pytest.fixture(scope="module")
def passwords(cordboard: Cordboard) -> dict[str, str]:
    """ann (1001), bo (1002) and cy (1003), each with a web and SIP password.

    One after the other, each once its SIP account is known: the appliance reloads its SIP
    accounts in a task after ``user.created``, and a REGISTER straight after adding users in
    quick succession was sometimes refused 401 (and accepted a moment later)."""
    people = {"ann": ("1001", "Ann", "Tester"), "bo": ("1002", "Bo", "Berg"), "cy": ("1003", "Cy", "Clausen")}
    made = {}
    for name, person in people.items():
        made[name] = add_user(cordboard, name, *person)[1]
        with Phone(cordboard.sip_server, name, made[name]) as probe:
            deadline = time.monotonic() + 5
            while probe.register().status != 200:
                assert time.monotonic() < deadline, f"{name}'s SIP account is not known"
                time.sleep(0.1)
            probe.register(expires=0)
    return made


@pytest.fixture
def phones(cordboard: Cordboard, passwords: dict[str, str]) -> Iterator[dict[str, Phone]]:
    """The three registered phones; unregistered and closed afterwards."""
    registered = {name: Phone(cordboard.sip_server, name, password) for name, password in passwords.items()}
    try:
        for phone in registered.values():
            assert phone.register().status == 200
        yield registered
    finally:
        for phone in registered.values():
            try:
                phone.register(expires=0)
            except (AssertionError, TimeoutError, OSError):
                pass
            phone.close()


def ann_calls_bo(ann: Phone, bo: Phone) -> tuple[Dialog, Dialog]:
    """ann calls 1002 and bo picks up: ann's dialog and bo's."""
    invite = ann.start_call("1002")
    incoming = bo.wait_request("INVITE")
    bo_dialog = bo.pick_up(incoming, bo.ring(incoming))
    final, ann_dialog = ann.finish_call(invite)
    assert final.status == 200, final
    return ann_dialog, bo_dialog


def transfer_on_the_phones(ann: Phone, ann_dialog: Dialog, bo: Phone, cy: Phone) -> Dialog:
    """What the phones see of ann's transfer to 1003: ann answers the re-INVITE that takes her call
    over, bo is hung up, cy rings showing 1001 and picks up. cy's dialog."""
    reinvite = ann.answer_reinvite(ann_dialog)
    assert "application/sdp" in (reinvite.headers.get("Content-Type") or ""), reinvite
    bo.accept_bye()
    ringing = cy.wait_request("INVITE")
    assert "1001" in (ringing.headers.get("From") or ""), ringing
    return cy.pick_up(ringing, cy.ring(ringing))


def hang_up(ann: Phone, ann_dialog: Dialog, cy: Phone) -> None:
    assert ann.hang_up(ann_dialog).status == 200
    cy.accept_bye()


# -- the admin dashboard --------------------------------------------------------------------------
def test_admin_transfers_a_live_call_from_the_dashboard(
    cordboard: Cordboard, phones: dict[str, Phone], browser: BrowserThread
) -> None:
    browser.run(_admin_transfers_a_live_call_from_the_dashboard, cordboard, phones)


def _admin_transfers_a_live_call_from_the_dashboard(
    page: Any, cordboard: Cordboard, phones: dict[str, Phone]
) -> None:
    ann, bo, cy = phones["ann"], phones["bo"], phones["cy"]
    sent: list[str] = []

    def on_request(request: Any) -> None:
        if request.method == "POST" and request.url.endswith(TRANSFER_PATH):
            sent.append(request.post_data or "")

    page.on("request", on_request)
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    row = page.get_by_test_id("live-call")
    expect(page.get_by_test_id("no-live-calls")).to_be_visible()

    # Ringing: nothing to transfer yet.
    invite = ann.start_call("1002")
    incoming = bo.wait_request("INVITE")
    tag = bo.ring(incoming)
    expect(row.get_by_test_id("call-state")).to_have_text("Ringing")
    expect(row.get_by_test_id("transfer-call")).to_have_count(0)
    bo.pick_up(incoming, tag)
    final, ann_dialog = ann.finish_call(invite)
    assert final.status == 200, final
    expect(row.get_by_test_id("call-state")).to_have_text("In call")
    expect(row).to_contain_text("Ann Tester")
    expect(row).to_contain_text("Bo Berg")

    # The action names the call for screen readers; Escape closes the form, the focus goes back.
    button = row.get_by_role("button", name="Transfer the call between Ann Tester (1001) and Bo Berg (1002)")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    form = page.get_by_role("form", name="Transfer the call between Ann Tester (1001) and Bo Berg (1002)")
    expect(form).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    target = form.get_by_role("textbox", name="Transfer to")
    expect(target).to_be_focused()
    page.keyboard.press("Escape")
    expect(form).to_have_count(0)
    expect(button).to_be_focused()

    # With the keyboard: Enter opens it again, the caller is chosen, the hint says what happens.
    page.keyboard.press("Enter")
    expect(target).to_be_focused()
    caller = form.get_by_role("radio", name="Caller: Ann Tester (1001)")
    callee = form.get_by_role("radio", name="Called: Bo Berg (1002)")
    expect(caller).to_be_checked()
    expect(callee).not_to_be_checked()
    expect(target).to_have_accessible_description(ANN_GOES)
    callee.check()
    expect(target).to_have_accessible_description(BO_GOES)
    caller.check()

    # Checked in the browser first: nothing is sent for a number no phone could dial.
    target.fill("10 03")
    page.keyboard.press("Enter")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_have_accessible_description(NOT_A_NUMBER)
    assert sent == []

    # A number nobody has: the server's refusal shows next to the field, the call goes on.
    target.fill("4711")
    page.keyboard.press("Enter")
    error = form.locator(".field-error").filter(has_text="4711")
    expect(error).to_have_text("Nobody has the number 4711, and no trunk reaches it.")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_be_focused()
    expect(form).to_be_visible()
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("call-state")).to_have_text("In call")
    assert len(sent) == 1 and '"target":"4711"' in sent[0] and '"party":"caller"' in sent[0], sent
    shot(page, "dashboard-transfer-error")

    # 1003: ann is taken over, bo hung up, cy rings showing 1001.
    target.fill("1003")
    expect(target).to_have_attribute("aria-invalid", "false")
    form.get_by_role("button", name="Transfer", exact=True).click()
    cy_dialog = transfer_on_the_phones(ann, ann_dialog, bo, cy)
    expect(toast(page, "Transferring")).to_have_text(TRANSFERRING)
    expect(form).to_have_count(0)
    assert len(sent) == 2 and '"target":"1003"' in sent[1], sent

    # The list follows by itself: the call between ann and cy, bo's is gone. The appliance placed
    # that call itself (ringing cy for ann), so it offers no Transfer: the server says so.
    to_cy = row.filter(has_text="1003")
    expect(to_cy).to_have_count(1)
    expect(to_cy).to_contain_text("1001")
    expect(to_cy.get_by_test_id("call-state")).to_have_text("In call")
    expect(to_cy.get_by_test_id("transfer-call")).to_have_count(0)
    expect(row.filter(has_text="1002")).to_have_count(0)
    shot(page, "dashboard-transfer-done")
    expect(toast(page, "The call ended")).to_have_count(0)
    assert cy.hang_up(cy_dialog).status == 200
    ann.accept_bye()
    expect(row).to_have_count(0)

    # A form open on a call that ends closes and says so: ann calls bo again, bo hangs up.
    ann_dialog, bo_dialog = ann_calls_bo(ann, bo)
    expect(row.get_by_test_id("call-state")).to_have_text("In call")
    row.get_by_test_id("transfer-call").click()
    expect(form).to_be_visible()
    assert bo.hang_up(bo_dialog).status == 200
    ann.accept_bye()
    expect(toast(page, "The call ended")).to_have_text("The call ended before it was transferred.")
    expect(form).to_have_count(0)
    expect(row).to_have_count(0)
    expect(page.get_by_test_id("no-live-calls")).to_be_visible()


# -- a user's own calls ---------------------------------------------------------------------------
def test_user_transfers_the_party_of_an_own_call(
    cordboard: Cordboard, passwords: dict[str, str], phones: dict[str, Phone], browser: BrowserThread
) -> None:
    browser.run(_user_transfers_the_party_of_an_own_call, cordboard, passwords["bo"], phones)


def _user_transfers_the_party_of_an_own_call(
    page: Any, cordboard: Cordboard, password: str, phones: dict[str, Phone]
) -> None:
    ann, bo, cy = phones["ann"], phones["bo"], phones["cy"]
    login(page, cordboard.base, "bo", password, "/login?next=/my-calls")
    expect(page.get_by_role("heading", name="My calls")).to_be_visible()
    ann_dialog, _ = ann_calls_bo(ann, bo)
    row = page.get_by_test_id("live-call")
    expect(row.get_by_test_id("call-state")).to_have_text("In call")
    row.get_by_role("button", name="Transfer the call between Ann Tester (1001) and Bo Berg (1002)").click()
    form = page.get_by_test_id("transfer-form")
    # bo sends on the person he talks with: no choice, the hint says who.
    expect(form.get_by_role("radio")).to_have_count(0)
    target = form.get_by_role("textbox", name="Transfer to")
    expect(target).to_be_focused()
    expect(target).to_have_accessible_description(ANN_GOES)
    page.set_viewport_size(PHONE)
    shot(page, "my-calls-transfer-phone")
    target.focus()
    page.keyboard.type("1003")
    page.keyboard.press("Enter")
    transfer_on_the_phones(ann, ann_dialog, bo, cy)
    expect(toast(page, "Transferring")).to_have_text(TRANSFERRING)
    expect(toast(page, "The call ended")).to_have_count(0)
    # bo is out of the call: his list of calls in progress is empty.
    expect(page.get_by_test_id("no-live-calls")).to_be_visible()
    shot(page, "my-calls-transfer-done")
    hang_up(ann, ann_dialog, cy)


# -- camp-on (PQ-06, PQ-07) -----------------------------------------------------------------------
def test_pq_07_a_receptionist_sees_that_a_camped_call_still_waits(
    cordboard: Cordboard, passwords: dict[str, str], phones: dict[str, Phone], browser: BrowserThread
) -> None:
    """cy is in the reception, whose group has the camp-on right; pending transfers are off for
    everyone else. bo is on the phone (the echo test); ann calls cy, and cy transfers her to bo from
    My calls: the call waits in bo's personal queue, and after a second cy's browser says so."""
    token = cordboard.token()
    status, users = cordboard.api("GET", "/api/users", token=token)
    assert status == 200, users
    cy_id = next(u["id"] for u in users if u["username"] == "cy")
    status, group = cordboard.api("POST", "/api/groups", {"name": "Reception"}, token)
    assert status == 201, group
    status, body = cordboard.api("PUT", f"/api/groups/{group['id']}/members", {"user_ids": [cy_id]}, token)
    assert status == 200, body
    grant = {"group_id": group["id"], "scope": "org", "scope_id": None}
    status, body = cordboard.api("PUT", "/api/rights/camp_on", {"grants": [grant]}, token)
    assert status == 200, body
    settings = {"core.pending_transfer": False, "core.camp_on_notify_s": 1, "core.camp_on_notify_all_s": 0}
    status, body = cordboard.api("PUT", "/api/settings/org", settings, token)
    assert status == 200, body
    try:
        browser.run(_receptionist_sees_a_camped_call, cordboard, passwords["cy"], phones)
    finally:
        cordboard.api("PUT", "/api/rights/camp_on", {"grants": []}, token)
        cordboard.api("PUT", "/api/settings/org", dict.fromkeys(settings), token)


def _receptionist_sees_a_camped_call(
    page: Any, cordboard: Cordboard, password: str, phones: dict[str, Phone]
) -> None:
    ann, bo, cy = phones["ann"], phones["bo"], phones["cy"]
    echo_invite = bo.start_call("*43")
    echo, echo_dialog = bo.finish_call(echo_invite)
    assert echo.status == 200, echo
    login(page, cordboard.base, "cy", password, "/login?next=/my-calls")
    expect(page.get_by_role("heading", name="My calls")).to_be_visible()
    invite = ann.start_call("1003")
    incoming = cy.wait_request("INVITE")
    cy.pick_up(incoming, cy.ring(incoming))
    final, ann_dialog = ann.finish_call(invite)
    assert final.status == 200, final
    row = page.get_by_test_id("live-call")
    expect(row.get_by_test_id("call-state")).to_have_text("In call")
    row.get_by_role(
        "button", name="Transfer the call between Ann Tester (1001) and Cy Clausen (1003)"
    ).click()
    target = page.get_by_test_id("transfer-form").get_by_role("textbox", name="Transfer to")
    target.fill("1002")
    page.keyboard.press("Enter")
    ann.answer_reinvite(ann_dialog)
    cy.accept_bye()
    notice = toast(page, "has waited")
    expect(notice).to_have_text(re.compile(r"^Ann Tester \(1001\) has waited [0-9]+ s for Bo Berg \(1002\)"))
    shot(page, "camp-on-notification")
    assert ann.hang_up(ann_dialog).status == 200
    assert bo.hang_up(echo_dialog).status == 200
