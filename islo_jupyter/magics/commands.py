"""The ``%islo`` subcommands, and ``COMMANDS``: the one table of verb -> function."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import MagicArgumentParser, argument, magic_arguments
from IPython.display import display

from ..errors import IsloError, NotFoundError
from ..models import Sandbox
from .arguments import exec_arguments, help_argument, parse_pairs
from .completion import NameCache, VerbSpec
from .listing import SandboxTable

if TYPE_CHECKING:
    from .state import KernelState

#: How long ``create`` waits for ``running`` before giving up (seconds).
CREATE_WAIT_TIMEOUT = 300.0


@dataclass
class CommandContext:
    """What a subcommand may use: the kernel state and callbacks into the magics' config."""

    state: KernelState
    names: NameCache
    get_default: Callable[[], str]
    set_default: Callable[[str], None]
    #: Runs a script exactly as ``%%islo_exec`` would: (sandboxes, body, parsed options).
    run_exec: Callable[[Sequence[str], str, argparse.Namespace], None]


Handler = Callable[[CommandContext, argparse.Namespace], Any]


@dataclass(frozen=True)
class Command:
    """One verb: its handler (whose parser makes the help), and what completion offers."""

    handler: Handler
    summary: str
    name_slots: frozenset[int] = frozenset()
    names_everywhere: bool = False
    #: Everything after `` -- `` is handed over raw as ``args.command`` (``exec``).
    takes_command: bool = False

    @property
    def parser(self) -> MagicArgumentParser:
        return self.handler.parser  # type: ignore[attr-defined]

    def verb_spec(self) -> VerbSpec:
        options = tuple(o for o in self.parser._option_string_actions if o.startswith("--"))
        return VerbSpec(options, self.name_slots, self.names_everywhere)


# --- connection ------------------------------------------------------------------------


