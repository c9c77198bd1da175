"""``IsloMagics``: the ``%islo`` and ``%%islo_exec`` magics and their ``%config`` traitlets."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, kwds, magic_arguments
from IPython.utils.text import DollarFormatter
from traitlets import Bool, Float, Unicode

from .arguments import (
    HelpRequested,
    exec_arguments,
    format_help,
    help_argument,
    parse_line,
    parse_pairs,
)
from .commands import COMMANDS, CommandContext, delete_created, describe_commands
from .completion import NameCache, complete_exec_line, complete_islo_line
from .execution import (
    ExecOptions,
    build_argv,
    capture_results,
    raise_first_failure,
    run_on_sandboxes,
)
from .state import KernelState

#: How many sandbox names completion fetches at most.
COMPLETION_LIMIT = 500


@magics_class
class IsloMagics(Magics):
    """Drive Islo sandboxes from notebook cells."""

    default_sandbox = Unicode(
        "",
        help="Sandbox that %islo_exec cell magic uses when none is named (also set by %islo use).",
    ).tag(config=True)
    raise_on_error = Bool(True, help="Fail the cell when a remote command exits non-zero.").tag(
        config=True
    )
    # `shell` is the name for this setting; IPython's Magics keeps the InteractiveShell
    # under the same attribute, so ours lives in `self.ipython` instead (see __init__).
    shell = Unicode(  # type: ignore[assignment]
        None, allow_none=True, help="Shell for %islo_exec bodies (default: bash, else sh)."
    ).tag(config=True)
    stream = Bool(True, help="Stream output while the command runs.").tag(config=True)
    timeout = Float(
        None, allow_none=True, help="Default --timeout of exec magics, in seconds (None: none)."
    ).tag(config=True)
    cleanup_on_exit = Bool(
        False, help="Delete the sandboxes this kernel created when the kernel exits."
    ).tag(config=True)

    def __init__(self, ipython: InteractiveShell, state: KernelState | None = None) -> None:
        # Magics.__init__ would assign the InteractiveShell to `self.shell` (our config trait),
        # so pass it as the traitlets parent and register for %config by hand.
        super().__init__(shell=None, parent=ipython)
        self.ipython = ipython
        ipython.configurables.append(self)  # type: ignore[arg-type]
        self.state = state or KernelState()
        self.names = NameCache(self._fetch_names)
        self.context = CommandContext(
            state=self.state,
            names=self.names,
            get_default=lambda: self.default_sandbox,
            set_default=self._set_default,
            run_exec=self._run_exec,
        )

    def _set_default(self, name: str) -> None:
        self.default_sandbox = name

    def _fetch_names(self) -> list[str]:
        names = []
        for sandbox in self.state.client.iter_sandboxes():
            names.append(sandbox.name)
            if len(names) >= COMPLETION_LIMIT:
                break
        return names

    # --- %islo ---------------------------------------------------------------------------

    @magic_arguments()
    @kwds(epilog=describe_commands())
    @argument("subcommand", nargs="?", default="status", help="What to do (default: status).")
    @argument("args", nargs="*", help="Arguments of the subcommand (see %%islo SUBCOMMAND -h).")
    @line_magic
    def islo(self, line: str) -> Any:
        """Manage Islo sandboxes: %islo SUBCOMMAND [-h] [ARGS ...]."""
        verb, rest = _split_verb(line)
        if verb in ("-h", "--help", "help"):
            print(format_help(self.islo.parser))
            return None
        command = COMMANDS.get(verb)
        if command is None:
            raise UsageError(f"%islo: unknown subcommand {verb!r}; one of: {', '.join(COMMANDS)}")
        remainder = ""
        if command.takes_command:
            rest, remainder = _split_command(rest)
        try:
            args = parse_line(command.parser, rest)
        except HelpRequested as help_text:
            print(help_text.text)
            return None
        args.command = remainder
        return command.handler(self.context, args)

    # --- %%islo_exec ---------------------------------------------------------------------

    @magic_arguments("%islo_exec")
    @help_argument
    @argument("sandboxes", nargs="*", metavar="SANDBOX", help="Where to run (default: %%islo use).")
    @exec_arguments
    @cell_magic
    def islo_exec(self, line: str, cell: str) -> None:
        """Run the cell as a script in one or more sandboxes, streaming its output."""
        try:
            args = parse_line(self.islo_exec.parser, line)
        except HelpRequested as help_text:
            print(help_text.text)
            return
        names = args.sandboxes or ([self.default_sandbox] if self.default_sandbox else [])
        if not names:
            raise UsageError(
                "%%islo_exec: name a sandbox, or set a default with %islo use NAME "
                "or %config IsloMagics.default_sandbox = 'NAME'"
            )
        self._run_exec(names, cell, args)

    def _run_exec(self, names: Sequence[str], body: str, args: argparse.Namespace) -> None:
        """The shared path of %%islo_exec and %islo exec: parse options, run, capture, raise."""
        if not body.strip():
            raise UsageError("nothing to run: the command is empty")
        if len(set(names)) != len(names):
            raise UsageError(f"a sandbox is named twice: {' '.join(names)}")
        if args.python and args.shell:
            raise UsageError("--python and --shell exclude each other")
        if args.timeout is not None and args.timeout <= 0:
            raise UsageError("--timeout must be a positive number of seconds")
        for var in (args.out, args.err, args.result):
            if var is not None and not var.isidentifier():
                raise UsageError(f"not a variable name: {var!r}")
        if args.expand:
            body = self._expand(body)
        options = ExecOptions(
            env=parse_pairs(args.env),
            workdir=args.workdir,
            user=args.user,
            timeout=args.timeout if args.timeout is not None else self.timeout,
            stream=self.stream,
            show=not args.quiet,
        )
        argv = build_argv(body, shell=args.shell or self.shell, python=args.python)
        results = run_on_sandboxes(self.state.client, names, argv, options)
        capture_results(results, self._store, out=args.out, err=args.err, result=args.result)
        should_raise = self.raise_on_error if args.raise_error is None else args.raise_error
        if should_raise:
            raise_first_failure(results)

    def _expand(self, body: str) -> str:
        # The user namespace only: IPython's var_expand would also see this method's locals.
        try:
            return DollarFormatter().vformat(body, (), dict(self.ipython.user_ns))
        except Exception as exc:
            raise UsageError(f"--expand failed: {type(exc).__name__}: {exc}") from None

    def _store(self, name: str, value: object) -> None:
        self.ipython.user_ns[name] = value

    # --- completion and exit -------------------------------------------------------------

    def complete_islo(self, text_until_cursor: str) -> list[str]:
        specs = {verb: command.verb_spec() for verb, command in COMMANDS.items()}
        return complete_islo_line(text_until_cursor, specs, self.names.get)

    def complete_islo_exec(self, text_until_cursor: str) -> list[str]:
        parser = self.islo_exec.parser
        options = [o for o in parser._option_string_actions if o.startswith("--")]
        return complete_exec_line(text_until_cursor, options, self.names.get)

    def cleanup_at_exit(self) -> None:
        """atexit hook: delete this kernel's sandboxes if ``cleanup_on_exit`` is set."""
        if self.cleanup_on_exit and self.state.created:
            delete_created(self.state)


def _split_verb(line: str) -> tuple[str, str]:
    """``"create  box -e A=1"`` -> ``("create", "box -e A=1")``; an empty line is ``status``."""
    parts = line.split(None, 1)
    if not parts:
        return "status", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def _split_command(rest: str) -> tuple[str, str]:
    """``"box -e A=1 -- ls -l"`` -> ``("box -e A=1", "ls -l")``: the command stays raw text."""
    padded = f" {rest} "
    head, sep, tail = padded.partition(" -- ")
    if not sep:
        return rest, ""
    return head.strip(), tail[:-1]
