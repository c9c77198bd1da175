"""The SSE exec stream under load: 50 MB at speed, keep-alives on silence, bounded buffering."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LocalServer
from tests.local.helpers import create_ready, parse_sse, wait_exec

MB = 1024 * 1024


def _open_stream(server: LocalServer, name: str, script: str):  # type: ignore[no-untyped-def]
    response = server.request(
        "POST",
        f"/sandboxes/{name}/exec/stream",
        json={"command": ["/bin/sh", "-c", script]},
        stream=True,
    )
    assert response.status_code == 200
    return response


def test_fifty_megabytes_stream_through(local_server: LocalServer, sandbox: dict) -> None:
    size = 50 * MB
    started = time.perf_counter()
    response = _open_stream(
        local_server, sandbox["name"], f"head -c {size} /dev/zero | tr '\\0' 'x'"
    )
    payload, event, last = 0, "", ("", b"")
    for line in response.iter_lines(chunk_size=256 * 1024):
        if line.startswith(b"event: "):
            event = line[7:].decode()
        elif line.startswith(b"data: "):
            if event == "stdout":
                payload += len(line) - 6
            last = (event, line[6:])
    elapsed = time.perf_counter() - started
    assert payload == size
    assert last == ("exit", b"0")
    print(f"\n50 MiB over SSE in {elapsed:.2f} s = {size / MB / elapsed:.0f} MiB/s")


def test_keepalive_comments_on_silence(
    server_factory: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISLO_LOCAL_KEEPALIVE_SECS", "0.2")
    server = server_factory()
    box = create_ready(server)
    response = _open_stream(server, box["name"], "sleep 1.5; echo done")
    body = response.content.decode()
    assert body.count(": keep-alive") >= 2
    assert parse_sse(body) == [("stdout", "done\n"), ("exit", "0")]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_slow_reader_applies_backpressure(local_server: LocalServer, sandbox: dict) -> None:
    """An endless writer and a reader that stops: the server buffers a bounded amount and
    the writer blocks on its pipe instead of the server's memory growing."""
    name = sandbox["name"]
    response = _open_stream(local_server, name, "yes 0123456789abcdef")
    exec_id = response.headers["X-Exec-Id"]
    chunks = response.iter_content(chunk_size=64 * 1024)
    next(chunks)
    baseline = _rss_kib(local_server.pid)
    time.sleep(2.0)  # the reader does nothing; an unbounded server would take ~GBs by now
    grown = _rss_kib(local_server.pid) - baseline
    received = sum(len(next(chunks)) for _ in range(20))  # the stream still flows
    response.close()
    assert received > 0
    assert grown < 64 * 1024, f"server RSS grew by {grown} KiB while the reader paused"
    assert wait_exec(local_server, name, exec_id)["status"] == "failed"  # killed on disconnect
