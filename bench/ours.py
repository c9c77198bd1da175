"""The islo_jupyter side of every comparison: client, magic shell and panel, built for a server.

Every import of islo_jupyter is inside a function, so that a piece which has not landed
makes only its own contenders "n/a" (the harness catches the ImportError).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .server import BenchServer

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from islo_jupyter.client import IsloClient


def make_client(server: BenchServer) -> IsloClient:
    from islo_jupyter.client import IsloClient

    return IsloClient(api_key=server.api_key, base_url=server.base_url, compute_url=server.base_url)


def clear_token_cache() -> None:
    from islo_jupyter.auth import TOKEN_CACHE

    TOKEN_CACHE.clear()


def exchanges_in_cache(server: BenchServer) -> int:
    from islo_jupyter.auth import TOKEN_CACHE

    return TOKEN_CACHE.stats(server.base_url, server.api_key).exchanges


@contextlib.contextmanager
def connection_env(server: BenchServer) -> Iterator[None]:
    """Point settings resolution (what ``%load_ext`` uses) at ``server`` for a while."""
    wanted = {"ISLO_API_KEY": server.api_key, "ISLO_BASE_URL": server.base_url}
    wanted["ISLO_COMPUTE_URL"] = server.base_url
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def make_shell(stack: contextlib.ExitStack, server: BenchServer) -> InteractiveShell:
    """A real IPython InteractiveShell with ``%load_ext islo_jupyter`` done, aimed at ``server``."""
    from IPython.core.interactiveshell import InteractiveShell

    stack.enter_context(connection_env(server))
    shell = InteractiveShell.instance()
    stack.callback(InteractiveShell.clear_instance)
    with contextlib.redirect_stdout(io.StringIO()):
        shell.run_line_magic("load_ext", "islo_jupyter")
    return shell


def run_cell_captured(shell: InteractiveShell, cell: str) -> str:
    """Run a cell as a notebook would, raising if it failed; returns what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = shell.run_cell(cell, store_history=False)
    result.raise_error()
    return out.getvalue()


def magic_cell(sandbox: str, body: str) -> str:
    return f"%%islo_exec {sandbox}\n{body}\n"


def magic_argv(body: str) -> list[str]:
    """The argv ``%%islo_exec`` sends for a cell body (its default shell choice)."""
    from islo_jupyter.magics.execution import build_argv

    return build_argv(body)
