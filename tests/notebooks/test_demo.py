"""``python -m islo_jupyter.demo``: runs a notebook headless and prints what it showed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from islo_jupyter.demo import main

from .secret_scan import find_secrets


def write_notebook(path: Path, *sources: str) -> Path:
    cells = [new_markdown_cell("# demo"), *(new_code_cell(source) for source in sources)]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


def test_demo_prints_every_cell_and_its_outputs(
    islo_env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_notebook(
        tmp_path / "ok.ipynb",
        "%load_ext islo_jupyter",
        "import sys\nprint('to stdout'); print('to stderr', file=sys.stderr)\n6 * 7",
    )
    saved = tmp_path / "executed.ipynb"
    assert main([str(path), "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "In [1]:\n    %load_ext islo_jupyter\nislo_jupyter: connected to" in out
    assert "to stdout\n[stderr] to stderr\n42\n" in out
    assert out.endswith("ran to the end\n")
    assert find_secrets(out + saved.read_text(), [islo_env.api_key, islo_env.token()]) == []


def test_demo_stops_at_a_failing_cell_and_says_so(
    islo_env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_notebook(tmp_path / "bad.ipynb", "print('ran')", "1 / 0", "print('not reached')")
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert "ran\n" in out and "ZeroDivisionError" in out
    assert "not reached" not in out  # neither run nor listed
    assert "demo: a cell failed" in out
