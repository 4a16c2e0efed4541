"""Routing rules (RTE): incoming, outgoing and fallback rules per level, and the routing test tool."""

from __future__ import annotations

from cordboard.core.routing.evaluate import Explanation, decide
from cordboard.core.routing.model import CallFacts, Destination, Rule
from cordboard.core.routing.service import RoutingService

__all__ = ["CallFacts", "Destination", "Explanation", "RoutingService", "Rule", "decide"]
