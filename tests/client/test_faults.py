"""Faults injected by a real proxy between the client and the local server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from islo_jupyter import errors
from islo_jupyter.client import IsloClient
from tests.client.conftest import unique_name
from tests.faultproxy import FaultProxy


def test_503_with_retry_after_then_success(proxy: FaultProxy, proxied_client: IsloClient) -> None:
    proxy.add_rule("GET", r"^/sandboxes$", "status", status=503, headers={"Retry-After": "1"})
    started = time.monotonic()
    proxied_client.list_sandboxes(limit=1)
    assert proxy.count("GET", "/sandboxes") == 2
    assert time.monotonic() - started >= 0.9  # the server's wait was honoured


def test_create_is_retried_on_503_with_retry_after_ms(
    proxy: FaultProxy, proxied_client: IsloClient, client: IsloClient
) -> None:
    name = unique_name("ra")
    headers = {"retry-after-ms": "50"}
    proxy.add_rule("POST", r"^/sandboxes$", "status", status=503, headers=headers, times=2)
    assert proxied_client.create_sandbox(name).name == name
    assert proxy.count("POST", "/sandboxes") == 3
    client.delete_sandbox(name)


def test_create_is_not_retried_on_503_without_retry_after(
    proxy: FaultProxy, proxied_client: IsloClient
) -> None:
    proxy.add_rule("POST", r"^/sandboxes$", "status", status=503, times=None)
    with pytest.raises(errors.ServerError):
        proxied_client.create_sandbox(unique_name("no"))
    assert proxy.count("POST", "/sandboxes") == 1


def test_connection_reset_on_get_is_retried(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    proxy.add_rule("GET", rf"^/sandboxes/{sandbox}$", "reset", times=1)
    assert proxied_client.get_sandbox(sandbox).name == sandbox
    assert proxy.count("GET", f"/sandboxes/{sandbox}") == 2


def test_reset_on_every_attempt_becomes_a_connection_error(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    proxy.add_rule("GET", rf"^/sandboxes/{sandbox}$", "reset", times=None)
    with pytest.raises(errors.IsloConnectionError):
        proxied_client.get_sandbox(sandbox, max_attempts=2)
    assert proxy.count("GET", f"/sandboxes/{sandbox}") == 2


def test_exec_through_a_502_is_not_retried_and_ran_once(
    local_server: Any,
    proxy: FaultProxy,
    proxied_client: IsloClient,
    client: IsloClient,
    sandbox: str,
) -> None:
    before = local_server.stats()["execs_started"]
    proxy.add_rule("POST", r"/exec/stream$", "forward_then_status", status=502, times=None)
    with pytest.raises(errors.ServerError) as info:
        proxied_client.exec(sandbox, "echo ran >> /tmp/ran-once")
    assert info.value.status_code == 502
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec/stream") == 1
    assert local_server.stats()["execs_started"] - before == 1
    # And on the sandbox itself: the command left exactly one line.
    deadline = time.monotonic() + 10
    while client.exec(sandbox, "cat /tmp/ran-once").stdout.count("ran") < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.exec(sandbox, "cat /tmp/ran-once").stdout == "ran\n"


def test_reset_after_sending_an_exec_is_not_retried(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    proxy.add_rule("POST", r"/exec/stream$", "reset", times=None)
    with pytest.raises(errors.IsloConnectionError):
        proxied_client.exec(sandbox, "true")
    assert proxy.count("POST", f"/sandboxes/{sandbox}/exec/stream") == 1


def test_conflict_is_raised_at_once(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    with pytest.raises(errors.ConflictError) as info:
        proxied_client.create_sandbox(sandbox)
    assert info.value.code == "SANDBOX_ALREADY_EXISTS"
    assert proxy.count("POST", "/sandboxes") == 1


def test_stream_cut_mid_way_raises_with_what_was_received(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    proxy.add_rule("POST", r"/exec/stream$", "cut_stream", after_chunks=1)
    seen: list[str] = []
    started = time.monotonic()
    with pytest.raises(errors.IsloStreamError) as info:
        proxied_client.exec(sandbox, "echo first; sleep 2; echo second", on_stdout=seen.append)
    assert info.value.stdout == "first\n" == "".join(seen)
    assert "second" not in info.value.stdout
    assert time.monotonic() - started < 30


def test_upload_is_not_retried_after_a_reset(
    proxy: FaultProxy, proxied_client: IsloClient, sandbox: str
) -> None:
    proxy.add_rule("POST", r"/files$", "reset", times=None)
    with pytest.raises(errors.IsloConnectionError):
        proxied_client.upload_bytes(sandbox, b"data", "x.txt")
    assert proxy.count("POST", f"/sandboxes/{sandbox}/files") == 1


def test_download_is_retried_after_a_502(
    proxy: FaultProxy, proxied_client: IsloClient, client: IsloClient, sandbox: str
) -> None:
    client.upload_bytes(sandbox, b"payload", "dl.txt")
    proxy.add_rule("GET", r"/files$", "status", status=502, times=1)
    assert proxied_client.read_file(sandbox, "dl.txt") == b"payload"
    assert proxy.count("GET", f"/sandboxes/{sandbox}/files") == 2
