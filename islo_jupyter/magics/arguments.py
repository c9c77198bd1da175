"""Argument parsing for the magics: shared exec options, ``-h`` handling, K=V pairs."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser, argument
from IPython.utils.process import arg_split

F = TypeVar("F", bound=Callable[..., Any])


class HelpRequested(Exception):
    """Raised by ``-h``: carries the help text, so the caller prints it instead of running."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class _HelpAction(argparse.Action):
    # MagicArgumentParser has add_help=False (argparse's own -h would sys.exit the kernel).
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        raise HelpRequested(format_help(parser))


def format_help(parser: argparse.ArgumentParser) -> str:
    """The parser's help as a terminal shows it (IPython's formatter writes reST for ``?``)."""
    text = parser.format_help()
    return "usage: " + text[6:] if text.startswith("::\n\n  ") else text


help_argument = argument("-h", "--help", action=_HelpAction, help="Show this help and return.")

# The options %%islo_exec and %islo exec share, in the order their help lists them.
_EXEC_ARGUMENTS = [
    argument("--shell", metavar="PATH", help="Shell for the body (default: bash, else sh)."),
    argument("--python", action="store_true", help="Run the body as a Python script."),
    argument(
        "-e",
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="Environment variable for the command (repeatable).",
    ),
    argument("-w", "--workdir", metavar="DIR", help="Working directory in the sandbox."),
    argument("-u", "--user", metavar="USER", help="User to run as."),
    argument(
        "-t",
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="Kill the remote command and fail the cell after this many seconds.",
    ),
    argument("--out", metavar="VAR", help="Store stdout in this variable."),
    argument("--err", metavar="VAR", help="Store stderr in this variable."),
    argument("--result", metavar="VAR", help="Store the full ExecResult in this variable."),
    argument(
        "--no-raise-error",
        dest="raise_error",
        action="store_false",
        default=None,
        help="Do not fail the cell when the command exits non-zero.",
    ),
    argument("-q", "--quiet", action="store_true", help="Do not show the output."),
    argument(
        "--expand",
        action="store_true",
        help="Expand $var and {var} from the notebook namespace in the body.",
    ),
]


def exec_arguments(func: F) -> F:
    """Decorate a magic with the options every exec magic takes."""
    for decorator in reversed(_EXEC_ARGUMENTS):
        func = decorator(func)
    return func


def parse_pairs(pairs: Sequence[str] | None, option: str = "--env") -> dict[str, str] | None:
    """``["A=1", "B=x=y"]`` -> ``{"A": "1", "B": "x=y"}``; a malformed pair is a UsageError."""
    if not pairs:
        return None
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or any(c.isspace() for c in key):
            raise UsageError(f"{option} expects KEY=VALUE, got {pair!r}")
        parsed[key] = value
    return parsed


def parse_line(parser: MagicArgumentParser, line: str) -> argparse.Namespace:
    """Parse a magic's argument line with shell quoting; unbalanced quotes are a UsageError."""
    try:
        # posix=True, unlike IPython's default, so "K=two words" loses its quotes.
        argv = arg_split(line, posix=True, strict=True)
    except ValueError as exc:  # shlex: "No closing quotation"
        raise UsageError(f"%{parser.prog}: {exc}") from None
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        # argparse's messages lack the command: "%islo create: the following ... required"
        raise UsageError(f"%{parser.prog}: {exc}") from None
