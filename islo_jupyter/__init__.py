"""islo_jupyter: drive Islo sandboxes from Jupyter (magics, a sandbox browser, a local server).

Importing the package is cheap: the client, the magics and the panel load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from .client import IsloClient

__all__ = ["IsloClient", "__version__", "load_ipython_extension", "unload_ipython_extension"]


def __getattr__(name: str) -> Any:
    # Lazy so that `import islo_jupyter` does not pay for requests and pydantic up front.
    if name == "IsloClient":
        from .client import IsloClient

        return IsloClient
    raise AttributeError(f"module 'islo_jupyter' has no attribute {name!r}")


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Called by ``%load_ext islo_jupyter``: register ``%islo`` and ``%%islo_exec``."""
    from .magics import load_magics

    load_magics(ipython)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    """Called by ``%unload_ext islo_jupyter``: remove the magics again."""
    from .magics import unload_magics

    unload_magics(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "islo-jupyter"}]
