"""Smoke check of the interop fixture: SIPp registers ann with digest auth (TERM-01)."""

from __future__ import annotations

from pathlib import Path

from cordboard_process import CordboardProcess
from sipp_runner import sipp_register


def test_sipp_registers_with_digest(pbx: CordboardProcess, tmp_path: Path) -> None:
    sipp_register(pbx, tmp_path, "ann", timeout=10)
