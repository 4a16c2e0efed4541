"""The Call flows page in the web UI (AA-02, number visualisation).

The company: the IVR "Main" (1660) sends key 1 to the hunt group "Sales" (1560: bo 1240, then
bo as fallback) and key 9 to bo's mailbox; bo's rule rings his phones, then his mailbox after
20 s. The administrator opens Call flows (listed after IVR menus), chooses 1660 from the function
numbers and sees its keys. He opens key 1: the hunt group's members and fallback appear. "Expand
all" opens the whole tree down to bo's mailbox after 20 s. "Render image" downloads
call-flow-1660.png, a PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from e2e_helpers import ADMIN, ADMIN_PASSWORD, BrowserThread, Cordboard, add_user, login, shot
from playwright.sync_api import expect

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _company(cordboard: Cordboard) -> None:
    token = cordboard.token()
    bo_id, _ = add_user(cordboard, "flow-bo", "1240", "Bo", "Flow", sip=False)
    status, team = cordboard.api("POST", "/api/groups", {"name": "Flow team"}, token)
    assert status == 201, team
    status, body = cordboard.api("PUT", f"/api/groups/{team['id']}/members", {"user_ids": [bo_id]}, token)
    assert status == 200, body
    group = {"name": "Sales", "number": "1560", "user_groups": [team["id"]], "ring_s": 15, "fallback": "1240"}
    status, body = cordboard.api("POST", "/api/hunt_groups/groups", group, token)
    assert status == 201, body
    menu = {
        "name": "Main",
        "number": "1660",
        "options": {"1": {"kind": "number", "target": "1560"}, "9": {"kind": "voicemail", "target": "1240"}},
    }
    status, body = cordboard.api("POST", "/api/ivr/menus", menu, token)
    assert status == 201, body
    rule = {
        "scope": "user",
        "scope_id": bo_id,
        "list": "incoming",
        "name": "Mailbox when I do not answer",
        "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": 20}],
    }
    status, body = cordboard.api("POST", "/api/routing/rules", rule, token)
    assert status == 201, body


def test_aa_02_admin_follows_a_call_flow_and_renders_it(
    cordboard: Cordboard, browser: BrowserThread, tmp_path: Path
) -> None:
    _company(cordboard)
    browser.run(_admin_follows_the_flow, cordboard, tmp_path)
    assert (tmp_path / "call-flow-1660.png").read_bytes()[:8] == PNG_SIGNATURE


def _admin_follows_the_flow(page: Any, cordboard: Cordboard, tmp_path: Path) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    nav = page.locator("#nav")
    links = nav.get_by_role("link").all_inner_texts()
    assert links[links.index("IVR menus") + 1] == "Call flows", links
    nav.get_by_role("link", name="Call flows").click()
    expect(page).to_have_url(cordboard.base + "/call-flows")
    expect(page.get_by_role("heading", name="Call flows", level=1)).to_be_focused()
    expect(page.get_by_test_id("flows-empty")).to_be_visible()

    page.get_by_label("Choose a function number…").select_option(label="1660 IVR Main")
    root = page.get_by_test_id("flow-node").first
    expect(root).to_have_attribute("data-number", "1660")
    expect(root).to_contain_text("IVR menu")
    edges = page.get_by_test_id("flow-tree").locator("> li > ul > li")
    expect(edges).to_have_count(3)
    expect(edges.nth(0)).to_contain_text("key 1")
    expect(edges.nth(1)).to_contain_text("key 9")
    expect(edges.nth(1)).to_contain_text("Voicemail")
    expect(edges.nth(2)).to_contain_text("no key pressed")

    # Open key 1: the hunt group's node, its member and fallback.
    toggle = page.get_by_role("button", name="Show where calls to 1560 go")
    toggle.click()
    expect(page.get_by_role("button", name="Hide where calls to 1560 go")).to_have_attribute(
        "aria-expanded", "true"
    )
    sales = page.locator('[data-testid="flow-node"][data-number="1560"]')
    expect(sales).to_contain_text("Sales")
    expect(sales).to_contain_text("Hunt group")
    expect(edges.nth(0)).to_contain_text("all at once, 15 s")
    expect(edges.nth(0)).to_contain_text("fallback")
    voicemail_after_20 = page.locator(
        '[data-testid="flow-edge"][data-kind="voicemail"]', has_text="after 20 s"
    )
    expect(voicemail_after_20).to_have_count(0)

    # Expand all: bo's node under the member and the fallback, each with his mailbox after 20 s.
    page.get_by_test_id("flow-expand-all").click()
    expect(page.locator('[data-testid="flow-node"][data-number="1240"]')).to_have_count(2)
    expect(voicemail_after_20).to_have_count(2)
    expect(voicemail_after_20.first).to_have_attribute("data-target", "1240")
    shot(page, "call-flows-expanded")

    with page.expect_download() as download:
        page.get_by_role("button", name="Render image").click()
    assert download.value.suggested_filename == "call-flow-1660.png"
    download.value.save_as(tmp_path / "call-flow-1660.png")
    with page.expect_download() as svg:
        page.get_by_role("button", name="Download SVG").click()
    assert svg.value.suggested_filename == "call-flow-1660.svg"


def test_aa_01_a_nodes_edit_link_opens_its_form_where_it_is_kept(
    cordboard: Cordboard, browser: BrowserThread
) -> None:
    """Issue 7's call flows are changed step by step: the menu "Front" (1661) sends callers who
    press nothing to the switch "Lunch" (1662). From the tree, the menu's Edit opens its form on
    the IVR page, and the switch's Edit opens the switch's form on the Switches page; the address
    then forgets the request, so a reload shows the plain list."""
    token = cordboard.token()
    add_user(cordboard, "flow-cy", "1241", "Cy", "Flow", sip=False)
    switch = {"name": "Lunch", "number": "1662", "on_target": "1241", "off_target": "1241"}
    status, body = cordboard.api("POST", "/api/flow_elements/switches", switch, token)
    assert status == 201, body
    menu = {"name": "Front", "number": "1661", "timeout_destination": {"kind": "number", "target": "1662"}}
    status, body = cordboard.api("POST", "/api/ivr/menus", menu, token)
    assert status == 201, body
    browser.run(_admin_edits_from_the_flow, cordboard)


def _admin_edits_from_the_flow(page: Any, cordboard: Cordboard) -> None:
    login(page, cordboard.base, ADMIN, ADMIN_PASSWORD)
    page.goto(cordboard.base + "/call-flows")
    page.get_by_label("Choose a function number…").select_option(label="1661 IVR Front")
    root = page.get_by_test_id("flow-node").first
    expect(root).to_have_attribute("data-number", "1661")
    root.get_by_role("link", name="Edit 1661").click()
    expect(page).to_have_url(cordboard.base + "/ivr")
    expect(page.get_by_role("heading", name="Change IVR menu Front")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Front")
    shot(page, "call-flow-edit-menu")

    page.go_back()
    expect(page).to_have_url(cordboard.base + "/call-flows")
    page.get_by_label("Choose a function number…").select_option(label="1661 IVR Front")
    page.get_by_role("button", name="Show where calls to 1662 go").click()
    switch_node = page.locator('[data-testid="flow-node"][data-number="1662"]')
    expect(switch_node).to_contain_text("Lunch")
    switch_node.get_by_role("link", name="Edit 1662").click()
    expect(page).to_have_url(cordboard.base + "/flow-elements")
    expect(page.get_by_role("heading", name="Edit switch Lunch")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Edit switch Lunch")).to_have_count(0)
