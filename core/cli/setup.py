"""``cordboard setup``: create the first administrator non-interactively (installers, tests)."""

from __future__ import annotations

import argparse
import socket

from cordboard.core.cli.common import open_database, read_secret
from cordboard.core.exceptions import ConfigValidationError
from cordboard.core.identity.setup import create_first_admin


def setup_admin(args: argparse.Namespace) -> int:
    password = read_secret(args.password_file, "password")
    email = args.email or f"{args.admin}@{socket.gethostname() or 'localhost'}.local"
    db = open_database(args.data)
    try:
        user = create_first_admin(db, args.admin, password, args.first_name, args.last_name, email)
    except ConfigValidationError as err:
        raise ConfigValidationError(f"Cannot create the administrator: {err}") from None
    print(f"Administrator {user.username} created; log in at the web UI.")
    return 0
