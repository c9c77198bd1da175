"""Pure formatting for the sandbox browser: badges, relative times, table snapshots, env parsing."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from ..models import Sandbox

#: Badge colours per status; unknown statuses fall back to grey (the wire status is free-form).
STATUS_COLOURS: dict[str, str] = {
    "running": "#2e7d32",
    "starting": "#1565c0",
    "paused": "#ef6c00",
    "stopping": "#6d4c41",
    "stopped": "#616161",
    "failed": "#c62828",
    "deleted": "#424242",
}
UNKNOWN_COLOUR = "#757575"

#: Column titles of the table, in order; the first is the clickable name.
COLUMNS = ("name", "status", "image", "vCPU / memory", "created", "created by")


@dataclass(frozen=True)
class RowCells:
    """The display strings of one table row (plain text, not yet escaped)."""

    name: str
    status: str
    image: str
    resources: str
    created: str
    created_by: str

    def as_tuple(self) -> tuple[str, ...]:
        return (self.name, self.status, self.image, self.resources, self.created, self.created_by)


def format_relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """``"5 min ago"`` style; ``"?"`` for an unknown time, ``"just now"`` under ten seconds."""
    if moment is None:
        return "?"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "in the future"
    if seconds < 10:
        return "just now"
    for unit_seconds, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= unit_seconds:
            return f"{int(seconds // unit_seconds)} {unit} ago"
    return f"{int(seconds)} s ago"


def format_resources(sandbox: Sandbox) -> str:
    """``"2 vCPU / 2 GiB"``; a dash when the server sent no spec."""
    spec = sandbox.spec
    if spec is None:
        return "-"
    memory_mb = spec.memory_mb
    memory = f"{memory_mb / 1024:g} GiB" if memory_mb >= 1024 else f"{memory_mb} MiB"
    return f"{spec.vcpus} vCPU / {memory}"


def build_row_cells(sandbox: Sandbox, now: datetime | None = None) -> RowCells:
    return RowCells(
        name=sandbox.name,
        status=sandbox.status,
        image=sandbox.image,
        resources=format_resources(sandbox),
        created=format_relative_time(sandbox.created_datetime, now),
        created_by=sandbox.created_by or "-",
    )


def build_status_badge(status: str) -> str:
    """A coloured pill for a status, as HTML."""
    colour = STATUS_COLOURS.get(status, UNKNOWN_COLOUR)
    return (
        f'<span class="islo-badge islo-status-{html.escape(status)}" '
        f'style="background:{colour};color:#fff;border-radius:8px;padding:1px 8px;'
        f'font-size:0.85em">{html.escape(status)}</span>'
    )


def build_count_text(shown: int, offset: int, total: int) -> str:
    """The toolbar count: ``"50 of 1000"``, plus the range when paging past the first page."""
    if shown == 0:
        return f"0 of {total}"
    if offset == 0:
        return f"{shown} of {total}"
    return f"{shown} of {total} ({offset + 1}-{offset + shown})"


def build_snapshot_text(
    sandboxes: Sequence[Sandbox], total: int, offset: int = 0, note: str = ""
) -> str:
    """A fixed-width text table of the current page (the text/plain fallback)."""
    rows = [COLUMNS, *(build_row_cells(s).as_tuple() for s in sandboxes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    header = f"Islo sandboxes: {build_count_text(len(sandboxes), offset, total)}"
    return "\n".join([header, *lines, *([note] if note else [])])


def build_snapshot_html(
    sandboxes: Sequence[Sandbox], total: int, offset: int = 0, note: str = ""
) -> str:
    """An HTML table of the current page (the text/html fallback when no kernel is live)."""
    head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in COLUMNS)
    body = []
    for sandbox in sandboxes:
        cells = build_row_cells(sandbox)
        tds = [
            html.escape(cells.name),
            build_status_badge(cells.status),
            *(html.escape(c) for c in cells.as_tuple()[2:]),
        ]
        body.append("<tr>" + "".join(f"<td>{td}</td>" for td in tds) + "</tr>")
    count = html.escape(build_count_text(len(sandboxes), offset, total))
    footer = f"<div style='color:#c62828'>{html.escape(note)}</div>" if note else ""
    return (
        f"<div class='islo-panel-snapshot'><b>Islo sandboxes</b> ({count}, snapshot)"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{footer}</div>"
    )


def parse_env_text(text: str) -> dict[str, str]:
    """``KEY=VALUE`` per line (blank lines and ``#`` comments ignored) into a dict.

    Raises ``ValueError`` naming the first bad line, so the form can show it.
    """
    env: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key or any(ch.isspace() for ch in key):
            raise ValueError(f"env line {number} is not KEY=VALUE: {line!r}")
        env[key] = value
    return env
