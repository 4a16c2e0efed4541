"""The service registry: named actions (``domain.service``) validated by voluptuous at the call boundary."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import voluptuous as vol

from cordboard.core.context import Context
from cordboard.core.exceptions import ServiceNotFound, Unauthorized

Access = Literal["admin", "user"]


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """One call of a service, with its validated data and who asked."""

    domain: str
    service: str
    data: Mapping[str, Any]
    context: Context = field(default_factory=Context)
    user_id: str | None = None
    is_admin: bool = True


ServiceHandler = Callable[[ServiceCall], Awaitable[Any] | Any]


@dataclass(frozen=True, slots=True)
class Service:
    handler: ServiceHandler
    schema: vol.Schema | None
    access: Access
    description: str


class ServiceRegistry:
    """Services by domain and name; ``register`` returns the callable that removes the service."""

    def __init__(self) -> None:
        self._services: dict[str, dict[str, Service]] = {}

    def register(
        self,
        domain: str,
        service: str,
        handler: ServiceHandler,
        schema: vol.Schema | None = None,
        *,
        access: Access = "admin",
        description: str = "",
    ) -> Callable[[], None]:
        domain, service = domain.lower(), service.lower()
        entry = Service(handler, schema, access, description or (inspect.getdoc(handler) or ""))
        self._services.setdefault(domain, {})[service] = entry

        def remove() -> None:
            services = self._services.get(domain, {})
            if services.get(service) is entry:
                del services[service]
                if not services:
                    self._services.pop(domain, None)

        return remove

    def has(self, domain: str, service: str) -> bool:
        return service.lower() in self._services.get(domain.lower(), {})

    def describe(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            domain: {
                name: {"description": svc.description, "access": svc.access} for name, svc in services.items()
            }
            for domain, services in self._services.items()
        }

    async def call(
        self,
        domain: str,
        service: str,
        data: Mapping[str, Any] | None = None,
        *,
        context: Context | None = None,
        user_id: str | None = None,
        is_admin: bool = True,
    ) -> Any:
        """Validate ``data`` against the service schema and run it; ``vol.Invalid`` propagates."""
        try:
            entry = self._services[domain.lower()][service.lower()]
        except KeyError:
            raise ServiceNotFound(domain, service) from None
        if entry.access == "admin" and not is_admin:
            raise Unauthorized(f"Service {domain}.{service} needs an administrator")
        payload: Mapping[str, Any] = data or {}
        if entry.schema is not None:
            payload = entry.schema(dict(payload))
        call = ServiceCall(
            domain.lower(), service.lower(), payload, context or Context(user_id=user_id), user_id, is_admin
        )
        result = entry.handler(call)
        if inspect.isawaitable(result):
            result = await result
        return result
