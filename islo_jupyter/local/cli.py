"""``islo-jupyter local start|stop|status|serve|env|new-key``: manage the embedded server."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .config import default_home


def _home_arg(args: argparse.Namespace) -> Path:
    return Path(args.home).expanduser().resolve() if args.home else default_home().resolve()


def _cmd_start(args: argparse.Namespace) -> int:
    from .lifecycle import ensure_running

    info = ensure_running(_home_arg(args), port=args.port, token_ttl=args.token_ttl)
    print(f"islo local server running at {info.base_url} (pid {info.pid}, home {info.home})")
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    from .lifecycle import stop

    print("stopped" if stop(_home_arg(args)) else "not running")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from .lifecycle import status

    info = status(_home_arg(args))
    if info is None:
        print("not running")
        return 1
    print(f"running at {info.base_url} (pid {info.pid}, home {info.home})")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .config import ServerSettings
    from .server import NotLoopbackError, serve

    settings = ServerSettings.from_env(_home_arg(args), args.token_ttl)
    try:
        serve(settings, host=args.host, port=args.port)
    except NotLoopbackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_env(args: argparse.Namespace) -> int:
    from .lifecycle import ensure_running

    info = ensure_running(_home_arg(args))
    # Printing the key is the point of this command (eval "$(islo-jupyter local env)").
    print(
        f"export ISLO_API_KEY={shlex.quote(info.api_key)} "
        f"ISLO_BASE_URL={shlex.quote(info.base_url)} "
        f"ISLO_COMPUTE_URL={shlex.quote(info.base_url)}"
    )
    return 0


def _cmd_new_key(args: argparse.Namespace) -> int:
    from .lifecycle import add_api_key

    print(add_api_key(_home_arg(args)))
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "start": (_cmd_start, "start the server in the background (reuses a running one)"),
    "stop": (_cmd_stop, "stop the background server"),
    "status": (_cmd_status, "say whether the server runs, and where (exit 1 if not)"),
    "serve": (_cmd_serve, "run the server in the foreground"),
    "env": (_cmd_env, "print export lines for ISLO_API_KEY, ISLO_BASE_URL, ISLO_COMPUTE_URL"),
    "new-key": (_cmd_new_key, "add an API key (a new tenant) and print it"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="islo-jupyter")
    areas = parser.add_subparsers(dest="area", required=True)
    local = areas.add_parser("local", help="the embedded Islo-compatible server")
    verbs = local.add_subparsers(dest="verb", required=True)
    for verb, (_, help_text) in COMMANDS.items():
        sub = verbs.add_parser(verb, help=help_text)
        sub.add_argument("--home", help="data directory (default: $ISLO_LOCAL_HOME or user data)")
        if verb in ("start", "serve"):
            sub.add_argument("--port", type=int, default=0, help="0 picks a free port")
            sub.add_argument("--token-ttl", type=int, default=None, help="token lifetime, s")
        if verb == "serve":
            sub.add_argument("--host", default="127.0.0.1", help="loopback only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler, _ = COMMANDS[args.verb]
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
