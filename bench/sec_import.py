"""Issue section 4: import and ``%load_ext`` cost, each in a fresh interpreter (the real binary)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .context import BenchContext
from .harness import Contender, Metrics, run_interleaved
from .report import Section

ROOT = Path(__file__).resolve().parent.parent
BARE = "python -c pass (interpreter start)"
REQUESTS = "import requests"
OURS = "import islo_jupyter"
SNIPPETS = {
    BARE: "pass",
    OURS: "import islo_jupyter",
    "from islo_jupyter import IsloClient": "from islo_jupyter import IsloClient",
    REQUESTS: "import requests",
    "import IPython": "import IPython",
    "import islo (official SDK, client + exec helpers)": (
        "import islo; islo.Islo; import islo.custom.exec, islo.sandboxes.client"
    ),
}
LOAD_EXT = "%load_ext islo_jupyter (in a fresh shell, in-process)"
_LOAD_EXT_SCRIPT = """
import io, contextlib, json, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
started = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    shell.run_line_magic("load_ext", "islo_jupyter")
elapsed = time.perf_counter() - started
assert "islo_exec" in shell.magics_manager.magics["cell"], "magic not registered"
print(json.dumps({"ms": elapsed * 1000}))
"""


def interpreter() -> str:
    """``sys.executable``: the venv's link to the real binary, never a version-manager shim.

    A pyenv shim is a shell script that costs ~100 ms per process; resolving through
    ``python3`` on PATH could pick it up, ``sys.executable`` cannot.
    """
    return sys.executable


def _child_env(ctx: BenchContext) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISLO_")}
    env["PYTHONPATH"] = str(ROOT)
    # Aimed at the bench server, so loading the extension never starts a server of its own.
    env.update(
        ISLO_API_KEY=ctx.server.api_key,
        ISLO_BASE_URL=ctx.server.base_url,
        ISLO_COMPUTE_URL=ctx.server.base_url,
    )
    return env


def _run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([interpreter(), *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-300:])
    return done


def run(ctx: BenchContext) -> list[Section]:
    ctx.log("[import] fresh interpreters")
    env = _child_env(ctx)

    def timed(snippet: str) -> Callable[[contextlib.ExitStack], Callable[[], object]]:
        return lambda _s: lambda: _run_python(["-c", snippet], env)

    def load_ext(_stack: contextlib.ExitStack) -> Callable[[], Metrics]:
        def sample() -> Metrics:
            done = _run_python(["-c", _LOAD_EXT_SCRIPT], env)
            return Metrics(json.loads(done.stdout.strip().splitlines()[-1]))

        return sample

    contenders = [Contender(name, timed(code)) for name, code in SNIPPETS.items()]
    contenders.append(Contender(LOAD_EXT, load_ext))
    outcomes = run_interleaved(
        contenders, rounds=ctx.config.import_rounds, warmup=min(ctx.config.warmup, 1), log=ctx.log
    )
    load = [o for o in outcomes if o.name == LOAD_EXT]
    outcomes = [o for o in outcomes if o.name != LOAD_EXT]
    return [
        Section(
            "import",
            "Import in a fresh interpreter (whole process, wall clock)",
            outcomes,
            baseline=REQUESTS,
            notes=[f"interpreter: {interpreter()} (real binary: {Path(interpreter()).resolve()})"],
        ),
        Section("load_ext", "`%load_ext islo_jupyter` in a fresh IPython shell", load),
    ]
