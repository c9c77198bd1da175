"""Bring a new sandbox up: make its directories, run its setup scripts, record each step."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from .launcher import CommandNotFoundError, Limits, build_env
from .paths import WORKSPACE, PathEscapeError
from .processes import RunningExec
from .store import SandboxRecord

if TYPE_CHECKING:
    from .runtime import LocalRuntime

log = logging.getLogger("islo_jupyter.local")
#: Output kept per stream of a setup step (the step record is returned with the sandbox).
STEP_OUTPUT_CAP = 64 * 1024
STEP_TIMEOUT_SECS = 1800.0


async def _run_step(
    runtime: LocalRuntime, sandbox: SandboxRecord, index: int, script: dict[str, Any]
) -> dict[str, Any]:
    name = script.get("name") or f"setup-{index + 1}"
    running = RunningExec(
        f"setup_{sandbox.id}_{index}", sandbox.id, sandbox.tenant, STEP_OUTPUT_CAP
    )
    env = build_env(sandbox.env, {}, home=str(WORKSPACE))
    limits = Limits(memory_mb=sandbox.memory_mb, vcpus=sandbox.vcpus)
    try:
        spec = runtime.launcher.build(
            runtime.dirs(sandbox), ["/bin/sh", "-c", script["script"]], env,
            sandbox.workdir or str(WORKSPACE), limits, sandbox.internet_enabled,
        )  # fmt: skip
        await running.spawn(spec)
    except (OSError, PathEscapeError, CommandNotFoundError) as exc:
        return {"name": name, "status": "failed", "stdout": "", "stderr": f"{exc}\n"}
    # Tracked like any exec, so stopping or deleting the sandbox kills a step too.
    runtime.execs.track(running, STEP_TIMEOUT_SECS, lambda _done, _outcome: None)
    try:
        await running.done.wait()
    except asyncio.CancelledError:  # the sandbox was stopped or deleted mid-setup
        running.kill("setup cancelled")
        raise
    outcome = running.outcome
    ok = outcome is not None and outcome.status == "completed" and outcome.exit_code == 0
    return {
        "name": name,
        "status": "completed" if ok else "failed",
        "stdout": outcome.stdout if outcome else "",
        "stderr": outcome.stderr if outcome else "",
    }


async def run_setup_scripts(runtime: LocalRuntime, sandbox: SandboxRecord) -> bool:
    """Run the scripts in order, stopping at the first failure; True if all succeeded."""
    steps: list[dict[str, Any]] = []
    runtime.store.set_setup(sandbox.id, "running_setup_scripts", steps)
    for index, script in enumerate(sandbox.setup_scripts):
        try:
            step = await _run_step(runtime, sandbox, index, script)
        except asyncio.CancelledError:
            runtime.store.set_setup(sandbox.id, "setup_cancelled", steps)
            raise
        steps.append(step)
        runtime.store.set_setup(sandbox.id, "running_setup_scripts", steps)
        if step["status"] != "completed":
            log.warning("sandbox %s: setup step %r failed", sandbox.name, step["name"])
            runtime.store.set_setup(sandbox.id, "setup_failed", steps)
            return False
    runtime.store.set_setup(sandbox.id, "ready", steps)
    return True
