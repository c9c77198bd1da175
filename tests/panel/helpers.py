"""Helpers for the panel tests: clients on fresh tenants, bulk creation, unique names."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import pytest

from islo_jupyter.client import IsloClient
from islo_jupyter.demo import execute

PANEL_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "sandbox-browser.ipynb"
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


def execute_panel_notebook(
    local_server: Any, api_key: str, monkeypatch: pytest.MonkeyPatch, cwd: Path
) -> Any:
    """Run notebooks/sandbox-browser.ipynb with nbclient, its kernel signed in as ``api_key``."""
    monkeypatch.setenv("ISLO_API_KEY", api_key)
    monkeypatch.setenv("ISLO_BASE_URL", local_server.base_url)
    monkeypatch.setenv("ISLO_COMPUTE_URL", local_server.base_url)
    return execute(nbformat.read(PANEL_NOTEBOOK, as_version=4), cwd, timeout=120)
