"""``POST /auth/token``: exchange an API key for a short-lived session token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from ...models import ErrorCode, TokenResponse
from ..deps import Runtime
from ..problems import ApiProblem
from ..schemas import StrictTokenRequest
from ..tokens import issue_token

router = APIRouter(prefix="/auth", tags=["auth"])

#: Local extension: exchanges by test/bench helpers send this so ``/_local/stats`` counts only
#: the exchanges of the code under measurement.
UNCOUNTED_HEADER = "X-Islo-Local-Uncounted"


@router.post("/token", response_model=TokenResponse, response_model_exclude_none=True)
async def exchange_token(
    body: StrictTokenRequest,
    runtime: Runtime,
    uncounted: Annotated[str | None, Header(alias=UNCOUNTED_HEADER)] = None,
) -> TokenResponse:
    tenant = runtime.keys.tenant_for(body.access_key)
    if tenant is None:
        raise ApiProblem(401, ErrorCode.AUTH_REQUIRED, "invalid API key")
    ttl = runtime.settings.token_ttl
    generation = runtime.store.token_generation(tenant)
    if not uncounted:
        runtime.token_exchanges[tenant] += 1
    token = issue_token(runtime.secret, tenant, generation, ttl)
    return TokenResponse(session_token=token, cookie_max_age=ttl, expires_in=ttl)
