"""The argv built for a cell body runs the body verbatim (checked with a real local shell)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from islo_jupyter.magics.execution import build_argv

TRICKY = "echo \"$0 'quoted' \\`x\\` $((1+1))\"; printf '%s\\n' \"${BASH_VERSION:+bash}\""


def run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=30).stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_auto_shell_prefers_bash_and_keeps_the_body_intact() -> None:
    out = run(build_argv(TRICKY)).splitlines()
    assert out[0] == "islo 'quoted' `x` 2"
    assert out[-1] == "bash"


def test_explicit_shell_is_used() -> None:
    assert run(build_argv('echo "$0"', shell="sh")).strip() == "sh"
    assert build_argv("x", shell="/bin/zsh") == ["/bin/zsh", "-c", "x"]


def test_python_body_runs_as_python() -> None:
    body = "import sys\nprint('py', sys.version_info[0])\nprint(\"$HOME {x}\")"
    assert run(build_argv(body, python=True)) == "py 3\n$HOME {x}\n"
