"""The Feature codes page in the web UI (FC-15..17): the codes as a list to pin to the wall.

The administrator opens Feature codes (listed right after Service rights) and finds every code with
what to dial to use it and to undo it, its name, what it does and its catalogue ID. He gives
"Forward all calls" the digits 22 with the keyboard: the row then shows *22*NUMBER* and #22#, and
the API holds 22. Digits that are not 1 to 6 digits are refused next to the field before anything
is sent; "2" for "Set activity" starts like 22, 23 and 24, and the server's refusal is shown next to
the field while the API keeps 23. "Back to default (21)" gives Forward all calls its 21 back. A
user sees the same list read-only from the user portal's navigation (no digit fields) and the API
refuses the user's change.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, PHONE, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

CORE_CODES = {
    "group_login": ("11", "FC-01"),
    "pickup_group": ("8", "FC-03"),
    "pickup_directed": ("9", "FC-04"),
    "present_number": ("30", "FC-07"),
    "forward_all": ("21", "FC-09"),
    "activity": ("23", "FC-11"),
    "role": ("24", "FC-12"),
}


def _codes(cordboard: Cordboard, token: str | None = None) -> dict[str, dict[str, Any]]:
    """The API's feature codes by key."""
    status, body = cordboard.api("GET", "/api/feature-codes", token=token or cordboard.token())
    assert status == 200, body
    return {code["key"]: code for code in body["codes"]}


def test_fc_15_admin_changes_a_code_and_sets_it_back(cordboard: Cordboard, browser: BrowserThread) -> None:
    codes = _codes(cordboard)
    assert {key: (codes[key]["code"], codes[key]["feature"]) for key in CORE_CODES} == CORE_CODES
    assert codes["forward_all"]["forms"] == {"on": "*21*NUMBER*", "off": "#21#"}

    browser.run(_admin_changes_codes, cordboard)

    codes = _codes(cordboard)
    assert {key: codes[key]["code"] for key in CORE_CODES} == {key: c for key, (c, _) in CORE_CODES.items()}
    assert codes["forward_all"]["forms"] == {"on": "*21*NUMBER*", "off": "#21#"}


