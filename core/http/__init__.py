"""The HTTP server: REST API, WebSocket, OpenAPI, plugin routes and the web UI's files."""

from __future__ import annotations
