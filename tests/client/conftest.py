"""Fixtures of the client tests: a clean token cache, a client, a running sandbox, a fault proxy."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any

import pytest

from islo_jupyter.auth import TOKEN_CACHE
from islo_jupyter.client import IsloClient
from tests.faultproxy import FaultProxy

_names = itertools.count()


@pytest.fixture(autouse=True)
def clean_token_cache() -> Iterator[None]:
    TOKEN_CACHE.clear()
    yield
    TOKEN_CACHE.clear()


def unique_name(prefix: str = "c") -> str:
    """A sandbox name no other test (or earlier run on the same server) uses."""
    return f"{prefix}-{os.getpid()}-{next(_names)}"


@pytest.fixture
def client(local_server: Any) -> Iterator[IsloClient]:
    with IsloClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        yield c


@pytest.fixture(scope="module")
def sandbox(local_server: Any) -> Iterator[str]:
    """A running sandbox shared by the tests of one module (deleted afterwards)."""
    name = unique_name("box")
    with IsloClient(api_key=local_server.api_key, base_url=local_server.base_url) as c:
        c.create_sandbox(name)
        c.wait_until_running(name, timeout=60)
        yield name
        c.delete_sandbox(name)


@pytest.fixture
def proxy(local_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy(local_server.base_url) as p:
        yield p


@pytest.fixture
def proxied_client(local_server: Any, proxy: FaultProxy) -> Iterator[IsloClient]:
    with IsloClient(api_key=local_server.api_key, base_url=proxy.url) as c:
        yield c
