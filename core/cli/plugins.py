"""``cordboard plugin list|enable|disable``; a running Cordboard follows the change within seconds."""

from __future__ import annotations

import argparse
import json

import sqlite_utils

from cordboard.core.cli.common import open_database
from cordboard.core.exceptions import CordboardError
from cordboard.core.manifest import PluginInfo
from cordboard.core.plugin_manager import ESSENTIAL_PLUGINS, PluginManager, store_enabled, stored_enabled


def _enabled_map(db: sqlite_utils.Database, infos: dict[str, PluginInfo]) -> dict[str, bool]:
    stored = stored_enabled(db)
    return {d: stored.get(d, PluginManager.default_enabled(i)) for d, i in infos.items()}


def _lookup(infos: dict[str, PluginInfo], name: str) -> PluginInfo:
    if name not in infos:
        raise CordboardError(f"No plugin named {name!r}; installed: {', '.join(sorted(infos)) or 'none'}")
    return infos[name]


def list_(args: argparse.Namespace) -> int:
    infos = PluginManager.discover()
    enabled = _enabled_map(open_database(args.data), infos)
    rows = [
        {
            "domain": d,
            "name": i.manifest.get("name", d),
            "version": i.manifest.get("version", ""),
            "enabled": enabled[d],
            "builtin": i.builtin,
        }
        for d, i in sorted(infos.items())
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            state = "enabled " if row["enabled"] else "disabled"
            print(f"{row['domain']:<24} {state}  {row['version']:<10} {row['name']}")
    return 0


def _set(args: argparse.Namespace, enable: bool) -> int:
    infos = PluginManager.discover()
    info = _lookup(infos, args.name)
    db = open_database(args.data)
    enabled = _enabled_map(db, infos)
    if enable:
        missing = [d for d in info.manifest.get("dependencies", []) if not enabled.get(d)]
        if missing:
            raise CordboardError(f"Enable {', '.join(missing)} first: {args.name} depends on it")
    else:
        if args.name in ESSENTIAL_PLUGINS:
            raise CordboardError(f"{args.name} is essential and cannot be disabled")
        dependents = [
            d for d, i in infos.items() if args.name in i.manifest.get("dependencies", []) and enabled[d]
        ]
        if dependents:
            raise CordboardError(f"Disable {', '.join(dependents)} first: it depends on {args.name}")
    store_enabled(db, args.name, enable)
    print(f"{args.name} {'enabled' if enable else 'disabled'}")
    return 0


def enable(args: argparse.Namespace) -> int:
    return _set(args, True)


def disable(args: argparse.Namespace) -> int:
    return _set(args, False)
