"""Session tokens: HS256 JWTs with ``exp`` and a tenant claim, revocable per tenant."""

from __future__ import annotations

import math
import secrets
import time

import jwt

ALGORITHM = "HS256"


class TokenError(Exception):
    """Missing, forged, expired or revoked; the message says which, never the token."""


def issue_token(secret: bytes, tenant: str, generation: int, ttl: int) -> str:
    now = time.time()
    claims = {
        "sub": tenant,
        "tenant": tenant,
        "gen": generation,  # revocation: tokens of an older generation are refused
        "iat": int(now),
        # Rounded up: a token never lives shorter than the cookie_max_age it came with.
        "exp": math.ceil(now + ttl),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: bytes, token: str) -> tuple[str, int]:
    """The tenant and generation of a valid token; raises TokenError otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "tenant"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("session token expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid session token") from exc
    tenant, generation = claims.get("tenant"), claims.get("gen", 0)
    if not isinstance(tenant, str) or not isinstance(generation, int):
        raise TokenError("invalid session token")
    return tenant, generation
