"""The panel's toolbar: refresh, auto-refresh, search, status filter, paging and the busy sign."""

from __future__ import annotations

import html

import ipywidgets as widgets

from .formatting import build_count_text

#: Status filter choices: label -> value sent as ``status`` (None: no filter).
STATUS_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("any status", None),
    ("running", "running"),
    ("starting", "starting"),
    ("paused", "paused"),
    ("stopped", "stopped"),
    ("failed", "failed"),
)


class Toolbar(widgets.HBox):
    """The controls above the table; the browser wires their events to its handlers."""

    def __init__(self) -> None:
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.add_class("islo-refresh")
        self.auto_toggle = widgets.ToggleButton(
            description="Auto-refresh",
            icon="clock-o",
            tooltip="poll for changes, more slowly while nothing changes",
        )
        self.search = widgets.Text(
            placeholder="search (Enter)", continuous_update=False, layout={"width": "220px"}
        )
        self.status_dropdown = widgets.Dropdown(
            options=[label for label, _ in STATUS_CHOICES], layout={"width": "130px"}
        )
        self.prev_button = widgets.Button(
            icon="chevron-left", tooltip="previous page", layout={"width": "40px"}
        )
        self.next_button = widgets.Button(
            icon="chevron-right", tooltip="next page", layout={"width": "40px"}
        )
        self.count_label = widgets.HTML()
        self.count_label.add_class("islo-count")
        self.busy_indicator = widgets.HTML()
        super().__init__(
            [
                self.refresh_button,
                self.auto_toggle,
                self.search,
                self.status_dropdown,
                self.prev_button,
                self.count_label,
                self.next_button,
                self.busy_indicator,
            ],
            layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
        )

    @property
    def status_value(self) -> str | None:
        """The status to filter on, None for any."""
        return dict(STATUS_CHOICES)[self.status_dropdown.value]

    def show_page(self, shown: int, offset: int, total: int) -> None:
        self.count_label.value = html.escape(build_count_text(shown, offset, total))
        self.prev_button.disabled = offset == 0
        self.next_button.disabled = offset + shown >= total

    def show_busy(self, labels: list[str]) -> None:
        """What is in flight, e.g. "refresh, run in box-1"; empty when idle."""
        if not labels:
            self.busy_indicator.value = ""
            return
        shown = ", ".join(labels[:3]) + (" ..." if len(labels) > 3 else "")
        self.busy_indicator.value = (
            f"<span class='islo-busy' style='color:#1565c0'>&#8987; {html.escape(shown)}</span>"
        )
