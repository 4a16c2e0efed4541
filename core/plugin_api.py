"""What a plugin imports: the hook marker, core types, validators, HTTP helpers and typed keys."""

from __future__ import annotations

import pluggy

from cordboard.core.bus import Event, EventType
from cordboard.core.config import validation as cv
from cordboard.core.config.scopes import ALL_SCOPES, SettingScope
from cordboard.core.context import Context
from cordboard.core.core import Core
from cordboard.core.exceptions import CordboardError, PluginNotReady
from cordboard.core.http.access import api, current_user, request_body
from cordboard.core.http.errors import ApiError
from cordboard.core.http.keys import CORE_KEY
from cordboard.core.keys import DataKey
from cordboard.core.numbers.model import NumberClaim
from cordboard.core.services import ServiceCall
from cordboard.core.state import State
from cordboard.core.storage.migrations import Migration
from cordboard.core.storage.store import Store

hookimpl = pluggy.HookimplMarker("cordboard")

__all__ = [
    "ALL_SCOPES",
    "CORE_KEY",
    "ApiError",
    "Context",
    "CordboardError",
    "Core",
    "DataKey",
    "Event",
    "EventType",
    "Migration",
    "NumberClaim",
    "PluginNotReady",
    "ServiceCall",
    "SettingScope",
    "State",
    "Store",
    "api",
    "current_user",
    "cv",
    "hookimpl",
    "request_body",
]
