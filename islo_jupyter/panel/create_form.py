"""The create form: name, image, vCPUs, memory, env; progress until running, then select it."""

from __future__ import annotations

import html
from functools import cached_property

import ipywidgets as widgets

from ..models import Sandbox
from .context import PanelContext
from .formatting import parse_env_text

#: How long the form waits for a new sandbox to reach ``running`` (seconds).
CREATE_TIMEOUT = 120.0
_CREATE_LABEL = "create"


class CreateForm(widgets.VBox):
    """Fields for a new sandbox and a Create button; empty fields mean the server's default."""

    def __init__(self, context: PanelContext, *, timeout: float = CREATE_TIMEOUT):
        self._context = context
        self.timeout = timeout
        wide = widgets.Layout(width="360px")
        self.name = widgets.Text(
            placeholder="optional: the server picks one", description="name", layout=wide
        )
        self.image = widgets.Text(
            placeholder="optional: the server's default", description="image", layout=wide
        )
        self.vcpus = widgets.BoundedIntText(value=0, min=0, max=64, description="vCPUs (0=default)")
        self.memory_mb = widgets.BoundedIntText(
            value=0, min=0, max=1024 * 1024, step=256, description="memory MiB"
        )
        self.env = widgets.Textarea(
            placeholder="KEY=VALUE, one per line", description="env", layout=wide
        )
        for field in (self.vcpus, self.memory_mb):
            field.style.description_width = "120px"
        self.create_button = widgets.Button(
            description="Create", icon="plus", button_style="success"
        )
        self.progress = widgets.HTML()
        super().__init__(
            [
                self.name,
                self.image,
                widgets.HBox([self.vcpus, self.memory_mb]),
                self.env,
                widgets.HBox([self.create_button, self.progress]),
            ]
        )
        self.create_button.on_click(self._on_create)

    def sync_busy(self) -> None:
        self.create_button.disabled = self._context.runner.is_running(_CREATE_LABEL)

    def _set_progress(self, text: str, colour: str = "#555") -> None:
        self.progress.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"

    def _on_create(self, _button: widgets.Button) -> None:
        try:
            env = parse_env_text(self.env.value)
        except ValueError as exc:  # a typo in the form is shown, not sent
            self._set_progress(str(exc), "#c62828")
            self._context.notify(f"create: {exc}")
            return
        name = self.name.value.strip() or None
        image = self.image.value.strip() or None
        vcpus = self.vcpus.value or None
        memory_mb = self.memory_mb.value or None
        client = self._context.client

        def on_progress(sandbox: Sandbox) -> None:
            phase = f" ({sandbox.creation_phase})" if sandbox.creation_phase else ""
            self._set_progress(f"{sandbox.name}: {sandbox.status}{phase}...")

        def create() -> Sandbox:
            created = client.create_sandbox(
                name, image=image, vcpus=vcpus, memory_mb=memory_mb, env=env or None
            )
            on_progress(created)
            return client.wait_until_running(
                created.name, timeout=self.timeout, on_progress=on_progress
            )

        def done(sandbox: Sandbox) -> None:
            self._set_progress(f"{sandbox.name} is {sandbox.status}", "#2e7d32")
            self._context.notify(f"created {sandbox.name}")
            self._context.select(sandbox)
            self._context.refresh()

        def finish() -> None:
            if self.progress.value.endswith("...</span>") or not self.progress.value:
                self._set_progress("create failed (see the status line)", "#c62828")

        self._set_progress("creating...")
        self._context.runner.submit(_CREATE_LABEL, create, on_success=done, on_finally=finish)
        self.sync_busy()


class CreateSection(widgets.Accordion):
    """A collapsed "New sandbox" section; the form is built when it is first opened or used."""

    def __init__(self, context: PanelContext):
        self._context = context
        super().__init__([widgets.HTML()], selected_index=None)
        self.set_title(0, "New sandbox")
        self.observe(self._on_open, names="selected_index")

    @cached_property
    def form(self) -> CreateForm:
        form = CreateForm(self._context)
        self.children = [form]
        return form

    def is_built(self) -> bool:
        return "form" in self.__dict__

    def _on_open(self, change: dict[str, object]) -> None:
        if change["new"] == 0:
            _ = self.form  # build on first open
