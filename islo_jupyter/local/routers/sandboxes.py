"""Sandbox CRUD and state transitions: list, create, get, delete, stop, pause, resume."""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse

from ...models import ErrorCode, Sandbox, SandboxPage
from ..deps import CallerSandbox, Runtime, Tenant, require_tenant
from ..output import encode_event
from ..problems import ApiProblem, bad_request, not_found
from ..runtime import LocalRuntime, utc_now
from ..schemas import DEFAULT_IMAGE, StrictSandboxCreate, to_wire
from ..store import DuplicateNameError, ListQuery, SandboxRecord

router = APIRouter(prefix="/sandboxes", tags=["sandboxes"], dependencies=[Depends(require_tenant)])

MAX_LIMIT = 1000
EVENTS_POLL_SECS = 0.05
EVENTS_MAX_SECS = 300.0


def _invalid_state(name: str, status: str, action: str) -> ApiProblem:
    return ApiProblem(
        409, ErrorCode.SANDBOX_INVALID_STATE, f"cannot {action} sandbox {name!r}: it is {status}"
    )


@router.get("", response_model=SandboxPage, response_model_exclude_none=True)
async def list_sandboxes(
    tenant: Tenant,
    runtime: Runtime,
    q: str | None = None,
    search: str | None = None,
    status: Annotated[list[str] | None, Query()] = None,
    name_prefix: str | None = None,
    created_by: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    cursor: str | None = None,
) -> SandboxPage:
    query = ListQuery(
        q=q if q is not None else search,  # q wins over its alias
        statuses=status or [],
        name_prefix=name_prefix,
        created_by=created_by,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    try:
        records, total, next_cursor = runtime.store.list_sandboxes(tenant, query)
    except ValueError:
        raise bad_request("invalid cursor: pass back a next_cursor value unchanged") from None
    items = [to_wire(rec) for rec in records]
    return SandboxPage(
        items=items, limit=limit, offset=offset, total=total, next_cursor=next_cursor
    )


@router.post("", response_model=Sandbox, response_model_exclude_none=True)
async def create_sandbox(body: StrictSandboxCreate, tenant: Tenant, runtime: Runtime) -> Sandbox:
    env = {k: v for k, v in (body.env or {}).items() if v is not None}
    record = SandboxRecord(
        id=str(uuid.uuid4()),
        tenant=tenant,
        name=body.name or f"sbx-{secrets.token_hex(4)}",
        image=body.image or DEFAULT_IMAGE,
        status="starting",
        created_at=utc_now(),
        created_by=tenant,
        workdir=body.workdir,
        vcpus=body.vcpus or 2,
        memory_mb=body.memory_mb or 2048,
        disk_gb=body.disk_gb or 10,
        env=env,
        lifecycle=body.lifecycle.model_dump(exclude_none=True) if body.lifecycle else None,
        internet_enabled=bool(body.internet_enabled),
        setup_scripts=[s.model_dump(exclude_none=True) for s in body.setup_scripts or []],
    )
    try:
        runtime.store.insert_sandbox(record)
    except DuplicateNameError:
        raise ApiProblem(
            409, ErrorCode.SANDBOX_ALREADY_EXISTS, f"sandbox {record.name!r} already exists"
        ) from None
    runtime.begin_prepare(record)
    return to_wire(record)


@router.get("/-/by-id/{sandbox_id}", response_model=Sandbox, response_model_exclude_none=True)
async def get_sandbox_by_id(sandbox_id: str, tenant: Tenant, runtime: Runtime) -> Sandbox:
    record = runtime.store.get_sandbox_by_id(tenant, sandbox_id)
    if record is None:
        raise not_found(f"sandbox with id {sandbox_id!r}")
    return to_wire(record)


@router.get("/{name}", response_model=Sandbox, response_model_exclude_none=True)
async def get_sandbox(sandbox: CallerSandbox) -> Sandbox:
    return to_wire(sandbox)


@router.get("/{name}/events")
async def creation_events(sandbox: CallerSandbox, runtime: Runtime) -> StreamingResponse:
    """Creation progress as SSE. Islo publishes no schema for it; ours is one ``status`` event
    (the sandbox as JSON) per change, ending once the sandbox has left ``starting``."""
    return StreamingResponse(_status_events(runtime, sandbox), media_type="text/event-stream")


async def _status_events(runtime: LocalRuntime, sandbox: SandboxRecord) -> AsyncIterator[bytes]:
    last = None
    deadline = time.monotonic() + EVENTS_MAX_SECS
    while time.monotonic() < deadline:
        current = runtime.store.get_sandbox_by_id(sandbox.tenant, sandbox.id)
        if current is None:
            yield encode_event("error", f"sandbox {sandbox.name!r} was deleted")
            return
        if current.status != last:
            last = current.status
            yield encode_event("status", to_wire(current).model_dump_json(exclude_none=True))
        if current.status != "starting":
            return
        await asyncio.sleep(EVENTS_POLL_SECS)


@router.delete("/{name}", status_code=204)
async def delete_sandbox(sandbox: CallerSandbox, runtime: Runtime) -> Response:
    await runtime.cancel_prepare(sandbox)
    await runtime.execs.kill_sandbox(sandbox.id, "sandbox deleted")
    runtime.store.delete_sandbox(sandbox.id)
    await runtime.remove_sandbox_files(sandbox)
    return Response(status_code=204)


@router.post("/{name}/stop", response_model=Sandbox, response_model_exclude_none=True)
async def stop_sandbox(sandbox: CallerSandbox, runtime: Runtime) -> Sandbox:
    """From any state: also the way out of a hanging setup script or a failed start."""
    await runtime.cancel_prepare(sandbox)
    await runtime.execs.kill_sandbox(sandbox.id, "sandbox stopped")
    runtime.store.set_status(sandbox.id, "stopped")
    sandbox.status = "stopped"
    return to_wire(sandbox)


@router.post("/{name}/pause", response_model=Sandbox, response_model_exclude_none=True)
async def pause_sandbox(sandbox: CallerSandbox, runtime: Runtime) -> Sandbox:
    sandbox = await runtime.wait_ready(sandbox)
    if sandbox.status != "running":
        raise _invalid_state(sandbox.name, sandbox.status, "pause")
    runtime.execs.signal_sandbox(sandbox.id, signal.SIGSTOP)
    runtime.store.set_status(sandbox.id, "paused")
    sandbox.status = "paused"
    return to_wire(sandbox)


@router.post("/{name}/resume", response_model=Sandbox, response_model_exclude_none=True)
async def resume_sandbox(sandbox: CallerSandbox, runtime: Runtime) -> Sandbox:
    sandbox = await runtime.wait_ready(sandbox)
    if sandbox.status not in ("paused", "stopped"):
        raise _invalid_state(sandbox.name, sandbox.status, "resume")
    runtime.execs.signal_sandbox(sandbox.id, signal.SIGCONT)
    runtime.store.set_status(sandbox.id, "running")
    sandbox.status = "running"
    return to_wire(sandbox)
