"""``cordboard numbers list|add-range|delete-range``: the number ranges (NUM-01), for installers' scripts."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from cordboard.core.cli.common import open_database
from cordboard.core.exceptions import ConfigValidationError, CordboardError
from cordboard.core.numbers import storage
from cordboard.core.numbers.model import KINDS, PURPOSES


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    data_arg: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``numbers`` subcommand and its actions (called by cordboard.core.cli.build_parser)."""
    numbers = sub.add_parser("numbers", help="number ranges: list, add, delete")
    actions = numbers.add_subparsers(dest="numbers_command", required=True, metavar="ACTION")
    lst = actions.add_parser("list", help="list the number ranges and the numbers in use")
    lst.add_argument("--json", action="store_true", help="print JSON")
    add = actions.add_parser("add-range", help="add a range of local numbers or public DIDs")
    add.add_argument("first", metavar="FIRST", help="first number (1000, or +4589401000 for DIDs)")
    add.add_argument("last", metavar="LAST", help="last number, as many digits as FIRST")
    add.add_argument(
        "--kind", choices=KINDS, help="local or public (default: public when FIRST starts with +)"
    )
    add.add_argument("--purpose", choices=PURPOSES, default="any", help="what the numbers are for")
    add.add_argument("--label", default="", help="a name for the range")
    delete = actions.add_parser(
        "delete-range", help="delete a range (refused while numbers in it are in use)"
    )
    delete.add_argument("id", type=int, metavar="ID", help="the range's id (see `numbers list`)")
    for action in (lst, add, delete):
        data_arg(action)


def _field_errors(err: ConfigValidationError) -> CordboardError:
    details = "; ".join(f"{field}: {message}" for field, message in err.fields.items())
    return CordboardError(f"{err.message} ({details})" if details else err.message)


def list_(args: argparse.Namespace) -> int:
    db = open_database(args.data)
    ranges = storage.list_ranges(db)
    owned = {**storage.stored_claims(db), **storage.owned_in_db(db)}
    if args.json:
        print(
            json.dumps(
                {
                    "ranges": [r.as_dict() for r in ranges],
                    "numbers": {n: o.as_dict() for n, o in sorted(owned.items())},
                },
                indent=2,
            )
        )
        return 0
    print(f"{'ID':<4} {'KIND':<7} {'FIRST':<16} {'LAST':<16} {'PURPOSE':<8} {'IN USE':>6}  LABEL")
    for number_range in ranges:
        used = sum(1 for n in owned if number_range.contains(n))
        print(
            f"{number_range.id:<4} {number_range.kind:<7} {number_range.first:<16} {number_range.last:<16} "
            f"{number_range.purpose:<8} {used:>6}  {number_range.label}"
        )
    return 0


def add_range(args: argparse.Namespace) -> int:
    kind = args.kind or ("public" if args.first.startswith("+") else "local")
    data = {
        "kind": kind,
        "first": args.first,
        "last": args.last,
        "purpose": args.purpose,
        "label": args.label,
    }
    try:
        created = storage.create_range(open_database(args.data), data)
    except ConfigValidationError as err:
        raise _field_errors(err) from None
    print(
        f"Range {created.first}-{created.last} ({created.kind}, {created.purpose}) added with id {created.id}"
    )
    return 0


def delete_range(args: argparse.Namespace) -> int:
    storage.delete_range(open_database(args.data), args.id)
    print(f"Range {args.id} deleted")
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": list_,
    "add-range": add_range,
    "delete-range": delete_range,
}
