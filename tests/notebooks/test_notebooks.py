"""Notebooks run headless with nbclient against the local server; no secret is ever saved."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook

from islo_jupyter.client import IsloClient
from islo_jupyter.demo import execute, format_cells
from islo_jupyter.errors import NotFoundError

from .secret_scan import find_secrets

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 300


def all_output_text(notebook: Any) -> str:
    return json.dumps([cell.get("outputs", []) for cell in notebook.cells])


def test_quickstart_runs_green_and_shows_no_secret(
    islo_env: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    notebook = nbformat.read(REPO / "notebooks" / "quickstart.ipynb", as_version=4)
    execute(notebook, tmp_path, timeout=CELL_TIMEOUT)
    text = format_cells(notebook.cells)
    assert "islo_jupyter: connected to Islo at" in text
    assert "hello from Linux\nstep 1\nstep 2\nstep 3\n" in text
    assert "[stderr] about to fail" in text
    assert "['word-1', 'word-2', 'word-3', 'word-4', 'word-5']" in text
    assert "['10', '9', '8'] ['sorted.txt']" in text
    assert "Deleted sandbox 'quickstart'" in text
    assert all(
        cell.execution_count is not None for cell in notebook.cells if cell.cell_type == "code"
    )
    captured = capfd.readouterr()
    secrets = [islo_env.api_key, islo_env.token()]
    everything = all_output_text(notebook) + text + captured.out + captured.err
    assert find_secrets(everything, secrets) == []


def test_a_failing_exec_cell_stops_the_run_with_a_short_error(
    islo_env: Any, tmp_path: Path
) -> None:
    cells = [
        "%load_ext islo_jupyter",
        "%islo rm -f nb-fail\n%islo create nb-fail",
        "%%islo_exec nb-fail\necho before\necho 'it broke' >&2\nexit 4",
        "print('never runs')",
        "%islo rm nb-fail",
    ]
    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    try:
        with pytest.raises(CellExecutionError) as caught:
            execute(notebook, tmp_path, timeout=CELL_TIMEOUT)
        assert caught.value.ename == "IsloExecError"
        assert "exit code 4" in caught.value.evalue
        failed = notebook.cells[2]
        (error,) = [o for o in failed.outputs if o.output_type == "error"]
        shown = "\n".join(error.traceback)
        assert "it broke" in shown and "Traceback" not in shown  # the short form
        assert notebook.cells[3].execution_count is None  # Run All stopped there
    finally:
        with IsloClient() as client, contextlib.suppress(NotFoundError):
            client.delete_sandbox("nb-fail")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_saved_notebooks_carry_no_outputs_and_no_secrets(path: Path, local_server: Any) -> None:
    text = path.read_text()
    assert find_secrets(text, [local_server.api_key]) == []
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


def test_secret_scan_finds_what_it_should() -> None:
    # Built at run time, so the repository holds nothing shaped like a real key or token.
    assert find_secrets("key ak_" + "abcdefghijklmnopqrstu here", []) != []
    assert find_secrets("masked ak_...1234 is fine", []) == []
    assert find_secrets("eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJ0X2FiYyJ9.sig", []) != []
    assert find_secrets("plain", ["plain"]) == ["plain"]
