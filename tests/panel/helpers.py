"""Helpers for the panel tests: clients on fresh tenants, bulk creation, unique names."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from islo_jupyter.client import IsloClient

#: Generous: the shared 2-core machine may be busy with other suites.
WAIT = 60.0
BIG_ACCOUNT = 1000


def make_client(local_server: Any, api_key: str | None = None) -> IsloClient:
    return IsloClient(
        api_key=api_key or local_server.new_api_key(),
        base_url=local_server.base_url,
        compute_url=local_server.base_url,
    )


def create_many(client: IsloClient, names: list[str], workers: int = 8) -> None:
    """Create sandboxes in parallel (the server is the bottleneck, not the loop)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda name: client.create_sandbox(name), names))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
