"""The plugin manager: discover built-in and entry-point plugins, order, enable, configure, disable."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import importlib
import importlib.metadata
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import pluggy
import sqlite_utils
import voluptuous as vol
from aiohttp import web

from cordboard.core import hookspecs
from cordboard.core.bus import Event, EventType
from cordboard.core.config.scopes import SettingScope
from cordboard.core.const import ENTRY_POINT_GROUP
from cordboard.core.core import EVENT_EXTERNAL_CHANGE
from cordboard.core.exceptions import ConfigValidationError, PluginError, PluginNotReady
from cordboard.core.http.errors import invalid_fields
from cordboard.core.manifest import PluginInfo, dependency_order, load_plugin_info
from cordboard.core.storage.migrations import Migration, migrate

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

# Plugins shipped with Cordboard, importable from a checkout. They are also declared in the
# "cordboard.plugins" entry-point group, the same way third-party plugins are.
BUILTIN_PLUGINS: Final[tuple[str, ...]] = (
    "system_info",
    "conference",
    "diagnostics",
    "hot_desk",
    "provision_snom",
    "provision_yealink",
    "provision_grandstream",
    "provision_fanvil",
    "provision_poly",
    "provision_mitel",
    "night_mode",
    "directory",
    "park",
    "hunt_groups",
    "ivr",
    "flow_elements",
    "rule_numbers",
    "notify",
    "voicemail",
)
# Built-ins that cannot be disabled (none yet: the core runs without any plugin).
ESSENTIAL_PLUGINS: Final[tuple[str, ...]] = ()
PROJECT_NAME: Final = "cordboard"
RETRY_DELAYS: Final = (5.0, 10.0, 30.0, 60.0, 300.0)

EVENT_PLUGIN_LOADED: Final = EventType[dict[str, Any]]("plugin.loaded")
EVENT_PLUGIN_UNLOADED: Final = EventType[dict[str, Any]]("plugin.unloaded")


def stored_enabled(db: sqlite_utils.Database) -> dict[str, bool]:
    """Enabled flags an admin has set, by domain (plugins never touched are absent)."""
    return {row[0]: bool(row[1]) for row in db.execute("SELECT domain, enabled FROM plugins")}


def store_enabled(db: sqlite_utils.Database, domain: str, enabled: bool) -> None:
    with db.atomic():
        db.execute(
            "INSERT INTO plugins (domain, enabled, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(domain) DO UPDATE SET enabled = excluded.enabled, updated = excluded.updated",
            [domain, int(enabled), time.time()],
        )


class PluginStatus(enum.Enum):
    DISABLED = "disabled"
    LOADED = "loaded"
    CONFIG_ERROR = "config_error"
    SETUP_ERROR = "setup_error"
    NOT_READY = "not_ready"


class CordboardPluginManager(pluggy.PluginManager):
    """pluggy's manager, refusing ``async def`` hook implementations at registration."""

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(hookspecs)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("cordboard_"):
            # An unmarked cordboard_* function is still meant as a hook: check it too.
            method = getattr(plugin, name, None)
            if inspect.isfunction(method):
                opts = pluggy.HookimplOpts(
                    wrapper=False,
                    hookwrapper=False,
                    optionalhook=False,
                    tryfirst=False,
                    trylast=False,
                    specname=None,
                )
        if opts is not None:
            method = getattr(plugin, name)
            if inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method):
                raise pluggy.PluginValidationError(
                    plugin,
                    f"Hook implementation {name} of {getattr(plugin, '__name__', plugin)} is async: "
                    "hooks are synchronous; return an async context manager from cordboard_lifespan "
                    "for async work",
                )
        return opts


@dataclass(slots=True)
class PluginRecord:
    """One known plugin and its runtime state."""

    info: PluginInfo
    enabled: bool
    status: PluginStatus = PluginStatus.DISABLED
    error: str | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    module: ModuleType | None = None
    exit_stack: contextlib.AsyncExitStack | None = None
    router: web.UrlDispatcher | None = None
    retry_task: asyncio.Task[None] | None = None
    retries: int = 0

    @property
    def domain(self) -> str:
        return self.info.domain

    def as_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "manifest": dict(self.info.manifest),
            "builtin": self.info.builtin,
            "essential": self.domain in ESSENTIAL_PLUGINS,
            "enabled": self.enabled,
            "status": self.status.value,
            "error": self.error,
            "field_errors": dict(self.field_errors),
        }


