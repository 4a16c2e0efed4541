"""Whether a folder's disk has room for a recording (VM-14: a full disk is found before the
recording starts and the caller is told, instead of a message cut off or lost).

A recording of ``seconds`` needs about ``seconds`` x ``BYTES_PER_SECOND`` (16-bit PCM at 16 kHz, the
widest rate recorded) plus ``MARGIN_BYTES`` left free for the database, logs and the system. The
free-byte figure comes from ``free_bytes`` (``shutil.disk_usage``), a module-level function that
tests replace to fake a full disk.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Final

_LOGGER = logging.getLogger(__name__)

MARGIN_BYTES: Final = 50 * 1024 * 1024
"""Always left free on the disk (50 MB): the database and the logs must still be written."""
BYTES_PER_SECOND: Final = 2 * 16000
"""A second of mono 16-bit PCM at 16 kHz, the most a recording takes."""


def free_bytes(folder: Path) -> int:
    """The bytes free for Cordboard on the filesystem of ``folder`` (or of its nearest existing
    parent, when it is not made yet) (blocking, but only a ``statvfs``)."""
    here = Path(folder)
    while not here.exists() and here != here.parent:
        here = here.parent
    return shutil.disk_usage(here).free


def bytes_needed(seconds: float, *, margin: int | None = None) -> int:
    """What a recording of ``seconds`` needs free, the margin included."""
    return int(max(seconds, 0.0) * BYTES_PER_SECOND) + (MARGIN_BYTES if margin is None else margin)


def has_room(folder: Path, seconds: float, *, margin: int | None = None) -> bool:
    """Whether ``folder``'s disk has room for ``seconds`` of recording plus the margin; a disk
    that cannot be asked counts as full (logged)."""
    needed = bytes_needed(seconds, margin=margin)
    try:
        free = free_bytes(folder)
    except OSError as err:
        _LOGGER.error("Free space on the disk of %s is unknown (%s): treated as full", folder, err)
        return False
    if free < needed:
        _LOGGER.error(
            "The disk of %s is (almost) full: %d MB free, a recording of %.0f s needs %d MB",
            folder, free // 1048576, seconds, -(-needed // 1048576),
        )  # fmt: skip
        return False
    return True
