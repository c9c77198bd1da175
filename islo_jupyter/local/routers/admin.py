"""Local extensions under ``/_local/`` (not part of Islo's API): counters and token revocation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..deps import Runtime, Tenant, require_tenant

router = APIRouter(
    prefix="/_local", tags=["local extensions"], dependencies=[Depends(require_tenant)]
)


@router.get("/stats")
async def get_stats(tenant: Tenant, runtime: Runtime) -> dict[str, Any]:
    """Server-side counters, so tests and benchmarks can count exchanges and exec runs."""
    return {
        "token_exchanges": {
            "tenant": runtime.token_exchanges[tenant],
            "total": sum(runtime.token_exchanges.values()),
        },
        "execs_started": runtime.execs_started[tenant],
        "execs_started_total": sum(runtime.execs_started.values()),
        "execs_running": len(runtime.execs.of_tenant(tenant)),
        "isolation": runtime.launcher.isolation,
    }


@router.post("/revoke-tokens")
async def revoke_tokens(tenant: Tenant, runtime: Runtime) -> dict[str, Any]:
    """Every token issued so far to this tenant is refused from now on (401)."""
    generation = runtime.store.bump_token_generation(tenant)
    return {"status": "ok", "token_generation": generation}
