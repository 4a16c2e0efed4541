"""Fixtures for interop tests: a running Cordboard subprocess with a few users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cordboard_process import CordboardProcess


@pytest.fixture(scope="session")
def prepared_pbx(tmp_path_factory: pytest.TempPathFactory) -> CordboardProcess:
    """A data folder with users ann (1001), bo (1002) and cy (1003) and an administrator, made
    once with the CLI; each test's appliance starts from a copy."""
    process = CordboardProcess(tmp_path_factory.mktemp("interop-template") / "data")
    process.write_config()
    process.add_user("ann", "1001", "Ann", "Andersen")
    process.add_user("bo", "1002", "Bo", "Berg")
    process.add_user("cy", "1003", "Cy", "Clausen")
    process.prepare()
    return process


@pytest.fixture
def pbx(tmp_path: Path, prepared_pbx: CordboardProcess) -> Iterator[CordboardProcess]:
    """Cordboard with users ann (1001), bo (1002) and cy (1003), running on loopback."""
    with prepared_pbx.copy_to(tmp_path / "data").running() as process:
        yield process
