"""Typed aiohttp AppKeys of the one Cordboard application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from aiohttp import web

if TYPE_CHECKING:
    from cordboard.core.core import Core

CORE_KEY: Final[web.AppKey[Core]] = web.AppKey("cordboard_core")
OPEN_WEBSOCKETS_KEY: Final[web.AppKey[set[web.WebSocketResponse]]] = web.AppKey("cordboard_websockets")
