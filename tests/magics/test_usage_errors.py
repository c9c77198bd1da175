"""Wrong arguments raise UsageError: one line, no traceback, nothing sent to the server."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from .conftest import Output, run

CASES = [
    ("%islo frobnicate", "unknown subcommand 'frobnicate'"),
    ("%islo create", "%islo create: the following arguments are required: name"),
    ("%islo create box --vcpus many", "invalid int value"),
    ("%islo create box --env NOEQUALS", "--env expects KEY=VALUE"),
    ("%islo info", "required: name"),
    ("%islo info a b", "unrecognized arguments: b"),
    ("%islo rm", "required: NAME"),
    ("%islo stop", "required: name"),
    ("%islo ls --limit 0", "--limit must be at least 1"),
    ("%islo ls --bogus", "unrecognized arguments: --bogus"),
    ("%islo local restart", "invalid choice: 'restart'"),
    ("%islo upload box /definitely/not/here /x", "no such file or directory"),
    ("%islo upload box", "required: local, remote"),
    ("%islo download box", "required: remote, local"),
    ("%islo exec box", "give the command after --"),
    ("%islo exec -- ls", "required: name"),
    ("%islo info 'unbalanced", "No closing quotation"),
    ("%%islo_exec\necho no sandbox", "name a sandbox, or set a default"),
    ("%%islo_exec box\n   \n", "the command is empty"),
    ("%%islo_exec box box\necho x", "a sandbox is named twice"),
    ("%%islo_exec box --timeout 0\necho x", "--timeout must be a positive"),
    ("%%islo_exec box --python --shell sh\nx", "--python and --shell exclude each other"),
    ("%%islo_exec box --timeout soon\necho x", "invalid float value"),
    ("%%islo_exec box --env =x\necho x", "--env expects KEY=VALUE"),
    ("%%islo_exec box --out 1bad\necho x", "not a variable name"),
    ("%%islo_exec box --expand\necho {undefined_name}", "--expand failed"),
]


@pytest.mark.parametrize(("cell", "message"), CASES)
def test_usage_error_is_short(
    ip: InteractiveShell, output: Output, islo_env: Any, cell: str, message: str
) -> None:
    before = islo_env.stats()["execs_started"]
    with pytest.raises(UsageError) as caught:
        run(ip, cell)
    assert message in str(caught.value)
    # IPython prints "UsageError: <message>" on one line and no traceback.
    shown = output.err.strip()
    assert shown.startswith("UsageError: ") and "\n" not in shown
    assert "Traceback" not in output.out + output.err
    assert islo_env.stats()["execs_started"] == before


def test_every_verb_is_covered_by_a_usage_error_case() -> None:
    from islo_jupyter.magics.commands import COMMANDS

    # Verbs without required arguments cannot be misused beyond an unknown option.
    optional_only = {"status", "login", "list", "panel", "cleanup", "use", "pause", "resume"}
    covered = {cell.split()[1] for cell, _ in CASES if cell.startswith("%islo ")}
    assert set(COMMANDS) - covered <= optional_only


@pytest.mark.parametrize("verb", ["status", "login", "list", "panel", "cleanup", "use"])
def test_unknown_options_are_usage_errors_for_every_verb(
    ip: InteractiveShell, output: Output, verb: str
) -> None:
    with pytest.raises(UsageError, match="unrecognized arguments: --nope"):
        run(ip, f"%islo {verb} --nope")
