"""Start one exec in a sandbox: check state, build the launch, record it, spawn, supervise."""

from __future__ import annotations

import logging
import secrets

from ..models import ErrorCode, ExecResultResponse
from .launcher import CommandNotFoundError, LaunchSpec, Limits, build_env
from .paths import WORKSPACE, PathEscapeError
from .problems import ApiProblem, bad_request
from .processes import ExecOutcome, RunningExec
from .runtime import LocalRuntime, utc_now
from .schemas import StrictExecRequest
from .store import ExecRecord, SandboxRecord

log = logging.getLogger("islo_jupyter.local")


def _record(running: RunningExec, outcome: ExecOutcome) -> ExecRecord:
    return ExecRecord(
        id=running.exec_id,
        tenant=running.tenant,
        sandbox_id=running.sandbox_id,
        status=outcome.status,
        exit_code=outcome.exit_code,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        truncated=outcome.truncated,
    )


Failure = tuple[int, str]  # (exit code, message) of an exec that could not start


async def _require_running(runtime: LocalRuntime, sandbox: SandboxRecord) -> SandboxRecord:
    sandbox = await runtime.wait_ready(sandbox)
    if sandbox.status != "running":
        raise ApiProblem(
            409,
            ErrorCode.SANDBOX_INVALID_STATE,
            f"cannot exec in sandbox {sandbox.name!r}: it is {sandbox.status} (resume it first)",
        )
    return sandbox


def _build_launch(
    runtime: LocalRuntime, sandbox: SandboxRecord, body: StrictExecRequest
) -> LaunchSpec | Failure:
    """The launch, or the failure a shell would report; 400 for a workdir outside."""
    dirs = runtime.dirs(sandbox)
    if not dirs.workspace.is_dir():
        dirs.prepare(sandbox.workdir)  # e.g. removed by hand while the server ran
    env = build_env(sandbox.env, body.env or {}, home=str(WORKSPACE))
    workdir = body.workdir or sandbox.workdir or str(WORKSPACE)
    limits = Limits(memory_mb=sandbox.memory_mb, vcpus=sandbox.vcpus)
    try:
        return runtime.launcher.build(
            dirs, body.command, env, workdir, limits, sandbox.internet_enabled
        )
    except PathEscapeError as exc:
        raise bad_request(f"invalid workdir: {exc}") from None
    except CommandNotFoundError as exc:
        return (127, str(exc))


async def _spawn(running: RunningExec, spec: LaunchSpec, program: str) -> Failure | None:
    try:
        await running.spawn(spec)
    except OSError as exc:
        code = 127 if isinstance(exc, FileNotFoundError) else 126
        return (code, f"{program}: {exc.strerror or exc}")
    return None


async def start_exec(
    runtime: LocalRuntime, sandbox: SandboxRecord, body: StrictExecRequest, *, stream: bool
) -> RunningExec:
    """A spawned (or already failed-to-start) exec; raises ApiProblem for bad requests."""
    sandbox = await _require_running(runtime, sandbox)
    launch = _build_launch(runtime, sandbox, body)
    running = RunningExec(
        exec_id="exec_" + secrets.token_hex(12),
        sandbox_id=sandbox.id,
        tenant=sandbox.tenant,
        cap=runtime.settings.output_cap,
        stream=stream,
    )
    runtime.store.insert_exec(running.exec_id, sandbox.tenant, sandbox.id, body.command, utc_now())
    runtime.execs_started[sandbox.tenant] += 1
    if isinstance(launch, tuple):
        failure: Failure | None = launch
    else:
        failure = await _spawn(running, launch, body.command[0])
    if failure is not None:
        # Recorded like a shell's 127/126, so polling and streaming it work as usual.
        outcome = running.fail_to_start(*failure)
        runtime.store.finish_exec(_record(running, outcome), utc_now())
        running.done.set()
        return running

    def _on_finish(done: RunningExec, outcome: ExecOutcome) -> None:
        runtime.store.finish_exec(_record(done, outcome), utc_now())

    timeout = float(body.timeout_secs) if body.timeout_secs else None
    runtime.execs.track(running, timeout, _on_finish)
    return running


def exec_result(runtime: LocalRuntime, sandbox: SandboxRecord, exec_id: str) -> ExecResultResponse:
    """A running exec reports its output so far from memory; a finished one from SQLite."""
    live = runtime.execs.get(exec_id)
    if live is not None and live.sandbox_id == sandbox.id and live.outcome is None:
        return ExecResultResponse(
            exec_id=exec_id,
            status="running",
            stdout=live.stdout.text,
            stderr=live.stderr.text,
            exit_code=None,
            truncated=live.stdout.truncated or live.stderr.truncated,
        )
    record = runtime.store.get_exec(sandbox.tenant, sandbox.id, exec_id)
    if record is None:
        raise ApiProblem(404, ErrorCode.NOT_FOUND, f"exec {exec_id!r} not found")
    return ExecResultResponse(
        exec_id=record.id,
        status=record.status,
        stdout=record.stdout,
        stderr=record.stderr,
        exit_code=record.exit_code,
        truncated=record.truncated,
    )
