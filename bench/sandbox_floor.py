"""The sandboxed-process floor: the local server's own launch chain, run here without HTTP.

The server starts every exec as ``prlimit ... bwrap ... argv`` (when present). Spawning
exactly that chain locally shows how much of an exec's cost is isolation, not the wire.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


def build_sandboxed_runner(stack: contextlib.ExitStack) -> Callable[[list[str]], bytes]:
    """A function that runs an argv the way the server would, in a throwaway workspace."""
    from islo_jupyter.local.launcher import Launcher, Limits, build_env, sandbox_dirs

    root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="islo-bench-box-")))
    dirs = sandbox_dirs(root, "bench", "floor")
    dirs.prepare()
    launcher = Launcher()
    env = build_env({}, {}, home="/workspace")
    limits = Limits(memory_mb=2048, vcpus=2)  # the server's defaults for a new sandbox

    def run(argv: list[str]) -> bytes:
        spec = launcher.build(dirs, argv, env, "/workspace", limits, False)
        done = subprocess.run(spec.argv, env=spec.env, cwd=spec.cwd, capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"sandboxed spawn failed: {done.stderr[-300:]!r}")
        return done.stdout

    return run
