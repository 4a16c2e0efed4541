"""``cordboard check-config``: read cordboard.toml, the database and every plugin's stored settings."""

from __future__ import annotations

import argparse
import importlib
import sys

import sqlite_utils
import voluptuous as vol

from cordboard.core.config.bootstrap import load_bootstrap
from cordboard.core.config.settings import plugin_config
from cordboard.core.const import BOOTSTRAP_FILE, CORE_COMPONENT, DATABASE_FILE
from cordboard.core.exceptions import CordboardError
from cordboard.core.http.errors import invalid_fields
from cordboard.core.plugin_manager import PluginManager
from cordboard.core.storage.core_schema import CORE_MIGRATIONS
from cordboard.core.storage.db import connect
from cordboard.core.storage.migrations import check_not_newer


def check_config(args: argparse.Namespace) -> int:
    problems: list[str] = []
    data = args.data
    if not (data / BOOTSTRAP_FILE).exists():
        print(f"{data / BOOTSTRAP_FILE}: not there yet; defaults apply and it is written on first run")
    else:
        try:
            conf = load_bootstrap(data, create=False)
            print(
                f"{data / BOOTSTRAP_FILE}: OK (HTTP {conf.http_bind}:{conf.http_port}, "
                f"HTTPS {'off' if conf.https_port is None else conf.https_port}, "
                f"SIP {conf.sip_bind}:{conf.sip_port}, log level {conf.log_level})"
            )
        except CordboardError as err:
            problems.append(str(err))
    if not (data / DATABASE_FILE).exists():
        print(f"{data / DATABASE_FILE}: not there yet; it is created on first run")
    else:
        try:
            db = connect(data / DATABASE_FILE)
            check_not_newer(db, CORE_COMPONENT, CORE_MIGRATIONS)
            print(f"{data / DATABASE_FILE}: OK")
            for domain, info in sorted(PluginManager.discover().items()):
                problems.extend(_check_plugin(db, domain, info.module))
        except CordboardError as err:
            problems.append(str(err))
    for problem in problems:
        print(f"cordboard: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("Configuration is valid.")
    return 0


def _check_plugin(db: sqlite_utils.Database, domain: str, module_name: str) -> list[str]:
    try:
        module = importlib.import_module(module_name)
    except Exception as err:
        return [f"plugin {domain}: cannot be imported: {type(err).__name__}: {err}"]
    migrations = getattr(module, "cordboard_migrations", lambda: None)() or []
    try:
        check_not_newer(db, domain, migrations)
    except CordboardError as err:
        return [f"plugin {domain}: {err}"]
    schema = getattr(module, "cordboard_config_schema", lambda: None)()
    if schema is None:
        return []
    try:
        schema(plugin_config(db, domain))
    except vol.Invalid as err:
        details = "; ".join(f"{path or '(settings)'}: {msg}" for path, msg in invalid_fields(err).items())
        return [f"plugin {domain}: invalid settings: {details}"]
    return []
