"""TERM-05 in the web UI: on a user's page the admin gives an analogue adapter a SIP account of its
own; a weak password is refused next to the field, a strong one saved (never shown again), and the
account can be removed. While the adapter is registered the Phones page shows it as one."""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect


def test_term_05_admin_sets_up_a_third_party_account(cordboard: Cordboard, browser: BrowserThread) -> None:
    user_id, _ = add_user(cordboard, "tina", "1601", "Tina", "Toft", sip=False)
    browser.run(_set_up, cordboard, user_id)
    status, body = cordboard.api("GET", f"/api/users/{user_id}/third_party", token=cordboard.token())
    assert (status, body) == (200, None), "removed at the end"


def _set_up(page: Any, cordboard: Cordboard, user_id: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, f"/login?next=/users/{user_id}")
    card = page.get_by_test_id("third-party")
    expect(card).to_contain_text("None: for a device Cordboard cannot set up itself")
    card.get_by_label("SIP user name").fill("tina-ata")
    card.get_by_label("Password").fill("onlylowercase1234")
    card.get_by_label("Shown as").select_option("analogue")
    card.get_by_role("button", name="Save").click()
    expect(page.locator("#third-party-password-error")).to_contain_text("at least 16 characters")
    card.get_by_label("Password").fill("Ata-Phone-Secret-2026")
    card.get_by_role("button", name="Save").click()
    expect(card).to_contain_text("The device registers as tina-ata.")
    expect(card.get_by_label("Password")).to_have_value("")
    shot(page, "user-third-party")
    page.reload()
    expect(page.get_by_test_id("third-party")).to_contain_text("The device registers as tina-ata.")
    expect(page.locator("#third-party-kind")).to_have_value("analogue")
    adapter = Phone(cordboard.sip_server, "tina-ata", "Ata-Phone-Secret-2026", user_agent="Grandstream HT801")
    with adapter as ata:
        assert ata.register().status == 200
        page.goto(f"{cordboard.base}/phones/registrations")
        row = page.get_by_test_id("device").filter(has_text="Grandstream HT801")
        expect(row.get_by_test_id("device-kind")).to_have_text("Analogue phone, third-party SIP account")
        ata.register(expires=0)
    page.goto(f"{cordboard.base}/users/{user_id}")
    page.get_by_test_id("third-party").get_by_role("button", name="Delete").click()
    page.locator("dialog.confirm").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("third-party")).to_contain_text("None:")
