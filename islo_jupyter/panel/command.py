"""Run a shell command in the selected sandbox, streaming its output into the panel."""

from __future__ import annotations

from html import escape as _escape

import ipywidgets as widgets

from ..models import ExecResult
from .context import PanelContext
from .output_stream import OutputStreamer

#: The runner key suffix for commands, so a running command does not lock pause/stop/delete.
EXEC_KEY_SUFFIX = "#exec"


class CommandRunner(widgets.VBox):
    """A command box, a Run button and an Output the command's stdout/stderr stream into."""

    def __init__(self, context: PanelContext):
        self._context = context
        self.sandbox_name: str | None = None
        self._streamer: OutputStreamer | None = None  # the running command's, if any
        self.command = widgets.Text(
            placeholder="shell command, e.g. uname -a && ls",
            layout=widgets.Layout(width="420px"),
            continuous_update=True,
        )
        self.run_button = widgets.Button(description="Run", icon="terminal", button_style="primary")
        self.run_button.add_class("islo-run")
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.output = widgets.Output(
            layout=widgets.Layout(max_height="240px", overflow="auto", border="1px solid #ddd")
        )
        self.output.add_class("islo-command-output")
        self.result_label = widgets.HTML()
        self.result_label.add_class("islo-command-result")
        super().__init__(
            [
                widgets.HBox([self.command, self.run_button, self.clear_button]),
                self.result_label,
                self.output,
            ]
        )
        self.run_button.on_click(self._on_run)
        self.clear_button.on_click(self._on_clear)

    def show(self, sandbox_name: str | None) -> None:
        if sandbox_name != self.sandbox_name:
            if self._streamer is not None:
                self._streamer.detach()  # its output belongs to the sandbox shown before
            self.output.outputs = ()  # direct: clear_output() is main-thread only
            self.result_label.value = ""
        self.sandbox_name = sandbox_name
        self.sync_busy()

    def sync_busy(self) -> None:
        name = self.sandbox_name
        self.run_button.disabled = name is None or self._context.runner.is_busy(
            name + EXEC_KEY_SUFFIX
        )

    def _on_clear(self, _button: widgets.Button) -> None:
        if self._streamer is not None:
            self._streamer.clear()
        self.output.outputs = ()  # direct: clear_output() is main-thread only
        self.result_label.value = ""

    def _on_run(self, _button: widgets.Button) -> None:
        name, command = self.sandbox_name, self.command.value.strip()
        if name is None:
            return
        if not command:
            self._context.notify("type a command to run first")
            return
        self.output.outputs = ()  # direct: clear_output() is main-thread only
        self.result_label.value = (
            f"<i>running <code>{_escape(command)}</code> in {_escape(name)}...</i>"
        )

        # Output is batched into the widget from the worker thread (a `with output:` block
        # would capture only the main thread's prints).
        streamer = self._streamer = OutputStreamer(self.output)

        def run() -> ExecResult:
            try:
                return self._context.client.exec(
                    name,
                    command,
                    on_stdout=streamer.write_stdout,
                    on_stderr=streamer.write_stderr,
                )
            finally:
                streamer.close()

        def done(result: ExecResult) -> None:
            self._context.notify(f"command in {name} finished: {_describe_exit(result)}")
            if self.sandbox_name != name:
                return  # the panel shows another sandbox now
            colour = "#2e7d32" if result.exit_code == 0 else "#c62828"
            note = ", output truncated" if result.truncated else ""
            self.result_label.value = (
                f"<span style='color:{colour}'>{_escape(result.status)}, "
                f"{_describe_exit(result)}{note} ({result.duration:.1f} s)</span>"
            )

        def failed_or_done() -> None:
            if self.sandbox_name == name and self.result_label.value.startswith("<i>running"):
                self.result_label.value = "<span style='color:#c62828'>command failed</span>"

        self._context.runner.submit(
            f"run in {name}",
            run,
            on_success=done,
            on_finally=failed_or_done,
            key=name + EXEC_KEY_SUFFIX,
        )
        self.sync_busy()


def _describe_exit(result: ExecResult) -> str:
    return "no exit code" if result.exit_code is None else f"exit code {result.exit_code}"
