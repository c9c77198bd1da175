"""Exec: start a command, poll its result, or stream its output as server-sent events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from ...models import ExecResponse, ExecResultResponse
from ..deps import CallerSandbox, Runtime, require_tenant
from ..execution import exec_result, start_exec
from ..output import KEEPALIVE, encode_event
from ..processes import RunningExec
from ..schemas import StrictExecRequest

router = APIRouter(prefix="/sandboxes", tags=["exec"], dependencies=[Depends(require_tenant)])

#: Queued chunks are joined into one write up to this size (fewer, larger socket writes).
COALESCE_BYTES = 64 * 1024


@router.post("/{name}/exec", response_model=ExecResponse)
async def start(body: StrictExecRequest, sandbox: CallerSandbox, runtime: Runtime) -> ExecResponse:
    running = await start_exec(runtime, sandbox, body, stream=False)
    return ExecResponse(exec_id=running.exec_id, sandbox_id=sandbox.id, status="running")


@router.get("/{name}/exec/{exec_id}", response_model=ExecResultResponse)
async def result(exec_id: str, sandbox: CallerSandbox, runtime: Runtime) -> ExecResultResponse:
    return exec_result(runtime, sandbox, exec_id)


@router.post("/{name}/exec/stream")
async def stream(
    body: StrictExecRequest, sandbox: CallerSandbox, runtime: Runtime
) -> StreamingResponse:
    running = await start_exec(runtime, sandbox, body, stream=True)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "X-Exec-Id": running.exec_id}
    return StreamingResponse(
        sse_events(running, runtime.settings.keepalive_secs),
        media_type="text/event-stream",
        headers=headers,
    )


def _final_events(running: RunningExec) -> bytes:
    outcome = running.outcome
    if outcome is None:
        return encode_event("error", "exec ended without an outcome")
    if outcome.status == "timeout" or outcome.exit_code is None:
        return encode_event("error", outcome.error or outcome.status)
    return encode_event("exit", str(outcome.exit_code))


async def sse_events(running: RunningExec, keepalive: float) -> AsyncIterator[bytes]:
    """stdout/stderr events as output arrives, then ``exit`` (or ``error``). If the client goes
    away first, Starlette cancels this generator and the ``finally`` kills the process group:
    that is how an interrupted notebook cell stops the remote work."""
    try:
        if not running.spawned:  # e.g. command not found: no queue, only the outcome
            if running.outcome and running.outcome.stderr:
                yield encode_event("stderr", running.outcome.stderr)
            yield _final_events(running)
            return
        while True:
            try:
                item = await asyncio.wait_for(running.queue.get(), keepalive)
            except asyncio.TimeoutError:
                yield KEEPALIVE
                continue
            if item is None:
                break
            parts, size, finished = [encode_event(*item)], len(item[1]), False
            while size < COALESCE_BYTES and not running.queue.empty():
                more = running.queue.get_nowait()
                if more is None:
                    finished = True
                    break
                parts.append(encode_event(*more))
                size += len(more[1])
            yield b"".join(parts)
            if finished:
                break
        yield _final_events(running)
    finally:
        if running.outcome is None:
            running.kill("stream client disconnected")
            running.detach_stream()
