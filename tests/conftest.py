"""Shared fixtures: a real local Islo server process (session-wide), its env, and extra servers.

``local_server`` yields a :class:`LocalServer` with ``base_url``, ``api_key`` (the default
tenant), ``home``, ``new_api_key()``, ``stats()``, ``stop()``/``start()``. Nothing is set in
``os.environ`` except through ``islo_env`` (monkeypatched, per test).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from islo_jupyter.local import lifecycle
from islo_jupyter.local.routers.auth import UNCOUNTED_HEADER

# One JupyterLab and one Chromium for every browser test, whichever folder it is in.
pytest_plugins = ["tests.browser.fixtures"]

HTTP_TIMEOUT = 30.0


class LocalServer:
    """A local server process with its own data directory, driven through the lifecycle API."""

    def __init__(self, home: Path, token_ttl: int | None = None):
        self.home = home
        self.token_ttl = token_ttl
        self._port = 0
        self._tokens: dict[str, str] = {}
        self.base_url = ""
        self.api_key = ""
        self.pid = 0
        self.start()

    def __repr__(self) -> str:
        return f"LocalServer(base_url={self.base_url!r}, home={str(self.home)!r})"

    def start(self) -> None:
        """Start (or reuse) the server; after a stop it comes back on the same port if free."""
        try:
            info = lifecycle.ensure_running(self.home, port=self._port, token_ttl=self.token_ttl)
        except Exception:
            if not self._port:
                raise
            info = lifecycle.ensure_running(self.home, port=0, token_ttl=self.token_ttl)
        self.base_url, self.api_key, self.pid = info.base_url, info.api_key, info.pid
        self._port = int(self.base_url.rsplit(":", 1)[1])
        self._tokens.clear()

    def stop(self) -> None:
        """Graceful stop (SIGTERM): running execs are killed and recorded."""
        lifecycle.stop(self.home)

    def kill(self) -> None:
        """SIGKILL, like a crash: nothing is cleaned up, nothing recorded."""
        os.kill(self.pid, signal.SIGKILL)
        lifecycle.wait_for_exit(self.pid, 10.0)

    def new_api_key(self) -> str:
        return lifecycle.add_api_key(self.home)

    def token(self, api_key: str | None = None) -> str:
        """A session token for ``api_key`` (default tenant), cached; not counted in stats."""
        key = api_key or self.api_key
        if key not in self._tokens:
            response = requests.post(
                f"{self.base_url}/auth/token",
                json={"access_key": key},
                headers={UNCOUNTED_HEADER: "1"},
                timeout=HTTP_TIMEOUT,
            )
            response.raise_for_status()
            self._tokens[key] = response.json()["session_token"]
        return self._tokens[key]

    def headers(self, api_key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(api_key)}"}

    def request(
        self, method: str, path: str, *, api_key: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """An authenticated request; re-exchanges once if the cached token has expired."""
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        response = requests.request(
            method, self.base_url + path, headers=self.headers(api_key), **kwargs
        )
        if response.status_code == 401:
            self._tokens.pop(api_key or self.api_key, None)
            response = requests.request(
                method, self.base_url + path, headers=self.headers(api_key), **kwargs
            )
        return response

    def stats(self, api_key: str | None = None) -> dict[str, Any]:
        response = self.request("GET", "/_local/stats", api_key=api_key)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path_factory.mktemp("islo-home"))
    yield server
    server.stop()


@pytest.fixture
def islo_env(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> LocalServer:
    monkeypatch.setenv("ISLO_API_KEY", local_server.api_key)
    monkeypatch.setenv("ISLO_BASE_URL", local_server.base_url)
    monkeypatch.setenv("ISLO_COMPUTE_URL", local_server.base_url)
    return local_server


@pytest.fixture
def server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., LocalServer]]:
    """``server_factory(token_ttl=2)``: an extra server with its own home, stopped afterwards."""
    started: list[LocalServer] = []

    def make(*, token_ttl: int | None = None, home: Path | None = None) -> LocalServer:
        server = LocalServer(home or tmp_path_factory.mktemp("islo-extra"), token_ttl=token_ttl)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
