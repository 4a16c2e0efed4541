"""Tests of scoped settings: one test per SET rule, plus storage, registry and plugin config documents."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from cordboard.core.bus import Event
from cordboard.core.config import settings
from cordboard.core.config.settings import (
    CORE_SPECS,
    Resolved,
    SettingSpec,
    SettingsRegistry,
    SettingsService,
    clear_value,
    effective,
    plugin_config,
    replace_plugin_config,
    resolve,
    set_value,
    set_values,
    values_at,
)
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, NotFound
from cordboard.core.identity.users import (
    create_group,
    create_user,
    delete_group,
    delete_user,
    reorder_groups,
    set_user_groups,
)

CONTACTS = SettingSpec(
    key="phonebook.contacts",
    kind="list",
    scopes=frozenset({"org", "group", "user"}),
    validator=[str],
    default=[],
)


@pytest.fixture
def registry() -> SettingsRegistry:
    reg = SettingsRegistry(CORE_SPECS)
    reg.register(CONTACTS)
    return reg


@pytest.fixture
def anna(make_user) -> int:
    return int(make_user("anna").id)


def _set(db, registry: SettingsRegistry, key: str, scope: str, scope_id: Any, value: Any) -> None:  # noqa: PLR0917
    set_value(db, registry.get(key), scope, scope_id, value)


# -- the SET rules ------------------------------------------------------------------------------


def test_set_01_most_specific_level_wins(db, registry, anna) -> None:
    group = create_group(db, "Sales")
    set_user_groups(db, anna, [group.id])
    assert resolve(db, registry, anna, "core.language") == Resolved("en", "default")
    _set(db, registry, "core.language", "org", None, "de")
    assert resolve(db, registry, anna, "core.language") == Resolved("de", "org")
    _set(db, registry, "core.language", "group", group.id, "da")
    assert resolve(db, registry, anna, "core.language") == Resolved("da", f"group:{group.id}")
    _set(db, registry, "core.language", "user", anna, "en")
    assert resolve(db, registry, anna, "core.language") == Resolved("en", "user")
    clear_value(db, "core.language", "user", anna)
    assert resolve(db, registry, anna, "core.language") == Resolved("da", f"group:{group.id}")


def test_set_02_group_priority_order_decides(db, registry, anna) -> None:
    first, second = create_group(db, "First"), create_group(db, "Second")
    set_user_groups(db, anna, [second.id, first.id])
    _set(db, registry, "core.timezone", "org", None, "UTC")
    _set(db, registry, "core.timezone", "group", first.id, "Europe/Berlin")
    _set(db, registry, "core.timezone", "group", second.id, "Europe/Copenhagen")
    assert resolve(db, registry, anna, "core.timezone") == Resolved("Europe/Berlin", f"group:{first.id}")
    reorder_groups(db, [second.id, first.id])
    assert resolve(db, registry, anna, "core.timezone") == Resolved("Europe/Copenhagen", f"group:{second.id}")


def test_set_03_bool_settings_are_ored_across_levels(db, registry, anna, make_user) -> None:
    key = "core.call_recording_allowed"
    group = create_group(db, "Sales")
    set_user_groups(db, anna, [group.id])
    assert resolve(db, registry, anna, key) == Resolved(False, "default")
    _set(db, registry, key, "user", anna, False)
    assert resolve(db, registry, anna, key) == Resolved(False, "user")
    _set(db, registry, key, "org", None, True)
    assert resolve(db, registry, anna, key) == Resolved(True, "org"), "an unchecked user box does not clear"
    _set(db, registry, key, "org", None, False)
    _set(db, registry, key, "group", group.id, "yes")
    assert resolve(db, registry, anna, key) == Resolved(True, f"group:{group.id}")
    bert = make_user("bert").id
    _set(db, registry, key, "user", bert, True)
    assert resolve(db, registry, bert, key) == Resolved(True, "user")
    assert resolve(db, registry, anna, key).value is True


def test_set_04_each_setting_allows_only_its_levels(db, registry, anna) -> None:
    group = create_group(db, "Sales")
    for scope, scope_id in (("group", group.id), ("user", anna)):
        with pytest.raises(ConfigValidationError) as info:
            _set(db, registry, "core.country", scope, scope_id, "DE")
        assert str(info.value.message) == "core.country can only be set for the organisation"
        assert info.value.fields == {"core.country": "core.country can only be set for the organisation"}
    org_and_user = SettingSpec(key="test.mixed", scopes=frozenset({"org", "user"}), validator=str)
    with pytest.raises(ConfigValidationError, match="can only be set for the organisation or a user"):
        set_value(db, org_and_user, "group", group.id, "x")
    _set(db, registry, "core.country", "org", None, "de")
    assert values_at(db, "org", None) == {"core.country": "DE"}
    # A value left at a level the setting no longer allows is ignored.
    with db.atomic():
        db.execute("INSERT INTO setting_values VALUES ('user', ?, 'core.country', '\"FR\"', 0)", [str(anna)])
    assert resolve(db, registry, anna, "core.country") == Resolved("DE", "org")
    assert {spec.key: spec.org_only for spec in registry.specs()}["core.country"] is True


def test_set_05_list_settings_add_up_across_levels(db, registry, anna) -> None:
    key = CONTACTS.key
    first, second = create_group(db, "First"), create_group(db, "Second")
    set_user_groups(db, anna, [first.id, second.id])
    assert resolve(db, registry, anna, key) == Resolved([], "default")
    _set(db, registry, key, "org", None, ["reception", "it"])
    _set(db, registry, key, "group", second.id, ["warehouse"])
    _set(db, registry, key, "group", first.id, ["it", "sales"])
    _set(db, registry, key, "user", anna, ["mum", "reception"])
    value, source = resolve(db, registry, anna, key)
    assert value == ["reception", "it", "sales", "warehouse", "mum"]
    assert source == f"org+group:{first.id}+group:{second.id}+user"
    reorder_groups(db, [second.id, first.id])
    assert resolve(db, registry, anna, key).value == ["reception", "it", "warehouse", "sales", "mum"]


# -- storage ------------------------------------------------------------------------------------


def test_values_are_validated(db, registry, anna) -> None:
    with pytest.raises(ConfigValidationError) as info:
        _set(db, registry, "core.language", "user", anna, "fr")
    assert list(info.value.fields) == ["core.language"]
    with pytest.raises(ConfigValidationError):
        _set(db, registry, CONTACTS.key, "org", None, "not a list")
    assert values_at(db, "user", anna) == {}


def test_set_values_is_all_or_nothing(db, registry, anna) -> None:
    assert set_values(
        db, registry, "user", anna, {"core.language": "de", "core.timezone": "Europe/Berlin"}
    ) == {
        "core.language": "de",
        "core.timezone": "Europe/Berlin",
    }
    with pytest.raises(ConfigValidationError) as info:
        set_values(
            db,
            registry,
            "user",
            anna,
            {"core.language": "da", "core.country": "DE", "nope.key": 1, "core.timezone": "Nowhere/Land"},
        )
    assert set(info.value.fields) == {"core.country", "nope.key", "core.timezone"}
    assert info.value.fields["nope.key"] == "unknown setting"
    assert values_at(db, "user", anna)["core.language"] == "de"
    assert set_values(db, registry, "user", anna, {"core.language": None}) == {
        "core.timezone": "Europe/Berlin"
    }


def test_unknown_scope_ids_and_keys(db, registry, anna) -> None:
    with pytest.raises(NotFound):
        _set(db, registry, "core.language", "user", 999, "de")
    with pytest.raises(NotFound):
        values_at(db, "group", 999)
    with pytest.raises(NotFound):
        resolve(db, registry, 999, "core.language")
    with pytest.raises(NotFound):
        resolve(db, registry, anna, "core.nothing")
    with pytest.raises(ConfigValidationError):
        values_at(db, "planet", 1)


def test_effective_lists_every_setting(db, registry, anna) -> None:
    _set(db, registry, "core.organisation_name", "org", None, "Acme; DROP TABLE users;--")
    result = effective(db, registry, anna)
    assert set(result) == {spec.key for spec in registry.specs()}
    assert result["core.organisation_name"] == Resolved("Acme; DROP TABLE users;--", "org")
    assert result["core.sip_domain"] == Resolved("cordboard.local", "default")
    assert settings.org_value(db, registry, "core.organisation_name") == "Acme; DROP TABLE users;--"


def test_deleting_a_group_or_user_drops_its_values(db, registry, anna, make_user) -> None:
    make_user("root", role="admin")
    group = create_group(db, "Sales")
    _set(db, registry, "core.language", "group", group.id, "da")
    _set(db, registry, "core.language", "user", anna, "de")
    delete_group(db, group.id)
    delete_user(db, anna)
    assert db.execute("SELECT COUNT(*) FROM setting_values").fetchone()[0] == 0


# -- registry -----------------------------------------------------------------------------------


def test_registry_rules() -> None:
    reg = SettingsRegistry(CORE_SPECS)
    assert "core.language" in reg
    assert [s.key for s in reg.specs()] == sorted(s.key for s in CORE_SPECS)
    with pytest.raises(ValueError, match="already registered"):
        reg.register(CORE_SPECS[0])
    for bad in (
        SettingSpec(key="nodot"),
        SettingSpec(key="a.b", kind="dict"),  # type: ignore[arg-type]
        SettingSpec(key="a.b", scopes=frozenset({"user"})),
    ):
        with pytest.raises(ValueError):
            reg.register(bad)
    reg.unregister("core.language")
    reg.unregister("core.language")
    assert "core.language" not in reg
    with pytest.raises(NotFound):
        reg.get("core.language")
    assert reg.get("core.country").allows("org")


# -- plugin config documents --------------------------------------------------------------------


def test_plugin_config_documents(db) -> None:
    replace_plugin_config(db, "sys_info", {"interval": 5, "names": ["a"]})
    replace_plugin_config(db, "sysxinfo", {"interval": 9})
    assert plugin_config(db, "sys_info") == {"interval": 5, "names": ["a"]}
    replace_plugin_config(db, "sys_info", {"enabled": True})
    assert plugin_config(db, "sys_info") == {"enabled": True}
    assert plugin_config(db, "sysxinfo") == {"interval": 9}
    assert plugin_config(db, "acd") == {}
    for bad in ("core", "Bad", "a.b"):
        with pytest.raises(ValueError):
            plugin_config(db, bad)


def test_plugin_scoped_field_shares_the_org_row(db, registry, anna) -> None:
    registry.register(
        SettingSpec(
            key="acd.wrapup_s", scopes=frozenset({"org", "user"}), validator=vol.Coerce(int), default=10
        )
    )
    replace_plugin_config(db, "acd", {"wrapup_s": 20})
    assert resolve(db, registry, anna, "acd.wrapup_s") == Resolved(20, "org")
    _set(db, registry, "acd.wrapup_s", "user", anna, "30")
    assert resolve(db, registry, anna, "acd.wrapup_s") == Resolved(30, "user")


# -- the async service --------------------------------------------------------------------------


async def test_settings_service(bare_core: Core) -> None:
    service = SettingsService(bare_core)
    seen: list[dict[str, Any]] = []

    def listener(event: Event[Any]) -> None:
        seen.append(dict(event.data))

    bare_core.bus.listen("settings.changed", listener)
    user = await bare_core.db.call(
        lambda db: create_user(db, username="anna", first_name="A", last_name="B", email="a@example.com")
    )
    assert await service.resolve(user.id, "core.language") == "en"
    assert await service.set("org", None, "core.language", "de") == "de"
    assert await service.resolve_with_source(user.id, "core.language") == ("de", "org")
    await service.set_many("user", user.id, {"core.language": "da"})
    assert (await service.effective(user.id))["core.language"] == Resolved("da", "user")
    assert await service.get("user", user.id) == {"core.language": "da"}
    await service.clear("user", user.id, "core.language")
    assert await service.get("user", user.id) == {}
    assert await service.org_value("core.language") == "de"
    await service.replace_plugin_config("acd", {"x": 1})
    assert await service.get_plugin_config("acd") == {"x": 1}
    assert seen == [
        {"scope": "org", "scope_id": "", "keys": ["core.language"]},
        {"scope": "user", "scope_id": str(user.id), "keys": ["core.language"]},
        {"scope": "user", "scope_id": str(user.id), "keys": ["core.language"]},
        {"scope": "org", "scope_id": "", "keys": ["acd.x"]},
    ]


async def test_resolved_values_come_from_memory_until_something_changes(
    bare_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call reads users' settings (the callee's announcement, a notice's wishes) without waiting
    for the database thread; every change that could alter a value is seen at once: the user's own
    level, a group's, the group membership and another process's commit."""
    from cordboard.core.core import EVENT_EXTERNAL_CHANGE
    from cordboard.core.identity.service import IdentityService

    identity = IdentityService(bare_core)
    service = SettingsService(bare_core)
    user = await identity.create_user(username="anna", first_name="A", last_name="B", email="a@example.com")
    group = await identity.create_group("Support")
    await service.set("group", group.id, "core.language", "da")
    assert await service.resolve(user.id, "core.language") == "en"

    reads: list[str] = []
    real = settings.resolve

    def counting(db: Any, registry: Any, user_id: int, key: str) -> Resolved:
        reads.append(key)
        return real(db, registry, user_id, key)

    monkeypatch.setattr(settings, "resolve", counting)
    assert await service.resolve(user.id, "core.language") == "en"
    assert reads == []  # from memory

    await identity.set_group_members(group.id, [user.id])
    assert await service.resolve_with_source(user.id, "core.language") == ("da", f"group:{group.id}")
    await service.set("user", user.id, "core.language", "de")
    assert await service.resolve_with_source(user.id, "core.language") == ("de", "user")
    assert len(reads) == 2

    # A change keeps what it cannot alter: another user's values, the user's other settings.
    other = await identity.create_user(username="bo", first_name="B", last_name="C", email="b@example.com")
    assert await service.resolve(other.id, "core.language") == "en"
    assert await service.resolve(user.id, "core.timezone") == "UTC"
    await service.set("user", user.id, "core.language", "da")
    assert await service.resolve(user.id, "core.language") == "da"
    assert await service.resolve(other.id, "core.language") == "en"
    assert await service.resolve(user.id, "core.timezone") == "UTC"
    assert reads == ["core.language", "core.language", "core.language", "core.timezone", "core.language"]
    await service.set("org", None, "core.language", "de")
    assert await service.resolve(other.id, "core.language") == "de"  # the organisation's: everyone's
    assert await service.resolve(user.id, "core.timezone") == "UTC"
    assert await service.resolve(user.id, "core.language") == "da"  # their own level wins
    assert len(reads) == 7

    await bare_core.db.call(
        lambda db: db.execute(
            "UPDATE setting_values SET value = '\"en\"' WHERE scope = 'user' AND key = 'core.language'"
        )
    )
    assert await service.resolve(user.id, "core.language") == "da"  # not yet told
    bare_core.bus.fire(EVENT_EXTERNAL_CHANGE, {})
    assert await service.resolve(user.id, "core.language") == "en"
    assert len(reads) == 8
