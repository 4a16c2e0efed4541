"""Free seating in a real browser over a real `cordboard run` (PROV-06, PROV-09, PROV-12, CAPU-20).

An administrator turns free seating on for a phone on the Phones page: its state becomes "Free
seat" and its configuration carries the seat account. The desk phone registers with it, dials
the log-in code with the user's extension and keys the PIN (SIP INFO digits); the row shows
"Seated" with the user, live. The user sees the phone on My profile and logs out there; the row
is a free seat again. The administrator opens an extension for provisioning from the same page.
"""

from __future__ import annotations

import re
import urllib.request
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Dialog, Phone
from playwright.sync_api import expect

from cordboard.core.sip.message import make_response

MAC = "001565c1d2e3"
SHOWN = "00:15:65:c1:d2:e3"
USER_AGENT = f"Yealink SIP-T46U 66.86.0.15 {SHOWN}"
PIN = "8642"


def config(cordboard: Cordboard) -> dict[str, str]:
    """The Yealink file of the phone, as key = value pairs."""
    status, body = cordboard.api("GET", "/api/provisioning", token=cordboard.token())
    assert status == 200, body
    request = urllib.request.Request(f"{body['url']}{MAC}.cfg", headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=10) as resp:
        text = resp.read().decode()
    return {k.strip(): v.strip() for k, sep, v in (line.partition("=") for line in text.splitlines()) if sep}


def key_digits(phone: Phone, dialog: Dialog, digits: str) -> None:
    """DTMF as SIP INFO (application/dtmf-relay), one request per digit."""
    for digit in digits:
        dialog.cseq += 1
        message = phone._request(
            "INFO",
            f"sip:{phone.domain}",
            call_id=dialog.call_id,
            from_=dialog.local,
            to=dialog.remote,
            cseq=dialog.cseq,
            body=f"Signal={digit}\r\nDuration=160\r\n",
        ).replace("Content-Type: application/sdp", "Content-Type: application/dtmf-relay")
        phone.send(message, dialog.target)
        assert phone.response(dialog.call_id, dialog.cseq, "INFO").status == 200


def log_in_on_the_phone(cordboard: Cordboard, extension: str) -> None:
    """The free seat registers with its seat account and logs in as ``extension`` with the PIN."""
    values = config(cordboard)
    assert values["account.1.user_name"] == f"0seat{MAC}"
    with Phone(
        cordboard.sip_server,
        values["account.1.user_name"],
        values["account.1.password"],
        user_agent=USER_AGENT,
    ) as desk:
        assert desk.register().status == 200
        answer, dialog = desk.call(f"*11*{extension}")
        assert answer.status == 200, answer
        key_digits(desk, dialog, PIN + "#")
        bye = desk.wait_request("BYE", timeout=20)
        desk.send(make_response(bye, 200))


def test_free_seat_toggle_state_and_portal_logout(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, password = add_user(cordboard, "hana", "4501", "Hana", "Holm")
    status, _ = cordboard.api("PUT", f"/api/users/{user_id}/pin", {"pin": PIN}, cordboard.token())
    assert status in (200, 204)
    status, body = cordboard.api("POST", "/api/devices", {"mac": MAC, "model": "T46U"}, cordboard.token())
    assert status == 201, body
    ivo_id, _ = add_user(cordboard, "ivo", "4502", "Ivo", "Iversen")
    browser.run(_free_seat, cordboard, password, ivo_id)


def _free_seat(page: Any, cordboard: Cordboard, password: str, ivo_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Phones", exact=True).click()
    row = page.locator(f'[data-testid="phone-row"][data-mac="{MAC}"]')
    expect(row.get_by_test_id("device-state")).to_have_text("Not provisioned")

    # Free seating on: the user picker gives way to the switch's explanation.
    row.get_by_role("button", name=f"Edit {SHOWN}").click()
    edit = page.get_by_test_id("device-edit")
    switch = edit.get_by_label("Free seating (hot desking)")
    expect(switch).not_to_be_checked()
    switch.check()
    expect(row.get_by_test_id("device-state")).to_have_text("Free seat")
    expect(edit.get_by_test_id("seated-user")).to_have_text(
        "Nobody is logged in: the phone waits for a log-in."
    )
    expect(edit.get_by_text("turn free seating off to assign it a fixed user")).to_be_visible()
    expect(edit.get_by_label("Find user")).to_have_count(0)
    shot(page, "hot-desk-free-seat")

    # Hana logs in on the phone: the row follows live (phone.<mac> state).
    log_in_on_the_phone(cordboard, "4501")
    expect(row.get_by_test_id("device-state")).to_have_text("Seated")
    expect(row.get_by_test_id("device-user")).to_contain_text("Hana Holm")
    assert config(cordboard)["account.1.user_name"] == "hana"

    # The open-extension card (PROV-12): opened for Hana, then closed.
    page.get_by_role("button", name="Open extension…").click()
    card = page.get_by_test_id("open-extension")
    expect(card.get_by_test_id("open-extension-status")).to_have_text("No extension is open.")
    card.get_by_label("Minutes").fill("0")
    card.get_by_role("button", name="Open", exact=True).click()
    expect(card.locator("#open-extension-user-error")).to_have_text("Choose a user.")
    expect(card.locator("#open-extension-minutes-error")).to_have_text("1 to 240 minutes.")
    card.get_by_label("User").select_option(label="4501 \u2013 Hana Holm (hana)")
    card.get_by_label("Minutes").fill("10")
    card.get_by_role("button", name="Open", exact=True).click()
    expect(card.get_by_test_id("open-extension-status")).to_contain_text(
        re.compile(r"Open for Hana Holm \(4501\): (10:00|9:5\d) left")
    )
    shot(page, "hot-desk-open-extension")
    card.get_by_role("button", name="Close").click()
    expect(card.get_by_test_id("open-extension-status")).to_have_text("No extension is open.")

    # Another administrator locks Ivo while this page still offers him: the API refuses, and the
    # reason stands at the user field, which gets the focus; no window opens.
    status, body = cordboard.api("PATCH", f"/api/users/{ivo_id}", {"locked": True}, cordboard.token())
    assert status == 200, body
    card.get_by_label("User").select_option(label="4502 \u2013 Ivo Iversen (ivo)")
    card.get_by_role("button", name="Open", exact=True).click()
    expect(card.locator("#open-extension-user-error")).to_have_text("the user is locked")
    expect(card.locator("#open-extension-error")).to_contain_text("The user is locked")
    expect(card.get_by_label("User")).to_be_focused()
    expect(card.get_by_test_id("open-extension-status")).to_have_text("No extension is open.")

    # Hana logs out on My profile; the phone is a free seat again.
    page.context.clear_cookies()
    login(page, cordboard.base, "hana", password)
    page.goto(cordboard.base + "/profile")
    seat = page.get_by_test_id("my-seat")
    expect(seat.get_by_test_id("my-seat-phone")).to_contain_text("You are logged in on the phone")
    expect(seat.get_by_test_id("my-seat-phone")).to_contain_text(SHOWN)
    shot(page, "hot-desk-my-seat")
    seat.get_by_role("button", name="Log out of this phone").click()
    expect(seat.get_by_test_id("my-seat-phone")).to_contain_text("You are not logged in on a free-seat phone")
    assert config(cordboard)["account.1.user_name"] == f"0seat{MAC}"
    status, device = cordboard.api("GET", f"/api/devices/{MAC}", token=cordboard.token())
    assert status == 200 and device["state"] == "free_seat"
