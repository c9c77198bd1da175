"""Fixtures for the magic tests: a real InteractiveShell with the extension, sandboxes, a tee.

Every test's stdout/stderr goes through :class:`Recorder`; at teardown it is scanned for the
API key and the session token, which must never be printed.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from IPython.core.interactiveshell import InteractiveShell

import islo_jupyter
from islo_jupyter.auth import TOKEN_CACHE
from islo_jupyter.client import IsloClient
from tests.notebooks.secret_scan import find_secrets


class Recorder(io.TextIOBase):
    """A thread-safe text stream that keeps everything written to it."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._lock = threading.Lock()
        self.writes = 0

    def write(self, text: str) -> int:
        with self._lock:
            self._parts.append(text)
            self.writes += 1
        return len(text)

    def writable(self) -> bool:
        return True

    def getvalue(self) -> str:
        with self._lock:
            return "".join(self._parts)

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()


class Output:
    def __init__(self) -> None:
        self.stdout = Recorder()
        self.stderr = Recorder()

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()

    def clear(self) -> None:
        self.stdout.clear()
        self.stderr.clear()


def secrets_of(server: Any) -> list[str]:
    """The default key and the session token this process's clients use for it."""
    with requests.Session() as session:
        token = TOKEN_CACHE.get_token(session, server.base_url, server.api_key)
    return [server.api_key, token]


_current: list[Output] = []


@pytest.fixture
def output(local_server: Any) -> Iterator[Output]:
    """What the cells print; :func:`run` routes sys.stdout/stderr here while a cell runs.

    (A fixture cannot swap sys.stdout itself: pytest's capture resets it when the call starts.)
    """
    captured = Output()
    _current.append(captured)
    yield captured
    _current.remove(captured)
    text = captured.out + captured.err
    assert find_secrets(text, secrets_of(local_server)) == [], "a secret was printed"


@pytest.fixture
def ip(islo_env: Any, output: Output) -> Iterator[InteractiveShell]:
    """The shell with ``islo_jupyter`` loaded against the test server; unloaded afterwards."""
    shell = InteractiveShell.instance()
    with recording():
        islo_jupyter.load_ipython_extension(shell)
    output.clear()
    yield shell
    with recording():
        islo_jupyter.unload_ipython_extension(shell)
    for name in ("R", "OUT", "ERR"):
        shell.user_ns.pop(name, None)
    shell.config.pop("IsloMagics", None)  # %config values would outlive the test otherwise


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Send sys.stdout/stderr to the test's :class:`Output` (if it has one) meanwhile."""
    if not _current:
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _current[-1].stdout, _current[-1].stderr
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def run(shell: InteractiveShell, cell: str) -> Any:
    """run_cell that raises what the cell raised (jupysql's TestingShell idea)."""
    with recording():
        result = shell.run_cell(cell)
    result.raise_error()
    return result.result


def unique(prefix: str = "m") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def client(local_server: Any) -> Iterator[IsloClient]:
    """A client of its own, for setting up and checking from outside the magics."""
    with IsloClient(
        api_key=local_server.api_key,
        base_url=local_server.base_url,
        compute_url=local_server.base_url,
    ) as made:
        yield made


def _create(client: IsloClient, name: str) -> str:
    client.create_sandbox(name)
    client.wait_until_running(name)
    return name


@pytest.fixture(scope="module")
def sandbox(client: IsloClient) -> Iterator[str]:
    name = _create(client, unique("box"))
    yield name
    client.delete_sandbox(name)


@pytest.fixture(scope="module")
def three_sandboxes(client: IsloClient) -> Iterator[list[str]]:
    names = [_create(client, unique(f"fan{i}")) for i in range(3)]
    yield names
    for name in names:
        client.delete_sandbox(name)
