"""The number registry (NUM): number ranges, aliases, and the one owner of every dialable number."""

from __future__ import annotations

from cordboard.core.numbers.model import NumberClaim, NumberRange, Owner
from cordboard.core.numbers.service import NumberService

__all__ = ["NumberClaim", "NumberRange", "NumberService", "Owner"]
