"""The Cordboard error tree: every error the core raises on purpose descends from CordboardError."""

from __future__ import annotations

from collections.abc import Mapping


class CordboardError(Exception):
    """Root of Cordboard's own errors."""


class ConfigValidationError(CordboardError):
    """A config value is invalid; ``fields`` maps a dotted field path to a message a person can act on."""

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})

    def __str__(self) -> str:
        if not self.fields:
            return self.message
        details = "; ".join(f"{path}: {msg}" for path, msg in self.fields.items())
        return f"{self.message} ({details})"


class BootstrapConfigError(CordboardError):
    """cordboard.toml cannot be read; the message names the file, the line and the reason."""


class PluginNotReady(CordboardError):
    """Raised by a plugin lifespan when a resource is not there yet; the core retries with backoff."""


class PluginError(CordboardError):
    """A plugin cannot be found, ordered, enabled or disabled; the message says why."""


class ServiceNotFound(CordboardError):
    """No service is registered under ``domain.service``."""

    def __init__(self, domain: str, service: str) -> None:
        super().__init__(f"Service {domain}.{service} not found")
        self.domain = domain
        self.service = service


class Unauthorized(CordboardError):
    """The caller is not allowed to do this (maps to HTTP 403)."""


class NotFound(CordboardError):
    """The object asked for does not exist (maps to HTTP 404)."""


class Conflict(CordboardError):
    """The change clashes with stored data (maps to HTTP 409), e.g. a taken username."""


class StorageError(CordboardError):
    """The data folder cannot be used as it is."""


class DataTooNewError(StorageError):
    """The data folder was written by a newer Cordboard than this one."""


class TooManyAttempts(CordboardError):
    """Too many failed log-ins from this user name or address; try again after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
