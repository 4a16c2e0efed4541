"""Logging: one line per record with the context id, so a call's chain can be followed in the log."""

from __future__ import annotations

import logging
import sys
from typing import Final

from cordboard.core.context import current_context

FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s [ctx=%(ctx)s] %(message)s"


class ContextFilter(logging.Filter):
    """Adds ``ctx``: the id of the Context the record was logged under (``-`` outside any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = current_context.get()
        record.ctx = ctx.id if ctx is not None else "-"
        return True


def setup_logging(level: str) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("aiohttp.access", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
