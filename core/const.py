"""Core-wide constants: version, default ports and paths, core event names."""

from __future__ import annotations

from typing import Final

from cordboard.core.keys import DataKey

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

ECHO_TEST_NUMBER: Final[DataKey[str]] = DataKey("core.echo_test_number")
"""``core.data``: the number that answers with the echo test, set by the plugin that answers it
(diagnostics), so that the phone-setup card can name it; absent when no plugin does."""
