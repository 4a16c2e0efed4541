"""Users' terminals (TERM): the registered phones and numbers that ring for a user, and how."""

from __future__ import annotations

from cordboard.core.terminals.model import Terminal, TerminalPlan
from cordboard.core.terminals.service import TerminalService

__all__ = ["Terminal", "TerminalPlan", "TerminalService"]
