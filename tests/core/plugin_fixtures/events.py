"""A log the test plugins append to, so tests can see lifespan order."""

from __future__ import annotations

LOG: list[str] = []
