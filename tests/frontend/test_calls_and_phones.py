"""The call and phone pages in a real browser over a real `cordboard run` with SIP on a free port.

Phones register and call with real SIP over UDP (tests/frontend/e2e_phone.py, digest auth from
cordboard.core.sip.auth); older history is written through the storage API. FEATURES.md: CDR-01
(a user's own history), CDR-02 (the admin's history), CDR-03 (live calls), CDR-08 (CSV export),
CAPA-37 / PROV-14 (registrations), CAPU-02 (search the own list), ROLE-01 (users see only their own).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from e2e_phone import Phone
from playwright.sync_api import expect

from cordboard.core.calls.history import save_call
from cordboard.core.calls.model import CallRecord, CallResult
from cordboard.core.sip.message import make_response
from cordboard.core.storage import connect

DASH = "\u2013"


def record(
    caller: tuple[str, str, int | None],
    callee: tuple[str, str, int | None],
    started: datetime,
    result: CallResult = CallResult.ANSWERED,
    seconds: int = 65,
) -> CallRecord:
    begin = started.timestamp()
    answered = begin + 5 if result is CallResult.ANSWERED else None
    return CallRecord(
        id=f"SEED{secrets.token_hex(8).upper()}",
        sip_call_id=secrets.token_hex(8),
        caller=caller[0],
        caller_name=caller[1],
        caller_user_id=caller[2],
        callee=callee[0],
        callee_name=callee[1],
        callee_user_id=callee[2],
        started=begin,
        answered=answered,
        ended=(answered or begin) + seconds,
        result=result,
        sip_code=None if result is CallResult.ANSWERED else 486,
        reason="seeded",
    )


def seed(cordboard: Cordboard, records: Iterable[CallRecord]) -> list[str]:
    """Write history rows into the running Cordboard's database (WAL lets both write)."""
    db = connect(cordboard.data / "cordboard.db")
    try:
        ids = []
        for r in records:
            save_call(db, r)
            ids.append(r.id)
        return ids
    finally:
        db.close()


def on_day(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 11, 0, tzinfo=UTC)  # 12:00 in Berlin, the browser's zone


# -- dashboard ------------------------------------------------------------------------------------
def test_dashboard_follows_registrations_and_live_calls(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_dashboard_follows_registrations_and_live_calls, cordboard)


def _dashboard_follows_registrations_and_live_calls(page: Any, cordboard: Cordboard) -> None:
    _, ann_pw = add_user(cordboard, "ann", "1001", "Ann", "Andersen")
    _, bo_pw = add_user(cordboard, "bo", "1002", "Bo", "Berg")
    dag_id, _ = add_user(cordboard, "dag", "1004", "Dag", "Dahl")
    polled: list[str] = []
    page.on(
        "request",
        lambda r: polled.append(r.url) if "/api/states" in r.url or "/api/calls/active" in r.url else None,
    )
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    count = page.get_by_test_id("registration-count")
    expect(count).to_have_text("0")
    expect(page.get_by_test_id("no-live-calls")).to_have_text("No calls in progress.")

    with Phone(cordboard.sip_server, "ann", ann_pw) as ann, Phone(cordboard.sip_server, "bo", bo_pw) as bo:
        assert ann.register().status == 200
        expect(count).to_have_text("1")
        expect(page.get_by_test_id("registration")).to_contain_text("1001")
        assert bo.register().status == 200
        expect(count).to_have_text("2")

        invite = ann.start_call("1002")
        incoming = bo.wait_request("INVITE")
        tag = bo.ring(incoming)
        row = page.get_by_test_id("live-call")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("1001")
        expect(row).to_contain_text("Ann Andersen")
        expect(row).to_contain_text("1002")
        expect(row).to_contain_text("Bo Berg")
        expect(row.get_by_test_id("call-state")).to_have_text("Ringing")
        shot(page, "dashboard-call-ringing")

        bo.pick_up(incoming, tag)
        final, dialog = ann.finish_call(invite)
        assert final.status == 200, final
        expect(row.get_by_test_id("call-state")).to_have_text("In call")
        duration = row.get_by_test_id("call-duration")
        expect(duration).to_have_text(re.compile(r"^0:0\d$"))
        first = duration.inner_text()
        # Nothing is sent while the call lasts: the page counts the seconds itself.
        expect(duration).not_to_have_text(first, timeout=5000)
        assert int(duration.inner_text().split(":")[1]) > int(first.split(":")[1])
        shot(page, "dashboard-call-answered")

        assert ann.hang_up(dialog).status == 200
        bo.accept_bye()
        expect(row).to_have_count(0)
        expect(page.get_by_test_id("no-live-calls")).to_be_visible()

        # CDR-03: a routed call shows its route live (dag's presence diverts his calls to bo).
        token = cordboard.token()
        status, _ = cordboard.api("PUT", f"/api/users/{dag_id}/presence", {"diversion": "1002"}, token)
        assert status == 200
        invite = ann.start_call("1004")
        incoming = bo.wait_request("INVITE")
        tag = bo.ring(incoming)
        expect(row.get_by_test_id("live-call-route")).to_have_text("presence: diverted to 1002")
        bo.pick_up(incoming, tag)
        final, dialog = ann.finish_call(invite)
        assert final.status == 200, final
        assert ann.hang_up(dialog).status == 200
        bo.accept_bye()
        expect(row).to_have_count(0)

        assert bo.register(expires=0).status == 200
        expect(count).to_have_text("1")
        expect(page.get_by_test_id("registration")).not_to_contain_text("1002")
        assert ann.register(expires=0).status == 200
        expect(count).to_have_text("0")
    assert not polled, f"the dashboard polled: {polled}"

    # The call is in the history, and a call that ends while the history is open appears at once.
    page.locator("#nav").get_by_role("link", name="Call history").click()
    expect(page.get_by_role("heading", name="Call history")).to_be_visible()
    rows = page.get_by_test_id("call-row")
    answered = rows.filter(has_text="1001").filter(has_text="Answered")
    expect(answered).to_have_count(2)  # to bo, and to dag (diverted to bo), newest first
    expect(answered.first).to_contain_text("1004")
    expect(answered.first.get_by_test_id("call-route")).to_have_text("presence: diverted to 1002")
    expect(answered.nth(1)).to_contain_text("1002")
    with Phone(cordboard.sip_server, "ann", ann_pw) as ann, Phone(cordboard.sip_server, "bo", bo_pw) as bo:
        assert ann.register().status == 200 and bo.register().status == 200
        invite = ann.start_call("1002")
        bo.send(_busy(bo.wait_request("INVITE")))
        final, _ = ann.finish_call(invite)
        assert final.status == 486, final
        expect(rows.filter(has_text="Busy")).to_have_count(1)
        ann.register(expires=0)
        bo.register(expires=0)


