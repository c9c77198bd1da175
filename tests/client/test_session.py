"""Bring-your-own session, per-call overrides, stream fallback, and logs free of secrets."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from islo_jupyter import errors
from islo_jupyter.client import IsloClient
from islo_jupyter.transport import IsloAdapter
from tests.faultproxy import FaultProxy


class _CountingAdapter(HTTPAdapter):
    sent = 0

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        type(self).sent += 1
        return super().send(request, *args, **kwargs)


def test_callers_custom_adapter_is_kept(local_server: Any) -> None:
    session = requests.Session()
    session.mount("http://", _CountingAdapter())
    client = IsloClient(
        api_key=local_server.api_key, base_url=local_server.base_url, session=session
    )
    client.list_sandboxes(limit=1)
    assert isinstance(session.get_adapter("http://x"), _CountingAdapter)
    assert _CountingAdapter.sent >= 2  # the exchange and the call went through it
    client.close()
    assert session.get_adapter("http://x") is not None  # the caller's session stays usable


def test_plain_session_gets_the_retrying_adapter(local_server: Any) -> None:
    session = requests.Session()
    IsloClient(api_key=local_server.api_key, base_url=local_server.base_url, session=session)
    assert isinstance(session.get_adapter("https://x"), IsloAdapter)


def test_session_proxies_are_used_for_calls_and_the_exchange(
    local_server: Any, proxy: FaultProxy
) -> None:
    session = requests.Session()
    session.trust_env = False
    session.proxies = {"http": proxy.url}
    client = IsloClient(
        api_key=local_server.api_key, base_url=local_server.base_url, session=session
    )
    client.list_sandboxes(limit=1)
    assert proxy.count("POST", "/auth/token") == 1
    assert proxy.count("GET", "/sandboxes") == 1


def test_per_call_max_attempts(proxy: FaultProxy, proxied_client: IsloClient) -> None:
    proxy.add_rule("GET", r"^/sandboxes$", "status", status=503, times=None)
    with pytest.raises(errors.ServerError):
        proxied_client.list_sandboxes(max_attempts=1)
    assert proxy.count("GET", "/sandboxes") == 1
    with pytest.raises(errors.ServerError):
        proxied_client.list_sandboxes(max_attempts=2)
    assert proxy.count("GET", "/sandboxes") == 3


def test_per_call_timeout(proxy: FaultProxy, proxied_client: IsloClient) -> None:
    proxied_client.list_sandboxes(limit=1)  # exchange first: only the call is slow
    proxy.add_rule("GET", r"^/sandboxes$", "delay", seconds=3, times=None)
    started = time.monotonic()
    with pytest.raises(errors.IsloTimeoutError):
        proxied_client.list_sandboxes(timeout=0.3, max_attempts=1)
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(
    ("status", "body"),
    [(404, b'{"detail": "Not Found"}'), (405, b""), (501, b"not implemented")],
)
def test_exec_falls_back_to_polling_without_a_stream_endpoint(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str, status: int, body: bytes
) -> None:
    proxy.add_rule("POST", r"/exec/stream$", "status", status=status, body=body, times=None)
    seen: list[str] = []
    result = proxied_client.exec(sandbox, "echo polled; exit 2", on_stdout=seen.append)
    assert (result.stdout, result.exit_code, "".join(seen)) == ("polled\n", 2, "polled\n")
    proxied_client.exec(sandbox, "true")
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec/stream") == 1  # remembered
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec") == 2


def test_debug_logs_carry_no_secret(
    local_server: Any, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    key = local_server.new_api_key()
    client = IsloClient(api_key=key, base_url=proxy.url)
    proxy.add_rule("GET", r"^/sandboxes$", "status", status=401, times=1)
    with caplog.at_level(logging.DEBUG):
        client.list_sandboxes(limit=1)
        logging.getLogger("islo_jupyter").debug("headers %s", {"Authorization": f"Bearer {key}"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "replaying once" in text  # the 401 path was logged...
    token = local_server.token(key)
    assert key not in text and token not in text  # ...without a key or token


def test_bare_404_from_the_stream_for_a_missing_sandbox_is_not_remembered(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    # Real Islo may answer a missing sandbox with an untyped 404: that must not switch the
    # client to polling for good.
    proxy.add_rule("POST", r"/sandboxes/ghost/exec/stream$", "status", status=404, body=b"{}")
    with pytest.raises(errors.NotFoundError):
        proxied_client.exec("ghost", "true")
    assert proxied_client.exec(sandbox, "echo streamed").stdout == "streamed\n"
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec/stream") == 1


def test_proxy_variables_are_honoured_and_read_once(
    local_server: Any, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    client = IsloClient(api_key=local_server.api_key, base_url=local_server.base_url)
    monkeypatch.delenv("HTTP_PROXY")  # read at construction: later changes do not matter
    client.list_sandboxes(limit=1)
    assert proxy.count("POST", "/auth/token") == 1 and proxy.count("GET", "/sandboxes") == 1
    assert client.session.trust_env is False


def test_no_proxy_for_the_server_keeps_calls_direct(
    local_server: Any, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    IsloClient(api_key=local_server.api_key, base_url=local_server.base_url).list_sandboxes()
    assert sum(proxy.counts.values()) == 0
