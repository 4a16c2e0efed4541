"""A stand-in for the running appliance in update tests: grubenv, two root slots, /proc/cmdline."""

from __future__ import annotations

from pathlib import Path

from cordboard.core.system.update import format_grubenv


def fake_system(root: Path, slot_size: int, cmdline: str = "cordboard.slot=a\n") -> Path:
    """grubenv on slot a, 'partitions' root-a and root-b (filled with their letter), a cmdline."""
    (root / "grubenv").write_bytes(format_grubenv({"slot": "a"}))
    parts = root / "by-partlabel"
    parts.mkdir()
    for slot in "ab":
        (parts / f"root-{slot}").write_bytes(slot.encode() * slot_size)
    (root / "cmdline").write_text(cmdline)
    return root
