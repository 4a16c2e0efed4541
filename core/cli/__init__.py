"""The ``cordboard`` command line: run, setup, user, plugin, check-config, system."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cordboard.core.const import DEFAULT_DATA_DIR, __version__
from cordboard.core.exceptions import CordboardError


def _data_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(DEFAULT_DATA_DIR),
        metavar="DIR",
        help="data folder (default: ./data)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cordboard", description="Cordboard office phone system")
    parser.add_argument("--version", action="version", version=f"cordboard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run Cordboard")
    _data_arg(run)
    run.add_argument("--http-port", type=int, metavar="N", help="web UI and API port (default 8123)")
    run.add_argument("--https-port", type=int, metavar="N", help="HTTPS port of the same (default 8443)")
    run.add_argument("--no-https", action="store_true", help="serve the web UI over HTTP only")
    run.add_argument("--sip-port", type=int, metavar="N", help="SIP port (default 5060)")
    run.add_argument("--bind", metavar="ADDR", help="address to listen on (default 0.0.0.0)")

    setup = sub.add_parser("setup", help="create the first administrator without the setup link")
    _data_arg(setup)
    setup.add_argument("--admin", required=True, metavar="USER", help="administrator username")
    setup.add_argument(
        "--password-file",
        required=True,
        type=Path,
        metavar="F",
        help="file holding the password ('-' reads standard input)",
    )
    setup.add_argument("--first-name", default="Cordboard", metavar="F")
    setup.add_argument("--last-name", default="Administrator", metavar="L")
    setup.add_argument("--email", metavar="E", help="e-mail address (default USER@localhost)")

    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_sub.add_parser("add", help="add a user")
    _data_arg(add)
    add.add_argument("username")
    add.add_argument("--extension", required=True, metavar="EXT")
    add.add_argument("--first-name", required=True, metavar="F")
    add.add_argument("--last-name", required=True, metavar="L")
    add.add_argument("--email", required=True, metavar="E")
    add.add_argument("--sip-password-file", type=Path, metavar="F", help="file holding the SIP password")
    add.add_argument("--password-file", type=Path, metavar="F", help="file holding the web password")
    add.add_argument("--admin", action="store_true", help="make the user an administrator")
    lst = user_sub.add_parser("list", help="list users")
    _data_arg(lst)
    lst.add_argument("--json", action="store_true", help="print JSON")
    imp = user_sub.add_parser("import", help="import users from CSV")
    _data_arg(imp)
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")

    check = sub.add_parser("check-config", help="check cordboard.toml, the database and plugin settings")
    _data_arg(check)

    plugin = sub.add_parser("plugin", help="list, enable or disable plugins")
    plugin_sub = plugin.add_subparsers(dest="plugin_command", required=True, metavar="ACTION")
    plist = plugin_sub.add_parser("list", help="list plugins")
    _data_arg(plist)
    plist.add_argument("--json", action="store_true", help="print JSON")
    for action in ("enable", "disable"):
        p = plugin_sub.add_parser(action, help=f"{action} a plugin")
        _data_arg(p)
        p.add_argument("name")

    prompts = sub.add_parser("prompts", help="system prompts")
    prompts_sub = prompts.add_subparsers(dest="prompts_command", required=True, metavar="ACTION")
    generate = prompts_sub.add_parser("generate", help="speak the missing system prompts with espeak-ng")
    _data_arg(generate)

    from cordboard.core.cli import numbers, system

    numbers.add_parser(sub, _data_arg)
    system.add_parser(sub, _data_arg)
    return parser


def cpu_problem() -> str | None:
    """Why this CPU cannot run Cordboard, or None. numpy (codecs, mixing) needs x86-64-v2 (SSE4.2,
    POPCNT: every x86-64 PC since about 2009) and says so by raising RuntimeError on import;
    without this check a too-old CPU, or a VM given the plain 'qemu64' model, fails deep in an
    import with a message about numpy instead of the machine."""
    try:
        import numpy  # noqa: F401
    except RuntimeError as err:
        return (
            f"this CPU lacks instructions Cordboard needs ({err}). Use a CPU with x86-64-v2 "
            "(SSE4.2 and POPCNT; any x86-64 PC made since about 2009); in a virtual machine, pass "
            "the host CPU through (e.g. QEMU -cpu host, or -cpu max without KVM)"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    problem = cpu_problem()
    if problem is not None:
        print(f"cordboard: {problem}", file=sys.stderr)
        return 1
    try:
        if args.command == "run":
            from cordboard.core.runner import run

            return run(
                args.data,
                http_port=args.http_port,
                sip_port=args.sip_port,
                bind=args.bind,
                https_port=args.https_port,
                no_https=args.no_https,
            )
        if args.command == "setup":
            from cordboard.core.cli.setup import setup_admin

            return setup_admin(args)
        if args.command == "user":
            from cordboard.core.cli import users

            return {"add": users.add, "list": users.list_, "import": users.import_}[args.user_command](args)
        if args.command == "plugin":
            from cordboard.core.cli import plugins

            return {"list": plugins.list_, "enable": plugins.enable, "disable": plugins.disable}[
                args.plugin_command
            ](args)
        if args.command == "check-config":
            from cordboard.core.cli.check import check_config

            return check_config(args)
        if args.command == "prompts":
            from cordboard.core.media.prompts import PromptLibrary

            count = PromptLibrary(args.data).generate()
            print(f"{count} system prompts generated in {args.data / 'prompts' / 'system'}")
            return 0
        if args.command == "numbers":
            from cordboard.core.cli.numbers import ACTIONS as NUMBER_ACTIONS

            return NUMBER_ACTIONS[args.numbers_command](args)
        if args.command == "system":
            from cordboard.core.cli.system import ACTIONS

            return ACTIONS[args.system_command](args)
    except CordboardError as err:
        print(f"cordboard: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2
