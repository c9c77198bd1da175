"""Per-kernel state of the magics: the one shared client and the sandboxes this kernel created."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..client import IsloClient


def _build_default_client() -> IsloClient:
    from ..client import IsloClient

    return IsloClient()


class KernelState:
    """The kernel's client (built on first use, shared with the panel) and its sandboxes."""

    def __init__(self, client_factory: Callable[[], IsloClient] = _build_default_client) -> None:
        self._client_factory = client_factory
        self._client: IsloClient | None = None
        self._lock = threading.Lock()
        # dict as an ordered set: cleanup deletes in creation order.
        self._created: dict[str, None] = {}

    @property
    def client(self) -> IsloClient:
        with self._lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    @property
    def has_client(self) -> bool:
        return self._client is not None

    def replace_client(self, client: IsloClient) -> None:
        """Switch the kernel to a new client (``%islo login``); the old one is closed."""
        with self._lock:
            old, self._client = self._client, client
        if old is not None:
            _close_quietly(old)

    def close(self) -> None:
        with self._lock:
            old, self._client = self._client, None
        if old is not None:
            _close_quietly(old)

    def record_created(self, name: str) -> None:
        self._created[name] = None

    def forget(self, name: str) -> None:
        self._created.pop(name, None)

    @property
    def created(self) -> list[str]:
        return list(self._created)


def _close_quietly(client: IsloClient) -> None:
    close = getattr(client, "close", None)
    if callable(close):
        close()
