"""The shape of a rule-based number as the API takes it; whether its number and blocking groups fit
the rest of the PBX is ``checks.py``'s."""

from __future__ import annotations

from typing import Final

import voluptuous as vol

from cordboard.core.calls.metadata import DISPLAY_TEXT_MAX
from cordboard.core.numbers.function_numbers import function_number, id_list, name_of_at_most, text_of_at_most
from cordboard.plugins.rule_numbers.const import LANGUAGES, NAME_MAX

RULE_NUMBER_SCHEMA: Final = vol.Schema(
    {
        vol.Required("name"): name_of_at_most(NAME_MAX),
        vol.Required("number"): function_number("1750"),
        vol.Optional("display_text", default=""): text_of_at_most(DISPLAY_TEXT_MAX),
        vol.Optional("keep_derived_metadata", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("language", default=None): vol.Any(
            None, vol.In(LANGUAGES), msg=f"one of {', '.join(LANGUAGES)}, or null (as the call has it)"
        ),
        vol.Optional("show_as_caller", default=False): vol.All(bool, msg="true or false"),
        vol.Optional("blocking_groups", default=list): id_list("a blocking group"),
        # What the API sends back, so that an edit form may return it unchanged.
        vol.Optional("id"): object,
    },
    extra=vol.PREVENT_EXTRA,
)
