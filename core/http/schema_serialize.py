"""Serialize voluptuous schemas for the UI (voluptuous-serialize) and for OpenAPI (JSON Schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import voluptuous as vol
import voluptuous_serialize

from cordboard.core.config import validation as cv

_CV_TYPES: Final[dict[Callable[..., Any], dict[str, Any]]] = {
    cv.string: {"type": "string"},
    cv.non_empty_string: {"type": "string", "required_text": True},
    cv.boolean: {"type": "boolean"},
    cv.port: {"type": "integer", "valueMin": 1, "valueMax": 65535},
    cv.ip_address: {"type": "string", "format": "ip"},
    cv.log_level: {"type": "select", "options": [(lvl, lvl) for lvl in cv.LOG_LEVELS]},
    cv.extension: {"type": "string", "format": "extension"},
    cv.e164: {"type": "string", "format": "e164"},
    cv.username: {"type": "string", "format": "username"},
    cv.email: {"type": "string", "format": "email"},
    cv.pin: {"type": "string", "format": "pin"},
    cv.password: {"type": "string", "format": "password"},
    cv.positive_int: {"type": "integer", "valueMin": 1},
    cv.prompt_id: {"type": "string", "format": "prompt"},
    cv.diallable: {"type": "string", "format": "diallable"},
    cv.dial_code: {"type": "string", "format": "dial_code"},
    cv.clock_time_or_empty: {"type": "string", "format": "time"},
}


def _custom(value: Any) -> Any:
    if isinstance(value, cv.MultiSelect):
        return {"type": "multi_select", "options": [[k, v] for k, v in value.options.items()]}
    if callable(value) and value in _CV_TYPES:
        return dict(_CV_TYPES[value])
    return voluptuous_serialize.UNSUPPORTED


def serialize_schema(schema: vol.Schema | None) -> list[dict[str, Any]]:
    """The UI form description of a dict schema: a list of fields with name, type and limits."""
    if schema is None:
        return []
    try:
        converted = voluptuous_serialize.convert(schema, custom_serializer=_custom)
    except ValueError:
        return [{"name": "(unsupported)", "type": "string"}]
    return converted if isinstance(converted, list) else [converted]


_JSON_TYPES: Final = {
    "string": "string",
    "integer": "integer",
    "float": "number",
    "boolean": "boolean",
    "select": "string",
    "multi_select": "array",
}


def json_schema(schema: vol.Schema | None) -> dict[str, Any]:
    """An OpenAPI/JSON Schema object for a request body schema."""
    if schema is None:
        return {"type": "object"}
    if not isinstance(schema.schema, dict):
        return {"type": "array"} if isinstance(schema.schema, list) else {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for field in serialize_schema(schema):
        prop: dict[str, Any] = {"type": _JSON_TYPES.get(field.get("type", ""), "string")}
        if field.get("type") == "select":
            prop["enum"] = [opt[0] for opt in field.get("options", [])]
        if "format" in field:
            prop["format"] = field["format"]
        if "valueMin" in field:
            prop["minimum"] = field["valueMin"]
        if "valueMax" in field:
            prop["maximum"] = field["valueMax"]
        properties[field["name"]] = prop
        if field.get("required"):
            required.append(field["name"])
    result: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        result["required"] = required
    return result
