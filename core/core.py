"""The Core root object: loop, bus, states, services, data, storage, plugins and HTTP; start and stop."""

from __future__ import annotations

import asyncio
import enum
import functools
import json
import logging
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cordboard.core.bus import EventBus, EventType
from cordboard.core.config.bootstrap import BootstrapConfig
from cordboard.core.const import CORE_COMPONENT, DATABASE_FILE
from cordboard.core.context import Context
from cordboard.core.event_loop import cancel_all, running_loop
from cordboard.core.keys import CoreData
from cordboard.core.services import ServiceRegistry
from cordboard.core.state import State, StateMachine
from cordboard.core.storage.core_schema import CORE_MIGRATIONS
from cordboard.core.storage.db import Database
from cordboard.core.storage.migrations import migrate

if TYPE_CHECKING:
    from cordboard.core.calls.b2bua import B2bua
    from cordboard.core.calls.preferences import CallPreferences
    from cordboard.core.config.settings import SettingsService
    from cordboard.core.dialplan.service import DialPlanService
    from cordboard.core.discovery import Announcer
    from cordboard.core.features.service import FeatureCodeService
    from cordboard.core.http.server import HttpServer
    from cordboard.core.identity.service import IdentityService
    from cordboard.core.media.prompts import PromptLibrary
    from cordboard.core.numbers.service import NumberService
    from cordboard.core.plugin_manager import PluginManager
    from cordboard.core.presence.service import PresenceService
    from cordboard.core.provisioning.service import ProvisioningService
    from cordboard.core.rights.service import RightsService
    from cordboard.core.routing.service import RoutingService
    from cordboard.core.rtp.relay import RelayManager
    from cordboard.core.schedules.service import ScheduleService
    from cordboard.core.sip.service import SipService
    from cordboard.core.terminals.service import TerminalService
    from cordboard.core.trunks.service import TrunkService

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")

EVENT_CORE_STARTED: EventType[dict[str, Any]] = EventType("core.started")
EVENT_CORE_STOPPING: EventType[dict[str, Any]] = EventType("core.stopping")
# Another process (the CLI) committed to our database: caches and plugin states re-read it.
EVENT_EXTERNAL_CHANGE: EventType[dict[str, Any]] = EventType("storage.external_change")
EXTERNAL_CHANGE_INTERVAL = 2.0


