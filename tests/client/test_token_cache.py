"""The token cache against the real local server: one exchange per key and lifetime, 401 replay."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import pytest
import requests

from islo_jupyter import errors
from islo_jupyter.auth import TOKEN_CACHE, TokenCache
from islo_jupyter.client import IsloClient
from tests.faultproxy import FaultProxy

CLIENTS, THREADS, CALLS = 4, 8, 50


def _exchanges(local_server: Any, api_key: str) -> int:
    return int(local_server.stats(api_key=api_key)["token_exchanges"]["tenant"])


def _hammer(clients: list[IsloClient], threads: int, calls: int, call: Callable[..., Any]) -> None:
    """``threads`` threads per client, each making ``calls`` calls; re-raises the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(len(clients) * threads)

    def work(c: IsloClient) -> None:
        try:
            start.wait()
            for _ in range(calls):
                call(c)
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(c,)) for c in clients for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not failures, failures[0]


def test_many_clients_and_threads_share_one_exchange(local_server: Any) -> None:
    key = local_server.new_api_key()
    clients = [IsloClient(api_key=key, base_url=local_server.base_url) for _ in range(CLIENTS)]
    _hammer(clients, THREADS, CALLS, lambda c: c.list_sandboxes(limit=1))
    assert _exchanges(local_server, key) == 1
    stats = TOKEN_CACHE.stats(local_server.base_url, key)
    assert stats.exchanges == 1
    assert stats.hits >= CLIENTS * THREADS * CALLS * 0.9  # unlocked counter: may lose a few


def test_threads_wait_for_one_slow_exchange(local_server: Any, proxy: FaultProxy) -> None:
    # The exchange takes 0.5 s: every thread arrives while it is in flight, none starts another.
    proxy.add_rule("POST", r"^/auth/token$", "delay", seconds=0.5, times=None)
    key = local_server.new_api_key()
    clients = [IsloClient(api_key=key, base_url=proxy.url) for _ in range(2)]
    _hammer(clients, 8, 2, lambda c: c.list_sandboxes(limit=1))
    assert proxy.count("POST", "/auth/token") == 1
    assert _exchanges(local_server, key) == 1


def test_two_keys_two_exchanges(local_server: Any) -> None:
    keys = [local_server.new_api_key(), local_server.new_api_key()]
    clients = [IsloClient(api_key=k, base_url=local_server.base_url) for k in keys for _ in "ab"]
    _hammer(clients, 4, 10, lambda c: c.list_sandboxes(limit=1))
    assert [_exchanges(local_server, k) for k in keys] == [1, 1]
    assert TOKEN_CACHE.stats().exchanges == 2
    assert TOKEN_CACHE.stats().entries == 2


def test_trailing_slash_is_the_same_cache_key(local_server: Any) -> None:
    key = local_server.new_api_key()
    IsloClient(api_key=key, base_url=local_server.base_url + "/").list_sandboxes(limit=1)
    IsloClient(api_key=key, base_url=local_server.base_url).list_sandboxes(limit=1)
    assert _exchanges(local_server, key) == 1


def test_expiry_mid_run_re_exchanges_exactly_once(server_factory: Callable[..., Any]) -> None:
    server = server_factory(token_ttl=4)
    client = IsloClient(api_key=server.api_key, base_url=server.base_url)
    client.list_sandboxes(limit=1)
    first = time.monotonic()
    lifetime = TOKEN_CACHE.stats().lifetime
    assert lifetime == 4
    # Run past one refresh point (3.6 s) but stop well before the second one (7.2 s).
    stop_at = first + 4.2

    def call(c: IsloClient) -> None:
        if time.monotonic() < stop_at:
            c.list_sandboxes(limit=1)
            time.sleep(0.01)

    _hammer([client, IsloClient(api_key=server.api_key, base_url=server.base_url)], 4, 10_000, call)
    assert time.monotonic() - first < 7.2, "machine too slow to observe exactly one refresh"
    assert _exchanges(server, server.api_key) == 2
    assert TOKEN_CACHE.stats().exchanges == 2


def test_revoked_token_is_re_exchanged_once_and_the_call_succeeds(local_server: Any) -> None:
    key = local_server.new_api_key()
    client = IsloClient(api_key=key, base_url=local_server.base_url)
    client.list_sandboxes(limit=1)
    local_server.request("POST", "/_local/revoke-tokens", api_key=key).raise_for_status()
    page = client.list_sandboxes(limit=1)
    assert page.limit == 1
    assert _exchanges(local_server, key) == 2
    assert TOKEN_CACHE.stats(local_server.base_url, key).invalidations == 1


def test_401_then_200_is_exactly_two_requests(local_server: Any, proxy: FaultProxy) -> None:
    proxy.add_rule("GET", r"^/sandboxes$", "status", status=401, times=1)
    client = IsloClient(api_key=local_server.api_key, base_url=proxy.url)
    client.list_sandboxes(limit=1)
    assert proxy.count("GET", "/sandboxes") == 2
    assert proxy.count("POST", "/auth/token") == 2


