"""The sandbox table: one clickable row per sandbox of the page; row widgets reused across pages."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets

from ..models import Sandbox
from .formatting import COLUMNS, build_row_cells, build_status_badge

# Pixel widths of the columns after the name button, in COLUMNS order.
_CELL_WIDTHS = (90, 210, 130, 100, 150)
_NAME_WIDTH = "220px"


def _build_cells_html(cells: Sequence[tuple[str, str]]) -> str:
    """(HTML content, plain tooltip) per column after the name, as one fixed-width line."""
    spans = "".join(
        f"<span style='display:inline-block;width:{w}px;overflow:hidden;"
        f"text-overflow:ellipsis;white-space:nowrap;vertical-align:middle' "
        f"title='{html.escape(title)}'>{content}</span>"
        for (content, title), w in zip(cells, _CELL_WIDTHS, strict=True)
    )
    return f"<div style='white-space:nowrap'>{spans}</div>"


def _build_sandbox_cells(sandbox: Sandbox) -> str:
    row = build_row_cells(sandbox)
    plain = row.as_tuple()[2:]
    cells = [(build_status_badge(row.status), row.status)]
    cells += [(html.escape(value), value) for value in plain]
    return _build_cells_html(cells)


class _Row(widgets.HBox):
    """One row: the name (a button that selects the sandbox) and the other cells as HTML."""

    def __init__(self, on_click: Callable[[str], None]):
        self.name_button = widgets.Button(layout=widgets.Layout(width=_NAME_WIDTH))
        self.name_button.add_class("islo-row-name")
        self.cells = widgets.HTML()
        self.sandbox_name = ""
        super().__init__(
            [self.name_button, self.cells], layout=widgets.Layout(align_items="center")
        )
        self.add_class("islo-row")
        self.name_button.on_click(lambda _button: on_click(self.sandbox_name))

    def show(self, sandbox: Sandbox, selected: bool) -> None:
        self.sandbox_name = sandbox.name
        self.name_button.description = sandbox.name
        self.name_button.tooltip = f"select {sandbox.name}"
        self.name_button.button_style = "info" if selected else ""
        self.cells.value = _build_sandbox_cells(sandbox)


class SandboxTable(widgets.VBox):
    """Header plus rows; ``show(page, selected)`` updates in place, reusing row widgets."""

    def __init__(self, on_select: Callable[[str], None]):
        header_name = widgets.HTML(
            f"<b>{COLUMNS[0]}</b>", layout=widgets.Layout(width=_NAME_WIDTH, padding="0 0 0 8px")
        )
        header_cells = widgets.HTML(_build_cells_html([(f"<b>{c}</b>", c) for c in COLUMNS[1:]]))
        self._header = widgets.HBox([header_name, header_cells])
        self._empty = widgets.HTML("<i>No sandboxes match.</i>")
        self._on_select = on_select
        self._pool: list[_Row] = []
        self.names: list[str] = []
        super().__init__([self._header, self._empty])
        self.add_class("islo-table")

    def show(self, sandboxes: Sequence[Sandbox], selected: str | None) -> None:
        while len(self._pool) < len(sandboxes):
            self._pool.append(_Row(self._on_select))
        for row, sandbox in zip(self._pool, sandboxes, strict=False):
            row.show(sandbox, selected == sandbox.name)
        self.names = [s.name for s in sandboxes]
        rows = self._pool[: len(sandboxes)]
        self.children = [self._header, *rows] if rows else [self._header, self._empty]

    def mark_selected(self, selected: str | None) -> None:
        for row in self._pool[: len(self.names)]:
            row.name_button.button_style = "info" if row.sandbox_name == selected else ""

    def click_row(self, name: str) -> None:
        """Click the row of ``name`` as a user would (tests and keyboard helpers)."""
        for row in self._pool[: len(self.names)]:
            if row.sandbox_name == name:
                row.name_button.click()
                return
        raise KeyError(f"no row for sandbox {name!r} on this page")

    def close(self) -> None:
        for row in self._pool:
            row.name_button.close()
            row.cells.close()
            row.close()
        self._header.close()
        self._empty.close()
        super().close()
