"""Execute a notebook headless with nbclient and print its outputs: ``python -m islo_jupyter.demo``.

With no ``ISLO_API_KEY`` and no ``ISLO_BASE_URL`` the kernel's ``%load_ext islo_jupyter`` uses
the embedded local server. The executed notebook is not saved unless ``--save`` is given.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

#: A cell may stream for a while; a stuck cell still ends the run.
DEFAULT_CELL_TIMEOUT = 600
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def build_kernel_env() -> dict[str, str]:
    """The kernel's environment: ours, plus this checkout on PYTHONPATH so it imports us."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent)
    parts = [package_root, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    return env


def format_output(output: Any) -> str:
    """One nbformat output as plain text (what a terminal can show)."""
    kind = output.get("output_type")
    if kind == "stream":
        text = str(output.get("text", ""))
        return text if output.get("name") != "stderr" else _prefix_lines(text, "[stderr] ")
    if kind in ("execute_result", "display_data"):
        data = output.get("data", {})
        return str(data.get("text/plain", "<" + ", ".join(sorted(data)) + ">")) + "\n"
    if kind == "error":
        lines = output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"]
        return "\n".join(_ANSI.sub("", line) for line in lines) + "\n"
    return ""


def _prefix_lines(text: str, prefix: str) -> str:
    return "".join(prefix + line for line in text.splitlines(keepends=True))


def format_cells(cells: Iterable[Any]) -> str:
    """Every code cell that ran: its source as ``In [n]:``, then its outputs."""
    chunks = []
    for cell in cells:
        if cell.get("cell_type") != "code" or cell.get("execution_count") is None:
            continue
        source = _prefix_lines(str(cell.source), "    ").rstrip()
        chunks.append(f"In [{cell.execution_count}]:\n{source}\n")
        outputs = "".join(format_output(output) for output in cell.get("outputs", []))
        if outputs:
            chunks.append(outputs if outputs.endswith("\n") else outputs + "\n")
        chunks.append("\n")
    return "".join(chunks)


def execute(notebook: Any, cwd: Path, *, timeout: int = DEFAULT_CELL_TIMEOUT) -> Any:
    """Run every cell of ``notebook`` in place in a fresh kernel; raises CellExecutionError."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute(env=build_kernel_env())
    return notebook


def execute_notebook(path: Path, *, timeout: int = DEFAULT_CELL_TIMEOUT) -> Any:
    """Run a notebook file (cwd: its folder) and print what ran, also when a cell failed."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    try:
        return execute(notebook, path.resolve().parent, timeout=timeout)
    finally:
        print(format_cells(notebook.cells), end="")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m islo_jupyter.demo", description=__doc__)
    parser.add_argument("notebook", type=Path, help="the notebook to execute")
    parser.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT, help="per cell (s)")
    parser.add_argument("--save", type=Path, help="also write the executed notebook here")
    args = parser.parse_args(argv)
    try:
        from nbclient.exceptions import CellExecutionError
    except ImportError:
        print("demo: needs nbclient (pip install 'islo_jupyter[test]')", file=sys.stderr)
        return 2

    try:
        notebook = execute_notebook(args.notebook, timeout=args.timeout)
    except CellExecutionError as exc:
        print(f"demo: a cell failed: {str(exc).splitlines()[-1] if str(exc) else exc}")
        return 1
    if args.save:
        import nbformat

        nbformat.write(notebook, args.save)
    print(f"demo: {args.notebook} ran to the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
