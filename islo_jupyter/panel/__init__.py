"""The sandbox browser behind ``%islo panel``: an ipywidgets panel that manages sandboxes."""

from __future__ import annotations

from .browser import SandboxBrowser

__all__ = ["SandboxBrowser"]
