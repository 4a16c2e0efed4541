"""The REST API of rule-based numbers (RBN-01..05) and of their routing list: administrators create,
change and delete them; a local number outside 1700-1799, someone else's number or an unknown
blocking group is refused by field and nothing is saved; users get 403. Their calls go on only by
the organisation's "rules for rule-based numbers" (the routing list ``rule_numbers``), which look
at the call alone and are refused by field otherwise; the routing test tool and the call-flow tree
follow them."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from api_calls import add_blocking_group, call

from cordboard.core.core import Core

NUMBERS = "/api/rule_numbers/numbers"
RULES = "/api/routing/rules"


def _rule(**fields: object) -> dict[str, object]:
    return {
        "scope": "org",
        "list": "rule_numbers",
        "name": "Sales line",
        "conditions": {"called_prefixes": ["1750"], "caller": "external"},
        "destinations": [{"kind": "number", "target": "1001"}, {"kind": "busy", "after_s": 20}],
        **fields,
    }


async def test_rbn_01_02_03_04_05_admin_creates_changes_and_deletes_a_rule_based_number(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    blocking = await add_blocking_group(api, admin_headers, "No abroad", international=True)
    body = {
        "name": " Sales line ",
        "number": "1750",
        "display_text": "Sales",
        "keep_derived_metadata": True,
        "language": "de",
        "show_as_caller": True,
        "blocking_groups": [blocking],
    }
    status, created = await call(api, "POST", NUMBERS, admin_headers, body)
    assert status == 201, created
    assert created == {**body, "id": created["id"], "name": "Sales line"}
    owner = await core.numbers.owner_of("1750")  # NUM-07: the registry knows whose it is
    assert owner is not None and (owner.kind, owner.id) == ("plugin", "rule_numbers"), owner
    one = f"{NUMBERS}/{created['id']}"

    status, listed = await call(api, "GET", NUMBERS, admin_headers)
    assert status == 200 and [n["number"] for n in listed] == ["1750"], listed
    status, changed = await call(
        api, "PUT", one, admin_headers, {**created, "language": None, "number": "1751"}
    )
    assert status == 200 and changed["language"] is None and changed["number"] == "1751", changed
    assert await core.numbers.owner_of("1750") is None

    for method, path in (("GET", NUMBERS), ("POST", NUMBERS), ("PUT", one), ("DELETE", one)):
        status, _ = await call(api, method, path, user_headers, body)
        assert status == 403, (method, path)

    status, _ = await call(api, "DELETE", one, admin_headers)
    assert status == 204
    assert await core.numbers.owner_of("1751") is None
    status, _ = await call(api, "GET", one, admin_headers)
    assert status == 404


async def test_rbn_01_05_bad_fields_are_named_and_nothing_is_saved(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, error = await call(
        api, "POST", NUMBERS, admin_headers,
        {"name": "", "number": "1650", "language": "fr", "blocking_groups": [99]},
    )  # fmt: skip
    assert status == 400 and {"name", "language"} <= set(error["fields"]), error
    status, error = await call(api, "POST", NUMBERS, admin_headers, {"name": "Sales", "number": "1650",
                                                                      "blocking_groups": [99]})  # fmt: skip
    assert status == 400, error
    assert "not in a number range for rule-based numbers" in error["fields"]["number"], error
    assert error["fields"]["blocking_groups"] == "no blocking group with the id 99", error
    status, error = await call(api, "POST", NUMBERS, admin_headers, {"name": "Sales", "number": "1001"})
    assert status == 400 and "already belongs to" in error["fields"]["number"], error
    status, listed = await call(api, "GET", NUMBERS, admin_headers)
    assert status == 200 and listed == []
    status, public = await call(
        api, "POST", NUMBERS, admin_headers, {"name": "Hotline", "number": "+4589401750"}
    )
    assert status == 201 and public["number"] == "+4589401750", public


async def test_rbn_01_rules_for_rule_based_numbers_are_the_organisations_and_look_at_the_call_only(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, error = await call(
        api, "POST", RULES, admin_headers,
        _rule(scope="group", scope_id=1, tier="required",
              conditions={"dnd": True, "caller": "external"},
              destinations=[{"kind": "voicemail"}]),
    )  # fmt: skip
    assert status == 400, error
    assert error["fields"]["scope"] == "rules for rule-based numbers are the organisation's", error
    assert "tier" in error["fields"] and "conditions.dnd" in error["fields"], error
    assert "number, busy, reject" in error["fields"]["destinations.0.kind"], error
    status, rule = await call(api, "POST", RULES, admin_headers, _rule())
    assert status == 201 and rule["list"] == "rule_numbers" and rule["tier"] is None, rule
    status, other = await call(
        api, "POST", RULES, admin_headers, _rule(name="Everything else", conditions={})
    )
    assert status == 201, other
    status, _ = await call(api, "POST", RULES, user_headers, _rule())
    assert status == 403


async def test_rbn_01_aa_02_the_routing_test_and_the_call_flow_tree_follow_the_rules(
    core: Core, api: TestClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    status, _ = await call(api, "POST", NUMBERS, admin_headers, {"name": "Sales line", "number": "1750"})
    assert status == 201
    status, rule = await call(api, "POST", RULES, admin_headers, _rule())
    assert status == 201, rule

    status, outside = await call(
        api, "POST", "/api/routing/explain", admin_headers, {"caller": "+4970000001", "number": "1750"}
    )
    assert status == 200, outside
    assert outside["rule"]["id"] == rule["id"] and outside["destinations"][0]["target"] == "1001", outside
    status, inside = await call(
        api, "POST", "/api/routing/explain", admin_headers, {"caller": "1001", "number": "1750"}
    )
    assert status == 200 and inside["rule"] is None and inside["destinations"] == [], inside
    assert inside["checked"][0]["why_not"] == "the caller is internal", inside

    status, node = await call(api, "GET", "/api/numbers/1750/flow", admin_headers)
    assert status == 200, node
    assert (node["kind"], node["label"]) == ("rule_number", "Sales line"), node
    assert [(e["kind"], e["target"]) for e in node["edges"]] == [
        ("number", "1001"),
        ("busy", None),
        ("hangup", None),
    ], node
