"""The sandbox browser in real JupyterLab + headless Chromium: render, refresh, run a command."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from islo_jupyter.client import IsloClient
from tests.browser.lab import JupyterLab, open_notebook, run_all_cells
from tests.panel.helpers import create_many, execute_panel_notebook, make_client

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "sandbox-browser.ipynb"
# Generous: Lab, the kernel and the widget manager all start on a busy 2-core machine.
RENDER_TIMEOUT_MS = 90_000
ACTION_TIMEOUT_MS = 60_000


@pytest.fixture
def lab_client(local_server: Any) -> Iterator[IsloClient]:
    """A client on the same account the notebook's kernel uses (the Lab's ISLO_* env)."""
    with make_client(local_server, local_server.api_key) as client:
        yield client


def test_panel_renders_refreshes_and_runs_a_command(
    jupyter_lab: JupyterLab, lab_page: Any, lab_client: IsloClient
) -> None:
    prefix = f"bt-{uuid.uuid4().hex[:6]}"
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        lab_client.create_sandbox(name)
    lab_client.wait_until_running(names[0])

    page = lab_page
    open_notebook(page, jupyter_lab, NOTEBOOK)
    run_all_cells(page)
    panel = page.locator(".islo-sandbox-browser").first
    panel.wait_for(timeout=RENDER_TIMEOUT_MS)

    # The account is shared with other tests: narrow the table with the server-side search.
    search = panel.get_by_placeholder("search (Enter)")
    search.fill(prefix)
    search.press("Enter")
    rows = panel.locator(".islo-row-name")
    for name in names:
        rows.filter(has_text=name).wait_for(timeout=ACTION_TIMEOUT_MS)
    panel.locator(".islo-count").get_by_text("3 of 3").wait_for(timeout=ACTION_TIMEOUT_MS)
    assert panel.locator(".islo-row-cells .islo-badge").count() == 3  # coloured status badges

    # Created elsewhere (here: by the test), shown after a click on Refresh.
    late = f"{prefix}-late"
    lab_client.create_sandbox(late)
    panel.locator("button.islo-refresh").click()
    rows.filter(has_text=late).wait_for(timeout=ACTION_TIMEOUT_MS)
    panel.locator(".islo-count").get_by_text("4 of 4").wait_for(timeout=ACTION_TIMEOUT_MS)

    # Select the running sandbox and run a command: its output appears in the panel.
    rows.filter(has_text=names[0]).click()
    command = panel.get_by_placeholder("shell command, e.g. uname -a && ls")
    command.wait_for(timeout=ACTION_TIMEOUT_MS)
    command.fill("echo panel-says-$((6 * 7))")
    panel.locator("button.islo-run").click()
    output = panel.locator(".islo-command-output")
    output.get_by_text("panel-says-42").wait_for(timeout=ACTION_TIMEOUT_MS)
    panel.locator(".islo-command-result").get_by_text("exit code 0").wait_for(
        timeout=ACTION_TIMEOUT_MS
    )
    assert "failed" not in (panel.locator(".islo-status-line").text_content() or "")

    # "Use as default" goes through %islo panel's hook into the magics' state.
    panel.get_by_role("button", name="Use as default").click()
    panel.locator(".islo-status-line").get_by_text(
        f"{names[0]} is now the default sandbox"
    ).wait_for(timeout=ACTION_TIMEOUT_MS)


def test_saved_notebook_shows_a_snapshot_without_its_kernel(
    jupyter_lab: JupyterLab,
    lab_page: Any,
    local_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # Executed headless (as CI does) on a fresh account, saved, then opened in Lab: the
    # panel's widget model died with that kernel, so Lab must fall back to the snapshot.
    key = local_server.new_api_key()
    prefix = f"saved-{uuid.uuid4().hex[:6]}"
    with make_client(local_server, key) as client:
        create_many(client, [f"{prefix}-{i}" for i in range(2)])
    notebook = execute_panel_notebook(local_server, key, monkeypatch, tmp_path)
    nbformat.write(notebook, jupyter_lab.root_dir / "saved-panel.ipynb")

    open_notebook(lab_page, jupyter_lab, "saved-panel.ipynb")
    snapshot = lab_page.locator(".islo-panel-snapshot").first
    snapshot.wait_for(timeout=RENDER_TIMEOUT_MS)
    text = snapshot.text_content() or ""
    assert "2 of 2" in text and f"{prefix}-0" in text and f"{prefix}-1" in text
    assert lab_page.get_by_text("model not found").count() == 0
