"""Helpers for browser tests: open a notebook in JupyterLab and drive it through Lab commands."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KERNEL_IDLE_TIMEOUT_MS = 90_000


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


def open_notebook(page: Any, lab: JupyterLab, notebook: str) -> None:
    """Open a notebook and wait until its kernel is really idle (TOOLCHAIN.md: '| Idle')."""
    page.goto(lab.tree_url(notebook))
    page.wait_for_selector(".jp-Notebook", timeout=KERNEL_IDLE_TIMEOUT_MS)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=KERNEL_IDLE_TIMEOUT_MS)


def run_lab_command(page: Any, command_id: str, args: dict[str, Any] | None = None) -> None:
    """Execute a JupyterLab command through the app exposed in the page."""
    page.evaluate(
        "([id, args]) => window.jupyterapp.commands.execute(id, args)", [command_id, args or {}]
    )


def run_all_cells(page: Any) -> None:
    run_lab_command(page, "notebook:run-all-cells")
