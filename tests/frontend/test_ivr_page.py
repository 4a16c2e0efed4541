"""The IVR menus page in the web UI (IVR-01, IVR-03, IVR-04, IVR-08, SCH-07).

The administrator opens IVR menus (listed after Hunt groups) and finds none yet. A new menu
"Reception" on Ann's extension, with key 1 calling Bo and key 2 calling 1299 (in a range, but
nobody's), is refused by the server: the number field says whose the number is, key 2's number
says nobody has it, and nothing is saved. On 1600, with key 2 leaving a message in Ann's mailbox,
the organisation's prompt "Welcome" (chosen by its name) as the welcome prompt, Danish prompts, 8 s
to wait, one repeat and Bo's number when nobody presses a key, and excluded from contact searches
(NUM-11), it is created, listed, and the API holds exactly those fields. Direct dialling hides the
key options and explains itself. Key 2 is changed to repeat the menu, and the menu gets the display
text "Reception desk" and keeps a display text from earlier in the call (IVR-05); deleting it
(after confirming) frees 1600 again.

The page follows the administrator's language (German); a user who is not an administrator has no
IVR menus in the navigation and the API refuses them.

ROLE-04, IVR-06: the administrator ticks the user group "Front office" under "Administered by" on
the menu "Front desk". Dot, a member and no administrator, finds IVR menus under "Group
administration", sees just that menu with no "New menu" and no Delete, and renames it; her form
has neither "Administered by", "Blocking groups" nor "Opening hours", and all three stay as they
were. Eli, in no such group, finds the page not allowed.

SCH-07: the administrator gives a new menu "Night line" the schedule "Office hours" (made on the
Schedules page) under "Opening hours"; the API holds its id and the edit form shows it chosen.
Choosing "Always open" again leaves the menu without a schedule.
"""

from __future__ import annotations

import uuid
from typing import Any

from e2e_helpers import (
    ADMIN,
    ADMIN_PASSWORD,
    BrowserThread,
    Cordboard,
    add_blocking_groups,
    add_group,
    add_ip_trunk,
    add_user,
    api_list,
    delete_after_confirming,
    http_raw,
    login,
    not_a_group_administrator,
    shot,
    tone_wav,
)
from playwright.sync_api import expect

MENUS = "/api/ivr/menus"
SCHEDULES = "/api/schedules"


def _menus(cordboard: Cordboard) -> list[dict[str, Any]]:
    return api_list(cordboard, MENUS)


def _schedule(cordboard: Cordboard, name: str, owner: str) -> int:
    """The id of a new function-number schedule ``name`` (closed unless an event says otherwise),
    made over the API as the Schedules page does."""
    body = {"name": name, "owner": owner, "events": [], "default": {"action": "closed"}}
    status, schedule = cordboard.api("POST", SCHEDULES, body, cordboard.token())
    assert status == 201, schedule
    return int(schedule["id"])


