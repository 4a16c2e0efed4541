"""Random tags, branches, Call-IDs, nonce salt and ids, read from the kernel's CSPRNG in blocks.

RFC 3261 19.3 wants tags (and, by 8.1.1.7, branches) cryptographically random. ``secrets`` gives
that, but each ``secrets.token_hex`` is one getrandom system call, and a call through the B2BUA
draws about ten tokens (with the ids of its records and contexts). These come from the same source
(``os.urandom``), 4 KiB per system call; every byte is handed out once, and a forked child starts
with an empty block of its own.
"""

from __future__ import annotations

import os
from typing import Final

BLOCK_SIZE: Final = 4096
"""Octets read from the kernel at a time."""


class _RandomBlock:
    """The unread rest of the last block read from ``os.urandom``."""

    def __init__(self) -> None:
        self.data = b""
        self.offset = 0

    def take(self, count: int) -> bytes:
        offset = self.offset
        end = offset + count
        if end > len(self.data):
            self.data = os.urandom(max(BLOCK_SIZE, count))
            offset, end = 0, count
        self.offset = end
        return self.data[offset:end]

    def forget(self) -> None:
        """Drop the unread octets (a forked child must not hand out its parent's)."""
        self.data = b""
        self.offset = 0


_BLOCK: Final = _RandomBlock()
os.register_at_fork(after_in_child=_BLOCK.forget)


def token_bytes(count: int) -> bytes:
    """``count`` random octets, as ``secrets.token_bytes``."""
    return _BLOCK.take(count)


def token_hex(count: int) -> str:
    """``count`` random octets in hex (``2 * count`` digits), as ``secrets.token_hex``."""
    return _BLOCK.take(count).hex()
