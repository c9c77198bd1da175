"""The floors ours is measured against: bare requests + SSE parse, http.client, raw socket, spawn.

Deliberately minimal and independent of islo_jupyter, so that they show what the wire and
the machine cost, not what our code costs.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

STREAM_HEADERS = {"Accept": "text/event-stream", "Content-Type": "application/json"}


@dataclass
class StreamOutcome:
    """What a floor read from ``/exec/stream``: the stdout bytes and the exit code."""

    stdout: bytes
    exit_code: int | None
    body_bytes: int = 0


def parse_sse_lines(lines: Iterable[bytes]) -> StreamOutcome:
    """The least an SSE reader must do: ``event:``/``data:`` lines, blank line = dispatch."""
    stdout: list[bytes] = []
    exit_code: int | None = None
    event, data = b"message", list[bytes]()
    for line in lines:
        if not line:
            if event == b"stdout":
                stdout.append(b"\n".join(data))
            elif event == b"exit" and data:
                exit_code = int(data[0].strip() or b"-1")
            event, data = b"message", list[bytes]()
        elif line.startswith(b"data:"):
            data.append(line[6:] if line[5:6] == b" " else line[5:])
        elif line.startswith(b"event:"):
            event = line[6:].strip()
    return StreamOutcome(b"".join(stdout), exit_code)


def requests_stream_exec(
    session: requests.Session, url: str, token: str, argv: list[str]
) -> StreamOutcome:
    """A streaming POST through a kept-alive ``requests.Session``, SSE parsed line by line."""
    headers = {**STREAM_HEADERS, "Authorization": f"Bearer {token}"}
    with session.post(url, json={"command": argv}, headers=headers, stream=True, timeout=60) as r:
        r.raise_for_status()
        return parse_sse_lines(r.iter_lines(chunk_size=65536))


class HttpClientFloor:
    """One persistent ``http.client`` connection: the cheapest stdlib HTTP round trip."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self._conn = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=60
        )
        self._headers = {**STREAM_HEADERS, "Authorization": f"Bearer {token}"}
        self._prefix = parts.path.rstrip("/")

    def exec_stream(self, sandbox: str, argv: list[str]) -> StreamOutcome:
        body = json.dumps({"command": argv})
        self._conn.request(
            "POST", f"{self._prefix}/sandboxes/{sandbox}/exec/stream", body, self._headers
        )
        response = self._conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {payload[:200]!r}")
        return parse_sse_lines(payload.splitlines())

    def close(self) -> None:
        self._conn.close()


def raw_socket_stream(base_url: str, token: str, sandbox: str, argv: list[str]) -> int:
    """Send the stream request by hand and count the body bytes until the server closes."""
    parts = urlsplit(base_url)
    body = json.dumps({"command": argv}).encode()
    head = (
        f"POST {parts.path.rstrip('/')}/sandboxes/{sandbox}/exec/stream HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    buffer = bytearray(1 << 18)
    view = memoryview(buffer)
    total = 0
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        sock.sendall(head + body)
        while True:
            got = sock.recv_into(view)
            if not got:
                return total
            total += got


def process_floor(argv: list[str]) -> bytes:
    """The same command as a plain local child process: what spawning alone costs."""
    return subprocess.run(argv, capture_output=True, check=True).stdout
