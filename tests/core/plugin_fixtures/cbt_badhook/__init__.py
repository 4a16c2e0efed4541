"""A test plugin implementing a hook that does not exist."""

from __future__ import annotations

from cordboard.core.plugin_api import hookimpl


@hookimpl
def cordboard_make_coffee() -> str:
    return "coffee"