class PluginManager:
    """Owns every plugin's lifecycle; the pluggy manager is ``self.pm``."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.pm = CordboardPluginManager()
        self.records: dict[str, PluginRecord] = {}
        self.order: list[str] = []
        self._lock = asyncio.Lock()
        self._stop_reconcile: Callable[[], None] | None = None

    # -- discovery --------------------------------------------------------------------------
    @staticmethod
    def discover() -> dict[str, PluginInfo]:
        """Built-in plugins plus every ``cordboard.plugins`` entry point, by domain, without importing."""
        found: dict[str, PluginInfo] = {}
        for domain in BUILTIN_PLUGINS:
            found[domain] = load_plugin_info(domain, f"cordboard.plugins.{domain}", builtin=True)
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in found:
                continue
            try:
                found[ep.name] = load_plugin_info(ep.name, ep.value.split(":")[0], builtin=False)
            except PluginError as err:
                _LOGGER.error("Skipping plugin %s: %s", ep.name, err)
        return found

    @staticmethod
    def default_enabled(info: PluginInfo) -> bool:
        return info.builtin and info.manifest.get("default_enabled", True)

    # -- start and stop ---------------------------------------------------------------------
    async def start(self) -> None:
        """Discover plugins, then enable those that are enabled, in dependency order."""
        infos = self.discover()
        self.order = dependency_order({d: i.manifest for d, i in infos.items()})
        stored = await self._core.db.call(stored_enabled)
        for domain in self.order:
            info = infos[domain]
            enabled = stored.get(domain, self.default_enabled(info)) or domain in ESSENTIAL_PLUGINS
            self.records[domain] = PluginRecord(info, enabled)
            self._publish(self.records[domain])
        for domain in self.order:
            record = self.records[domain]
            if record.enabled:
                missing = [d for d in self._dependencies(domain) if not self.records[d].enabled]
                if missing:
                    record.status = PluginStatus.SETUP_ERROR
                    record.error = f"Needs {', '.join(missing)}, which is disabled"
                    self._publish(record)
                    continue
                await self._load(record)
        self._stop_reconcile = self._core.bus.listen(EVENT_EXTERNAL_CHANGE, self._reconcile)

    async def stop(self) -> None:
        """Exit every loaded plugin's lifespan in reverse dependency order."""
        if self._stop_reconcile is not None:
            self._stop_reconcile()
        for domain in reversed(self.order):
            record = self.records.get(domain)
            if record is not None:
                await self._unload(record)

    # -- public operations ------------------------------------------------------------------
    def get(self, domain: str) -> PluginRecord:
        try:
            return self.records[domain]
        except KeyError:
            raise PluginError(f"No plugin named {domain!r} is installed") from None

    def all(self) -> list[PluginRecord]:
        return [self.records[d] for d in self.order]

    def loaded(self, domain: str) -> bool:
        record = self.records.get(domain)
        return record is not None and record.status is PluginStatus.LOADED

    async def enable(self, domain: str) -> PluginRecord:
        """Enable a plugin now and remember it; its dependencies must be enabled first."""
        async with self._lock:
            record = self.get(domain)
            missing = [d for d in self._dependencies(domain) if not self.records[d].enabled]
            if missing:
                raise PluginError(f"Enable {', '.join(missing)} first: {domain} depends on it")
            await self._store_enabled(domain, True)
            record.enabled = True
            if record.status is not PluginStatus.LOADED:
                await self._load(record)
            return record

    async def disable(self, domain: str) -> PluginRecord:
        """Disable a plugin now: its lifespan exits, its hooks and routes stop."""
        async with self._lock:
            record = self.get(domain)
            if domain in ESSENTIAL_PLUGINS:
                raise PluginError(f"{domain} is essential and cannot be disabled")
            dependents = [
                d for d in self.order if domain in self._dependencies(d) and self.records[d].enabled
            ]
            if dependents:
                raise PluginError(f"Disable {', '.join(dependents)} first: it depends on {domain}")
            await self._store_enabled(domain, False)
            record.enabled = False
            await self._unload(record)
            return record

    def config_schema(self, domain: str) -> vol.Schema | None:
        """The plugin's CONFIG_SCHEMA (imports the plugin, does not register it)."""
        module = self._import(self.get(domain))
        func = getattr(module, "cordboard_config_schema", None)
        return func() if func is not None else None

    def validate_config(self, domain: str, config: Mapping[str, Any]) -> dict[str, Any]:
        """Validate ``config`` against the plugin's schema; errors name each field."""
        schema = self.config_schema(domain)
        if schema is None:
            if config:
                raise ConfigValidationError(
                    f"{domain} has no settings", {key: "unknown field" for key in config}
                )
            return {}
        try:
            return dict(schema(dict(config)))
        except vol.Invalid as err:
            raise ConfigValidationError(f"Invalid settings for {domain}", invalid_fields(err)) from None

    async def get_config(self, domain: str) -> dict[str, Any]:
        """The stored config with the schema's defaults filled in."""
        stored = await self._core.settings.get_plugin_config(domain)
        try:
            return self.validate_config(domain, stored)
        except ConfigValidationError:
            return stored

    async def set_config(self, domain: str, config: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and store a new config; a loaded plugin restarts with it. Nothing is saved on error."""
        validated = self.validate_config(domain, config)
        async with self._lock:
            await self._core.settings.replace_plugin_config(domain, validated)
            record = self.get(domain)
            if record.enabled:
                await self._unload(record)
                await self._load(record)
        return validated

    def router(self, domain: str) -> web.UrlDispatcher | None:
        record = self.records.get(domain)
        if record is None or record.status is not PluginStatus.LOADED:
            return None
        return record.router

    # -- internals --------------------------------------------------------------------------
    def _dependencies(self, domain: str) -> list[str]:
        return list(self.records[domain].info.manifest.get("dependencies", []))

    async def _store_enabled(self, domain: str, enabled: bool) -> None:
        await self._core.db.call(lambda db: store_enabled(db, domain, enabled))

    def _import(self, record: PluginRecord) -> ModuleType:
        if record.module is None:
            record.module = importlib.import_module(record.info.module)
        return record.module

    def answers(self, hook: str, what: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Every enabled plugin's answer to a broadcast hook, with its domain; a plugin whose
        implementation raises is logged ("failed ``what``") and left out, the others still count."""
        found: list[tuple[str, Any]] = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            domain = self.pm.get_name(impl.plugin) or "?"
            try:
                found.append((domain, impl.function(**kwargs)))
            except Exception:
                _LOGGER.exception("The %s plugin failed %s", domain, what)
        return found

    def _call_own(self, record: PluginRecord, hook: str, **kwargs: Any) -> Any:
        """Call one plugin's implementation of a per-plugin hook."""
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == record.domain:
                return impl.function(**kwargs)
        return None

    async def _load(self, record: PluginRecord) -> None:
        domain = record.domain
        try:
            module = self._import(record)
            if self.pm.is_blocked(domain):
                self.pm.unblock(domain)
            if self.pm.get_plugin(domain) is None:
                self.pm.register(module, name=domain)
            unknown = [
                name
                for name in dir(module)
                if (name.startswith("cordboard_") and getattr(self.pm.hook, name, None) is None)
                or (name.startswith("cordboard_") and getattr(self.pm.hook, name).spec is None)
            ]
            if unknown:
                raise pluggy.PluginValidationError(module, f"Unknown hooks: {', '.join(unknown)}")
            migrations: list[Migration] = list(self._call_own(record, "cordboard_migrations") or [])
            if migrations:
                await self._core.db.call(lambda db: migrate(db, domain, migrations))
            stored = await self._core.settings.get_plugin_config(domain)
            config = self.validate_config(domain, stored)
            self._register_settings(record)
            record.router = self._build_router(record)
            stack = contextlib.AsyncExitStack()
            lifespan = self._call_own(record, "cordboard_lifespan", core=self._core, config=config)
            if lifespan is not None:
                await stack.enter_async_context(lifespan)
            record.exit_stack = stack
        except ConfigValidationError as err:
            self._fail(record, PluginStatus.CONFIG_ERROR, str(err), err.fields)
            return
        except PluginNotReady as err:
            self._fail(record, PluginStatus.NOT_READY, str(err) or "not ready")
            self._schedule_retry(record)
            return
        except Exception as err:
            _LOGGER.exception("Plugin %s failed to load", domain)
            self._fail(record, PluginStatus.SETUP_ERROR, f"{type(err).__name__}: {err}")
            return
        record.status = PluginStatus.LOADED
        record.error = None
        record.field_errors = {}
        record.retries = 0
        self._publish(record)
        self._core.bus.fire(EVENT_PLUGIN_LOADED, {"domain": domain})
        _LOGGER.info("Plugin %s loaded", domain)

    def _fail(
        self, record: PluginRecord, status: PluginStatus, error: str, fields: Mapping[str, str] | None = None
    ) -> None:
        self._unregister(record)
        record.status = status
        record.error = error
        record.field_errors = dict(fields or {})
        self._publish(record)
        _LOGGER.error("Plugin %s: %s", record.domain, error)

    def _schedule_retry(self, record: PluginRecord) -> None:
        delay = RETRY_DELAYS[min(record.retries, len(RETRY_DELAYS) - 1)]
        record.retries += 1

        async def retry() -> None:
            await asyncio.sleep(delay)
            async with self._lock:
                if record.enabled and record.status is PluginStatus.NOT_READY:
                    await self._load(record)

        record.retry_task = self._core.create_task(retry(), f"retry plugin {record.domain}")

    async def _unload(self, record: PluginRecord) -> None:
        if record.retry_task is not None:
            record.retry_task.cancel()
            record.retry_task = None
        was_loaded = record.status is PluginStatus.LOADED
        if record.exit_stack is not None:
            stack, record.exit_stack = record.exit_stack, None
            try:
                await stack.aclose()
            except Exception:
                _LOGGER.exception("Plugin %s failed while stopping", record.domain)
        self._unregister(record)
        record.status = PluginStatus.DISABLED
        record.error = None
        self._publish(record)
        if was_loaded:
            self._core.bus.fire(EVENT_PLUGIN_UNLOADED, {"domain": record.domain})
            _LOGGER.info("Plugin %s unloaded", record.domain)

    def _unregister(self, record: PluginRecord) -> None:
        record.router = None
        for spec in list(self._core.settings.registry.specs()):
            if spec.key.startswith(f"{record.domain}."):
                self._core.settings.registry.unregister(spec.key)
        if self.pm.get_plugin(record.domain) is not None:
            self.pm.unregister(name=record.domain)
        if not self.pm.is_blocked(record.domain):
            self.pm.set_blocked(record.domain)

    def _register_settings(self, record: PluginRecord) -> None:
        """Register every CONFIG_SCHEMA field as a setting: org-only unless the plugin scopes it."""
        from cordboard.core.config.settings import SettingSpec

        schema = self._call_own(record, "cordboard_config_schema")
        if schema is None or not isinstance(schema.schema, dict):
            return
        scopes: Mapping[str, SettingScope] = self._call_own(record, "cordboard_setting_scopes") or {}
        fields: dict[str, tuple[Any, Any]] = {}
        for key, validator in schema.schema.items():
            name = str(key.schema if isinstance(key, vol.Marker) else key)
            default = getattr(key, "default", vol.UNDEFINED)
            fields[name] = (validator, default() if callable(default) else None)
        for name in scopes:
            if name not in fields:
                raise PluginError(f"{record.domain} declares scopes for {name!r}, which its schema lacks")
        for name, (validator, default) in fields.items():
            scope = scopes.get(name, SettingScope(scopes=("org",)))
            self._core.settings.registry.register(
                SettingSpec(
                    key=f"{record.domain}.{name}",
                    kind=scope.kind,
                    scopes=frozenset({"org", *scope.scopes}),
                    validator=validator,
                    default=default,
                    user_editable=scope.user_editable,
                    description="",
                )
            )

    def _build_router(self, record: PluginRecord) -> web.UrlDispatcher | None:
        table = self._call_own(record, "cordboard_http_routes")
        if table is None:
            return None
        router = web.UrlDispatcher()
        router.add_routes(table)
        return router

    def _publish(self, record: PluginRecord) -> None:
        self._core.states.set(
            f"plugin.{record.domain}",
            record.status.value,
            {
                "name": record.info.manifest.get("name", record.domain),
                "version": record.info.manifest.get("version", ""),
                "enabled": record.enabled,
                "error": record.error,
            },
        )

    async def _reconcile(self, event: Event[Any]) -> None:
        """Follow enable/disable done by the CLI on the same data folder while we run."""
        stored = await self._core.db.call(stored_enabled)
        for domain, enabled in stored.items():
            record = self.records.get(domain)
            if record is None or record.enabled == enabled:
                continue
            try:
                await (self.enable(domain) if enabled else self.disable(domain))
            except PluginError as err:
                _LOGGER.error("Cannot follow the change to plugin %s: %s", domain, err)
