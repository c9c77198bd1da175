"""Fixtures of the server tests: a fresh running sandbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LocalServer
from tests.local.helpers import create_ready


@pytest.fixture
def sandbox(local_server: LocalServer) -> Iterator[dict[str, Any]]:
    created = create_ready(local_server)
    yield created
    local_server.request("DELETE", f"/sandboxes/{created['name']}")
