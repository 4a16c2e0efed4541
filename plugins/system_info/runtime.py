"""Publishes the snapshot as system_info.* states on an interval and registers the refresh service."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from cordboard.core.core import Core
from cordboard.core.event_loop import cancel_and_wait
from cordboard.core.keys import DataKey
from cordboard.core.services import ServiceCall
from cordboard.plugins.system_info.collector import SystemSnapshot, collect
from cordboard.plugins.system_info.const import (
    CONF_DISK_WARNING_PERCENT,
    CONF_SCAN_INTERVAL,
    DOMAIN,
    SERVICE_REFRESH,
)


class SystemInfo:
    """Holds the last snapshot and turns it into states."""

    def __init__(self, core: Core, config: Mapping[str, Any]) -> None:
        self._core = core
        self._config = config
        self.snapshot: SystemSnapshot | None = None

    async def refresh(self) -> SystemSnapshot:
        started = self._core.started_at or time.time()
        snap = await self._core.run_in_executor(collect, self._core.data_dir, started)
        self.snapshot = snap
        warn = snap.disk_used_percent >= self._config[CONF_DISK_WARNING_PERCENT]
        states = self._core.states
        states.set(f"{DOMAIN}.version", snap.version)
        states.set(f"{DOMAIN}.uptime", str(snap.uptime_s), {"unit": "s", "host_uptime_s": snap.host_uptime_s})
        states.set(
            f"{DOMAIN}.disk",
            "low" if warn else "ok",
            {
                "total": snap.disk_total,
                "free": snap.disk_free,
                "used_percent": snap.disk_used_percent,
                "warning_percent": self._config[CONF_DISK_WARNING_PERCENT],
            },
        )
        states.set(
            f"{DOMAIN}.memory",
            str(snap.memory_available if snap.memory_available is not None else "unknown"),
            {"unit": "B", "total": snap.memory_total, "load_1m": snap.load_1m},
        )
        return snap

    async def run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self._config[CONF_SCAN_INTERVAL])

    def remove_states(self) -> None:
        for entity_id in self._core.states.entity_ids(DOMAIN):
            self._core.states.remove(entity_id)


SYSTEM_INFO_KEY: DataKey[SystemInfo] = DataKey(DOMAIN)


@contextlib.asynccontextmanager
async def lifespan(core: Core, config: Mapping[str, Any]) -> AsyncIterator[None]:
    info = SystemInfo(core, config)
    await info.refresh()
    core.data[SYSTEM_INFO_KEY] = info

    async def handle_refresh(call: ServiceCall) -> dict[str, Any]:
        """Take a new snapshot now."""
        return (await info.refresh()).as_dict()

    remove_service = core.services.register(DOMAIN, SERVICE_REFRESH, handle_refresh, access="admin")
    task = core.create_task(info.run(), f"{DOMAIN} poller")
    try:
        yield
    finally:
        await cancel_and_wait(task)
        remove_service()
        info.remove_states()
        core.data.pop(SYSTEM_INFO_KEY, None)
