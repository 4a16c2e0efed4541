"""What `cordboard run` tunes in the interpreter once the core has started (media timing, SIP load)."""

from __future__ import annotations

import gc
import sys

from cordboard.core.runner import (
    GC_THRESHOLDS,
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
