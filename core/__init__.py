"""cordboard.core: the runtime every plugin stands on (bus, states, services, storage, plugins, HTTP)."""

from __future__ import annotations

from typing import Final

from cordboard.core.native import use_checkout_build

SIP_ENGINE: Final = use_checkout_build()
"""Whether the SIP engine's sans-IO modules run compiled or as Python (core/native.py): its
``description`` for the log, ``system_info`` and the bench; ``stale`` when a build needs redoing."""
