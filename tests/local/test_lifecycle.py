"""Lifecycle and CLI: detached start that is idempotent across processes, status, env, stop."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from islo_jupyter.local import lifecycle
from islo_jupyter.local.cli import main

CLI_TIMEOUT = 120


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "islo_jupyter.local", *args, "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )


def test_cli_start_status_env_stop(tmp_path: Path) -> None:
    home = tmp_path / "home"
    try:
        started = _cli("start", home=home)
        assert started.returncode == 0, started.stderr
        again = _cli("start", home=home)
        info = lifecycle.status(home)
        assert info is not None
        assert info.base_url in started.stdout and info.base_url in again.stdout
        status = _cli("status", home=home)
        assert status.returncode == 0 and info.base_url in status.stdout
        env = _cli("env", home=home)
        assert env.stdout.startswith("export ISLO_API_KEY=ak_")
        assert f"ISLO_BASE_URL={info.base_url}" in env.stdout
        assert f"ISLO_COMPUTE_URL={info.base_url}" in env.stdout
        assert info.api_key not in repr(info)
        assert stat.S_IMODE(os.stat(home / "secret").st_mode) == 0o600
    finally:
        stopped = _cli("stop", home=home)
    assert "stopped" in stopped.stdout
    assert _cli("status", home=home).returncode == 1
    assert lifecycle.status(home) is None


def test_concurrent_starts_share_one_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    script = (
        "import sys; from islo_jupyter.local.lifecycle import ensure_running; "
        "print(ensure_running(sys.argv[1]).pid)"
    )
    try:
        with ThreadPoolExecutor(3) as pool:
            runs = list(pool.map(
                lambda _: subprocess.run([sys.executable, "-c", script, str(home)],
                                         capture_output=True, text=True, timeout=CLI_TIMEOUT),
                range(3),
            ))  # fmt: skip
        pids = {run.stdout.strip() for run in runs}
        assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
        assert len(pids) == 1
    finally:
        lifecycle.stop(home)


def test_key_file_is_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key = lifecycle.add_api_key(home)
    assert key.startswith("ak_")
    assert stat.S_IMODE(os.stat(home / "api_keys").st_mode) == 0o600
    assert key in (home / "api_keys").read_text()


def test_new_key_command_prints_a_fresh_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert main(["local", "new-key", "--home", str(home)]) == 0
    first = capsys.readouterr().out.strip()
    assert main(["local", "new-key", "--home", str(home)]) == 0
    second = capsys.readouterr().out.strip()
    assert first.startswith("ak_") and second.startswith("ak_") and first != second


def test_serve_refuses_non_loopback(tmp_path: Path) -> None:
    result = _cli("serve", "--host", "0.0.0.0", home=tmp_path / "home")
    assert result.returncode == 2
    assert "loopback" in result.stderr


def test_stop_when_not_running_says_so(tmp_path: Path) -> None:
    assert lifecycle.stop(tmp_path / "nothing") is False