def test_401_then_401_is_two_requests_and_no_loop(local_server: Any, proxy: FaultProxy) -> None:
    body = b'{"code": "AUTH_REQUIRED", "message": "nope"}'
    proxy.add_rule("GET", r"^/sandboxes$", "status", status=401, body=body, times=None)
    client = IsloClient(api_key=local_server.api_key, base_url=proxy.url)
    with pytest.raises(errors.UnauthorizedError) as info:
        client.list_sandboxes(limit=1)
    assert info.value.code == "AUTH_REQUIRED"
    assert proxy.count("GET", "/sandboxes") == 2


def test_401_replays_an_upload_body(local_server: Any, proxy: FaultProxy, tmp_path: Any) -> None:
    name = f"up401-{time.monotonic_ns()}"
    direct = IsloClient(api_key=local_server.api_key, base_url=local_server.base_url)
    direct.create_sandbox(name)
    direct.wait_until_running(name, timeout=60)
    proxy.add_rule("POST", r"/files$", "status", status=401, times=1)
    source = tmp_path / "data.bin"
    source.write_bytes(b"x" * 300_000)
    IsloClient(api_key=local_server.api_key, base_url=proxy.url).upload_file(
        name, source, "data.bin"
    )
    assert direct.read_file(name, "data.bin") == source.read_bytes()
    direct.delete_sandbox(name)


def _assert_no_secret(exc: BaseException, secret: str) -> None:
    rendered = "".join(traceback.format_exception(exc))
    for text in (str(exc), repr(exc), rendered):
        assert secret not in text


def test_exchange_endpoint_down_raises_auth_error_without_the_key(
    local_server: Any, proxy: FaultProxy
) -> None:
    key = local_server.new_api_key()
    proxy.add_rule("POST", r"^/auth/token$", "status", status=503, body=b"down", times=None)
    client = IsloClient(api_key=key, base_url=proxy.url, compute_url=local_server.base_url)
    with pytest.raises(errors.IsloAuthError) as info:
        client.list_sandboxes(limit=1)
    assert proxy.url in str(info.value) and "503" in str(info.value)
    assert info.value.status_code == 503
    assert proxy.count("POST", "/auth/token") == 3  # retried on 5xx, then given up
    _assert_no_secret(info.value, key)


def test_exchange_unreachable_raises_auth_error_without_the_key(local_server: Any) -> None:
    key = local_server.new_api_key()
    with socket_closed_port() as dead:
        client = IsloClient(api_key=key, base_url=dead, compute_url=local_server.base_url)
        with pytest.raises(errors.IsloAuthError) as info:
            client.list_sandboxes(limit=1)
    assert dead in str(info.value)
    _assert_no_secret(info.value, key)


def test_wrong_key_is_an_auth_error_naming_the_status(local_server: Any) -> None:
    key = "ak_" + "wrong" * 8
    client = IsloClient(api_key=key, base_url=local_server.base_url)
    with pytest.raises(errors.IsloAuthError) as info:
        client.list_sandboxes(limit=1)
    assert info.value.status_code == 401 and "401" in str(info.value)
    _assert_no_secret(info.value, key)


def test_exchange_goes_through_the_callers_session(local_server: Any) -> None:
    seen: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, **_: seen.append(r.request.path_url))
    key = local_server.new_api_key()
    IsloClient(api_key=key, base_url=local_server.base_url, session=session).list_sandboxes()
    assert seen[0] == "/auth/token"


class socket_closed_port:
    """A base URL on 127.0.0.1 where nothing listens (the port is bound, then released)."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        pass


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_early_refresh_keeps_the_valid_token(local_server: Any, proxy: FaultProxy) -> None:
    clock = FakeClock()
    cache = TokenCache(clock=clock)
    client = IsloClient(api_key=local_server.new_api_key(), base_url=proxy.url, token_cache=cache)
    client.list_sandboxes(limit=1)
    lifetime = cache.stats().lifetime or 0
    assert lifetime > 60
    proxy.add_rule("POST", r"^/auth/token$", "status", status=503, times=None)
    clock.now += lifetime - 30  # inside the refresh margin, before expiry
    client.list_sandboxes(limit=1)  # the refresh fails; the still-valid token is used
    stats = cache.stats()
    assert (stats.exchanges, stats.failures) == (1, 1)
    clock.now += 31  # now it has expired: no token to fall back on
    with pytest.raises(errors.IsloAuthError):
        client.list_sandboxes(limit=1)


def test_short_lifetime_is_not_an_exchange_per_call(server_factory: Callable[..., Any]) -> None:
    # The official SDKs subtract 60 s, so a 30 s token means an exchange on every call.
    server = server_factory(token_ttl=30)
    client = IsloClient(api_key=server.api_key, base_url=server.base_url)
    for _ in range(50):
        client.list_sandboxes(limit=1)
    assert _exchanges(server, server.api_key) == 1


def test_cache_is_bounded(local_server: Any) -> None:
    cache = TokenCache(max_entries=2)
    for _ in range(3):
        key = local_server.new_api_key()
        IsloClient(api_key=key, base_url=local_server.base_url, token_cache=cache).list_sandboxes()
    assert cache.stats().entries == 2 and cache.stats().exchanges == 2  # the first was dropped
