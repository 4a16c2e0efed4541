"""Reads uptime, disk and memory figures of the appliance (blocking: run in the executor)."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cordboard.core import SIP_ENGINE
from cordboard.core.const import __version__


@dataclass(frozen=True, slots=True)
class SystemSnapshot:
    version: str
    sip_engine: str
    """``compiled (...)`` or ``pure Python (why)``: see core/native.py."""
    uptime_s: int
    host_uptime_s: int | None
    disk_total: int
    disk_free: int
    disk_used_percent: float
    memory_total: int | None
    memory_available: int | None
    load_1m: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _meminfo(path: Path = Path("/proc/meminfo")) -> tuple[int | None, int | None]:
    try:
        fields = {}
        for line in path.read_text().splitlines():
            name, _, rest = line.partition(":")
            fields[name] = int(rest.split()[0]) * 1024
        return fields.get("MemTotal"), fields.get("MemAvailable")
    except (OSError, ValueError, IndexError):
        return None, None


def _host_uptime(path: Path = Path("/proc/uptime")) -> int | None:
    try:
        return int(float(path.read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return None


def collect(data_dir: Path, started_at: float) -> SystemSnapshot:
    """Take one snapshot; ``started_at`` is when Cordboard started (epoch seconds)."""
    disk = shutil.disk_usage(data_dir)
    total, available = _meminfo()
    try:
        load: float | None = os.getloadavg()[0]
    except OSError:
        load = None
    return SystemSnapshot(
        version=__version__,
        sip_engine=SIP_ENGINE.description,
        uptime_s=max(0, int(time.time() - started_at)),
        host_uptime_s=_host_uptime(),
        disk_total=disk.total,
        disk_free=disk.free,
        disk_used_percent=round(100.0 * (disk.total - disk.free) / disk.total, 1) if disk.total else 0.0,
        memory_total=total,
        memory_available=available,
        load_1m=load,
    )
