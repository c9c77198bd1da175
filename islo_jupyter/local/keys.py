"""API keys (one tenant each) and the token-signing secret, kept in files of mode 0600."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_PREFIX = "ak_"


def _write_private(path: Path, text: str, *, append: bool = False) -> None:
    """Write with mode 0600 from the start, so the secret is never briefly world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "a" if append else "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def tenant_of(api_key: str) -> str:
    """A stable, non-reversible tenant id for a key (the key itself is never stored elsewhere)."""
    return "t_" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


def read_api_keys(keys_path: Path) -> list[str]:
    if not keys_path.exists():
        return []
    lines = keys_path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ensure_default_key(keys_path: Path) -> str:
    """The first key of the file, generated on first use."""
    keys = read_api_keys(keys_path)
    if keys:
        return keys[0]
    key = new_api_key()
    _write_private(keys_path, key + "\n", append=True)
    return read_api_keys(keys_path)[0]


def add_api_key(keys_path: Path) -> str:
    """Append a fresh key (a new tenant); a running server picks it up on its next exchange."""
    ensure_default_key(keys_path)
    key = new_api_key()
    _write_private(keys_path, key + "\n", append=True)
    return key


def ensure_secret(secret_path: Path) -> bytes:
    if not secret_path.exists():
        _write_private(secret_path, secrets.token_hex(32))
    return secret_path.read_text(encoding="utf-8").strip().encode()


class KeyRing:
    """The server's view of ``api_keys``: re-read on change, compared in constant time."""

    def __init__(self, keys_path: Path):
        self._path = keys_path
        self._mtime: float | None = None
        self._keys: list[str] = []

    def _refresh(self) -> None:
        try:
            mtime = self._path.stat().st_mtime_ns
        except FileNotFoundError:
            self._keys, self._mtime = [], None
            return
        if mtime != self._mtime:
            self._keys, self._mtime = read_api_keys(self._path), mtime

    def tenant_for(self, api_key: str) -> str | None:
        self._refresh()
        found = False
        for known in self._keys:
            found |= hmac.compare_digest(known.encode(), api_key.encode())
        return tenant_of(api_key) if found else None
