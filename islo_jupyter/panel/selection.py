"""The selected-sandbox area: details and actions, command runner, files; built on first use."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

import ipywidgets as widgets

from ..models import Sandbox
from .actions import SandboxActions
from .command import CommandRunner
from .context import PanelContext, close_tree
from .files import FileTransfer


class SelectionPanel(widgets.VBox):
    """Hidden until a sandbox is selected; its widgets are built then, not with the panel.

    About 80 widget models live here: building them lazily keeps ``SandboxBrowser()`` to the
    toolbar and the table, which is what the first page needs.
    """

    def __init__(
        self,
        context: PanelContext,
        *,
        on_use_default: Callable[[str], None] | None,
        confirm_delete: bool,
    ):
        self._context = context
        self._on_use_default = on_use_default
        self._confirm_delete = confirm_delete
        self._has_children = False
        super().__init__(
            [], layout=widgets.Layout(display="none", border="1px solid #ddd", padding="4px")
        )
        self.add_class("islo-selection")

    @cached_property
    def actions(self) -> SandboxActions:
        return SandboxActions(
            self._context, on_use_default=self._on_use_default, confirm_delete=self._confirm_delete
        )

    @cached_property
    def command_runner(self) -> CommandRunner:
        return CommandRunner(self._context)

    @cached_property
    def files(self) -> FileTransfer:
        return FileTransfer(self._context)

    def _built_parts(self) -> list[SandboxActions | CommandRunner | FileTransfer]:
        names = ("actions", "command_runner", "files")
        return [self.__dict__[name] for name in names if name in self.__dict__]

    def _ensure_children(self) -> None:
        if self._has_children:
            return
        self._has_children = True
        tools = widgets.Tab([self.command_runner, self.files])
        tools.set_title(0, "Run command")
        tools.set_title(1, "Files")
        self.children = [widgets.HTML("<b>Selected sandbox</b>"), self.actions, tools]

    def show(self, sandbox: Sandbox | None) -> None:
        if sandbox is None:
            self.layout.display = "none"
            if "actions" in self.__dict__:
                self.actions.sandbox = None
            for part in self._built_parts():
                if not isinstance(part, SandboxActions):
                    part.show(None)
            return
        self._ensure_children()
        self.actions.show(sandbox)
        self.command_runner.show(sandbox.name)
        self.files.show(sandbox.name)
        self.layout.display = "flex"

    def sync_busy(self) -> None:
        for part in self._built_parts():
            part.sync_busy()

    def close(self) -> None:
        # Parts built through their properties but never shown are not children yet.
        for part in self._built_parts():
            close_tree(part)
        super().close()
