"""Schemas as the UI and OpenAPI see them: ``cv.prompt_id`` is a string of format "prompt", which the
settings forms show as a choice of the system's and the organisation's prompts."""

from __future__ import annotations

import pytest
import voluptuous as vol

from cordboard.core.config import validation as cv
from cordboard.core.http.schema_serialize import json_schema, serialize_schema

SCHEMA = vol.Schema(
    {
        vol.Required("greeting"): cv.prompt_id,
        vol.Optional("closed", default="not_available"): cv.prompt_id,
    }
)


def test_a_prompt_field_is_a_string_of_format_prompt() -> None:
    assert serialize_schema(SCHEMA) == [
        {"name": "greeting", "type": "string", "format": "prompt", "required": True},
        {
            "name": "closed",
            "type": "string",
            "format": "prompt",
            "required": False,
            "optional": True,
            "default": "not_available",
        },
    ]
    assert json_schema(SCHEMA) == {
        "type": "object",
        "properties": {
            "greeting": {"type": "string", "format": "prompt"},
            "closed": {"type": "string", "format": "prompt"},
        },
        "required": ["greeting"],
        "additionalProperties": False,
    }


@pytest.mark.parametrize("value", ["goodbye", "n21", " org:7 ", "org:123456789012345678"])
def test_system_and_org_prompt_ids_are_accepted(value: str) -> None:
    assert cv.prompt_id(value) == value.strip()


@pytest.mark.parametrize(
    "value", ["", "no_such_prompt", "org:0", "org:07", "org:x", "ORG:7", "Goodbye", 7, None]
)
def test_anything_else_is_refused_with_an_example(value: object) -> None:
    with pytest.raises(vol.Invalid, match=r"goodbye|text"):
        cv.prompt_id(value)


def test_a_multi_select_is_a_list_of_options_in_order() -> None:
    """cv.MultiSelect (RTE-05's allowed destinations): checkboxes in the UI, a list of known
    options in the options' order in the store, anything else refused with the choices named."""
    choice = cv.MultiSelect({"phones": "Phones", "voicemail": "Voicemail", "busy": "Busy"})
    assert serialize_schema(vol.Schema({vol.Required("value"): choice})) == [
        {
            "name": "value",
            "required": True,
            "type": "multi_select",
            "options": [["phones", "Phones"], ["voicemail", "Voicemail"], ["busy", "Busy"]],
        }
    ]
    assert choice(["busy", "phones", "busy"]) == ["phones", "busy"]
    assert choice([]) == []
    with pytest.raises(vol.Invalid, match="unknown: fax"):
        choice(["phones", "fax"])
    with pytest.raises(vol.Invalid, match="expected a list"):
        choice("phones")
