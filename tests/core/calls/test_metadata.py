"""Call metadata (IVR-05): a step's display text, its own or one kept from earlier in the call path,
and what the ringing phones show from it; the text goes on the channel's call for later steps."""

from __future__ import annotations

import dataclasses
from typing import Any

from cordboard.core.calls.channel import InboundCall
from cordboard.core.calls.metadata import shown_caller, step_metadata, with_metadata


def _call(**fields: Any) -> InboundCall:
    return dataclasses.replace(
        InboundCall(id="c1", dialled="1600", caller="1001", caller_name="Ann Tester", caller_user_id=7),
        **fields,
    )


def test_ivr_05_a_call_has_no_metadata_until_a_step_sets_it() -> None:
    assert _call().metadata == ""


def test_ivr_05_a_step_keeps_the_earlier_text_only_when_told_to_and_there_is_one() -> None:
    earlier = _call(metadata="Support line")
    assert step_metadata(earlier, "Second", keep_derived=True) == "Support line"
    assert step_metadata(earlier, "Second", keep_derived=False) == "Second"
    assert step_metadata(_call(), "Second", keep_derived=True) == "Second"


def test_ivr_05_the_phones_show_the_text_then_the_callers_name_once() -> None:
    assert shown_caller(_call(), "Support line") == ("1001", "Support line: Ann Tester")
    # An inherited text is the bare text: the caller's name is not repeated.
    inherited = _call(metadata="Support line")
    text = step_metadata(inherited, "Sales", keep_derived=True)
    assert shown_caller(inherited, text) == ("1001", "Support line: Ann Tester")
    assert shown_caller(_call(caller_name=""), "Sales") == ("1001", "Sales: 1001")
    assert shown_caller(_call(), "") == ("1001", "Ann Tester")


class _Channel:
    """Just what ``with_metadata`` uses of a channel: its ``call``."""

    def __init__(self, call: InboundCall) -> None:
        self.call = call


def test_ivr_05_with_metadata_sets_the_text_on_the_channels_call_and_nothing_else() -> None:
    channel = _Channel(_call())
    with_metadata(channel, "Support line")  # type: ignore[arg-type]
    assert channel.call == _call(metadata="Support line")
