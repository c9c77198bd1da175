"""Moves files between notebook and selected sandbox: upload, download link, save to folder."""

from __future__ import annotations

import base64
import html
import posixpath
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .context import PanelContext

#: Largest file offered as an in-page download link (it travels base64 inside the widget state).
MAX_LINK_BYTES = 10 * 1024 * 1024


def build_download_link(data: bytes, filename: str) -> str:
    """An ``<a download>`` link carrying ``data`` as a data: URI."""
    encoded = base64.b64encode(data).decode("ascii")
    safe = html.escape(filename, quote=True)
    return (
        f"<a download='{safe}' href='data:application/octet-stream;base64,{encoded}' "
        f"class='islo-download-link'>download {safe} ({len(data)} bytes)</a>"
    )


def join_remote(directory: str, filename: str) -> str:
    """Where an upload lands: ``directory/filename`` (``directory`` may be relative)."""
    return posixpath.join(directory.strip() or ".", filename)


def _uploaded_files(value: Any) -> list[tuple[str, bytes]]:
    """(name, bytes) pairs from a FileUpload value (ipywidgets 8: a tuple of dicts)."""
    return [(item["name"], bytes(item["content"])) for item in value]


class FileTransfer(widgets.VBox):
    """Upload picked files into a remote folder; fetch one remote file as a link or to disk."""

    def __init__(self, context: PanelContext, *, save_dir: Path | None = None):
        self._context = context
        self.save_dir = save_dir
        self.sandbox_name: str | None = None
        self.picker = widgets.FileUpload(multiple=True, description="Choose files")
        self.remote_dir = widgets.Text(
            value=".", description="to folder", layout={"width": "280px"}
        )
        self.upload_button = widgets.Button(description="Upload", icon="upload")
        self.remote_path = widgets.Text(
            placeholder="remote file path", description="file", layout={"width": "360px"}
        )
        self.link_button = widgets.Button(description="Download link", icon="link")
        self.save_button = widgets.Button(
            description="Save to notebook folder", icon="download", layout={"width": "200px"}
        )
        self.result = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.picker, self.remote_dir, self.upload_button]),
                widgets.HBox([self.remote_path, self.link_button, self.save_button]),
                self.result,
            ]
        )
        self.upload_button.on_click(self._on_upload)
        self.link_button.on_click(self._on_link)
        self.save_button.on_click(self._on_save)

    @property
    def _buttons(self) -> tuple[widgets.Button, ...]:
        return (self.upload_button, self.link_button, self.save_button)

    def show(self, sandbox_name: str | None) -> None:
        if sandbox_name != self.sandbox_name:
            self.result.value = ""
        self.sandbox_name = sandbox_name
        self.sync_busy()

    def sync_busy(self) -> None:
        name = self.sandbox_name
        busy = name is None or self._context.runner.is_busy(name)
        for button in self._buttons:
            button.disabled = busy

    def _submit(self, label: str, call: Any, done: Any) -> None:
        name = self.sandbox_name
        if name is None:
            return
        self._context.notify(f"{label}...")
        self._context.runner.submit(label, call, on_success=done, key=name)
        self.sync_busy()

    def _on_upload(self, _button: widgets.Button) -> None:
        name = self.sandbox_name
        files = _uploaded_files(self.picker.value)
        if name is None or not files:
            self._context.notify("choose files to upload first")
            return
        directory = self.remote_dir.value
        client = self._context.client

        def upload() -> list[str]:
            targets = []
            for filename, data in files:
                target = join_remote(directory, filename)
                client.upload_bytes(name, data, target)
                targets.append(target)
            return targets

        def done(targets: list[str]) -> None:
            self.result.value = "uploaded " + ", ".join(
                f"<code>{html.escape(t)}</code>" for t in targets
            )
            self._context.notify(f"uploaded {len(targets)} file(s) to {name}")
            self.picker.value = ()  # ready for the next pick; the files are in the sandbox

        self._submit(f"upload to {name}", upload, done)

    def _remote_file(self) -> str | None:
        path = self.remote_path.value.strip()
        if not path:
            self._context.notify("type the remote file's path first")
            return None
        return path

    def _on_link(self, _button: widgets.Button) -> None:
        name, path = self.sandbox_name, self._remote_file()
        if name is None or path is None:
            return
        client = self._context.client

        def done(data: bytes) -> None:
            self.result.value = build_download_link(data, posixpath.basename(path) or "file")
            self._context.notify(f"fetched {path} from {name}")

        self._submit(
            f"download {path}", lambda: client.read_file(name, path, max_bytes=MAX_LINK_BYTES), done
        )

    def _on_save(self, _button: widgets.Button) -> None:
        name, path = self.sandbox_name, self._remote_file()
        if name is None or path is None:
            return
        client = self._context.client
        target = (self.save_dir or Path.cwd()) / (posixpath.basename(path) or "download")

        def done(saved: Path) -> None:
            self.result.value = f"saved to <code>{html.escape(str(saved))}</code>"
            self._context.notify(f"saved {path} from {name}")

        self._submit(f"save {path}", lambda: client.download_file(name, path, target), done)
