"""Executes notebooks/sandbox-browser.ipynb with nbclient against the local server, as CI does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.panel.helpers import (
    PANEL_NOTEBOOK,
    create_many,
    execute_panel_notebook,
    make_client,
)

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_panel_notebook_runs_and_shows_its_sandboxes(
    local_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = local_server.new_api_key()  # a fresh account: the snapshot is exact
    with make_client(local_server, key) as client:
        create_many(client, ["nb-alpha", "nb-beta"])
    saved = nbformat.read(PANEL_NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in saved.cells if c.cell_type == "code")
    notebook = execute_panel_notebook(local_server, key, monkeypatch, tmp_path)

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