@magic_arguments("islo status")
@help_argument
def cmd_status(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Where this kernel is connected, whether it answers, and its default sandbox."""
    client = ctx.state.client
    print(f"Connected to {client.connection.describe()}")
    try:
        total = client.list_sandboxes(limit=1).total
        print(f"Reachable: yes ({total} sandbox{'es' if total != 1 else ''})")
    except IsloError as exc:
        print(f"Reachable: no ({exc.short_message()})")
    print(f"Default sandbox: {ctx.get_default() or '(none; set one with %islo use NAME)'}")
    created = ctx.state.created
    print(f"Created by this kernel: {', '.join(created) if created else '(none)'}")


@magic_arguments("islo login")
@help_argument
@argument("--base-url", metavar="URL", help="Control-plane URL (default: ISLO_BASE_URL or Islo).")
@argument("--compute-url", metavar="URL", help="Compute-plane URL (default: derived).")
def cmd_login(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Prompt for an API key (never echoed or stored in the notebook) and connect with it."""
    from ..client import IsloClient

    key = getpass.getpass("Islo API key: ").strip()
    if not key:
        raise UsageError("%islo login: no API key entered")
    client = IsloClient(api_key=key, base_url=args.base_url, compute_url=args.compute_url)
    try:
        client.list_sandboxes(limit=1)  # fail here, not at the next command, if the key is bad
    except IsloError:
        client.close()
        raise
    ctx.state.replace_client(client)
    ctx.names.invalidate()
    print(f"Connected to {client.connection.describe()}")


# --- sandboxes -------------------------------------------------------------------------


@magic_arguments("islo ls")
@help_argument
@argument("--status", action="append", metavar="STATUS", help="Only this status (repeatable).")
@argument("--prefix", metavar="PREFIX", help="Only names starting with PREFIX.")
@argument("--search", metavar="TEXT", help="Free-text search.")
@argument("--limit", type=int, metavar="N", help="At most N sandboxes.")
def cmd_ls(ctx: CommandContext, args: argparse.Namespace) -> SandboxTable:
    """List sandboxes; the result shows as a table and iterates as Sandbox models."""
    filters = {"status": args.status, "name_prefix": args.prefix, "q": args.search}
    client = ctx.state.client
    if args.limit is not None:
        if args.limit < 1:
            raise UsageError("%islo ls: --limit must be at least 1")
        page = client.list_sandboxes(limit=args.limit, **filters)
        table = SandboxTable(page.items, total=page.total)
    else:
        table = SandboxTable(list(client.iter_sandboxes(**filters)))
    for name in table.names:
        ctx.names.add(name)
    return table


@magic_arguments("islo create")
@help_argument
@argument("name", help="Name of the new sandbox.")
@argument("--image", help="Container image.")
@argument("--vcpus", type=int, help="Virtual CPUs.")
@argument("--memory", type=int, metavar="MB", help="Memory in MB.")
@argument("--disk", type=int, metavar="GB", help="Disk in GB.")
@argument("-e", "--env", action="append", metavar="K=V", help="Environment (repeatable).")
@argument("-w", "--workdir", help="Working directory.")
@argument("--no-wait", action="store_true", help="Return without waiting until it runs.")
def cmd_create(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Create a sandbox and show its progress until it is running."""
    env = parse_pairs(args.env)
    client = ctx.state.client
    sandbox = client.create_sandbox(
        args.name,
        image=args.image,
        vcpus=args.vcpus,
        memory_mb=args.memory,
        disk_gb=args.disk,
        env=dict(env) if env else None,
        workdir=args.workdir,
    )
    ctx.state.record_created(sandbox.name)
    ctx.names.add(sandbox.name)
    print(f"Created sandbox {sandbox.name!r} ({sandbox.image}): {sandbox.status}")
    if args.no_wait or sandbox.status == "running":
        return
    last = [sandbox.status]

    def show_progress(current: Sandbox) -> None:
        if current.status != last[0]:
            last[0] = current.status
            phase = f" ({current.creation_phase})" if current.creation_phase else ""
            print(f"  {current.status}{phase}", flush=True)

    client.wait_until_running(sandbox.name, timeout=CREATE_WAIT_TIMEOUT, on_progress=show_progress)
    if last[0] != "running":
        print("  running")


def _format_info(sandbox: Sandbox) -> list[str]:
    rows: list[tuple[str, object]] = [
        ("name", sandbox.name),
        ("id", sandbox.id),
        ("status", sandbox.status),
        ("image", sandbox.image),
        ("created", sandbox.created_at),
        ("created by", sandbox.created_by),
        ("phase", sandbox.creation_phase),
        ("workdir", sandbox.workdir),
    ]
    if sandbox.spec is not None:
        spec = sandbox.spec
        rows.append(("spec", f"{spec.vcpus} vCPU, {spec.memory_mb} MB, {spec.disk_gb} GB disk"))
    if sandbox.lifecycle is not None:
        rows.append(("lifecycle", sandbox.lifecycle.model_dump(exclude_none=True)))
    return [f"{key + ':':<12}{value}" for key, value in rows if value not in (None, "")]


@magic_arguments("islo info")
@help_argument
@argument("name", help="Sandbox name.")
def cmd_info(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Show one sandbox's details."""
    print("\n".join(_format_info(ctx.state.client.get_sandbox(args.name))))


@magic_arguments("islo rm")
@help_argument
@argument("names", nargs="+", metavar="NAME", help="Sandboxes to delete.")
@argument("-f", "--force", action="store_true", help="Ignore sandboxes that do not exist.")
def cmd_rm(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Delete sandboxes (all of them are tried; the first failure is raised at the end)."""
    failures: list[IsloError] = []
    for name in args.names:
        try:
            ctx.state.client.delete_sandbox(name)
            print(f"Deleted sandbox {name!r}")
        except NotFoundError as exc:
            if not args.force:
                failures.append(exc)
        except IsloError as exc:
            failures.append(exc)
        ctx.state.forget(name)
    ctx.names.invalidate()
    if failures:
        raise failures[0]


def _make_state_command(verb: str, past: str) -> Handler:
    """``stop``/``pause``/``resume``: one client call each, the same shape."""

    @magic_arguments(f"islo {verb}")
    @help_argument
    @argument("name", help="Sandbox name.")
    def handler(ctx: CommandContext, args: argparse.Namespace) -> None:
        outcome = getattr(ctx.state.client, f"{verb}_sandbox")(args.name)
        status = f": {outcome.status}" if isinstance(outcome, Sandbox) else ""
        print(f"{past} sandbox {args.name!r}{status}")

    handler.__doc__ = f"{verb.capitalize()} a sandbox."
    handler.parser.description = handler.__doc__
    return handler


@magic_arguments("islo use")
@help_argument
@argument("name", nargs="?", help="Sandbox that %%%%islo_exec uses when none is named.")
def cmd_use(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Set (or, with no name, show) the default sandbox; it must exist."""
    if args.name is None:
        print(f"Default sandbox: {ctx.get_default() or '(none)'}")
        return
    sandbox = ctx.state.client.get_sandbox(args.name)
    ctx.set_default(sandbox.name)
    print(f"Default sandbox: {sandbox.name} ({sandbox.status})")


@magic_arguments("islo exec")
@help_argument
@argument("name", help="Sandbox name.")
@exec_arguments
def cmd_exec(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Run one command: %islo exec NAME [options] -- COMMAND ... (like %%islo_exec)."""
    if not args.command.strip():
        raise UsageError("%islo exec: give the command after --, e.g. %islo exec box -- ls -l")
    ctx.run_exec([args.name], args.command, args)


# --- files -----------------------------------------------------------------------------


@magic_arguments("islo upload")
@help_argument
@argument("name", help="Sandbox name.")
@argument("local", help="Local file or directory.")
@argument("remote", help="Destination path in the sandbox.")
def cmd_upload(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Upload a file or a directory (recursively) into a sandbox."""
    local = Path(args.local).expanduser()
    client = ctx.state.client
    if local.is_dir():
        client.upload_dir(args.name, local, args.remote)
    elif local.is_file():
        client.upload_file(args.name, local, args.remote)
    else:
        raise UsageError(f"%islo upload: no such file or directory: {args.local}")
    print(f"Uploaded {args.local} -> {args.name}:{args.remote}")


@magic_arguments("islo download")
@help_argument
@argument("name", help="Sandbox name.")
@argument("remote", help="File or directory in the sandbox.")
@argument("local", help="Local destination.")
@argument(
    "-r",
    "--recursive",
    action="store_true",
    help="REMOTE is a directory (also implied by a trailing /).",
)
def cmd_download(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Download a file, or a directory with -r, from a sandbox."""
    client = ctx.state.client
    local = Path(args.local).expanduser()
    if args.recursive or args.remote.endswith("/"):
        where = client.download_dir(args.name, args.remote, local)
    else:
        where = client.download_file(args.name, args.remote, local)
    print(f"Downloaded {args.name}:{args.remote} -> {where}")


# --- the rest --------------------------------------------------------------------------


@magic_arguments("islo panel")
@help_argument
def cmd_panel(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Show the interactive sandbox browser."""
    try:
        from ..panel import SandboxBrowser
    except ImportError as exc:
        print(f"The sandbox browser is not available in this installation ({exc}).")
        return
    display(SandboxBrowser(client=ctx.state.client, on_use_default=ctx.set_default))


@magic_arguments("islo local")
@help_argument
@argument("action", choices=("start", "stop", "status"), help="What to do.")
def cmd_local(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Start, stop or inspect the embedded local Islo server."""
    from ..local import lifecycle

    if args.action == "stop":
        lifecycle.stop()
        print("The local Islo server is stopped.")
        return
    info = lifecycle.ensure_running() if args.action == "start" else lifecycle.status()
    if info is None:
        print("The local Islo server is not running.")
        return
    print(f"The local Islo server runs at {info.base_url} (pid {info.pid}, data in {info.home})")


@magic_arguments("islo cleanup")
@help_argument
def cmd_cleanup(ctx: CommandContext, args: argparse.Namespace) -> None:
    """Delete the sandboxes this kernel created (never any others)."""
    names = ctx.state.created
    if not names:
        print("No sandboxes created by this kernel.")
        return
    deleted = delete_created(ctx.state)
    print(
        f"Deleted {len(deleted)} sandbox{'es' if len(deleted) != 1 else ''}: {', '.join(deleted)}"
    )
    ctx.names.invalidate()


def delete_created(state: KernelState) -> list[str]:
    """Delete every sandbox ``state`` recorded as created here; already-gone ones count."""
    deleted = []
    for name in state.created:
        try:
            state.client.delete_sandbox(name)
        except NotFoundError:
            pass
        except IsloError as exc:
            print(f"Could not delete {name!r}: {exc.short_message()}")
            continue
        state.forget(name)
        deleted.append(name)
    return deleted


_ONE_NAME = frozenset({0})

#: Every verb of ``%islo``: the dispatch, the help and the completion all read this table.
COMMANDS: dict[str, Command] = {
    "status": Command(cmd_status, "connection, reachability and default sandbox"),
    "login": Command(cmd_login, "connect to Islo with an API key (prompted, never shown)"),
    "ls": Command(cmd_ls, "list sandboxes (table)"),
    "list": Command(cmd_ls, "same as ls"),
    "create": Command(cmd_create, "create a sandbox and wait until it runs"),
    "info": Command(cmd_info, "details of one sandbox", _ONE_NAME),
    "rm": Command(cmd_rm, "delete sandboxes", names_everywhere=True),
    "stop": Command(_make_state_command("stop", "Stopped"), "stop a sandbox", _ONE_NAME),
    "pause": Command(_make_state_command("pause", "Paused"), "pause a sandbox", _ONE_NAME),
    "resume": Command(_make_state_command("resume", "Resumed"), "resume a sandbox", _ONE_NAME),
    "use": Command(cmd_use, "set the default sandbox of %%islo_exec", _ONE_NAME),
    "exec": Command(cmd_exec, "run one command: exec NAME -- CMD", _ONE_NAME, takes_command=True),
    "upload": Command(cmd_upload, "upload NAME LOCAL REMOTE (files or directories)", _ONE_NAME),
    "download": Command(cmd_download, "download NAME REMOTE LOCAL (-r for directories)", _ONE_NAME),
    "panel": Command(cmd_panel, "the interactive sandbox browser"),
    "local": Command(cmd_local, "local start|stop|status: the embedded server"),
    "cleanup": Command(cmd_cleanup, "delete the sandboxes this kernel created"),
}


def describe_commands() -> str:
    """The subcommand list shown by ``%islo -h`` and ``%islo?``."""
    width = max(map(len, COMMANDS))
    lines = [f"  {verb:<{width}}  {command.summary}" for verb, command in COMMANDS.items()]
    # The leading newline stops IPython's formatter from dedenting all but the first line.
    return "\nsubcommands (each takes -h):\n" + "\n".join(lines)
