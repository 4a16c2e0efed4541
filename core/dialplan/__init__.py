"""The dial plan: number conversion (CNV), number types and barring (BAR), emergency numbers (EMR)."""

from __future__ import annotations

from cordboard.core.dialplan.service import DialPlanService, OutboundDecision

__all__ = ["DialPlanService", "OutboundDecision"]
