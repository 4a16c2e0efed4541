"""Key templates (PROV-07/08): validation names the bad field, a user's own keys override the
template's by index, the default template, and the keys a provisioned Yealink and Snom phone get
(rendered by the real vendor plugins and parsed back)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.provisioning import key_templates as kt
from cordboard.core.provisioning.vendor import FunctionKey
from cordboard.plugins.provision_snom.vendor import SnomVendor
from cordboard.plugins.provision_yealink.vendor import YealinkVendor

BASE_URL = "http://192.0.2.10:8123/provision/ticket/"


async def _user(core: Core, username: str, extension: str, first: str, **extra: str) -> int:
    user = await core.identity.create_user(
        username=username, first_name=first, last_name="Test", email=f"{username}@example.com",
        extension=extension, **extra,
    )  # fmt: skip
    return user.id


async def _errors(core: Core, raw: object, *, allow_none: bool = False) -> dict[str, str]:
    try:
        await core.db.call(lambda db: kt.check_keys(db, raw, allow_none=allow_none))
    except ConfigValidationError as err:
        return err.fields
    raise AssertionError("no error")


async def test_validation_names_the_bad_field(core: Core) -> None:
    await _user(core, "bo", "1002", "Bo")
    assert await _errors(core, [{"index": 2, "kind": "park", "value": "1", "label": ""}]) == {
        "keys.0.kind": "unknown kind 'park': expected one of line, blf, speed_dial, dtmf"
    }
    errors = await _errors(core, [{"index": 2, "kind": "blf", "value": "1099", "label": ""}])
    assert errors == {"keys.0.value": "no user has extension 1099"}
    errors = await _errors(
        core,
        [
            {"index": 3, "kind": "blf", "value": "1002", "label": "Bo"},
            {"index": 3, "kind": "speed_dial", "value": "112", "label": "x"},
        ],
    )
    assert list(errors) == ["keys.1.index"] and "appears twice" in errors["keys.1.index"]
    errors = await _errors(core, [{"index": 2, "kind": "dtmf", "value": "1", "label": "x" * 25}])
    assert list(errors) == ["keys.0.label"] and "at most 24" in errors["keys.0.label"]
    errors = await _errors(core, [{"index": 1, "kind": "blf", "value": "1002"}])
    assert errors == {"keys.0.index": "key 1 is always the user's own line"}
    errors = await _errors(core, [{"index": 2, "kind": "speed_dial", "value": "12a"}, "x"])
    assert set(errors) == {"keys.0.value", "keys.1"}
    assert "keys.0.kind" in await _errors(core, [{"index": 2, "kind": "none"}])  # templates: no "none"
    assert await core.db.call(
        lambda db: kt.check_keys(db, [{"index": 2, "kind": "none"}], allow_none=True)
    ) == [FunctionKey(2, "none", "", "")]
    keys = await core.db.call(
        lambda db: kt.check_keys(
            db, [{"index": 4, "kind": "dtmf", "value": "*21#"}, {"index": 2, "kind": "blf", "value": "1002"}]
        )
    )
    assert [k.index for k in keys] == [2, 4]


async def test_templates_crud_default_and_user_overrides(core: Core) -> None:
    anna = await _user(core, "anna", "1001", "Anna")
    bo = await _user(core, "bo", "1002", "Bo")
    carl = await _user(core, "carl", "1003", "Carl")
    keys = await core.db.call(
        lambda db: kt.check_keys(
            db,
            [
                {"index": 2, "kind": "blf", "value": "1002", "label": ""},
                {"index": 3, "kind": "blf", "value": "1003", "label": "Carl!"},
                {"index": 4, "kind": "speed_dial", "value": "+4512345678", "label": "Taxi"},
            ],
        )
    )
    sales = await core.db.call(lambda db: kt.create_template(db, name="Sales", keys=keys))
    with pytest.raises(kt.TemplateExists):
        await core.db.call(lambda db: kt.create_template(db, name="sales", keys=[]))
    # No template assigned and no default: only line 1 (the phone gets its line and nothing else).
    assert await core.db.call(lambda db: kt.effective_keys(db, anna)) == []
    await core.db.call(lambda db: kt.update_template(db, sales.id, {"is_default": True}))
    assert [k.label for k in await core.db.call(lambda db: kt.effective_keys(db, anna))] == [
        "Bo Test",  # BLF label defaults to the watched user's name
        "Carl!",
        "Taxi",
    ]
    assert await core.db.call(lambda db: kt.users_of_template(db, sales.id)) == [anna, bo, carl]

    support = await core.db.call(
        lambda db: kt.create_template(db, name="Support", keys=[FunctionKey(2, "dtmf", "*7", "Pickup")])
    )
    await core.db.call(lambda db: kt.set_user_template(db, bo, support.id))
    assert await core.db.call(lambda db: kt.users_of_template(db, support.id)) == [bo]
    assert bo not in await core.db.call(lambda db: kt.users_of_template(db, sales.id))
    # A user's own keys override by index; "none" empties a template key.
    await core.db.call(
        lambda db: kt.set_user_layout(
            db, anna, None, [FunctionKey(3, "none", "", ""), FunctionKey(6, "blf", "1002", "Boss")]
        )
    )
    effective = await core.db.call(lambda db: kt.effective_keys(db, anna))
    assert [(k.index, k.kind, k.value, k.label) for k in effective] == [
        (2, "blf", "1002", "Bo Test"),
        (4, "speed_dial", "+4512345678", "Taxi"),
        (6, "blf", "1002", "Boss"),
    ]
    layout = await core.db.call(lambda db: kt.layout_dict(db, anna))
    assert layout["keys"][0] == {"index": 1, "kind": "line", "value": "1", "label": "1001"}
    assert layout["effective_template_id"] == sales.id and layout["template_id"] is None
    # Deleting a template: its users fall back to the default.
    await core.db.call(lambda db: kt.delete_template(db, support.id))
    assert (await core.db.call(lambda db: kt.get_user_keys(db, bo))).template_id is None
    assert len(await core.db.call(lambda db: kt.effective_keys(db, bo))) == 3
    with pytest.raises(NotFound):
        await core.db.call(lambda db: kt.delete_template(db, support.id))
    with pytest.raises(ConfigValidationError) as info:
        await core.db.call(lambda db: kt.set_user_template(db, bo, 999))
    assert set(info.value.fields) == {"template_id"}


async def _provisioned(core: Core) -> tuple[int, int]:
    anna = await _user(core, "anna", "1001", "Anna", sip_password="anna-sip-password-1")
    await _user(core, "bo", "1002", "Bo")
    await _user(core, "carl", "1003", "Carl")
    keys = await core.db.call(
        lambda db: kt.check_keys(
            db,
            [
                {"index": 2, "kind": "blf", "value": "1002", "label": ""},
                {"index": 3, "kind": "blf", "value": "1003", "label": "Carl C"},
                {"index": 5, "kind": "speed_dial", "value": "112", "label": "Help"},
            ],
        )
    )
    template = await core.db.call(lambda db: kt.create_template(db, name="Office", keys=keys))
    await core.db.call(lambda db: kt.set_user_template(db, anna, template.id))
    return anna, template.id


async def test_yealink_config_has_the_blf_keys(core: Core) -> None:
    anna, _ = await _provisioned(core)
    assert core.provisioning is not None
    mac = "805ec0a1b2c3"
    config = await core.provisioning.phone_config(mac, "SIP-T46U", anna, BASE_URL)
    rendered = YealinkVendor().render(f"{mac}.cfg", config)
    assert rendered is not None
    values = {}
    for line in rendered.body.decode().splitlines()[1:]:
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    assert values["linekey.1.type"] == "15" and values["linekey.1.label"] == "1001"
    assert (values["linekey.2.type"], values["linekey.2.value"], values["linekey.2.label"]) == (
        "16",
        "1002",
        "Bo Test",
    )
    assert (values["linekey.3.type"], values["linekey.3.value"], values["linekey.3.label"]) == (
        "16",
        "1003",
        "Carl C",
    )
    assert (values["linekey.5.type"], values["linekey.5.value"]) == ("13", "112")
    assert "linekey.4.type" not in values


async def test_snom_config_has_the_blf_keys_and_user_override(core: Core) -> None:
    anna, _ = await _provisioned(core)
    await core.db.call(
        lambda db: kt.set_user_layout(
            db, anna, kt.get_user_keys(db, anna).template_id, [FunctionKey(5, "none", "", "")]
        )
    )
    assert core.provisioning is not None
    mac = "000413a1b2c3"
    config = await core.provisioning.phone_config(mac, "D785", anna, BASE_URL)
    vendor = SnomVendor()
    rendered = vendor.render(vendor.files(config)[0], config)
    assert rendered is not None
    root = ET.fromstring(rendered.body)
    fkeys = {int(k.get("idx", "-1")): (k.text, k.get("label")) for k in root.iter("fkey")}
    assert fkeys[0] == ("line", "1001")
    host = config.accounts[0].registrar
    assert fkeys[1] == (f"dest <sip:1002@{host}>", "Bo Test")
    assert fkeys[2] == (f"dest <sip:1003@{host}>", "Carl C")
    assert 4 not in fkeys  # the user emptied the template's speed dial


async def test_a_phone_without_a_user_gets_no_keys(core: Core) -> None:
    await _provisioned(core)
    assert core.provisioning is not None
    config = await core.provisioning.phone_config("805ec0a1b2c4", "SIP-T46U", None, BASE_URL)
    assert config.keys == ()