def _org_prompt(cordboard: Cordboard, name: str, wav: bytes) -> str:
    """The id (``org:<n>``) of a new organisation prompt ``name``, uploaded as the Prompts page does."""
    boundary = uuid.uuid4().hex
    parts = [
        *(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode()
            for field, value in (("name", name), ("description", "Greets IVR callers"), ("language", "en"))
        ),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="welcome.wav"\r\n'.encode()
        + b"Content-Type: audio/wav\r\n\r\n"
        + wav
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    status, body = http_raw(
        "POST",
        cordboard.base + "/api/prompts",
        b"".join(parts),
        cordboard.token(),
        f"multipart/form-data; boundary={boundary}",
    )
    assert status == 201, body
    return str(body["id"])


def test_ivr_01_03_08_admin_creates_changes_and_deletes_a_menu(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Any
) -> None:
    """IVR-01 (number from the IVR range, clashes refused), IVR-03 (options by key), IVR-04 (direct
    dialling hides the options), IVR-08 (timeout, repeats, timeout destination)."""
    add_user(cordboard, "ivr-ann", "1220", "Ann", "Answer", sip=False)
    add_user(cordboard, "ivr-bo", "1221", "Bo", "Box", sip=False)
    welcome = _org_prompt(cordboard, "Welcome", tone_wav(tmp_path / "welcome.wav", seconds=0.3).read_bytes())

    browser.run(_admin_manages_menus, cordboard, welcome)

    assert _menus(cordboard) == []
    # The number is free again: a new menu may have it.
    token = cordboard.token()
    status, again = cordboard.api("POST", MENUS, {"name": "Again", "number": "1600"}, token)
    assert status == 201, again
    status, body = cordboard.api("DELETE", f"{MENUS}/{again['id']}", token=token)
    assert status == 204, body


def _admin_manages_menus(page: Any, cordboard: Cordboard, welcome: str) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Hunt groups") + 1] == "IVR menus", links
    nav.get_by_role("link", name="IVR menus").click()
    expect(page).to_have_url(cordboard.base + "/ivr")
    expect(page.get_by_role("heading", name="IVR menus", level=1)).to_be_focused()
    expect(page.get_by_test_id("ivr-empty")).to_have_text("There are no IVR menus yet.")

    page.get_by_role("button", name="New menu").click()
    form = page.get_by_test_id("ivr-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    name.fill("Reception")
    number = form.get_by_role("textbox", name="Number", exact=True)
    number.fill("1220")
    form.get_by_label("Language").select_option(label="Dansk")
    form.get_by_label("Welcome prompt").select_option(label="Welcome")

    # IVR-03: two keys; a key is offered only once.
    form.get_by_role("button", name="Add option").click()
    key1 = form.get_by_role("group", name="Key 1")
    expect(key1.get_by_label("Key", exact=True)).to_be_focused()
    key1.get_by_label("Number to call").fill("1221")
    form.get_by_role("button", name="Add option").click()
    key2 = form.get_by_role("group", name="Key 2")
    assert "1" not in key2.get_by_label("Key", exact=True).locator("option").all_inner_texts()
    key2.get_by_label("Number to call").fill("1299")

    # IVR-08: wait 8 s, repeat once, then Ann.
    form.get_by_label("Wait for a key (seconds)").fill("8")
    form.get_by_label("Repeats").fill("1")
    no_key = form.get_by_role("group", name="When nobody presses a key")
    no_key.get_by_label("Then", exact=True).select_option(label="Call a number")
    no_key.get_by_label("Number to call").fill("1221")

    # IVR-01, IVR-03: the server names the clashing number and the target nobody answers.
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#ivr-number-error")).to_have_text("1220 already belongs to Ann Answer")
    expect(page.locator("#ivr-opt-1-target-error")).to_have_text("nobody has the number 1299")
    expect(page.locator("#ivr-opt-0-target-error")).to_have_text("")
    expect(page.locator("#ivr-form-error")).to_have_text("The IVR menu is invalid")
    expect(number).to_be_focused()
    expect(number).to_have_attribute("aria-invalid", "true")
    assert _menus(cordboard) == []
    shot(page, "ivr-form-errors")

    number.fill("1600")
    key2.get_by_label("Action").select_option(label="Voicemail")
    expect(key2.get_by_label("Number to call")).to_have_count(0)
    expect(page.locator("#ivr-opt-1-target-error")).to_have_text("")
    key2.get_by_label("Mailbox of (user's number)").fill("1220")
    expect(page.locator("#ivr-number-error")).to_have_text("")
    # NUM-11: the menu is left out of contact searches (it can still be called).
    exclude = form.get_by_role("checkbox", name="Exclude from contact search")
    expect(exclude).not_to_be_checked()
    exclude.check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Reception (1600) created.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("ivr-menu").filter(has_text="Reception")
    expect(row.get_by_test_id("ivr-number")).to_have_text("1600")
    expect(row.get_by_test_id("ivr-language")).to_have_text("Dansk")
    expect(row.get_by_test_id("ivr-key")).to_have_text(["1: call 1221", "2: voicemail of 1220"])
    expect(row.get_by_test_id("ivr-timeout")).to_contain_text("call 1221")
    expect(row.get_by_test_id("ivr-timeout")).to_contain_text("after 8 s; repeats: 1")
    edit = row.get_by_role("button", name="Edit Reception")
    expect(edit).to_be_focused()
    [created] = _menus(cordboard)
    assert created == {
        "id": created["id"],
        "name": "Reception",
        "number": "1600",
        "language": "da",
        "welcome_prompt": welcome,
        "options": {"1": {"kind": "number", "target": "1221"}, "2": {"kind": "voicemail", "target": "1220"}},
        "direct_dial": False,
        "timeout_s": 8,
        "retries": 1,
        "invalid_prompt": "invalid_option",
        "timeout_destination": {"kind": "number", "target": "1221"},
        "exclude_from_search": True,
        "display_text": "",
        "keep_derived_metadata": False,
        "blocking_groups": [],
        "schedule_id": None,
        "admin_groups": [],
    }
    shot(page, "ivr-list")

    # IVR-04: direct dialling hides the options and says where callers can reach.
    edit.click()
    expect(page.get_by_role("heading", name="Change IVR menu Reception")).to_be_visible()
    expect(name).to_have_value("Reception")
    expect(form.get_by_label("Welcome prompt")).to_have_value(welcome)
    direct = form.get_by_label("Direct dialling: callers type an extension")
    direct.check()
    expect(page.get_by_test_id("ivr-options")).to_have_count(0)
    note = page.get_by_test_id("ivr-direct-dial-note")
    expect(note).to_contain_text("Callers may dial these numbers directly")
    shot(page, "ivr-direct-dial")
    direct.uncheck()

    # IVR-03: key 2 now repeats the menu.
    key2.get_by_label("Action").select_option(label="Repeat the menu")
    expect(key2.get_by_role("textbox")).to_have_count(0)
    # IVR-05: the menu's display text, and a text from earlier in the call path kept instead.
    display_text = form.get_by_role("textbox", name="Display text", exact=True)
    expect(display_text).to_have_value("")
    display_text.fill("Reception desk")
    keep = form.get_by_role("checkbox", name="Keep display text from earlier in the call")
    expect(keep).not_to_be_checked()
    keep.check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Reception (1600) saved.")
    expect(row.get_by_test_id("ivr-key")).to_have_text(["1: call 1221", "2: repeat the menu"])
    [changed] = _menus(cordboard)
    assert changed["options"] == {"1": {"kind": "number", "target": "1221"}, "2": {"kind": "repeat"}}
    assert changed["timeout_destination"] == {"kind": "number", "target": "1221"}
    assert (changed["display_text"], changed["keep_derived_metadata"]) == ("Reception desk", True)
    row.get_by_role("button", name="Edit Reception").click()
    expect(display_text).to_have_value("Reception desk")
    expect(keep).to_be_checked()
    form.get_by_role("button", name="Cancel").click()

    # Deleting asks first; cancelling keeps it.
    delete_after_confirming(
        page,
        row.get_by_role("button", name="Delete Reception"),
        "Delete the IVR menu Reception (1600)?",
        "IVR menu Reception (1600) deleted.",
        lambda: len(_menus(cordboard)),
    )
    expect(page.get_by_test_id("ivr-empty")).to_be_visible()
    expect(page.get_by_role("button", name="New menu")).to_be_focused()


def test_ivr_page_in_german_and_not_for_users(cordboard: Cordboard, browser: BrowserThread) -> None:
    """IVR-01: the page follows the administrator's language; users who are not administrators
    have no IVR menus page, and the API refuses them."""
    token = cordboard.token()
    status, me = cordboard.api("GET", "/api/auth/me", token=token)
    assert status == 200, me
    status, body = cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "de"}, token)
    assert status == 200, body
    try:
        browser.run(_admin_sees_german, cordboard)
    finally:
        status, body = cordboard.api("PATCH", f"/api/users/{me['id']}", {"language": "en"}, token)
        assert status == 200, body

    _, password = add_user(cordboard, "ivr-cy", "1222", "Cy", "User", sip=False)
    browser.run(_user_has_no_ivr_page, cordboard, password)
    status, error = cordboard.api("GET", MENUS, token=cordboard.token("ivr-cy", password))
    assert status == 403 and error["error"]["code"] == "forbidden", error


