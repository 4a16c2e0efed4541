"""The one JSON error shape: ``{"error": {"code", "message", "fields"}}``, and the errors that produce it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from aiohttp import web


class ApiError(Exception):
    """Raise from a handler to answer with the error shape."""

    def __init__(self, status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})


def error_response(
    status: int, code: str, message: str, fields: Mapping[str, str] | None = None
) -> web.Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "fields": dict(fields or {})}}
    return web.json_response(body, status=status)


def invalid_fields(err: vol.Invalid) -> dict[str, str]:
    """Map every voluptuous error to its dotted field path (``""`` for the whole object)."""
    errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
    fields: dict[str, str] = {}
    for sub in errors:
        path = ".".join(str(p) for p in sub.path)
        message = sub.msg
        if message.startswith("extra keys not allowed"):
            message = "unknown field"
        elif message == "required key not provided":
            message = "required"
        fields.setdefault(path, message)
    return fields


def validated(schema: vol.Schema, data: Mapping[str, Any], message: str) -> dict[str, Any]:
    """``data`` as ``schema`` accepts it, or a ConfigValidationError (``message``) naming every bad
    field by its dotted path (``destinations.1.target``)."""
    from cordboard.core.exceptions import ConfigValidationError

    try:
        return dict(schema(dict(data)))
    except vol.Invalid as err:
        raise ConfigValidationError(message, invalid_fields(err)) from None


def validation_error(err: vol.Invalid, message: str = "Invalid input") -> ApiError:
    return ApiError(400, "invalid", message, invalid_fields(err))
