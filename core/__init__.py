"""cordboard.core: the runtime every plugin stands on (bus, states, services, storage, plugins, HTTP)."""

from __future__ import annotations
