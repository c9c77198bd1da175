"""Executes notebooks/sandbox-browser.ipynb with nbclient against the local server, as CI does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from islo_jupyter.client import IsloClient
from tests.panel.helpers import create_many

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "sandbox-browser.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_panel_notebook_runs_and_shows_its_sandboxes(
    local_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = local_server.new_api_key()  # a fresh account: the snapshot is exact
    with IsloClient(
        api_key=key, base_url=local_server.base_url, compute_url=local_server.base_url
    ) as client:
        create_many(client, ["nb-alpha", "nb-beta"])
    monkeypatch.setenv("ISLO_API_KEY", key)
    monkeypatch.setenv("ISLO_BASE_URL", local_server.base_url)
    monkeypatch.setenv("ISLO_COMPUTE_URL", local_server.base_url)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    code = [c for c in notebook.cells if c.cell_type == "code"]
    panel_outputs = [o for o in code[0].outputs if o.output_type == "display_data"]
    assert len(panel_outputs) == 1
    bundle = panel_outputs[0].data
    assert WIDGET_MIME in bundle  # the live widget...
    # ...and a snapshot of the first page for viewers without a live kernel.
    assert "nb-alpha" in bundle["text/html"] and "nb-beta" in bundle["text/plain"]
    printed = "".join(o.get("text", "") for o in code[1].outputs if o.output_type == "stream")
    assert printed.splitlines()[0] == "Islo sandboxes: 2 of 2"
    assert "nb-alpha" in printed and "nb-beta" in printed
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