class CoreState(enum.Enum):
    NOT_RUNNING = "not_running"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class Core:
    """The one object that owns Cordboard's runtime (Home Assistant's ``hass``).

    Plugins receive it in ``cordboard_lifespan`` and reach everything through it.
    """

    def __init__(self, data_dir: Path, bootstrap: BootstrapConfig | None = None) -> None:
        self.data_dir = data_dir
        self.config = bootstrap or BootstrapConfig()
        self.state = CoreState.NOT_RUNNING
        self.started_at: float | None = None
        self.data = CoreData()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cordboard-blocking")
        self._loop: asyncio.AbstractEventLoop | None = None
        self.bus = EventBus(self.create_task)
        self.states = StateMachine(self.bus)
        self.services = ServiceRegistry()
        self.db = Database(data_dir / DATABASE_FILE)
        self._stopped = asyncio.Event()
        # Filled in by start(): they need the database.
        self.identity: IdentityService
        self.rights: RightsService
        """Which groups may use the gated services against whom (ROLE-09)."""
        self.settings: SettingsService
        self.schedules: ScheduleService
        self.plugins: PluginManager
        self.http: HttpServer | None = None
        self.sip: SipService | None = None
        self.calls: B2bua | None = None
        self.relays: RelayManager | None = None
        self.provisioning: ProvisioningService | None = None
        self.presence: PresenceService | None = None
        self.numbers: NumberService
        self.features: FeatureCodeService
        self.routing: RoutingService
        self.dialplan: DialPlanService
        self.terminals: TerminalService
        self.call_preferences: CallPreferences
        self.trunks: TrunkService | None = None
        """The SIP trunks to providers (BYD-01..03); with SIP only."""
        self.discovery: Announcer | None = None
        self._prompts: PromptLibrary | None = None

    @property
    def prompts(self) -> PromptLibrary:
        """The system and custom voice prompts in the data folder (numpy is loaded on first use)."""
        if self._prompts is None:
            from cordboard.core.media.prompts import PromptLibrary

            self._prompts = PromptLibrary(self.data_dir)
        return self._prompts

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the core runs on (Home Assistant's ``hass.loop``; see core/event_loop.py)."""
        loop = self._loop = running_loop(self._loop)
        return loop

    # -- tasks and blocking work ------------------------------------------------------------
    def create_task(self, coro: Coroutine[Any, Any, _T], name: str = "") -> asyncio.Task[_T]:
        """Start a task that the core tracks, logs if it fails, and cancels on shutdown."""
        task = self.loop.create_task(coro, name=name or None)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _LOGGER.error("Task %s failed", task.get_name(), exc_info=exc)

    @property
    def pending_tasks(self) -> int:
        return sum(1 for t in self._tasks if not t.done())

    async def run_in_executor(self, func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run a blocking function on a worker thread; the only way blocking work may run."""
        call = functools.partial(func, *args, **kwargs) if kwargs else functools.partial(func, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, *, serve_http: bool = True, serve_sip: bool = True) -> None:
        """Open storage, migrate, load identity, settings and plugins, then serve HTTP."""
        from cordboard.core.config.settings import SettingsService
        from cordboard.core.http.server import HttpServer
        from cordboard.core.identity.service import IdentityService
        from cordboard.core.numbers.service import NumberService
        from cordboard.core.plugin_manager import PluginManager
        from cordboard.core.provisioning.service import ProvisioningService
        from cordboard.core.routing.service import RoutingService
        from cordboard.core.schedules.service import ScheduleService

        self.state = CoreState.STARTING
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self.db.open()
        await self.db.call(lambda db: migrate(db, CORE_COMPONENT, CORE_MIGRATIONS))
        await self._restore_states()
        self.identity = IdentityService(self)
        self.settings = SettingsService(self)
        self.plugins = PluginManager(self)
        await self.identity.start()
        from cordboard.core.rights.service import RightsService

        self.rights = RightsService(self)
        await self.rights.start()
        self.schedules = ScheduleService(self)
        await self.schedules.start()
        self.provisioning = ProvisioningService(self)
        await self.provisioning.start()
        await self._start_presence()
        self.numbers = NumberService(self)
        if serve_sip:
            await self._start_sip()
        await self.plugins.start()
        await self.numbers.start()
        from cordboard.core.features.service import FeatureCodeService

        self.features = FeatureCodeService(self)
        await self.features.start()
        self.routing = RoutingService(self)
        await self.routing.start()
        from cordboard.core.dialplan.service import DialPlanService

        self.dialplan = DialPlanService(self)
        await self.dialplan.start()
        from cordboard.core.terminals.service import TerminalService

        self.terminals = TerminalService(self)
        await self.terminals.start()
        from cordboard.core.calls.preferences import CallPreferences

        self.call_preferences = CallPreferences(self)
        await self.call_preferences.start()
        if serve_sip:
            await self._start_trunks()
        if serve_http:
            self.http = HttpServer(self)
            await self.http.start()
            if serve_sip:
                await self._start_discovery()
        self.started_at = time.time()
        self.state = CoreState.RUNNING
        self.create_task(self._watch_external_changes(), "external change watcher")
        self.bus.fire(EVENT_CORE_STARTED, {})

    async def _start_presence(self) -> None:
        """Users' presence (PRS); before SIP, so that it sees the first calls' states."""
        from cordboard.core.presence.service import PresenceService

        self.presence = PresenceService(self)
        await self.presence.start()

    async def _start_sip(self) -> None:
        from cordboard.core.calls.b2bua import B2bua
        from cordboard.core.network import follows_lan_address, reachable_address, watch_lan_address
        from cordboard.core.rtp.ports import PortAllocator
        from cordboard.core.rtp.relay import RelayManager
        from cordboard.core.sip.service import SipService

        config = self.config
        advertise = reachable_address(config.sip_bind, config.sip_advertise)
        sip = SipService(
            self,
            bind=config.sip_bind,
            port=config.sip_port,
            advertise=advertise,
            digest_algorithms=config.digest_algorithms,
            t1=config.sip_t1,
        )
        relays = RelayManager(PortAllocator(config.rtp_port_min, config.rtp_port_max), config.sip_bind)
        calls = B2bua(self, sip, relays)
        sip.call_handler = self.calls = calls
        self.relays = relays
        await sip.start()
        await calls.start()
        from cordboard.core.calls.subscriptions import SubscriptionService

        sip.subscriptions = SubscriptionService(self, calls)
        sip.subscriptions.start()
        self.sip = sip
        if follows_lan_address(config.sip_bind, config.sip_advertise):
            self.create_task(watch_lan_address(advertise, self._lan_address_changed), "LAN address watch")

    async def _start_trunks(self) -> None:
        from cordboard.core.trunks.service import TrunkService

        assert self.sip is not None
        self.trunks = TrunkService(self, self.sip)
        await self.trunks.start()

    def _lan_address_changed(self, address: str) -> None:
        """DHCP gave a new lease: SIP and plug-and-play follow it (zeroconf follows every interface)."""
        if self.sip is not None:
            self.sip.set_advertise(address)
        if self.trunks is not None:  # register the new contact at the providers
            self.create_task(self.trunks.restart(), "trunks follow the new address")
        if self.provisioning is not None and self.provisioning.address is not None:
            self.provisioning.set_address(address)

    async def _start_discovery(self) -> None:
        """SIP plug-and-play on the LAN interface and zeroconf on every LAN interface (only the bound
        one when SIP is bound to an address); not when SIP serves loopback only."""
        import ipaddress

        from cordboard.core.discovery import Announcer
        from cordboard.core.network import WILDCARDS, lan_addresses, reachable_address, watch_lan_addresses

        address = reachable_address(self.config.sip_bind)
        try:
            if ipaddress.ip_address(address).is_loopback or ":" in address:
                return
        except ValueError:
            return
        assert self.provisioning is not None
        # Discovery is a convenience: whatever goes wrong with it, the appliance still serves.
        try:
            await self.provisioning.start_pnp(address)
        except Exception:
            _LOGGER.exception("SIP plug-and-play could not start on %s", address)
        self.discovery = Announcer(self)
        follow = self.config.sip_bind in WILDCARDS
        addresses = lan_addresses() if follow else [address]
        try:
            await self.discovery.start(addresses)
        except Exception:
            _LOGGER.exception("Zeroconf could not start on %s", ", ".join(addresses))
        if follow:
            self.create_task(
                watch_lan_addresses(addresses, self.discovery.set_addresses), "LAN interfaces watch"
            )

    async def stop(self) -> None:
        """Stop HTTP, exit plugin lifespans in reverse order, cancel tasks, close storage."""
        if self.state in (CoreState.STOPPING, CoreState.STOPPED):
            await self._stopped.wait()
            return
        self.state = CoreState.STOPPING
        self.bus.fire(EVENT_CORE_STOPPING, {})
        try:
            if self.discovery is not None:
                await self.discovery.stop()
            if self.provisioning is not None:
                await self.provisioning.stop()
            if self.http is not None:
                await self.http.stop()
            if self.trunks is not None:
                await self.trunks.stop()  # unregister while SIP still runs
            if self.sip is not None:
                if self.sip.subscriptions is not None:
                    self.sip.subscriptions.stop()
                    self.sip.pump()
                if self.calls is not None:
                    self.calls.stop()
                    self.calls.hang_up_all()
                await self.sip.stop()
                if self.relays is not None:
                    self.relays.close_all()
                if self.calls is not None:
                    await self.calls.history.flush()
            if hasattr(self, "plugins"):
                await self.plugins.stop()
            if self.presence is not None:
                await self.presence.stop()
            if hasattr(self, "rights"):
                await self.rights.stop()
            if hasattr(self, "numbers"):
                self.numbers.stop()
            if hasattr(self, "features"):
                self.features.stop()
            if hasattr(self, "dialplan"):
                self.dialplan.stop()
            if hasattr(self, "call_preferences"):
                self.call_preferences.stop()
            if hasattr(self, "schedules"):
                await self.schedules.stop()
            if hasattr(self, "identity"):
                await self.identity.stop()
            await self._cancel_tasks()
            await self.db.close()
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self.state = CoreState.STOPPED
            self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def _cancel_tasks(self) -> None:
        current = asyncio.current_task()
        await cancel_all(t for t in self._tasks if t is not current)

    async def _watch_external_changes(self) -> None:
        """Poll SQLite's data_version, which moves only when another connection commits."""

        def version(db: Any) -> int:
            return int(db.execute("PRAGMA data_version").fetchone()[0])

        last = await self.db.call(version)
        while True:
            await asyncio.sleep(EXTERNAL_CHANGE_INTERVAL)
            current = await self.db.call(version)
            if current != last:
                last = current
                self.bus.fire(EVENT_EXTERNAL_CHANGE, {})

    # -- persisted states ---------------------------------------------------------------------
    async def _restore_states(self) -> None:
        rows = await self.db.call(
            lambda db: db.execute(
                "SELECT entity_id, state, attributes, last_changed, last_updated FROM states"
            ).fetchall()
        )
        for entity_id, state, attributes, last_changed, last_updated in rows:
            self.states.restore(
                State(entity_id, state, json.loads(attributes), Context(), last_changed, last_updated)
            )
        self.states.set_persist_hook(self._persist_state)

    def _persist_state(self, state: State | None, entity_id: str) -> None:
        def write(db: Any) -> None:
            with db.atomic():
                if state is None:
                    db.execute("DELETE FROM states WHERE entity_id = ?", [entity_id])
                else:
                    db.execute(
                        "INSERT OR REPLACE INTO states VALUES (?, ?, ?, ?, ?)",
                        [
                            entity_id,
                            state.state,
                            json.dumps(dict(state.attributes)),
                            state.last_changed,
                            state.last_updated,
                        ],
                    )

        self.create_task(self.db.call(write), f"persist {entity_id}")
