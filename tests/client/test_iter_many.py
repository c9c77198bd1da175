"""10,000 sandboxes listed through iter_sandboxes, page by page, with bounded memory."""

from __future__ import annotations

import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

import pytest

from islo_jupyter.client import IsloClient
from islo_jupyter.local.keys import tenant_of
from islo_jupyter.local.store import SandboxRecord, Store
from islo_jupyter.models import SandboxPage

MANY = 10_000


def _seed(home: Path, api_key: str, prefix: str, count: int) -> None:
    """Rows written through the server's own store: creating 10,000 sandboxes over HTTP takes
    about a minute here (each create prepares a workspace), and listing is what is under test."""
    store = Store(home / "state.sqlite3")
    tenant = tenant_of(api_key)
    try:
        for i in range(count):
            store.insert_sandbox(
                SandboxRecord(
                    id=str(uuid.uuid4()),
                    tenant=tenant,
                    name=f"{prefix}-{i:05d}",
                    image="python:3.12-slim",
                    status="stopped",
                    created_at=f"2026-01-01T00:00:00.{i:06d}Z",
                )
            )
    finally:
        store.close()


@pytest.fixture(scope="module")
def many(local_server: Any) -> tuple[str, str]:
    key = local_server.new_api_key()
    _seed(local_server.home, key, "many", MANY)
    return key, "many"


def _walk(client: IsloClient, prefix: str, page_size: int = 100) -> tuple[bytearray, int]:
    """Marks each index seen in a 10 KB bitmap (no list of 10,000 objects is ever built)."""
    seen = bytearray(MANY)
    count = 0
    for sandbox in client.iter_sandboxes(name_prefix=prefix, page_size=page_size):
        seen[int(sandbox.name.rsplit("-", 1)[1])] += 1
        count += 1
    return seen, count


def test_ten_thousand_sandboxes_with_bounded_memory(
    local_server: Any, many: tuple[str, str]
) -> None:
    key, prefix = many
    client = IsloClient(api_key=key, base_url=local_server.base_url)
    assert client.list_sandboxes(limit=1).total == MANY
    tracemalloc.start()
    started = time.monotonic()
    try:
        seen, count = _walk(client, prefix)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == MANY and set(seen) == {1}
    # One page of 100 is a few hundred KB; all 10,000 models at once would be tens of MB.
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while iterating"
    print(f"iterated {MANY} sandboxes in {time.monotonic() - started:.1f} s, peak {peak} B")


class _NoCursorClient(IsloClient):
    """The same real server, seen as one that offers no cursor: iteration must use offsets."""

    def list_sandboxes(self, **kwargs: Any) -> SandboxPage:
        assert kwargs.get("cursor") is None
        page = super().list_sandboxes(**kwargs)
        return page.model_copy(update={"next_cursor": None})


def test_offset_fallback_when_no_cursor_is_offered(
    local_server: Any, many: tuple[str, str]
) -> None:
    key, prefix = many
    client = _NoCursorClient(api_key=key, base_url=local_server.base_url)
    seen, count = _walk(client, prefix, page_size=1000)  # offsets cost the server O(n) each
    assert count == MANY and set(seen) == {1}
