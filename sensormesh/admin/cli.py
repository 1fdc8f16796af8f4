"""``sensormesh``: the admin CLI that creates what the broker needs, and runs the local mesh."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sensormesh.admin.certs import init_certs
from sensormesh.admin.users import Role, add_user, new_password
from sensormesh.simulate import add_arguments as add_simulate_arguments
from sensormesh.simulate import run_command as run_simulate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sensormesh", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    certs = commands.add_parser("certs", help="certificate authority and broker certificate")
    certs_commands = certs.add_subparsers(dest="certs_command", required=True)
    init = certs_commands.add_parser("init", help="create a CA and a server certificate")
    init.add_argument("--out", type=Path, required=True, help="folder for ca.crt, server.crt…")
    init.add_argument("--host", action="append", default=[], help="DNS name (repeatable)")
    init.add_argument("--ip", action="append", default=[], help="IP address (repeatable)")
    init.add_argument("--days", type=int, default=3650, help="validity (default 3650)")
    init.add_argument("--force", action="store_true", help="replace existing files")

    users = commands.add_parser("users", help="broker users and their ACL")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    add = users_commands.add_parser("add", help="create or replace a user")
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--passwd-file", type=Path, required=True)
    add.add_argument(
        "--acl-file",
        type=Path,
        help="ACL file to update (default: 'acl' next to the password file)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin instead of generating one",
    )

    demo = commands.add_parser("demo", help="run the whole mesh here as local processes")
    demo.add_argument(
        "--dir",
        type=Path,
        default=Path(".demo"),
        help="where certificates, users, data and logs go (default .demo)",
    )
    demo.add_argument("--nodes", type=int, default=2, help="simulated nodes (default 2)")
    demo.add_argument(
        "--interval", type=float, default=2.0, help="seconds between readings (default 2)"
    )
    demo.add_argument(
        "--seconds",
        type=float,
        default=0.0,
        help="stop by itself after this long (default: run until Ctrl-C)",
    )
    add_simulate_arguments(commands.add_parser("simulate", help="a simulated fleet of nodes"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "certs":
            return _certs_init(args)
        if args.command == "users":
            return _users_add(args)
        if args.command == "simulate":
            return run_simulate(args)
        from sensormesh.localrun.demo import run_demo  # only the demo needs the servers

        return run_demo(args.dir, args.nodes, args.interval, args.seconds)
    except (FileExistsError, ValueError, OSError) as exc:
        print(f"sensormesh: {exc}", file=sys.stderr)
        return 1


def _certs_init(args: argparse.Namespace) -> int:
    if not args.host and not args.ip:
        raise ValueError("give at least one --host or --ip that nodes will use to reach the broker")
    paths = init_certs(args.out, args.host, args.ip, args.days, args.force)
    print(f"CA certificate (give this to every node): {paths.ca_cert}")
    print(f"CA key (keep it on the collector only):    {paths.ca_key}")
    print(f"broker certificate and key:               {paths.server_cert} {paths.server_key}")
    return 0


def _users_add(args: argparse.Namespace) -> int:
    generated = not args.password_stdin
    password = new_password() if generated else sys.stdin.readline().rstrip("\r\n")
    acl_file = args.acl_file or args.passwd_file.with_name("acl")
    add_user(args.name, Role(args.role), password, args.passwd_file, acl_file)
    print(
        f"user {args.name} ({args.role}) written to {args.passwd_file} and {acl_file};"
        " send the broker SIGHUP to reload",
        file=sys.stderr,
    )
    if generated:
        print(password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
