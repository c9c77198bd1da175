"""Settings of the local server and where its data directory lives."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ENV_HOME = "ISLO_LOCAL_HOME"
ENV_TOKEN_TTL = "ISLO_LOCAL_TOKEN_TTL"
#: Seconds of stream silence before a ``: keep-alive`` comment (tests shorten it).
ENV_KEEPALIVE = "ISLO_LOCAL_KEEPALIVE_SECS"
#: ``auto`` (bubblewrap when installed), ``bubblewrap`` (required) or ``none`` (plain processes).
ENV_ISOLATION = "ISLO_LOCAL_ISOLATION"
DEFAULT_TOKEN_TTL = 3600
#: Per stream, the head of a polled exec's output kept in memory and in SQLite.
OUTPUT_CAP_BYTES = 1024 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def default_home() -> Path:
    """``$ISLO_LOCAL_HOME``, else the platform's per-user data directory."""
    explicit = os.environ.get(ENV_HOME)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "islo-jupyter"


def default_token_ttl() -> int:
    raw = os.environ.get(ENV_TOKEN_TTL)
    return int(raw) if raw else DEFAULT_TOKEN_TTL


@dataclass(frozen=True)
class ServerSettings:
    """Everything the app needs; built once by ``serve`` (or a test) and passed down."""

    home: Path
    token_ttl: int = DEFAULT_TOKEN_TTL
    output_cap: int = OUTPUT_CAP_BYTES
    keepalive_secs: float = 15.0
    isolation: str = "auto"

    @classmethod
    def from_env(cls, home: Path, token_ttl: int | None = None) -> ServerSettings:
        """Settings for ``serve``: explicit values, then ``ISLO_LOCAL_*`` variables, defaults."""
        return cls(
            home=home,
            token_ttl=token_ttl or default_token_ttl(),
            keepalive_secs=float(os.environ.get(ENV_KEEPALIVE) or 15.0),
            isolation=os.environ.get(ENV_ISOLATION) or "auto",
        )

    @property
    def db_path(self) -> Path:
        return self.home / "state.sqlite3"

    @property
    def keys_path(self) -> Path:
        return self.home / "api_keys"

    @property
    def secret_path(self) -> Path:
        return self.home / "secret"

    @property
    def sandboxes_dir(self) -> Path:
        return self.home / "sandboxes"

    @property
    def server_file(self) -> Path:
        return self.home / "server.json"
