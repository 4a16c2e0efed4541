"""Store documents, the async Database, and atomic writes surviving a kill mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cordboard.core.storage import Database, Store, atomic_write


async def test_store_roundtrip_and_migration(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    await db.open()
    try:
        v1: Store[dict[str, Any]] = Store(db, "demo.prefs", 1)
        assert await v1.load() is None
        await v1.save({"colour": "blue"})
        assert await v1.load() == {"colour": "blue"}

        def upgrade(old: int, data: Any) -> dict[str, Any]:
            return {**data, "size": "large"}

        v2: Store[dict[str, Any]] = Store(db, "demo.prefs", 2, migrate_func=upgrade)
        assert await v2.load() == {"colour": "blue", "size": "large"}
        with pytest.raises(ValueError, match="version 2"):
            await v1.load()
        await v2.remove()
        assert await v2.load() is None
    finally:
        await db.close()


async def test_database_calls_run_off_the_loop(tmp_path: Path) -> None:
    import threading

    db = Database(tmp_path / "x.db")
    await db.open()
    loop_thread = threading.get_ident()
    thread = await db.call(lambda _db: threading.get_ident())
    await db.close()
    assert thread != loop_thread


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "blob.bin"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["blob.bin"]


WRITER = """
import sys
from cordboard.core.storage.atomic import atomic_write
target = sys.argv[1]
n = 0
while True:
    n += 1
    byte = bytes([65 + n % 26])
    atomic_write(target, byte * (4 * 1024 * 1024))
    if n == 1:
        print("ready", flush=True)
"""


def test_atomic_write_survives_kill_in_the_middle(tmp_path: Path) -> None:
    target = tmp_path / "blob.bin"
    atomic_write(target, b"Z" * (4 * 1024 * 1024))
    for delay in (0.05, 0.13, 0.31):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = target.read_bytes()
        assert len(data) == 4 * 1024 * 1024
        assert data == data[:1] * len(data), "a reader saw a mixed or partial file"
