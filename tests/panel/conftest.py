"""Panel fixtures: clients on fresh tenants of the local server, and a 1,000-sandbox account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from islo_jupyter.client import IsloClient
from islo_jupyter.panel import SandboxBrowser
from tests.panel.helpers import BIG_ACCOUNT, WAIT, create_many, make_client


@pytest.fixture
def tenant(local_server: Any) -> Iterator[IsloClient]:
    """A client on an empty tenant of its own: counts and listings are exact."""
    client = make_client(local_server)
    yield client
    client.close()


@pytest.fixture(scope="module")
def big_tenant(local_server: Any) -> Iterator[tuple[IsloClient, list[str]]]:
    """A tenant holding exactly BIG_ACCOUNT sandboxes named ``pg-0000``..``pg-0999``."""
    client = make_client(local_server)
    names = [f"pg-{i:04d}" for i in range(BIG_ACCOUNT)]
    create_many(client, names)
    yield client, names
    client.close()


@pytest.fixture
def open_browser() -> Iterator[Callable[..., SandboxBrowser]]:
    """Builds panels and closes each after the test, so no poller or thread outlives it."""
    opened: list[SandboxBrowser] = []

    def build(client: IsloClient, **kwargs: Any) -> SandboxBrowser:
        browser = SandboxBrowser(client, **kwargs)
        opened.append(browser)
        assert browser.wait_idle(WAIT), "the first listing did not finish"
        return browser

    yield build
    for browser in opened:
        browser.close()
