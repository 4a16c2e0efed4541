"""Trunks in the tests: create one in a running PBX (stored as the API would) and wait for its
state (``trunk.<name>``: registered, failed, up, down ...)."""

from __future__ import annotations

import asyncio
from typing import Any

from cordboard.core.core import Core
from cordboard.core.trunks import storage


async def add_trunk(core: Core, **fields: Any) -> None:
    """A trunk with ``fields`` (default: a register trunk "provider" at 127.0.0.1), live at once."""
    assert core.trunks is not None
    fernet = core.trunks.fernet
    data = {"name": "provider", "kind": "register", "host": "127.0.0.1", **fields}
    await core.db.call(lambda db: storage.create_trunk(db, fernet, data))
    await core.trunks.reload()


async def wait_state(core: Core, wanted: str, name: str = "provider") -> Any:
    """The trunk's state once it is ``wanted`` (AssertionError after 10 s)."""
    for _ in range(200):
        state = core.states.get(f"trunk.{name}")
        if state is not None and state.state == wanted:
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"trunk.{name} is {core.states.get(f'trunk.{name}')}, not {wanted}")
