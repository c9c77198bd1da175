"""``serve``: run the local server in the foreground on loopback and publish its address."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import create_app
from .config import LOOPBACK_HOSTS, ServerSettings

log = logging.getLogger("islo_jupyter.local")


class NotLoopbackError(ValueError):
    """The local server never listens beyond this machine: it runs code for whoever calls it."""


class NoDelayH11Protocol(H11Protocol):
    """h11 writes a response's head and body separately; with Nagle on, the body then waits
    for the client's delayed ACK (~40 ms per request). Loopback wants TCP_NODELAY."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def bind_socket(host: str, port: int) -> socket.socket:
    if host not in LOOPBACK_HOSTS:
        raise NotLoopbackError(f"refusing to listen on {host!r}: only loopback addresses")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # Reuse the port of a just-stopped server (restart keeps the same base URL).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def write_server_file(path: Path, host: str, port: int) -> None:
    shown = f"[{host}]" if ":" in host else host
    info = {"pid": os.getpid(), "host": host, "port": port, "base_url": f"http://{shown}:{port}"}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(info), encoding="utf-8")
    os.replace(partial, path)


def remove_server_file(path: Path) -> None:
    """Only our own: a newer server may already have replaced it."""
    with contextlib.suppress(FileNotFoundError, ValueError, json.JSONDecodeError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def serve(settings: ServerSettings, host: str = "127.0.0.1", port: int = 0) -> None:
    """Blocks until SIGINT/SIGTERM; running execs are killed on the way out."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sock = bind_socket(host, port)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        http=NoDelayH11Protocol,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=30,
        # Open exec streams would hold shutdown forever; cut them (their commands get killed).
        timeout_graceful_shutdown=2,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    chosen = sock.getsockname()[1]
    write_server_file(settings.server_file, host, chosen)
    log.info(
        "islo local server on http://%s:%d (home %s, isolation: %s)",
        host, chosen, settings.home, app.state.runtime.launcher.isolation,
    )  # fmt: skip
    try:
        server.run(sockets=[sock])
    finally:
        remove_server_file(settings.server_file)
        sock.close()