def _admin_sees_german(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.locator("#nav").get_by_role("link", name="IVR-Menüs").click()
    expect(page.get_by_role("heading", name="IVR-Menüs", level=1)).to_be_visible()
    page.get_by_role("button", name="Neues Menü").click()
    expect(page.get_by_label("Begrüßungsansage")).to_be_visible()
    expect(page.get_by_label("Anzeigetext", exact=True)).to_be_visible()
    shot(page, "ivr-form-de")


def _user_has_no_ivr_page(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "ivr-cy", password)
    expect(page).to_have_url(cordboard.base + "/profile")
    expect(page.locator("#nav").get_by_role("link", name="IVR menus")).to_have_count(0)
    page.goto(cordboard.base + "/ivr")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_bar_04_a_menus_blocking_groups_are_ticked_and_a_blocked_option_is_refused(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """BAR-04: without blocking groups the form says where to make them (the Dial plan page). With
    "No international" and "No premium", a menu "Abroad" whose key 1 calls +4930123456 (reachable
    over a trunk) is refused while "No international" is ticked: key 1's number says which group
    blocks it, and nothing is saved. With "No premium" ticked instead it is saved; the API and the
    edit form show that group ticked."""
    token = cordboard.token()
    trunk = add_ip_trunk(cordboard, "ivr-trunk")
    groups: list[int] = []
    try:
        browser.run(_admin_ticks_blocking_groups, cordboard, groups)
    finally:
        for menu in _menus(cordboard):
            cordboard.api("DELETE", f"{MENUS}/{menu['id']}", token=token)
        for group_id in groups:
            cordboard.api("DELETE", f"/api/dialplan/blocking_groups/{group_id}", token=token)
        cordboard.api("DELETE", f"/api/trunks/{trunk}", token=token)


def _admin_ticks_blocking_groups(page: Any, cordboard: Cordboard, groups: list[int]) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/ivr")
    page.get_by_role("button", name="New menu").click()
    form = page.get_by_test_id("ivr-form")
    none_yet = form.get_by_test_id("ivr-no-blocking-groups")
    expect(none_yet).to_have_text("No blocking groups yet: make them on the Dial plan page")
    expect(none_yet.get_by_role("link", name="make them on the Dial plan page")).to_have_attribute(
        "href", "/dialplan"
    )
    form.get_by_role("button", name="Cancel").click()

    add_blocking_groups(cordboard, groups)
    premium = groups[1]

    page.reload()
    page.get_by_role("button", name="New menu").click()
    form.get_by_role("textbox", name="Name", exact=True).fill("Abroad")
    form.get_by_role("textbox", name="Number", exact=True).fill("1601")
    form.get_by_role("button", name="Add option").click()
    form.get_by_role("group", name="Key 1").get_by_label("Number to call").fill("+4930123456")
    blocking = form.get_by_role("group", name="Blocking groups", exact=True)
    international = blocking.get_by_role("checkbox", name="No international")
    international.check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#ivr-opt-0-target-error")).to_have_text(
        "+4930123456 is blocked by the blocking group No international"
    )
    expect(page.locator("#ivr-form-error")).to_have_text("The IVR menu is invalid")
    assert _menus(cordboard) == []
    shot(page, "ivr-blocked-option")

    international.uncheck()
    blocking.get_by_role("checkbox", name="No premium").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Abroad (1601) created.")
    [created] = _menus(cordboard)
    assert (created["options"], created["blocking_groups"]) == (
        {"1": {"kind": "number", "target": "+4930123456"}},
        [premium],
    )
    page.get_by_test_id("ivr-menu").filter(has_text="Abroad").get_by_role(
        "button", name="Edit Abroad"
    ).click()
    expect(blocking.get_by_role("checkbox", name="No premium")).to_be_checked()
    expect(blocking.get_by_role("checkbox", name="No international")).not_to_be_checked()


def test_role_04_ivr_06_group_administrator_renames_their_menu(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    token = cordboard.token()
    dot_id, dot_password = add_user(cordboard, "ivr-dot", "1223", "Dot", "Desk", sip=False)
    _, eli_password = add_user(cordboard, "ivr-eli", "1224", "Eli", "Else", sip=False)
    office = add_group(cordboard, "Front office", [dot_id])
    blocking = {"name": "Office block", "number_types": [], "international": True, "prefixes": []}
    status, block = cordboard.api("POST", "/api/dialplan/blocking_groups", blocking, token)
    assert status == 201, block
    hours = _schedule(cordboard, "Front desk hours", "number:1605")
    made = []
    for name, number in (("Front desk", "1605"), ("Back office", "1606")):
        body = {"name": name, "number": number, "blocking_groups": [block["id"]], "schedule_id": hours}
        status, menu = cordboard.api("POST", MENUS, body, token)
        assert status == 201, menu
        made.append(menu)
    try:
        browser.run(_admin_chooses_the_menus_administrators, cordboard)
        assert [(m["name"], m["admin_groups"]) for m in _menus(cordboard)] == [
            ("Front desk", [office]),
            ("Back office", []),
        ]
        browser.run(_group_administrator_renames_the_menu, cordboard, dot_password)
        assert [
            (m["name"], m["admin_groups"], m["blocking_groups"], m["schedule_id"]) for m in _menus(cordboard)
        ] == [
            ("Reception desk", [office], [block["id"]], hours),
            ("Back office", [], [block["id"]], hours),
        ]
        browser.run(not_a_group_administrator, cordboard, ("ivr-eli", eli_password), ("/ivr", "ivr-menu"))
    finally:
        for menu in made:
            cordboard.api("DELETE", f"{MENUS}/{menu['id']}", token=token)
        cordboard.api("DELETE", f"/api/dialplan/blocking_groups/{block['id']}", token=token)
        cordboard.api("DELETE", f"{SCHEDULES}/{hours}", token=token)


def _admin_chooses_the_menus_administrators(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/ivr")
    page.get_by_role("button", name="Edit Front desk").click()
    form = page.get_by_test_id("ivr-form")
    admins = form.get_by_role("group", name="Administered by")
    expect(admins).to_contain_text("Members of these groups may change this menu (and nothing else).")
    admins.get_by_label("Front office").check()
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Front desk (1605) saved.")
    expect(form).to_have_count(0)


def _group_administrator_renames_the_menu(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "ivr-dot", password)
    expect(page.locator("#nav").get_by_role("heading", name="Group administration")).to_be_visible()
    links = page.get_by_test_id("nav-group-admin").get_by_role("link")
    expect(links).to_have_text(["IVR menus"])
    links.click()
    expect(page).to_have_url(cordboard.base + "/ivr")
    expect(page.get_by_role("heading", name="IVR menus", level=1)).to_be_visible()
    expect(page.get_by_test_id("ivr-menu")).to_have_count(1)
    expect(page.get_by_role("button", name="New menu")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete Front desk")).to_have_count(0)

    page.get_by_role("button", name="Edit Front desk").click()
    form = page.get_by_test_id("ivr-form")
    name = form.get_by_role("textbox", name="Name", exact=True)
    expect(name).to_be_focused()
    expect(form).not_to_contain_text("Administered by")
    expect(form).not_to_contain_text("Blocking groups")
    # SCH-07: the opening hours stay as they are (the schedules are the administrators').
    expect(form.get_by_label("Opening hours")).to_have_count(0)
    name.fill("Reception desk")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Reception desk (1605) saved.")
    expect(form).to_have_count(0)
    shot(page, "ivr-group-administrator")


def test_sch_07_ivr_01_admin_gives_a_menu_opening_hours(cordboard: Cordboard, browser: BrowserThread) -> None:
    """SCH-07 (a function number's opening hours from a schedule), IVR-01 (the menu's number): the
    administrator chooses the schedule "Office hours" under "Opening hours" for a new menu; the API
    holds its id and the edit form shows it chosen; "Always open" takes it away again."""
    token = cordboard.token()
    hours = _schedule(cordboard, "Office hours", "number:1607")
    try:
        browser.run(_admin_chooses_opening_hours, cordboard, hours)
        assert [(m["name"], m["schedule_id"]) for m in _menus(cordboard)] == [("Night line", None)]
    finally:
        for menu in _menus(cordboard):
            cordboard.api("DELETE", f"{MENUS}/{menu['id']}", token=token)
        cordboard.api("DELETE", f"{SCHEDULES}/{hours}", token=token)


def _admin_chooses_opening_hours(page: Any, cordboard: Cordboard, hours: int) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD, "/login?next=/ivr")
    page.get_by_role("button", name="New menu").click()
    form = page.get_by_test_id("ivr-form")
    form.get_by_role("textbox", name="Name", exact=True).fill("Night line")
    form.get_by_role("textbox", name="Number", exact=True).fill("1607")
    opening = form.get_by_label("Opening hours")
    expect(opening).to_have_value("")
    expect(opening.locator("option")).to_have_text(["Always open", "Office hours"])
    expect(page.locator("#ivr-schedule-hint")).to_contain_text("Closed plays the event's prompt and hangs up")
    opening.select_option(label="Office hours")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Night line (1607) created.")
    expect(form).to_have_count(0)
    [created] = _menus(cordboard)
    assert created["schedule_id"] == hours, created

    page.get_by_role("button", name="Edit Night line").click()
    expect(opening).to_have_value(str(hours))
    expect(opening.locator("option:checked")).to_have_text("Office hours")
    shot(page, "ivr-opening-hours")
    opening.select_option(label="Always open")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast").last).to_have_text("IVR menu Night line (1607) saved.")
    expect(form).to_have_count(0)
