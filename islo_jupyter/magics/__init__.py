"""The IPython magics of islo_jupyter: register and unregister ``IsloMagics`` on a shell."""

from __future__ import annotations

import atexit
from typing import TYPE_CHECKING

from ..errors import IsloError
from .completion import install_completer, remove_completer
from .core import IsloMagics

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["IsloMagics", "load_magics", "unload_magics"]

_COMPLETION_KEYS = ("%islo", "%%islo_exec")


def _registered(ipython: InteractiveShell) -> IsloMagics | None:
    found = ipython.magics_manager.registry.get(IsloMagics.__name__)
    return found if isinstance(found, IsloMagics) else None


def _announce(magics: IsloMagics) -> None:
    try:
        print(f"islo_jupyter: connected to {magics.state.client.connection.describe()}")
    except IsloError as exc:  # load anyway: %islo login or %islo local start can fix it
        print(f"islo_jupyter: not connected ({exc.short_message()})")


def load_magics(ipython: InteractiveShell) -> None:
    """Register ``%islo`` and ``%%islo_exec`` and say where they connect (again on a reload)."""
    magics = _registered(ipython)
    if magics is None:
        magics = IsloMagics(ipython)
        ipython.register_magics(magics)
        install_completer(ipython, "%islo", magics.complete_islo)
        install_completer(ipython, "%%islo_exec", magics.complete_islo_exec)
        atexit.register(magics.cleanup_at_exit)
    _announce(magics)


def unload_magics(ipython: InteractiveShell) -> None:
    """Remove the magics, their completers and exit hook, and close the kernel's client."""
    magics = _registered(ipython)
    if magics is None:
        return
    manager = ipython.magics_manager
    manager.magics["line"].pop("islo", None)
    manager.magics["cell"].pop("islo_exec", None)
    manager.registry.pop(IsloMagics.__name__, None)
    if magics in ipython.configurables:
        ipython.configurables.remove(magics)  # type: ignore[arg-type]
    for key in _COMPLETION_KEYS:
        remove_completer(ipython, key)
    atexit.unregister(magics.cleanup_at_exit)
    magics.state.close()
