"""Token exchange and the one auth check: missing, forged, expired, revoked tokens are 401."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import requests

from tests.conftest import LocalServer

TIMEOUT = 30


def _exchange(server: LocalServer, key: str) -> requests.Response:
    return requests.post(f"{server.base_url}/auth/token", json={"access_key": key}, timeout=TIMEOUT)


def _list(server: LocalServer, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(f"{server.base_url}/sandboxes", headers=headers, timeout=TIMEOUT)


def _assert_auth_required(response: requests.Response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "AUTH_REQUIRED"
    assert body["request_id"]
    assert body["message"]


def test_exchange_returns_a_jwt_with_lifetime(local_server: LocalServer) -> None:
    response = _exchange(local_server, local_server.api_key)
    assert response.status_code == 200
    body = response.json()
    assert body["cookie_max_age"] == 3600
    claims = jwt.decode(body["session_token"], options={"verify_signature": False})
    assert 3600 <= claims["exp"] - claims["iat"] <= 3601
    assert claims["tenant"].startswith("t_")


def test_token_works_on_every_plane(local_server: LocalServer) -> None:
    token = _exchange(local_server, local_server.api_key).json()["session_token"]
    assert _list(local_server, token).status_code == 200


def test_exchange_is_counted(local_server: LocalServer) -> None:
    before = local_server.stats()["token_exchanges"]["tenant"]
    _exchange(local_server, local_server.api_key)
    _exchange(local_server, local_server.api_key)
    assert local_server.stats()["token_exchanges"]["tenant"] == before + 2


def test_unknown_key_is_refused(local_server: LocalServer) -> None:
    response = _exchange(local_server, "ak_not-a-real-key")
    _assert_auth_required(response)
    assert "ak_not-a-real-key" not in response.text


def test_exchange_without_key_is_a_validation_error(local_server: LocalServer) -> None:
    response = requests.post(f"{local_server.base_url}/auth/token", json={}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_missing_token_is_401(local_server: LocalServer) -> None:
    _assert_auth_required(_list(local_server, None))


def test_non_bearer_scheme_is_401(local_server: LocalServer) -> None:
    headers = {"Authorization": f"Basic {local_server.token()}"}
    response = requests.get(f"{local_server.base_url}/sandboxes", headers=headers, timeout=TIMEOUT)
    _assert_auth_required(response)


def test_forged_token_is_401(local_server: LocalServer) -> None:
    claims = jwt.decode(local_server.token(), options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-server-secret-but-long-enough-32b", algorithm="HS256")
    _assert_auth_required(_list(local_server, forged))


def test_unsigned_token_is_401(local_server: LocalServer) -> None:
    claims = jwt.decode(local_server.token(), options={"verify_signature": False})
    _assert_auth_required(_list(local_server, jwt.encode(claims, None, algorithm="none")))


def test_garbage_token_is_401(local_server: LocalServer) -> None:
    _assert_auth_required(_list(local_server, "not.a.jwt"))


def test_api_key_is_not_a_token(local_server: LocalServer) -> None:
    _assert_auth_required(_list(local_server, local_server.api_key))


def test_expired_token_is_401(server_factory: Callable[..., LocalServer]) -> None:
    server = server_factory(token_ttl=2)
    token = _exchange(server, server.api_key).json()["session_token"]
    assert _list(server, token).status_code == 200
    deadline = time.monotonic() + 30
    response = _list(server, token)
    while response.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.25)
        response = _list(server, token)
    _assert_auth_required(response)
    assert "expired" in response.json()["message"]


def test_short_ttl_is_reported(server_factory: Callable[..., LocalServer]) -> None:
    server = server_factory(token_ttl=2)
    assert _exchange(server, server.api_key).json()["cookie_max_age"] == 2


def test_revoked_tokens_are_401_and_new_ones_work(local_server: LocalServer) -> None:
    key = local_server.new_api_key()
    old = _exchange(local_server, key).json()["session_token"]
    revoke = requests.post(
        f"{local_server.base_url}/_local/revoke-tokens",
        headers={"Authorization": f"Bearer {old}"},
        timeout=TIMEOUT,
    )
    assert revoke.status_code == 200
    _assert_auth_required(_list(local_server, old))
    fresh = _exchange(local_server, key).json()["session_token"]
    assert _list(local_server, fresh).status_code == 200


def test_revocation_is_per_tenant(local_server: LocalServer) -> None:
    key_a, key_b = local_server.new_api_key(), local_server.new_api_key()
    token_a = _exchange(local_server, key_a).json()["session_token"]
    token_b = _exchange(local_server, key_b).json()["session_token"]
    requests.post(
        f"{local_server.base_url}/_local/revoke-tokens",
        headers={"Authorization": f"Bearer {token_a}"},
        timeout=TIMEOUT,
    )
    assert _list(local_server, token_b).status_code == 200


def test_healthz_needs_no_token_and_says_only_ok(local_server: LocalServer) -> None:
    response = requests.get(f"{local_server.base_url}/healthz", timeout=TIMEOUT)
    assert response.json() == {"status": "ok"}


def test_every_route_but_exchange_and_health_needs_a_token(local_server: LocalServer) -> None:
    routes = [
        ("GET", "/sandboxes"),
        ("POST", "/sandboxes"),
        ("GET", "/sandboxes/x"),
        ("GET", "/sandboxes/-/by-id/x"),
        ("DELETE", "/sandboxes/x"),
        ("POST", "/sandboxes/x/stop"),
        ("POST", "/sandboxes/x/pause"),
        ("POST", "/sandboxes/x/resume"),
        ("POST", "/sandboxes/x/exec"),
        ("POST", "/sandboxes/x/exec/stream"),
        ("GET", "/sandboxes/x/exec/e"),
        ("GET", "/sandboxes/x/files?path=a"),
        ("POST", "/sandboxes/x/files?path=a"),
        ("GET", "/sandboxes/x/files-archive?path=a"),
        ("POST", "/sandboxes/x/files-archive?path=a"),
        ("GET", "/_local/stats"),
        ("POST", "/_local/revoke-tokens"),
    ]
    for method, path in routes:
        response = requests.request(method, local_server.base_url + path, timeout=TIMEOUT)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "AUTH_REQUIRED"
