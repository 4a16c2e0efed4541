"""Plugin manager: order, lifespans, async-hook refusal, unknown hooks, config, enable/disable, retry."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cordboard.core import plugin_manager as pm_module
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.core import Core
from cordboard.core.exceptions import ConfigValidationError, PluginError
from cordboard.core.manifest import PluginInfo, load_plugin_info
from cordboard.core.plugin_manager import PluginManager, PluginStatus

FIXTURES = Path(__file__).parent / "plugin_fixtures"
TEST_PLUGINS = ("cbt_good", "cbt_dependent", "cbt_async", "cbt_notready", "cbt_badhook")


@pytest.fixture
def plugin_log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.syspath_prepend(str(FIXTURES))
    for name in [*TEST_PLUGINS, "events"]:
        sys.modules.pop(name, None)
    import events

    real_discover = PluginManager.discover

    def discover() -> dict[str, PluginInfo]:
        found = real_discover()
        for name in TEST_PLUGINS:
            found[name] = load_plugin_info(name, name, builtin=True)
        return found

    monkeypatch.setattr(PluginManager, "discover", staticmethod(discover))
    monkeypatch.setattr(pm_module, "RETRY_DELAYS", (0.05,))
    events.LOG.clear()
    return events.LOG


@pytest.fixture
async def pcore(tmp_path: Path, plugin_log: list[str]) -> AsyncIterator[Core]:
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    yield core
    await core.stop()


async def test_lifespans_enter_in_dependency_order_and_exit_in_reverse(
    tmp_path: Path, plugin_log: list[str]
) -> None:
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    order = core.plugins.order
    assert order.index("cbt_good") < order.index("cbt_dependent")
    assert plugin_log[:2] == ["enter cbt_good hello", "enter cbt_dependent"]
    await core.stop()
    assert plugin_log[-2:] == ["exit cbt_dependent", "exit cbt_good"]
    assert core.pending_tasks == 0


async def test_async_hook_is_refused_at_registration(pcore: Core) -> None:
    record = pcore.plugins.get("cbt_async")
    assert record.status is PluginStatus.SETUP_ERROR
    assert "is async" in (record.error or "")
    assert pcore.plugins.pm.get_plugin("cbt_async") is None


async def test_unknown_hook_is_refused(pcore: Core) -> None:
    record = pcore.plugins.get("cbt_badhook")
    assert record.status is PluginStatus.SETUP_ERROR
    assert "cordboard_make_coffee" in (record.error or "")


async def test_not_ready_plugin_is_retried(pcore: Core, plugin_log: list[str]) -> None:
    for _ in range(100):
        if pcore.plugins.loaded("cbt_notready"):
            break
        await asyncio.sleep(0.02)
    assert pcore.plugins.loaded("cbt_notready")
    assert "enter cbt_notready" in plugin_log


async def test_disable_stops_hooks_states_services_and_enable_restores(
    pcore: Core, plugin_log: list[str]
) -> None:
    with pytest.raises(PluginError, match="Disable cbt_dependent first"):
        await pcore.plugins.disable("cbt_good")
    await pcore.plugins.disable("cbt_dependent")
    await pcore.plugins.disable("cbt_good")
    assert pcore.states.get("cbt_good.greeting") is None
    assert not pcore.services.has("cbt_good", "shout")
    assert pcore.plugins.pm.get_plugin("cbt_good") is None
    assert pcore.plugins.pm.is_blocked("cbt_good")
    assert pcore.plugins.router("cbt_good") is None
    assert pcore.states.get("plugin.cbt_good").state == "disabled"  # type: ignore[union-attr]
    with pytest.raises(PluginError, match="Enable cbt_good first"):
        await pcore.plugins.enable("cbt_dependent")
    await pcore.plugins.enable("cbt_good")
    assert pcore.services.has("cbt_good", "shout")
    assert await pcore.services.call("cbt_good", "shout") == "HELLO"
    assert plugin_log.count("enter cbt_good hello") == 2


async def test_disabled_state_survives_restart(tmp_path: Path, plugin_log: list[str]) -> None:
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    await core.plugins.disable("cbt_dependent")
    await core.stop()
    plugin_log.clear()
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    try:
        assert not core.plugins.get("cbt_dependent").enabled
        assert "enter cbt_dependent" not in plugin_log
    finally:
        await core.stop()


async def test_invalid_config_names_field_and_saves_nothing(pcore: Core) -> None:
    with pytest.raises(ConfigValidationError) as err:
        await pcore.plugins.set_config("cbt_good", {"greeting": "hi", "count": 99, "colour": "red"})
    assert set(err.value.fields) == {"count", "colour"}
    assert await pcore.settings.get_plugin_config("cbt_good") == {}
    assert pcore.states.get("cbt_good.greeting").state == "hello"  # type: ignore[union-attr]


async def test_new_config_restarts_plugin_with_it(pcore: Core, plugin_log: list[str]) -> None:
    await pcore.plugins.set_config("cbt_good", {"greeting": "hej"})
    assert pcore.states.get("cbt_good.greeting").state == "hej"  # type: ignore[union-attr]
    assert "enter cbt_good hej" in plugin_log
    assert await pcore.plugins.get_config("cbt_good") == {"greeting": "hej", "count": 1, "loud": False}


async def test_stored_invalid_config_gives_config_error_status(tmp_path: Path, plugin_log: list[str]) -> None:
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    await core.settings.replace_plugin_config("cbt_good", {"count": 0})
    await core.stop()
    core = Core(tmp_path / "data", BootstrapConfig(http_port=0))
    await core.start(serve_http=False, serve_sip=False)
    try:
        record = core.plugins.get("cbt_good")
        assert record.status is PluginStatus.CONFIG_ERROR
        assert "count" in record.field_errors
    finally:
        await core.stop()


async def test_plugin_migrations_run_when_enabled(pcore: Core) -> None:
    tables = await pcore.db.call(lambda db: db.table_names())
    assert "cbt_good_items" in tables
    version = await pcore.db.call(
        lambda db: db.execute("SELECT version FROM schema_versions WHERE component='cbt_good'").fetchone()[0]
    )
    assert version == 1


async def test_scoped_plugin_settings_resolve_per_user(pcore: Core) -> None:
    from cordboard.core.identity.users import create_group, create_user

    def seed(db):  # type: ignore[no-untyped-def]
        group = create_group(db, "Sales")
        user = create_user(
            db, username="bo", first_name="Bo", last_name="B", email="bo@example.com", groups=[group.id]
        )
        return group.id, user.id

    group_id, user_id = await pcore.db.call(seed)
    await pcore.plugins.set_config("cbt_good", {"greeting": "hello org"})
    assert await pcore.settings.resolve(user_id, "cbt_good.greeting") == "hello org"
    await pcore.settings.set("group", group_id, "cbt_good.greeting", "hello sales")
    assert await pcore.settings.resolve(user_id, "cbt_good.greeting") == "hello sales"
    await pcore.settings.set("user", user_id, "cbt_good.loud", True)
    assert await pcore.settings.resolve(user_id, "cbt_good.loud") is True
    with pytest.raises(ConfigValidationError):
        await pcore.settings.set("user", user_id, "cbt_good.count", 3)


async def test_builtin_system_info_is_listed_and_unknown_plugin_refused(pcore: Core) -> None:
    assert pcore.plugins.loaded("system_info")
    with pytest.raises(PluginError, match="No plugin named 'nope'"):
        await pcore.plugins.enable("nope")
