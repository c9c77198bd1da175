"""Start (detached, once), find, and stop the local server of a data directory."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IsloConnectionError
from .config import ServerSettings, default_home
from .keys import add_api_key as _append_key
from .keys import ensure_default_key

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class ServerInfo:
    """Where a running local server listens, and the default tenant's key (never in repr)."""

    base_url: str
    api_key: str = field(repr=False)
    pid: int
    home: Path


def _home(home: Path | str | None) -> Path:
    return Path(home).expanduser().resolve() if home else default_home().resolve()


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One starter at a time per data directory, across processes."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "server.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0): reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _is_healthy(base_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=timeout) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _read_server_file(home: Path) -> dict | None:
    try:
        info = json.loads((home / "server.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def status(home: Path | str | None = None) -> ServerInfo | None:
    """The live server of ``home``, or None (a stale server.json is ignored)."""
    home = _home(home)
    info = _read_server_file(home)
    if not info or not _is_alive(int(info["pid"])) or not _is_healthy(info["base_url"]):
        return None
    key = ensure_default_key(ServerSettings(home=home).keys_path)
    return ServerInfo(base_url=info["base_url"], api_key=key, pid=int(info["pid"]), home=home)


def _spawn(home: Path, port: int, token_ttl: int | None) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "islo_jupyter.local", "serve", "--home", str(home)]
    argv += ["--port", str(port)]
    if token_ttl is not None:
        argv += ["--token-ttl", str(token_ttl)]
    log = open(home / "server.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # survives the kernel or shell that started it
            close_fds=True,
        )
    finally:
        log.close()


def ensure_running(
    home: Path | str | None = None, *, port: int = 0, token_ttl: int | None = None
) -> ServerInfo:
    """The running server of ``home``, started detached first if there is none. Safe to call
    from several processes at once: they serialise on a lock file and share one server."""
    home = _home(home)
    with _locked(home):
        running = status(home)
        if running is not None:
            return running
        ensure_default_key(ServerSettings(home=home).keys_path)
        process = _spawn(home, port, token_ttl)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            info = _read_server_file(home)
            if info and info.get("pid") == process.pid and _is_healthy(info["base_url"]):
                found = status(home)
                if found is not None:
                    return found
            if process.poll() is not None:
                break
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise IsloConnectionError(f"the local Islo server did not start; see {home / 'server.log'}")


def wait_for_exit(pid: int, timeout: float) -> bool:
    """True once ``pid`` is gone, False if it still runs after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while _is_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stop(home: Path | str | None = None) -> bool:
    """Stop the server of ``home``; True if one was running."""
    home = _home(home)
    info = _read_server_file(home)
    if not info or not _is_alive(int(info["pid"])):
        return False
    pid = int(info["pid"])
    os.kill(pid, signal.SIGTERM)
    if not wait_for_exit(pid, STOP_TIMEOUT):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_for_exit(pid, STOP_TIMEOUT)
    with contextlib.suppress(FileNotFoundError):
        (home / "server.json").unlink()
    return True


def add_api_key(home: Path | str | None = None) -> str:
    """A fresh API key, i.e. a new tenant; the running server accepts it at once."""
    return _append_key(ServerSettings(home=_home(home)).keys_path)
