"""Token lifetime and refresh-margin rules (pure logic)."""

from __future__ import annotations

import base64
import json
import time

from islo_jupyter.auth import (
    DEFAULT_TOKEN_LIFETIME,
    TokenCache,
    jwt_expiry,
    refresh_margin,
    token_lifetime,
)


def _jwt(claims: dict[str, object]) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256'})}.{part(claims)}.sig"


def test_lifetime_prefers_cookie_max_age_then_expires_in() -> None:
    assert token_lifetime({"cookie_max_age": 120, "expires_in": 50}, "t") == 120
    assert token_lifetime({"expires_in": 50}, "t") == 50


def test_lifetime_from_jwt_exp_then_default() -> None:
    now = time.time()
    assert abs(token_lifetime({}, _jwt({"exp": now + 300}), now_wall=now) - 300) < 1e-6
    assert token_lifetime({}, "not-a-jwt") == DEFAULT_TOKEN_LIFETIME
    assert token_lifetime({"cookie_max_age": None}, "opaque") == DEFAULT_TOKEN_LIFETIME


def test_jwt_expiry_tolerates_garbage() -> None:
    assert jwt_expiry("a.b.c") is None
    assert jwt_expiry(_jwt({"sub": "x"})) is None
    assert jwt_expiry(_jwt({"exp": 12})) == 12.0


def test_margin_is_a_tenth_for_short_lifetimes_and_60s_at_most() -> None:
    assert refresh_margin(600) == 60
    assert refresh_margin(3600) == 60
    assert refresh_margin(30) == 3
    assert refresh_margin(0) == 0
    # A 60 s token is used for 54 s: the official SDKs would exchange on every call.
    assert 60 - refresh_margin(60) == 54


def test_stats_of_an_empty_cache_and_repr_has_no_secret() -> None:
    cache = TokenCache()
    stats = cache.stats()
    assert (stats.exchanges, stats.hits, stats.entries, stats.expires_in) == (0, 0, 0, None)
    assert "ak_" not in repr(cache)


def test_redaction_of_tokens_keys_and_headers() -> None:
    from islo_jupyter.redact import redact

    text = redact(
        "Authorization: Bearer eyJhbGciOi.abc.def key=ak_SECRETsecret123 "
        "{'Authorization': 'Bearer tok123'} {\"access_key\": \"whatever\"}"
    )
    for secret in ("eyJhbGciOi", "ak_SECRET", "tok123", "whatever"):
        assert secret not in text