def _admin_changes_codes(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("Service rights") + 1] == "Feature codes", links
    assert links.count("Feature codes") == 1, links  # not again under the user portal
    nav.get_by_role("link", name="Feature codes").click()
    expect(page).to_have_url(cordboard.base + "/feature-codes")
    expect(page.get_by_role("heading", name="Feature codes", level=1)).to_be_focused()
    expect(nav.get_by_role("link", name="Feature codes")).to_have_attribute("aria-current", "page")

    table = page.get_by_test_id("feature-codes")
    for key, (_, feature) in CORE_CODES.items():
        expect(table.get_by_test_id(f"code-{key}").get_by_test_id("code-feature")).to_have_text(feature)
    forward = table.get_by_test_id("code-forward_all")
    expect(forward.get_by_test_id("code-name")).to_have_text("Forward all calls")
    expect(forward).to_contain_text("Forward every call to this number.")
    expect(forward.get_by_test_id("form-on")).to_have_text("*21*NUMBER*")
    expect(forward.get_by_test_id("form-off")).to_have_text("#21#")
    login_row = table.get_by_test_id("code-group_login")
    expect(login_row.get_by_test_id("form-on")).to_have_text("*11*GROUP*")
    expect(login_row.get_by_test_id("form-off")).to_have_text("**11*GROUP*")
    pickup = table.get_by_test_id("code-pickup_directed")
    expect(pickup.get_by_test_id("form-on")).to_have_text("*9*EXTENSION*")
    expect(pickup.get_by_test_id("form-off")).to_have_count(0)  # nothing to undo
    expect(page.get_by_test_id("feature-code-fields")).to_contain_text("a colleague's extension")
    # Nothing is changed yet: no row offers its default back.
    expect(table.get_by_role("button", name="Back to default")).to_have_count(0)
    shot(page, "feature-codes-admin")

    # Not digits: refused next to the field before anything is sent.
    activity = table.get_by_test_id("code-activity")
    activity_digits = page.get_by_role("textbox", name="Digits for Set activity")
    activity_digits.fill("2x")
    activity.get_by_role("button", name="Save: digits for Set activity").click()
    error = page.locator("#fc-activity-code-error")
    expect(error).to_have_text("Use 1 to 6 digits, such as 21.")
    expect(activity_digits).to_be_focused()
    expect(activity_digits).to_have_attribute("aria-invalid", "true")
    expect(activity_digits).to_have_attribute("aria-describedby", "fc-activity-code-error")

    # Forward all calls becomes 22, typed and sent with Enter.
    digits = page.get_by_role("textbox", name="Digits for Forward all calls")
    expect(digits).to_have_value("21")
    digits.fill("22")
    digits.press("Enter")
    saved = "Saved: Forward all calls is now dialled as *22*NUMBER*."
    expect(page.locator(".toast").last).to_have_text(saved)
    expect(forward.get_by_test_id("form-on")).to_have_text("*22*NUMBER*")
    expect(forward.get_by_test_id("form-off")).to_have_text("#22#")
    reset = forward.get_by_role("button", name="Back to default (21)")
    expect(reset).to_be_visible()
    assert _codes(cordboard)["forward_all"]["code"] == "22"
    shot(page, "feature-codes-saved")

    # "2" starts like 22, 23 and 24: the server refuses it, and says why next to the field.
    expect(error).to_have_text("Use 1 to 6 digits, such as 21.")  # still there until one types
    activity_digits.fill("2")
    expect(error).to_be_empty()  # typing clears the old message
    activity_digits.press("Enter")
    expect(error).to_contain_text("start alike")
    expect(error).to_contain_text("*2 cannot be used")
    expect(activity_digits).to_be_focused()
    expect(activity_digits).to_have_attribute("aria-invalid", "true")
    expect(activity.get_by_test_id("form-on")).to_have_text("*23*ACTIVITY*")
    assert _codes(cordboard)["activity"]["code"] == "23"
    expect(page.locator(".toast")).to_have_count(0)  # the save's message is gone: it hid the row
    shot(page, "feature-codes-clash")

    # Back to the default: 21 again, and the button is gone (the field has the focus).
    reset.click()
    expect(page.locator(".toast").last).to_have_text("Forward all calls is back to its default: *21*NUMBER*.")
    expect(forward.get_by_test_id("form-on")).to_have_text("*21*NUMBER*")
    expect(digits).to_have_value("21")
    expect(digits).to_be_focused()
    expect(forward.get_by_role("button", name="Back to default")).to_have_count(0)
    assert _codes(cordboard)["forward_all"]["code"] == "21"

    # On paper: the table without the navigation, the buttons and the digit fields.
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(digits).to_be_hidden()
    expect(forward.get_by_test_id("form-on")).to_be_visible()
    shot(page, "feature-codes-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    shot(page, "feature-codes-admin-phone")


def test_fc_15_users_see_the_codes_read_only(cordboard: Cordboard, browser: BrowserThread) -> None:
    _, password = add_user(cordboard, "fc-ulla", "2451", "Ulla", "User", sip=False)
    user_token = cordboard.token("fc-ulla", password)
    codes = _codes(cordboard, user_token)  # a user may read them: they dial them
    assert codes["forward_all"]["code"] == "21"

    browser.run(_user_reads_codes, cordboard, password)

    status, error = cordboard.api("PUT", "/api/feature-codes/forward_all", {"code": "25"}, user_token)
    assert status == 403 and error["error"]["code"] == "forbidden", (status, error)
    assert _codes(cordboard)["forward_all"]["code"] == "21"


def _user_reads_codes(page: Any, cordboard: Cordboard, password: str) -> None:
    login(page, cordboard.base, "fc-ulla", password)
    nav = page.locator("#nav")
    nav.get_by_role("link", name="Feature codes").click()
    expect(page).to_have_url(cordboard.base + "/feature-codes")
    expect(page.get_by_role("heading", name="Feature codes", level=1)).to_be_focused()
    table = page.get_by_test_id("feature-codes")
    forward = table.get_by_test_id("code-forward_all")
    expect(forward.get_by_test_id("form-on")).to_have_text("*21*NUMBER*")
    expect(forward.get_by_test_id("form-off")).to_have_text("#21#")
    expect(table.get_by_test_id("code-pickup_group").get_by_test_id("form-on")).to_have_text("*8*")
    # Read-only: no digit fields, no buttons, no administrator's notice.
    expect(table.locator("input")).to_have_count(0)
    expect(table.get_by_role("button")).to_have_count(0)
    expect(page.get_by_test_id("feature-codes-admin")).to_have_count(0)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    shot(page, "feature-codes-user")
    page.set_viewport_size(PHONE)
    shot(page, "feature-codes-user-phone")
