"""Resolve where to connect and with which key: argument > environment > defaults.

With no API key and no base URL anywhere, :func:`resolve_connection` falls back to the
embedded local server (started on demand). Keys never leave this module in clear:
``Connection`` hides its key from ``repr`` and offers only a masked form for display.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_BASE_URL = "https://api.islo.dev"
DEFAULT_COMPUTE_URL = "https://ca.compute.islo.dev"
ENV_API_KEY = "ISLO_API_KEY"
ENV_BASE_URL = "ISLO_BASE_URL"
ENV_COMPUTE_URL = "ISLO_COMPUTE_URL"


def normalize_url(url: str) -> str:
    """Strip whitespace and trailing slashes, so ``https://x/`` and ``https://x`` are one key."""
    return url.strip().rstrip("/")


def mask_secret(secret: str | None) -> str:
    """A key or token as it may be shown: ``ak_...1234`` (prefix and last four), never more."""
    if not secret:
        return "<none>"
    prefix = secret[:3] if secret.startswith("ak_") else ""
    tail = secret[-4:] if len(secret) >= 12 else ""
    return f"{prefix}...{tail}"


@dataclass(frozen=True)
class Connection:
    """Everything a client needs to reach one Islo deployment."""

    base_url: str
    compute_url: str
    api_key: str | None = field(default=None, repr=False)
    is_local: bool = False

    @property
    def masked_key(self) -> str:
        return mask_secret(self.api_key)

    def describe(self) -> str:
        """One line for humans: where this connection goes, with the key masked."""
        if self.is_local:
            return f"embedded local Islo server at {self.base_url}"
        return f"Islo at {self.base_url} (key {self.masked_key})"


def resolve_connection(
    api_key: str | None = None,
    base_url: str | None = None,
    compute_url: str | None = None,
    *,
    allow_local: bool = True,
) -> Connection:
    """Argument > environment > defaults; the local server when nothing at all is configured.

    The compute URL defaults to the base URL when a base URL is configured but no compute
    URL is (one deployment serving both planes), and to Islo's compute host otherwise.
    """
    key = api_key or os.environ.get(ENV_API_KEY) or None
    base = base_url or os.environ.get(ENV_BASE_URL) or None
    compute = compute_url or os.environ.get(ENV_COMPUTE_URL) or None
    if key is None and base is None and allow_local:
        from .local.lifecycle import ensure_running

        server = ensure_running()
        return Connection(
            base_url=normalize_url(server.base_url),
            compute_url=normalize_url(server.base_url),
            api_key=server.api_key,
            is_local=True,
        )
    base = normalize_url(base or DEFAULT_BASE_URL)
    if compute is None:
        compute = base if base != DEFAULT_BASE_URL else DEFAULT_COMPUTE_URL
    return Connection(base_url=base, compute_url=normalize_url(compute), api_key=key)