def _busy(invite: Any) -> Any:
    return make_response(invite, 486, to_tag=secrets.token_hex(4))


# -- phones ---------------------------------------------------------------------------------------
def test_phones_page_lists_registered_devices_live(cordboard: Cordboard, browser: BrowserThread) -> None:
    browser.run(_phones_page_lists_registered_devices_live, cordboard)


def _phones_page_lists_registered_devices_live(page: Any, cordboard: Cordboard) -> None:
    user_id, cy_pw = add_user(cordboard, "cy", "1003", "Cy", "Clausen")
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="Phones", exact=True).click()
    expect(page.get_by_role("heading", name="Phones")).to_be_focused()
    # The registrations are the Phones page's second tab (the first is the provisioned phone list).
    page.get_by_test_id("phone-tabs").get_by_role("link", name="Registrations").click()
    expect(page).to_have_url(re.compile(r"/phones/registrations$"))
    devices = page.get_by_test_id("device").filter(has_text="1003")
    expect(devices).to_have_count(0)

    desk = Phone(cordboard.sip_server, "cy", cy_pw, user_agent="Yealink SIP-T46U 66.86.0.15")
    soft = Phone(cordboard.sip_server, "cy", cy_pw, user_agent="Linphone/5.2.0 (Desktop)")
    with desk, soft:
        assert desk.register().status == 200
        expect(devices).to_have_count(1)
        row = devices.first
        expect(row).to_contain_text("cy")
        expect(row.get_by_role("link", name="cy")).to_have_attribute("href", f"/users/{user_id}")
        expect(row).to_contain_text("Yealink SIP-T46U 66.86.0.15")
        expect(row).to_contain_text(f"UDP 127.0.0.1:{desk.port}")
        expect(row).to_contain_text(f"sip:cy@127.0.0.1:{desk.port}")
        expect(row.get_by_test_id("device-expires")).to_have_text(re.compile(r"in [45]:\d\d"))

        assert soft.register(expires=120).status == 200
        expect(devices).to_have_count(2)
        soft_row = devices.filter(has_text="Linphone")
        expect(soft_row.get_by_test_id("device-expires")).to_have_text(re.compile(r"in [12]:\d\d"))
        shot(page, "phones")

        page.get_by_label("Search phones").fill("linphone")
        expect(page.get_by_test_id("device")).to_have_count(1)
        page.get_by_label("Search phones").fill("")

        assert desk.register(expires=0).status == 200
        expect(devices).to_have_count(1)
        expect(devices.first).to_contain_text("Linphone")
        page.set_viewport_size(PHONE)
        shot(page, "phones-phone")
        assert soft.register(expires=0).status == 200
        expect(devices).to_have_count(0)


