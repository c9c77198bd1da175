"""What ``%islo ls`` returns: sandboxes that iterate as models and render as an escaped table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape
from typing import overload

from ..models import Sandbox

COLUMNS = ("name", "status", "image", "created_at", "id")


def _cell(sandbox: Sandbox, column: str) -> str:
    value = getattr(sandbox, column, None)
    return "" if value is None else str(value)


class SandboxTable(Sequence[Sandbox]):
    """A list of sandboxes; a notebook shows it as an HTML table, a terminal as aligned text."""

    def __init__(self, sandboxes: Sequence[Sandbox], *, total: int | None = None) -> None:
        self._items = list(sandboxes)
        self.total = len(self._items) if total is None else total

    @overload
    def __getitem__(self, index: int) -> Sandbox: ...
    @overload
    def __getitem__(self, index: slice) -> SandboxTable: ...
    def __getitem__(self, index: int | slice) -> Sandbox | SandboxTable:
        if isinstance(index, slice):
            return SandboxTable(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Sandbox]:
        return iter(self._items)

    @property
    def names(self) -> list[str]:
        return [sandbox.name for sandbox in self._items]

    def _summary(self) -> str:
        shown = len(self._items)
        more = f" of {self.total}" if self.total > shown else ""
        return f"{shown}{more} sandbox{'es' if self.total != 1 else ''}"

    def __repr__(self) -> str:
        if not self._items:
            return "no sandboxes"
        rows = [COLUMNS, *([_cell(s, c) for c in COLUMNS] for s in self._items)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
        ]
        return "\n".join([*lines, f"({self._summary()})"])

    def _repr_html_(self) -> str:
        # Everything from the server is escaped: names and images are user-chosen text.
        head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(_cell(s, c))}</td>" for c in COLUMNS) + "</tr>"
            for s in self._items
        )
        caption = f"<caption>{escape(self._summary())}</caption>"
        return (
            f'<table class="islo-sandboxes">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
