"""``cordboard user add|list|import``."""

from __future__ import annotations

import argparse
import json
import sys

from cordboard.core.cli.common import open_database, read_secret
from cordboard.core.exceptions import CordboardError
from cordboard.core.identity.user_import import import_users
from cordboard.core.identity.users import create_user, list_users


def add(args: argparse.Namespace) -> int:
    sip_password = read_secret(args.sip_password_file, "SIP password") if args.sip_password_file else None
    password = read_secret(args.password_file, "password") if args.password_file else None
    db = open_database(args.data)
    user = create_user(
        db,
        username=args.username,
        first_name=args.first_name,
        last_name=args.last_name,
        email=args.email,
        extension=args.extension,
        sip_password=sip_password,
        password=password,
        role="admin" if args.admin else "user",
    )
    print(f"User {user.username} created with extension {user.extension} (id {user.id})")
    return 0


def list_(args: argparse.Namespace) -> int:
    users = list_users(open_database(args.data))
    if args.json:
        print(json.dumps([u.as_dict() for u in users], indent=2))
        return 0
    print(f"{'USERNAME':<20} {'EXT':<8} {'NAME':<30} {'ROLE':<6} STATE")
    for user in users:
        state = "locked" if user.locked else "active"
        print(f"{user.username:<20} {user.extension or '-':<8} {user.full_name:<30} {user.role:<6} {state}")
    return 0


def import_(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as err:
        raise CordboardError(f"Cannot read {args.file}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise CordboardError(f"{args.file} is not UTF-8 text; save it as UTF-8 CSV") from None
    result = import_users(open_database(args.data), text, dry_run=args.dry_run)
    for change in result.changes:
        print(change.describe())
    if result.errors:
        for error in result.errors:
            print(f"{args.file}: {error.describe()}", file=sys.stderr)
        print("Nothing was imported: fix the lines above and run the import again.", file=sys.stderr)
        return 1
    counts = result.counts()
    summary = f"{counts['create']} to create, {counts['update']} to update, {counts['unchanged']} unchanged"
    print(f"Dry run, nothing changed: {summary}" if args.dry_run else f"Imported: {summary}")
    return 0
