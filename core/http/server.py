"""The one aiohttp application: REST under /api/, the WebSocket, plugin routes, the built frontend."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aiohttp import WSCloseCode, web

from cordboard.core.http.keys import CORE_KEY, OPEN_WEBSOCKETS_KEY
from cordboard.core.http.middleware import api_middleware

if TYPE_CHECKING:
    from cordboard.core.core import Core

_LOGGER = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 1024 * 1024
# Route modules of the core, in registration order; each exposes ``routes: web.RouteTableDef``.
API_MODULES: Final = (
    "health",
    "api_auth",
    "api_users",
    "api_user_import",
    "api_groups",
    "api_settings",
    "api_schedules",
    "api_plugins",
    "api_states",
    "api_calls",
    "api_sip",
    "sip_websocket",
    "api_system",
    "api_prompts",
    "api_moh",
    "api_announcement",
    "api_devices",
    "api_seats",
    "api_firmware",
    "api_key_templates",
    "api_numbers",
    "api_routing",
    "api_trunks",
    "api_dialplan",
    "api_terminals",
    "api_caller_id",
    "api_presence",
    "api_rights",
    "api_feature_codes",
    "provision",
    "websocket",
    "openapi",
    "pages",
)
# The catch-all that dispatches /api/<domain>/... to enabled plugins is added after these.
PLUGIN_ROUTE: Final = "/api/{domain}/{tail:.*}"
STATIC_DIR: Final = Path(__file__).parent / "static"
FRONTEND_DIST: Final = Path(__file__).resolve().parents[2] / "frontend" / "dist"


def core_route_prefixes() -> set[str]:
    """First path segments under /api/ that the core owns; no plugin domain may take them."""
    app = build_app(None)
    prefixes = set()
    for resource in app.router.resources():
        parts = resource.canonical.split("/")
        if len(parts) > 2 and parts[1] == "api" and not parts[2].startswith("{"):
            prefixes.add(parts[2])
    return prefixes


async def _close_websockets(app: web.Application) -> None:
    sockets = app[OPEN_WEBSOCKETS_KEY]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"Cordboard is stopping")


def build_app(core: Core | None) -> web.Application:
    """Build the application; ``core`` may be None only to inspect the route table."""
    app = web.Application(middlewares=[api_middleware], client_max_size=MAX_BODY_BYTES)
    if core is not None:
        app[CORE_KEY] = core
    app[OPEN_WEBSOCKETS_KEY] = set()
    app.on_shutdown.append(_close_websockets)
    for name in API_MODULES:
        module = importlib.import_module(f"cordboard.core.http.{name}")
        app.router.add_routes(module.routes)
    from cordboard.core.http.plugin_routes import dispatch_plugin_route

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        app.router.add_route(method, PLUGIN_ROUTE, dispatch_plugin_route)
    if FRONTEND_DIST.is_dir():
        app.router.add_static("/assets", FRONTEND_DIST / "assets", name="assets")
    app.router.add_static("/static", STATIC_DIR, name="static")
    return app


def _bound_port(site: web.BaseSite, configured: int) -> int:
    """The port a started site listens on (the system's pick when ``configured`` is 0)."""
    sockets = getattr(site._server, "sockets", None) or []
    return int(sockets[0].getsockname()[1]) if sockets else configured


class HttpServer:
    """Runs the application on the bootstrap address and port, and over HTTPS on ``https_port``
    (the same application: web UI, API and provisioning) with the self-signed ``tls/web.crt``."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self.app = build_app(core)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.https_port: int | None = None
        """None while HTTPS is off or could not listen."""

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        config = self._core.config
        site = web.TCPSite(self._runner, config.http_bind, config.http_port, reuse_address=True)
        await site.start()
        self.port = _bound_port(site, config.http_port)
        _LOGGER.info("Web UI and API on http://%s:%s/", config.http_bind, self.port)
        if config.https_port is not None:
            await self._start_https(self._runner, config.https_port)

    async def _start_https(self, runner: web.AppRunner, port: int) -> None:
        """HTTPS beside HTTP; a port that cannot be opened leaves HTTP alone serving (logged)."""
        from cordboard.core.network import reachable_address
        from cordboard.core.sip.tls import WEB, ensure_certificate, server_context

        config = self._core.config
        names = [
            config.http_bind,
            config.public_host,
            reachable_address(config.http_bind, config.public_host),
        ]
        try:
            cert, key = await self._core.run_in_executor(
                ensure_certificate, self._core.data_dir, names, service=WEB
            )
            site = web.TCPSite(
                runner, config.http_bind, port, ssl_context=server_context(cert, key), reuse_address=True
            )
            await site.start()
        except (OSError, ValueError) as err:
            _LOGGER.error("HTTPS cannot listen on port %d (%s): the web UI is on HTTP only", port, err)
            return
        self.https_port = _bound_port(site, port)
        _LOGGER.info("Web UI, API and provisioning on https://%s:%s/", config.http_bind, self.https_port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
