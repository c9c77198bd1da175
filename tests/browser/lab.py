"""Helpers for browser tests: open a notebook in JupyterLab and drive it through Lab commands."""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

KERNEL_IDLE_TIMEOUT_MS = 90_000
LAB_START_TIMEOUT = 90.0


@dataclass
class JupyterLab:
    """A running JupyterLab server started by the test session."""

    url: str
    token: str
    root_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def tree_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"

    def add_notebook(self, source: Path, name: str | None = None) -> str:
        """Copy a notebook into the Lab root; returns the name to open it by."""
        target = self.root_dir / (name or source.name)
        shutil.copyfile(source, target)
        return target.name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_lab(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + LAB_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer within {LAB_START_TIMEOUT}s; see {log}")


@contextmanager
def running_lab(
    python: str,
    root_dir: Path,
    log_path: Path,
    env: Mapping[str, str],
    extra_args: Sequence[str] = (),
) -> Iterator[JupyterLab]:
    """A JupyterLab of ``python`` on a free loopback port with a random token, stopped after."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        python,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=dict(env))
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_lab(url, token, process, log_path)
        yield JupyterLab(url, token, root_dir, log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


_ACTIVATE_PANEL_JS = """(path) => {
    const app = window.jupyterapp;
    for (const widget of app.shell.widgets('main')) {
        if (widget.context && widget.context.path === path) {
            app.shell.activateById(widget.id);
            return widget.id;
        }
    }
    return null;
}"""


def open_notebook(page: Any, lab: JupyterLab, notebook: str) -> str:
    """Open a notebook, make it current, and wait until its kernel is really idle.

    Each notebook gets a workspace of its own: the default workspace restores the tabs of
    earlier tests, and a wait for `.jp-Notebook` could then settle on a hidden one. The
    kernel wait is for the status bar's '| Idle' (TOOLCHAIN.md): an earlier idle indicator
    matches while the kernel is still connecting. Returns the notebook panel's DOM id.
    """
    page.goto(f"{lab.url}/lab/workspaces/{Path(notebook).stem}/tree/{notebook}?token={lab.token}")
    page.locator(".jp-Notebook:visible").first.wait_for(timeout=KERNEL_IDLE_TIMEOUT_MS)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=KERNEL_IDLE_TIMEOUT_MS)
    panel_id = page.evaluate(_ACTIVATE_PANEL_JS, notebook)
    assert panel_id, f"{notebook} is not open in JupyterLab"
    return str(panel_id)


def run_lab_command(page: Any, command_id: str, args: dict[str, Any] | None = None) -> None:
    """Execute a JupyterLab command through the app exposed in the page."""
    page.evaluate(
        "([id, args]) => window.jupyterapp.commands.execute(id, args)", [command_id, args or {}]
    )


def run_all_cells(page: Any) -> None:
    run_lab_command(page, "notebook:run-all-cells")
