"""A real HTTP proxy on 127.0.0.1 that forwards to a server and injects faults by rule.

Tests put it between a client and the local server::

    with FaultProxy(local_server.base_url) as proxy:
        proxy.add_rule("GET", r"^/sandboxes$", "reset", times=1)
        client = IsloClient(api_key=..., base_url=proxy.url)

Actions: ``status`` (answer without forwarding), ``forward_then_status`` (the server does
the work, the client gets the fault), ``reset`` (TCP RST instead of an answer), and
``cut_stream`` (relay the first ``after_chunks`` body chunks, then close the connection)
``delay`` (wait ``seconds``, then forward) and ``unchunked`` (relay a body delimited by
closing the connection). It also works as a forward proxy
(absolute-form request targets), for tests of ``session.proxies``.
Every request is counted per (method, path), whether a rule fired or not.
"""

from __future__ import annotations

import collections
import http.client
import re
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "te", "trailer"}
)


@dataclass
class Rule:
    method: str
    path: re.Pattern[str]
    action: str
    times: int | None = 1  # None: forever
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    after_chunks: int = 1
    seconds: float = 0.0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.fired >= self.times:
            return False
        return method == self.method and self.path.search(path) is not None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client or upstream that went away (a test ended, a fault fired) is expected here.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class FaultProxy:
    """Threaded forwarding proxy; ``url`` is its base URL, ``counts`` its request tally."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules: list[Rule] = []
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        self.connections = 0  # TCP connections accepted from clients
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_rule(self, method: str, path: str, action: str, **kwargs: Any) -> Rule:
        rule = Rule(method, re.compile(path), action, **kwargs)
        with self._lock:
            self.rules.append(rule)
        return rule

    def count(self, method: str, path: str) -> int:
        return self.counts[(method, path)]

    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.counts[(method, path)] += 1
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.fired += 1
                    return rule
        return None


def _make_handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with proxy._lock:
                proxy.connections += 1

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests read counts, not logs

        def _handle(self) -> None:
            if self.path.startswith("http://"):  # used as a forward proxy: absolute-form
                parts = urlsplit(self.path)
                self.path = parts.path + (f"?{parts.query}" if parts.query else "")
            path = self.path.split("?", 1)[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            rule = proxy._take_rule(self.command, path)
            if rule is not None and rule.action == "status":
                return self._answer(rule)
            if rule is not None and rule.action == "reset":
                return self._reset()
            if rule is not None and rule.action == "delay":
                time.sleep(rule.seconds)
            upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                if rule is not None and rule.action == "forward_then_status":
                    response.read()
                    return self._answer(rule)
                if rule is not None and rule.action == "unchunked":
                    return self._relay_until_close(response)
                cut = (
                    rule.after_chunks if rule is not None and rule.action == "cut_stream" else None
                )
                self._relay(response, cut)
            finally:
                upstream.close()

        do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _handle

        def _answer(self, rule: Rule) -> None:
            self.send_response(rule.status)
            for key, value in rule.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(rule.body)))
            self.end_headers()
            self.wfile.write(rule.body)

        def _reset(self) -> None:
            # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def _cut(self) -> None:
            # A clean FIN mid-body (an RST could make the kernel drop data not yet read).
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _relay_until_close(self, response: http.client.HTTPResponse) -> None:
            # HTTP/1.0 style: no length, no chunks; the body ends when the connection closes.
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Connection", "close")
            self.end_headers()
            while data := response.read1(65536):
                self.wfile.write(data)
                self.wfile.flush()
            self.close_connection = True

        def _relay(self, response: http.client.HTTPResponse, cut_after: int | None) -> None:
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunks = 0
            while True:
                data = response.read1(65536)
                if not data:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                chunks += 1
                if cut_after is not None and chunks >= cut_after:
                    return self._cut()
            self.wfile.write(b"0\r\n\r\n")

    return Handler