# -- call history ---------------------------------------------------------------------------------
def test_admin_call_history_filters_pages_and_exports(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    eve_id, _ = add_user(cordboard, "eve", "2001", "Eve", "Ek")
    finn_id, _ = add_user(cordboard, "finn", "2002", "Finn", "Fors")
    eve = ("2001", "Eve Ek", eve_id)
    finn = ("2002", "Finn Fors", finn_id)
    seed(cordboard, [record(eve, finn, on_day(3, day), seconds=60 + day) for day in range(1, 27)])
    busy = seed(cordboard, [record(finn, eve, on_day(3, d), CallResult.BUSY) for d in (10, 11)])
    seed(cordboard, [record(("+4930111", "", None), finn, on_day(4, 1), CallResult.NO_ANSWER)])
    browser.run(_admin_call_history_filters_pages_and_exports, cordboard, (busy, eve_id), tmp_path)


def _admin_call_history_filters_pages_and_exports(
    page: Any, cordboard: Cordboard, seeded: tuple[list[str], int], tmp_path: Path
) -> None:
    busy, eve_id = seeded
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/calls")
    expect(page.get_by_role("heading", name="Call history")).to_be_focused()
    rows = page.get_by_test_id("call-row")
    expect(rows.first).to_be_visible()

    # Eve's 28 calls: 25 on the first page, 3 on the second.
    page.get_by_label("User or extension").select_option(label=f"2001 {DASH} Eve Ek")
    expect(rows).to_have_count(25)
    expect(page.get_by_test_id("call-page")).to_have_text(f"Page 1 · Calls 1{DASH}25")
    expect(page.get_by_role("button", name="Previous page")).to_be_disabled()
    expect(rows.filter(has_text="+4930111")).to_have_count(0)
    shot(page, "call-history")
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_test_id("call-page")).to_have_text(f"Page 2 · Calls 26{DASH}28")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    for row in rows.all():
        expect(row).to_contain_text("2001 Eve Ek")
        expect(row).to_contain_text("2002 Finn Fors")
    # The oldest call (1 March) lasted 61 s after being answered.
    expect(rows.last).to_contain_text("1:01")

    page.get_by_label("Result").select_option(label="Busy")
    expect(rows).to_have_count(2)
    assert sorted(r.get_attribute("data-call") for r in rows.all()) == sorted(busy)
    expect(page.get_by_test_id("call-page")).to_have_count(0)

    page.get_by_label("Result").select_option(label="All results")
    page.get_by_label("From date").fill("2026-03-05")
    page.get_by_label("To date").fill("2026-03-07")
    expect(rows).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = tmp_path / "calls.csv"
    download.value.save_as(path)
    exported = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [r["started"] for r in exported] == [
        "2026-03-07T12:00:00+01:00",
        "2026-03-06T12:00:00+01:00",
        "2026-03-05T12:00:00+01:00",
    ]
    assert {(r["caller"], r["callee"], r["result"]) for r in exported} == {("2001", "2002", "answered")}

    page.get_by_label("To date").fill("2026-03-01")
    expect(page.locator("#calls-until-error")).to_have_text("The end date must not be before the start date.")
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_label("From date")).to_have_value("")
    expect(rows.filter(has_text="+4930111")).to_have_count(1)

    page.get_by_label("Search").fill("4930111")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Not answered")

    # The filters live in the address: a user's page links to their calls, a reload keeps the page.
    page.locator("#nav").get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="Eve Ek").click()
    expect(page.get_by_role("heading", name="Edit Eve Ek")).to_be_visible()
    page.locator("#main").get_by_role("link", name="Call history").click()
    expect(page).to_have_url(re.compile(r"/calls\?user=\d+$"))
    expect(page.get_by_label("User or extension")).to_have_value(str(eve_id))
    expect(rows).to_have_count(25)
    page.get_by_role("button", name="Next page").click()
    expect(page).to_have_url(re.compile(r"/calls\?user=\d+&page=2$"))
    page.reload()
    expect(page.get_by_test_id("call-page")).to_have_text(f"Page 2 · Calls 26{DASH}28")
    expect(rows).to_have_count(3)


