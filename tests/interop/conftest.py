"""Fixtures for interop tests: a running Cordboard subprocess with a few users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cordboard_process import CordboardProcess


@pytest.fixture
def pbx(tmp_path: Path) -> Iterator[CordboardProcess]:
    """Cordboard with users ann (1001), bo (1002) and cy (1003), running on loopback."""
    process = CordboardProcess(tmp_path / "data")
    process.write_config()
    process.add_user("ann", "1001", "Ann", "Andersen")
    process.add_user("bo", "1002", "Bo", "Berg")
    process.add_user("cy", "1003", "Cy", "Clausen")
    process.start()
    try:
        yield process
    finally:
        code = process.stop()
        assert code == 0, f"cordboard run did not stop cleanly ({code}):\n{process.log_tail()}"
