"""Core-wide constants: version, default ports and paths, core event names."""

from __future__ import annotations

from typing import Final

__version__: Final = "0.1.0"

DEFAULT_DATA_DIR: Final = "data"
DEFAULT_HTTP_PORT: Final = 8123
DEFAULT_SIP_PORT: Final = 5060
DEFAULT_BIND: Final = "0.0.0.0"
BOOTSTRAP_FILE: Final = "cordboard.toml"
DATABASE_FILE: Final = "cordboard.db"

MATCH_ALL: Final = "*"
ENTRY_POINT_GROUP: Final = "cordboard.plugins"
CORE_COMPONENT: Final = "core"