# -- my calls -------------------------------------------------------------------------------------
def test_my_calls_shows_only_the_users_own_calls(cordboard: Cordboard, browser: BrowserThread) -> None:
    gina_id, gina_pw = add_user(cordboard, "gina", "3001", "Gina", "Gran")
    hugo_id, hugo_pw = add_user(cordboard, "hugo", "3002", "Hugo", "Hald")
    ida_id, _ = add_user(cordboard, "ida", "3003", "Ida", "Isak")
    gina = ("3001", "Gina Gran", gina_id)
    hugo = ("3002", "Hugo Hald", hugo_id)
    ida = ("3003", "Ida Isak", ida_id)
    own = seed(
        cordboard,
        [
            record(gina, hugo, on_day(5, 1)),
            record(ida, gina, on_day(5, 2), CallResult.BUSY),
            record(("+4940555", "", None), gina, on_day(5, 3), CallResult.NO_ANSWER),
        ],
    )
    others = seed(cordboard, [record(hugo, ida, on_day(5, 4)), record(ida, hugo, on_day(5, 5))])
    seeded = {"own": own, "others": others, "gina_id": gina_id, "hugo_id": hugo_id, "hugo_pw": hugo_pw}
    browser.run(_my_calls_shows_only_the_users_own_calls, cordboard, gina_pw, seeded)


def _my_calls_shows_only_the_users_own_calls(
    page: Any, cordboard: Cordboard, password: str, seeded: dict[str, Any]
) -> None:
    own, others, gina_id, hugo_id = seeded["own"], seeded["others"], seeded["gina_id"], seeded["hugo_id"]
    hugo_pw = seeded["hugo_pw"]
    login(page, cordboard.base, "gina", password)
    nav = page.locator("#nav")
    expect(nav.get_by_role("link", name="Call history")).to_have_count(0)
    expect(nav.get_by_role("link", name="Phones", exact=True)).to_have_count(0)
    nav.get_by_role("link", name="My calls").click()
    expect(page.get_by_role("heading", name="My calls")).to_be_focused()
    rows = page.get_by_test_id("call-row")
    expect(rows).to_have_count(3)
    assert sorted(r.get_attribute("data-call") for r in rows.all()) == sorted(own)
    expect(page.get_by_label("User or extension")).to_have_count(0)
    expect(rows.filter(has_text="3002 Hugo Hald").filter(has_text="Outgoing")).to_have_count(1)
    expect(rows.filter(has_text="3003 Ida Isak").filter(has_text="Incoming")).to_have_count(1)
    expect(page.get_by_test_id("no-live-calls")).to_be_visible()
    shot(page, "my-calls")

    page.get_by_label("Search").fill("3003")  # Ida: her call to Gina, not her calls with Hugo
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Busy")
    page.get_by_label("Search").fill("4940555")
    expect(rows).to_have_count(1)
    page.get_by_label("Search").fill("Hugo Hald")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-call", own[0])

    # A call to Gina shows while it rings, then lands in her list when she declines it (the history
    # tells both parties once the call is committed: call_history.saved).
    page.get_by_label("Search").fill("")
    expect(rows).to_have_count(3)
    server = cordboard.sip_server
    with Phone(server, "gina", password) as gina, Phone(server, "hugo", hugo_pw) as hugo:
        assert gina.register().status == 200 and hugo.register().status == 200
        invite = hugo.start_call("3001")
        incoming = gina.wait_request("INVITE")
        tag = gina.ring(incoming)
        live = page.get_by_test_id("live-call")
        expect(live).to_have_count(1)
        expect(live).to_contain_text("3002 Hugo Hald")
        expect(live.get_by_test_id("call-state")).to_have_text("Ringing")
        declined = make_response(incoming, 603, to_tag=tag)
        gina.send(declined)
        final, _ = hugo.finish_call(invite)
        assert final.status == 603, final
        expect(live).to_have_count(0)
        expect(rows).to_have_count(4)
        expect(rows.first).to_contain_text("Rejected")
        expect(rows.first).to_contain_text("Incoming")
        gina.register(expires=0)
        hugo.register(expires=0)

    # The API enforces it: asking for Hugo's calls gives Gina's own.
    token = cordboard.token("gina", password)
    status, body = cordboard.api("GET", f"/api/calls?user_id={hugo_id}", token=token)
    assert status == 200
    assert {c["id"] for c in body} >= set(own)
    assert all(gina_id in (c["caller_user_id"], c["callee_user_id"]) for c in body)
    assert not {c["id"] for c in body} & set(others)

    page.goto(cordboard.base + "/calls")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()

    # German (USR-06): the page follows the user's language.
    status, me = cordboard.api("GET", "/api/auth/me", token=token)
    status, _ = cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "de"}, token)
    assert status == 200
    page.goto(cordboard.base + "/my-calls")
    expect(page.get_by_role("heading", name="Meine Anrufe")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Richtung")).to_be_visible()
    expect(page.get_by_test_id("call-row").filter(has_text="Besetzt")).to_have_count(1)
    shot(page, "my-calls-de")
