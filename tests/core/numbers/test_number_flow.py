"""Number visualisation (AA-02): ``GET /api/numbers/{number}/flow`` says where calls to a number go.

The company: the IVR "Main" (1600) sends key 1 to the hunt group "Sales" (1500: bo 1002 and cy
1003 at once for 15 s, then bo) and key 9 to bo's mailbox. bo's rule rings his phones and takes the
caller to his mailbox after 20 s. The node of 1600 has its direct edges; ``?depth=10`` gives the
whole tree down to bo's mailbox; two menus that send callers to each other end in a ``loop`` node;
the function numbers are listed to start from; users get 403.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from api_calls import call

from cordboard.core.core import Core
from cordboard.plugins.hunt_groups.const import HUNT_GROUPS_KEY
from cordboard.plugins.ivr.const import IVR_MENUS_KEY
from cordboard.plugins.voicemail.const import INBOXES_KEY

PASSWORD = "user-password-3"


async def _user(core: Core, username: str, extension: str) -> int:
    user = await core.identity.create_user(
        username=username, first_name=username.title(), last_name="Tester", email=f"{username}@example.com",
        password=PASSWORD, extension=extension,
    )  # fmt: skip
    return user.id


async def _company(core: Core) -> None:
    bo = await _user(core, "bo", "1002")
    cy = await _user(core, "cy", "1003")
    team = await core.identity.create_group("Sales team")
    await core.identity.set_group_members(team.id, [bo, cy])
    await core.data[HUNT_GROUPS_KEY].create(
        {"name": "Sales", "number": "1500", "user_groups": [team.id], "ring_s": 15, "fallback": "1002"}
    )
    await core.data[IVR_MENUS_KEY].create(
        {
            "name": "Main",
            "number": "1600",
            "options": {
                "9": {"kind": "voicemail", "target": "1002"},
                "1": {"kind": "number", "target": "1500"},
            },
        }
    )
    await core.routing.create(
        {
            "scope": "user",
            "scope_id": bo,
            "list": "incoming",
            "name": "Voicemail when I do not answer",
            "destinations": [{"kind": "phones"}, {"kind": "voicemail", "after_s": 20}],
        }
    )


def _edges(node: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(e["label"], e["target"], e["kind"]) for e in node["edges"]]


async def test_aa_02_a_menu_node_has_its_direct_edges(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await _company(core)
    status, node = await call(api, "GET", "/api/numbers/1600/flow", admin_headers)
    assert status == 200, node
    assert (node["number"], node["kind"], node["label"]) == ("1600", "ivr", "Main")
    assert _edges(node) == [
        ("key 1", "1500", "number"),
        ("key 9", "1002", "voicemail"),
        ("no key pressed", None, "hangup"),
    ]
    assert [e["expandable"] for e in node["edges"]] == [True, False, False]
    assert all("node" not in e for e in node["edges"])  # the UI expands a node by asking again

    status, group = await call(api, "GET", "/api/numbers/1500/flow", admin_headers)
    assert status == 200, group
    assert (group["kind"], group["label"]) == ("hunt_group", "Sales")
    assert _edges(group) == [
        ("member", "1002", "number"),
        ("member", "1003", "number"),
        ("fallback", "1002", "number"),
    ]
    assert group["edges"][0]["note"] == "parallel, 15 s"

    status, bo = await call(api, "GET", "/api/numbers/1002/flow", admin_headers)
    assert status == 200, bo
    assert (bo["kind"], bo["label"]) == ("user", "Bo Tester")
    assert _edges(bo) == [("at once", None, "phones"), ("after 20 s", "1002", "voicemail")]
    assert bo["edges"][1]["note"] == "Voicemail when I do not answer"

    status, cy = await call(api, "GET", "/api/numbers/1003/flow", admin_headers)
    assert status == 200 and _edges(cy) == [("at once", None, "phones")]  # no rule: his phones ring
    status, nobody = await call(api, "GET", "/api/numbers/1999/flow", admin_headers)
    assert status == 200 and (nobody["kind"], nobody["edges"]) == ("unknown", [])

    status, starts = await call(api, "GET", "/api/numbers/flows", admin_headers)
    assert status == 200, starts
    listed = {s["number"]: (s["plugin"], s["label"]) for s in starts["numbers"]}
    assert listed["1500"] == ("hunt_groups", "Hunt group Sales")
    assert listed["1600"] == ("ivr", "IVR Main")
    assert "1002" not in listed


async def test_aa_02_expand_all_follows_the_edges_down_to_the_mailbox(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    await _company(core)
    status, tree = await call(api, "GET", "/api/numbers/1600/flow?depth=10", admin_headers)
    assert status == 200, tree
    sales = tree["edges"][0]["node"]
    assert (sales["number"], sales["kind"]) == ("1500", "hunt_group")
    bo = sales["edges"][0]["node"]
    assert (bo["number"], bo["kind"]) == ("1002", "user")
    assert _edges(bo)[-1] == ("after 20 s", "1002", "voicemail")
    assert "node" not in bo["edges"][-1]  # the mailbox is a leaf
    assert sales["edges"][2]["node"]["number"] == "1002"  # the fallback
    assert "node" not in tree["edges"][1]  # key 9: bo's mailbox

    status, shallow = await call(api, "GET", "/api/numbers/1600/flow?depth=1", admin_headers)
    assert status == 200
    assert "node" in shallow["edges"][0] and all(
        "node" not in e for e in shallow["edges"][0]["node"]["edges"]
    )

    status, refused = await call(api, "GET", "/api/numbers/1600/flow?depth=11", admin_headers)
    assert status == 400, refused


async def test_aa_02_a_number_met_again_on_the_way_down_is_a_loop(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    menus = core.data[IVR_MENUS_KEY]
    first = await menus.create({"name": "First", "number": "1610"})
    await menus.create(
        {"name": "Second", "number": "1611", "options": {"1": {"kind": "number", "target": "1610"}}}
    )
    await menus.update(
        first.id, {"name": "First", "number": "1610", "options": {"2": {"kind": "number", "target": "1611"}}}
    )
    status, tree = await call(api, "GET", "/api/numbers/1610/flow?depth=10", admin_headers)
    assert status == 200, tree
    second = tree["edges"][0]["node"]
    assert (second["number"], second["label"]) == ("1611", "Second")
    back = second["edges"][0]["node"]
    assert (back["number"], back["kind"], back["edges"]) == ("1610", "loop", [])


async def test_aa_02_only_admins_see_call_flows(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    for path in ("/api/numbers/1001/flow", "/api/numbers/1001/flow?depth=3", "/api/numbers/flows"):
        status, _ = await call(api, "GET", path, user_headers)
        assert status == 403, path


async def test_aa_02_group_inboxes_and_voicemail_numbers(
    core: Core, api: TestClient, admin_headers: dict[str, str]
) -> None:
    """GIB-01, GIB-07: a group inbox's number takes a message (a leaf naming its member groups); a
    voicemail number leads to the inbox's number after its code, or to the caller's own mailbox."""
    bo = await _user(core, "bo", "1002")
    team = await core.identity.create_group("Night shift")
    await core.identity.set_group_members(team.id, [bo])
    inboxes = core.data[INBOXES_KEY]
    inbox = await inboxes.create(
        {"name": "After hours", "number": "1590", "code": "42", "member_groups": [team.id]}
    )
    await inboxes.put_number(None, {"number": "1598", "kind": "group_inbox", "inbox_id": inbox.id})
    await inboxes.put_number(None, {"number": "1599", "kind": "user_inbox"})

    status, node = await call(api, "GET", "/api/numbers/1590/flow", admin_headers)
    assert status == 200, node
    assert (node["kind"], node["label"]) == ("group_inbox", "After hours")
    assert _edges(node) == [("message", "1590", "voicemail")]
    assert "Night shift" in node["edges"][0]["note"] and node["edges"][0]["expandable"] is False

    status, tree = await call(api, "GET", "/api/numbers/1598/flow?depth=10", admin_headers)
    assert status == 200, tree
    assert (tree["kind"], _edges(tree)) == (
        "voicemail_number",
        [("after the inbox's code", "1590", "number")],
    )
    assert tree["edges"][0]["node"]["kind"] == "group_inbox"
    status, own = await call(api, "GET", "/api/numbers/1599/flow", admin_headers)
    assert status == 200, own
    assert (own["kind"], _edges(own)) == ("voicemail_number", [("listen", None, "voicemail")])
    assert own["edges"][0]["note"] == "the caller's own mailbox"
    status, starts = await call(api, "GET", "/api/numbers/flows", admin_headers)
    assert {"1590", "1598", "1599"} <= {s["number"] for s in starts["numbers"]}
