"""The sandbox table: one clickable row per sandbox of the page; row widgets reused across pages."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import ipywidgets as widgets
from ipywidgets.widgets.widget_string import HTMLStyle

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


class _Row:
    """One row: the name (a button that selects the sandbox) and the other cells as HTML.

    Not a widget itself: the two widgets sit directly in the table's grid, and share one
    layout and one style each with every other row, so a row costs two widget models
    instead of eight (construction time is what a 50-row first page spends most on).
    """

    def __init__(self, on_click: Callable[[str], None], shared: _SharedLook):
        self.name_button = widgets.Button(layout=shared.button_layout, style=shared.button_style)
        self.name_button.add_class("islo-row-name")
        self.cells = widgets.HTML(layout=shared.cells_layout, style=shared.cells_style)
        self.cells.add_class("islo-row-cells")
        self.sandbox_name = ""
        self.name_button.on_click(lambda _button: on_click(self.sandbox_name))

    @property
    def widgets(self) -> tuple[widgets.Button, widgets.HTML]:
        return (self.name_button, self.cells)

    def show(self, sandbox: Sandbox, selected: bool) -> None:
        self.sandbox_name = sandbox.name
        self.name_button.description = sandbox.name
        self.name_button.tooltip = f"select {sandbox.name}"
        self.name_button.button_style = "info" if selected else ""
        self.cells.value = _build_sandbox_cells(sandbox)

    def close(self) -> None:
        self.name_button.close()
        self.cells.close()


class _SharedLook:
    """The layout and style models every row shares."""

    def __init__(self) -> None:
        self.button_layout = widgets.Layout(width=_NAME_WIDTH)
        self.button_style = widgets.ButtonStyle()
        self.cells_layout = widgets.Layout(align_self="center")
        self.cells_style = HTMLStyle()

    def close(self) -> None:
        for model in (self.button_layout, self.button_style, self.cells_layout, self.cells_style):
            model.close()


class SandboxTable(widgets.GridBox):
    """Header plus rows in a two-column grid; ``show(page, selected)`` reuses row widgets."""

    def __init__(self, on_select: Callable[[str], None]):
        self._pool: list[_Row] = []
        self._shared = _SharedLook()
        header_name = widgets.HTML(
            f"<b>{COLUMNS[0]}</b>", layout=widgets.Layout(padding="0 0 0 8px")
        )
        header_cells = widgets.HTML(_build_cells_html([(f"<b>{c}</b>", c) for c in COLUMNS[1:]]))
        self._header = [header_name, header_cells]
        self._empty = widgets.HTML(
            "<i>No sandboxes match.</i>", layout=widgets.Layout(grid_column="1 / span 2")
        )
        self._on_select = on_select
        self.names: list[str] = []
        super().__init__(
            [*self._header, self._empty],
            layout=widgets.Layout(grid_template_columns=f"{_NAME_WIDTH} auto", grid_gap="2px 4px"),
        )
        self.add_class("islo-table")

    def show(self, sandboxes: Sequence[Sandbox], selected: str | None) -> None:
        while len(self._pool) < len(sandboxes):
            self._pool.append(_Row(self._on_select, self._shared))
        for row, sandbox in zip(self._pool, sandboxes, strict=False):
            row.show(sandbox, selected == sandbox.name)
        self.names = [s.name for s in sandboxes]
        rows = [w for row in self._pool[: len(sandboxes)] for w in row.widgets]
        self.children = [*self._header, *rows] if rows else [*self._header, self._empty]

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

    def row_cells(self, name: str) -> str:
        """The HTML shown next to ``name`` on this page (status badge, image, ...)."""
        for row in self._pool[: len(self.names)]:
            if row.sandbox_name == name:
                return str(row.cells.value)
        raise KeyError(f"no row for sandbox {name!r} on this page")

    def close(self) -> None:
        for row in self._pool:
            row.close()
        for widget in (*self._header, self._empty):
            widget.close()
        self._shared.close()
        super().close()
