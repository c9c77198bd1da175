"""FastAPI dependencies: the runtime, the authenticated tenant, and the caller's sandbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..models import ErrorCode
from .problems import ApiProblem, not_found
from .runtime import LocalRuntime
from .store import SandboxRecord
from .tokens import TokenError, verify_token


async def get_runtime(request: Request) -> LocalRuntime:
    runtime: LocalRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[LocalRuntime, Depends(get_runtime)]


def _unauthorized(message: str) -> ApiProblem:
    return ApiProblem(401, ErrorCode.AUTH_REQUIRED, message)


async def require_tenant(request: Request, runtime: Runtime) -> str:
    """The one token check: 401 AUTH_REQUIRED for missing, forged, expired or revoked tokens."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing bearer token: exchange an API key at POST /auth/token")
    try:
        tenant, generation = verify_token(runtime.secret, token.strip())
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None
    if generation != runtime.store.token_generation(tenant):
        raise _unauthorized("session token revoked")
    return tenant


Tenant = Annotated[str, Depends(require_tenant)]


async def get_sandbox(name: str, tenant: Tenant, runtime: Runtime) -> SandboxRecord:
    """The caller's sandbox by name; another tenant's is as absent as a missing one (404)."""
    sandbox = runtime.store.get_sandbox(tenant, name)
    if sandbox is None:
        raise not_found(f"sandbox {name!r}")
    return sandbox


CallerSandbox = Annotated[SandboxRecord, Depends(get_sandbox)]
