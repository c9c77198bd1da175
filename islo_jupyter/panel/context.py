"""What the parts of the sandbox browser share: the client, the runner, hooks back to the panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..models import Sandbox
from .background import BackgroundRunner

if TYPE_CHECKING:
    from ..client import IsloClient


@dataclass
class PanelContext:
    """Handed to each part, so parts call the client without knowing about each other."""

    client: IsloClient
    runner: BackgroundRunner
    #: Show a one-line message in the panel's status line.
    notify: Callable[[str], None]
    #: Show an error in the status line (red) and remember it as the panel's last error.
    fail: Callable[[str], None]
    #: Schedule a refresh of the table (runs in the background).
    refresh: Callable[[], object]
    #: Make a sandbox the selected one (None clears the selection); safe from any thread.
    select: Callable[[Sandbox | None], None]
    #: Fresh state of a sandbox: shown if it is still the selected one (never re-selects).
    update: Callable[[Sandbox], None]
    #: A sandbox is gone: clear the selection if it was the selected one.
    forget: Callable[[str], None]


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and, depth first, every widget it contains (frees front-end models)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    widget.close()
