"""``SandboxBrowser``: the ipywidgets panel behind ``%islo panel``; lists and manages sandboxes."""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from traitlets import Bool, Float, Int, Unicode, observe

from ..models import Sandbox, SandboxPage
from .actions import SandboxActions
from .background import BackgroundRunner, describe_error
from .command import CommandRunner
from .context import PanelContext, close_tree
from .create_form import CreateForm, CreateSection
from .files import FileTransfer
from .formatting import build_snapshot_html, build_snapshot_text
from .poller import AutoRefresher, Backoff
from .selection import SelectionPanel
from .table import SandboxTable
from .toolbar import Toolbar

if TYPE_CHECKING:
    from ..client import IsloClient

_REFRESH = "refresh"
#: How long displaying the panel waits for its first page, so the recorded snapshot has rows.
FIRST_PAGE_WAIT = 5.0
#: How long an auto-refresh poll waits for its listing before giving up on it (seconds).
_POLL_WAIT = 60.0


class SandboxBrowser(widgets.VBox):
    """Lists every sandbox of the account, page by page, and acts on the selected one.

    All client calls run on a small thread pool (``wait_idle`` waits for them); the status
    line shows what each click did, errors included. Displayed without a live kernel (a
    saved notebook), it falls back to an HTML/text snapshot of the last page it showed.
    """

    busy = Bool(False, help="True while any client call is in flight")
    status_message = Unicode("", help="the last message of the status line")
    last_error = Unicode("", help="the last error shown, '' if none yet")
    selected = Unicode(None, allow_none=True, help="name of the selected sandbox")
    query = Unicode("", help="server-side search (q)")
    status_filter = Unicode(None, allow_none=True, help="only sandboxes with this status")
    offset = Int(0, help="index of the first sandbox of the current page")
    total = Int(0, help="how many sandboxes match, per the server")
    page_size = Int(50)
    auto_refresh = Bool(False, help="poll the server, backing off while nothing changes")
    poll_interval = Float(2.0, help="first auto-refresh interval (seconds)")
    poll_max_interval = Float(60.0, help="longest auto-refresh interval (seconds)")

    def __init__(
        self,
        client: IsloClient | None = None,
        *,
        on_use_default: Callable[[str], None] | None = None,
        page_size: int = 50,
        auto_refresh: bool = False,
        confirm_delete: bool = True,
    ):
        self._owns_client = client is None
        if client is None:
            from ..client import IsloClient

            client = IsloClient()  # shares the kernel's token cache: no extra exchange
        self.client = client
        self.items: list[Sandbox] = []
        self.errors: list[str] = []
        self._selected_sandbox: Sandbox | None = None
        self._generation = 0
        self._fingerprint: Hashable | None = None
        self._lock = threading.Lock()
        self._selection_lock = threading.RLock()
        self._runner = BackgroundRunner(self._on_busy, self._on_error)
        context = PanelContext(
            client=client,
            runner=self._runner,
            notify=self._notify,
            fail=self._fail,
            refresh=self.refresh,
            select=self._select,
            update=self._update_selected,
            forget=self._forget,
        )
        self._build_widgets(context, on_use_default, confirm_delete)
        super().__init__(self._layout_children())
        self.add_class("islo-sandbox-browser")
        self.page_size = page_size
        self._poller = AutoRefresher(
            self._poll, Backoff(self.poll_interval, self.poll_max_interval)
        )
        self._wire_handlers()
        self._first_listing = self.refresh()
        self.auto_refresh = auto_refresh

    # --- construction -----------------------------------------------------------------

    def _build_widgets(
        self,
        context: PanelContext,
        on_use_default: Callable[[str], None] | None,
        confirm_delete: bool,
    ) -> None:
        self.toolbar = Toolbar()
        # The toolbar's controls, by the names tests and users reach for.
        self.refresh_button = self.toolbar.refresh_button
        self.auto_toggle = self.toolbar.auto_toggle
        self.search = self.toolbar.search
        self.status_dropdown = self.toolbar.status_dropdown
        self.prev_button = self.toolbar.prev_button
        self.next_button = self.toolbar.next_button
        self.count_label = self.toolbar.count_label
        self.status_line = widgets.HTML()
        self.status_line.add_class("islo-status-line")
        self.table = SandboxTable(self._on_row_click)
        self.selection_box = SelectionPanel(
            context, on_use_default=on_use_default, confirm_delete=confirm_delete
        )
        self.create_section = CreateSection(context)

    # The parts below are built on first use (see SelectionPanel, CreateSection).

    @property
    def actions(self) -> SandboxActions:
        return self.selection_box.actions

    @property
    def command_runner(self) -> CommandRunner:
        return self.selection_box.command_runner

    @property
    def files(self) -> FileTransfer:
        return self.selection_box.files

    @property
    def create_form(self) -> CreateForm:
        return self.create_section.form

    def _layout_children(self) -> list[widgets.Widget]:
        return [
            self.toolbar,
            self.status_line,
            self.table,
            self.selection_box,
            self.create_section,
        ]

    def _wire_handlers(self) -> None:
        self.refresh_button.on_click(self._on_refresh)
        self.prev_button.on_click(self._on_prev_page)
        self.next_button.on_click(self._on_next_page)
        self.auto_toggle.observe(self._on_auto_toggle, names="value")
        self.search.observe(self._on_search, names="value")
        self.status_dropdown.observe(self._on_status_choice, names="value")

    # --- listing ----------------------------------------------------------------------

    def refresh(self) -> Future[Any] | None:
        """List the current page again in the background; returns the call's future."""
        with self._lock:
            self._generation += 1
            generation = self._generation
        query, status = self.query or None, self.status_filter
        limit, offset = self.page_size, self.offset

        def fetch() -> SandboxPage:
            return self.client.list_sandboxes(q=query, status=status, limit=limit, offset=offset)

        def apply(page: SandboxPage) -> None:
            with self._lock:
                if generation != self._generation:  # a newer listing was asked for meanwhile
                    return
            self._apply_page(page)

        return self._runner.submit(_REFRESH, fetch, on_success=apply)

    def _apply_page(self, page: SandboxPage) -> None:
        if not page.items and page.offset > 0 and page.total > 0:
            # The page emptied under us (deletions elsewhere): step back to the last page.
            self.offset = max(0, (page.total - 1) // self.page_size * self.page_size)
            self.refresh()
            return
        self.items = list(page.items)
        self.total = page.total
        self._fingerprint = (
            page.total,
            page.offset,
            tuple((s.name, s.status) for s in page.items),
        )
        self.table.show(self.items, self.selected)
        self.toolbar.show_page(len(self.items), page.offset, self.total)
        selected = next((s for s in self.items if s.name == self.selected), None)
        if selected is not None:
            self._update_selected(selected)

    def _poll(self) -> Hashable | None:
        if self._runner.is_running(_REFRESH):
            return None  # a refresh is already on its way; it counts as this poll
        future = self.refresh()
        try:
            if future is None or future.result(timeout=_POLL_WAIT) is None:
                return None  # closed, or failed (the status line already says why)
        except FutureTimeoutError:
            return None  # a slow server: try again later, the poller backs off
        return self._fingerprint

    # --- selection --------------------------------------------------------------------

    def _select(self, sandbox: Sandbox | None) -> None:
        with self._selection_lock:
            self._show_selection(sandbox)

    def _update_selected(self, sandbox: Sandbox) -> None:
        with self._selection_lock:
            if self.selected == sandbox.name:
                self._show_selection(sandbox)

    def _forget(self, name: str) -> None:
        with self._selection_lock:
            if self.selected == name:
                self._show_selection(None)

    def _show_selection(self, sandbox: Sandbox | None) -> None:
        # Callers hold the selection lock: a refresh on a worker thread must not re-select
        # the sandbox the user just clicked away from.
        self._selected_sandbox = sandbox
        self.selected = sandbox.name if sandbox is not None else None
        self.table.mark_selected(self.selected)
        self.selection_box.show(sandbox)

    @property
    def selected_sandbox(self) -> Sandbox | None:
        """What the server last said about the selected sandbox."""
        return self._selected_sandbox

    def select(self, name: str) -> None:
        """Select a sandbox of the current page by name (what clicking its row does)."""
        self.table.click_row(name)

    # --- handlers ---------------------------------------------------------------------

    def _on_row_click(self, name: str) -> None:
        sandbox = next((s for s in self.items if s.name == name), None)
        if sandbox is not None:
            self._select(sandbox)

    def _on_refresh(self, _button: widgets.Button) -> None:
        self._poller.backoff.reset()
        self.refresh()

    def _on_prev_page(self, _button: widgets.Button) -> None:
        self.offset = max(0, self.offset - self.page_size)
        self.refresh()

    def _on_next_page(self, _button: widgets.Button) -> None:
        if self.offset + self.page_size < max(self.total, 1):
            self.offset += self.page_size
            self.refresh()

    def _on_search(self, change: dict[str, Any]) -> None:
        self.query = change["new"].strip()

    def _on_status_choice(self, change: dict[str, Any]) -> None:
        self.status_filter = self.toolbar.status_value

    @observe("query", "status_filter")
    def _on_filter_change(self, _change: dict[str, Any]) -> None:
        self.offset = 0
        self.refresh()

    @observe("auto_refresh")
    def _on_auto_refresh(self, change: dict[str, Any]) -> None:
        self.auto_toggle.value = change["new"]
        if change["new"]:
            self._poller.backoff = Backoff(self.poll_interval, self.poll_max_interval)
            self._poller.start()
        else:
            self._poller.stop()

    def _on_auto_toggle(self, change: dict[str, Any]) -> None:
        self.auto_refresh = change["new"]

    def _on_busy(self, labels: list[str]) -> None:
        self.busy = bool(labels)
        self.toolbar.show_busy(labels)
        self.selection_box.sync_busy()
        if self.create_section.is_built():
            self.create_form.sync_busy()

    def _on_error(self, label: str, exc: BaseException) -> None:
        self._fail(f"{label} failed: {describe_error(exc)}")

    def _fail(self, message: str) -> None:
        self.errors.append(message)
        self.last_error = message
        self._show_status(message, error=True)

    def _notify(self, message: str) -> None:
        self._show_status(message, error=False)

    def _show_status(self, message: str, *, error: bool) -> None:
        self.status_message = message
        style = "color:#c62828;font-weight:bold" if error else "color:#333"
        self.status_line.value = f"<span style='{style}'>{html.escape(message)}</span>"

    # --- waiting, closing, fallback -----------------------------------------------------

    def wait_idle(self, timeout: float | None = 30.0) -> bool:
        """Block until no client call is in flight (clicks schedule background work)."""
        return self._runner.wait_idle(timeout)

    def close(self) -> None:
        """Stop polling, refuse new calls, and close every widget of the panel."""
        self._poller.stop()
        self._runner.close()
        for child in list(self.children):
            close_tree(child)
        self.table.close()
        super().close()
        if self._owns_client:
            self.client.close()  # calls still in flight fail quietly into closed widgets

    def snapshot_text(self) -> str:
        """The current page as a text table (what ``print`` or a plain-text viewer shows)."""
        return build_snapshot_text(self.items, self.total, self.offset, note=self.last_error)

    def snapshot_html(self) -> str:
        return build_snapshot_html(self.items, self.total, self.offset, note=self.last_error)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        # Renderers without a live widget model (nbconvert, GitHub, a kernel-less viewer)
        # pick text/html or text/plain: a snapshot of the table beats "model not found".
        first = self._first_listing
        if first is not None and not first.done():
            # The snapshot is recorded now, at display time: give the first page a moment
            # (bounded, so a slow server only delays the display, never hangs the kernel).
            with contextlib.suppress(Exception):
                first.result(timeout=FIRST_PAGE_WAIT)
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = self.snapshot_text()
        bundle["text/html"] = self.snapshot_html()
        return bundle
