"""What `cordboard run` tunes in the interpreter once the core has started (media timing, SIP load)."""

from __future__ import annotations

import gc
import resource
import subprocess
import sys
from pathlib import Path

from cordboard.core.runner import (
    GC_THRESHOLDS,
    OPEN_FILES_WANTED,
    THREAD_SWITCH_INTERVAL,
    tune_garbage_collection,
    tune_thread_switching,
)


def test_threads_hold_the_gil_a_millisecond_not_five() -> None:
    before = sys.getswitchinterval()
    try:
        tune_thread_switching()
        assert sys.getswitchinterval() == THREAD_SWITCH_INTERVAL <= 0.001
    finally:
        sys.setswitchinterval(before)


def test_young_collections_are_rarer_and_start_up_objects_frozen() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collection()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _limits_after_raise(soft: int, hard: int) -> tuple[int, int]:
    """Run raise_open_file_limit in a child started with (soft, hard): its limits after."""
    code = (
        "import resource; from cordboard.core.runner import raise_open_file_limit as r; "
        "r(); print(*resource.getrlimit(resource.RLIMIT_NOFILE))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard)),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    new_soft, new_hard = (int(word) for word in out.split())
    return new_soft, new_hard


def test_open_file_limit_is_raised_for_relayed_calls() -> None:
    """systemd starts services with a soft limit of 1024 descriptors; four per relayed call would
    stop the appliance near 250 calls, so the server raises it to what the hard limit allows."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # a child can lower it, not raise it
    assert hard >= 2048
    wanted = min(OPEN_FILES_WANTED, hard)
    assert _limits_after_raise(256, hard) == (wanted, hard)
    assert _limits_after_raise(256, 2048) == (2048, 2048)  # the hard limit caps it
    assert _limits_after_raise(1500, 1500) == (1500, 1500)  # already at the hard limit: unchanged


def test_the_appliance_service_asks_for_enough_open_files() -> None:
    unit = Path(__file__).parents[2] / "image/overlay/etc/systemd/system/cordboard.service"
    assert f"LimitNOFILE={OPEN_FILES_WANTED}" in unit.read_text().splitlines()
