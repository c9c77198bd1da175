"""Start and talk to our own local Islo server instances (a temp home each) for the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

START_TIMEOUT = 60.0


@dataclass
class BenchServer:
    """One running ``python -m islo_jupyter.local serve`` process that this run owns."""

    base_url: str
    api_key: str
    home: Path
    process: subprocess.Popen[bytes]
    token_ttl: int

    def __repr__(self) -> str:  # never the key
        return f"<BenchServer {self.base_url} ttl={self.token_ttl}>"

    def exchange(self, session: requests.Session | None = None) -> str:
        """A fresh session token, through a bare POST (no cache of ours involved)."""
        poster = session or requests
        response = poster.post(
            f"{self.base_url}/auth/token", json={"access_key": self.api_key}, timeout=30
        )
        response.raise_for_status()
        return str(response.json()["session_token"])

    def stats(self, token: str | None = None) -> dict[str, Any]:
        """The server's own counters (token exchanges, execs started)."""
        response = requests.get(
            f"{self.base_url}/_local/stats",
            headers={"Authorization": f"Bearer {token or self.exchange()}"},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())

    def exchange_counter(self) -> ExchangeCounter:
        return ExchangeCounter(self)


def _exchange_total(stats: dict[str, Any]) -> int:
    """This tenant's exchanges: ``{"token_exchanges": {"tenant": n, "total": m}}``."""
    value = stats["token_exchanges"]
    return int(value["tenant"] if isinstance(value, dict) else value)


class ExchangeCounter:
    """Counts the exchanges the server answers from now on, leaving out its own queries."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._token = server.exchange()
        self._start = _exchange_total(server.stats(self._token))

    def count(self) -> int:
        own = 0
        try:
            stats = self._server.stats(self._token)
        except requests.HTTPError:  # our query token expired (short TTL): one more own exchange
            own, stats = 1, self._server.stats()
        return _exchange_total(stats) - self._start - own


def _read_server_file(home: Path) -> dict[str, Any] | None:
    path = home / "server.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("base_url") else None


def _read_api_key(home: Path) -> str:
    lines = (home / "api_keys").read_text(encoding="utf-8").splitlines()
    return next(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local server exited with {process.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        time.sleep(0.05)
    raise TimeoutError("local server did not answer in time")


@contextlib.contextmanager
def run_server(token_ttl: int, home: Path | None = None) -> Iterator[BenchServer]:
    """A server on a free loopback port with its own home; stopped (by its pid) on exit."""
    with contextlib.ExitStack() as stack:
        if home is None:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="islo-bench-")))
        home.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (home / "server.json").unlink()  # a stale file from an earlier run must not count
        argv = [sys.executable, "-m", "islo_jupyter.local", "serve", "--port", "0"]
        argv += ["--home", str(home), "--token-ttl", str(token_ttl)]
        log = (home / "server.log").open("wb")
        stack.callback(log.close)
        env = {k: v for k, v in os.environ.items() if not k.startswith("ISLO_")}
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        stack.callback(_stop, process)
        deadline = time.monotonic() + START_TIMEOUT
        info = None
        while info is None or int(info.get("pid", process.pid)) != process.pid:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (home / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"local server did not start:\n{tail}")
            time.sleep(0.05)
            info = _read_server_file(home)
        base_url = str(info["base_url"]).rstrip("/")
        _wait_healthy(base_url, process, deadline)
        yield BenchServer(base_url, _read_api_key(home), home, process, token_ttl)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def create_sandboxes(
    server: BenchServer, names: list[str], *, threads: int = 4, wait: bool = True
) -> None:
    """Create sandboxes through the wire API (bare requests), and wait until each runs."""
    token = server.exchange()
    headers = {"Authorization": f"Bearer {token}"}

    def create(chunk: list[str]) -> None:
        with requests.Session() as session:
            session.headers.update(headers)
            for name in chunk:
                response = session.post(
                    f"{server.base_url}/sandboxes", json={"name": name}, timeout=60
                )
                if response.status_code != 409:  # already there from an earlier run: fine
                    response.raise_for_status()
                if wait:
                    wait_running(session, server.base_url, name)

    chunks = [names[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(create, [c for c in chunks if c]))


def wait_running(
    session: requests.Session, base_url: str, name: str, *, poll: float = 0.01
) -> None:
    """Poll ``GET /sandboxes/{name}`` until it says running (or fails, or 60 s pass)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = session.get(f"{base_url}/sandboxes/{name}", timeout=60)
        response.raise_for_status()
        status = response.json()["status"]
        if status == "running":
            return
        if status in ("failed", "stopped", "deleted"):
            raise RuntimeError(f"sandbox {name} ended up {status}")
        time.sleep(poll)
    raise TimeoutError(f"sandbox {name} not running in time")
