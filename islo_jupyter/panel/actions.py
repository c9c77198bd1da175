"""The selected sandbox's details and lifecycle actions: pause, resume, stop, delete, use."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ..models import Sandbox
from .context import PanelContext
from .formatting import build_status_badge, format_relative_time, format_resources


def build_details_html(sandbox: Sandbox) -> str:
    """A small definition list of what the server told us about one sandbox."""
    created = sandbox.created_at
    relative = format_relative_time(sandbox.created_datetime)
    fields = [
        ("name", html.escape(sandbox.name)),
        ("status", build_status_badge(sandbox.status)),
        ("id", html.escape(sandbox.id)),
        ("image", html.escape(sandbox.image)),
        ("resources", html.escape(format_resources(sandbox))),
        ("created", f"{html.escape(created)} ({html.escape(relative)})"),
        ("created by", html.escape(sandbox.created_by or "-")),
        ("workdir", html.escape(sandbox.workdir or "-")),
    ]
    if sandbox.creation_phase:
        fields.append(("phase", html.escape(sandbox.creation_phase)))
    rows = "".join(
        f"<tr><td style='padding-right:12px;color:#666'>{k}</td><td>{v}</td></tr>"
        for k, v in fields
    )
    return f"<table class='islo-details'>{rows}</table>"


class SandboxActions(widgets.VBox):
    """The details block and lifecycle buttons of the selected sandbox.

    Delete asks first unless ``confirm_delete`` is False; every action runs through the
    runner keyed on the sandbox name, so the buttons stay disabled until it is done.
    """

    def __init__(
        self,
        context: PanelContext,
        *,
        on_use_default: Callable[[str], None] | None,
        confirm_delete: bool = True,
    ):
        self._context = context
        self._on_use_default_callback = on_use_default
        self.confirm_delete = confirm_delete
        self.sandbox: Sandbox | None = None
        self.details = widgets.HTML()
        self.pause_button = widgets.Button(description="Pause", icon="pause")
        self.resume_button = widgets.Button(description="Resume", icon="play")
        self.stop_button = widgets.Button(description="Stop", icon="stop")
        self.delete_button = widgets.Button(
            description="Delete", icon="trash", button_style="danger"
        )
        self.use_default_button = widgets.Button(
            description="Use as default",
            icon="check",
            tooltip="what %islo use <name> does: later magics target this sandbox",
            disabled=on_use_default is None,
        )
        self.confirm_label = widgets.HTML()
        self.confirm_yes = widgets.Button(description="Yes, delete", button_style="danger")
        self.confirm_no = widgets.Button(description="Cancel")
        self.confirm_box = widgets.HBox(
            [self.confirm_label, self.confirm_yes, self.confirm_no],
            layout=widgets.Layout(display="none"),
        )
        self.buttons = widgets.HBox(
            [
                self.pause_button,
                self.resume_button,
                self.stop_button,
                self.delete_button,
                self.use_default_button,
            ]
        )
        super().__init__([self.details, self.buttons, self.confirm_box])
        self.pause_button.on_click(self._on_pause)
        self.resume_button.on_click(self._on_resume)
        self.stop_button.on_click(self._on_stop)
        self.delete_button.on_click(self._on_delete)
        self.confirm_yes.on_click(self._on_confirm_delete)
        self.confirm_no.on_click(self._on_cancel_delete)
        self.use_default_button.on_click(self._on_use_default)

    # --- state ------------------------------------------------------------------------

    def show(self, sandbox: Sandbox) -> None:
        if self.sandbox is None or sandbox.name != self.sandbox.name:
            self._hide_confirm()
        self.sandbox = sandbox
        self.details.value = build_details_html(sandbox)
        self.sync_busy()

    def sync_busy(self) -> None:
        """Disable the lifecycle buttons while a call for this sandbox is in flight."""
        busy = self.sandbox is None or self._context.runner.is_busy(self.sandbox.name)
        for button in (
            self.pause_button,
            self.resume_button,
            self.stop_button,
            self.delete_button,
            self.confirm_yes,
        ):
            button.disabled = busy

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    # --- handlers ---------------------------------------------------------------------

    def _run_lifecycle(self, verb: str, call: Callable[[str], Sandbox | None]) -> None:
        sandbox = self.sandbox
        if sandbox is None:
            return
        name = sandbox.name
        client = self._context.client

        def act() -> Sandbox | None:
            result = call(name)
            # stop answers with no body: read the sandbox back so the details stay true.
            return result if result is not None else client.get_sandbox(name)

        def done(updated: Sandbox | None) -> None:
            self._context.notify(f"{verb} {name}: now {updated.status if updated else '?'}")
            if updated is not None:
                self._context.update(updated)  # the user may have selected another meanwhile
            self._context.refresh()

        self._context.notify(f"{verb} {name}...")
        self._context.runner.submit(f"{verb} {name}", act, on_success=done, key=name)
        self.sync_busy()

    def _on_pause(self, _button: widgets.Button) -> None:
        self._run_lifecycle("pause", self._context.client.pause_sandbox)

    def _on_resume(self, _button: widgets.Button) -> None:
        self._run_lifecycle("resume", self._context.client.resume_sandbox)

    def _on_stop(self, _button: widgets.Button) -> None:
        self._run_lifecycle("stop", self._context.client.stop_sandbox)

    def _on_delete(self, _button: widgets.Button) -> None:
        if self.sandbox is None:
            return
        if not self.confirm_delete:
            self._delete(self.sandbox.name)
            return
        name = html.escape(self.sandbox.name)
        self.confirm_label.value = f"<b>Delete sandbox {name}?</b> This cannot be undone."
        self.confirm_box.layout.display = "flex"

    def _on_confirm_delete(self, _button: widgets.Button) -> None:
        self._hide_confirm()
        if self.sandbox is not None:
            self._delete(self.sandbox.name)

    def _on_cancel_delete(self, _button: widgets.Button) -> None:
        self._hide_confirm()
        if self.sandbox is not None:
            self._context.notify(f"kept {self.sandbox.name}")

    def _delete(self, name: str) -> None:
        def done(_result: None) -> None:
            self._context.notify(f"deleted {name}")
            self._context.forget(name)
            self._context.refresh()

        self._context.notify(f"deleting {name}...")
        self._context.runner.submit(
            f"delete {name}",
            lambda: self._context.client.delete_sandbox(name),
            on_success=done,
            key=name,
        )
        self.sync_busy()

    def _on_use_default(self, _button: widgets.Button) -> None:
        if self.sandbox is None or self._on_use_default_callback is None:
            return
        name = self.sandbox.name
        try:
            self._on_use_default_callback(name)
        except Exception as exc:  # the callback is the magics'; its failure still shows here
            self._context.fail(f"could not use {name} as default: {exc}")
            return
        self._context.notify(f"{name} is now the default sandbox for %islo and %%islo_exec")
