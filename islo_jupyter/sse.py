"""An incremental server-sent-events parser that works on raw bytes, chunk by chunk.

It follows the WHATWG "event stream interpretation" rules: LF, CR and CRLF line ends
(also when a CRLF is split across chunks), ``event``/``data``/``id``/``retry`` fields,
multi-line ``data`` joined with ``\\n``, ``:`` comments, one optional space after the
colon, a leading BOM, and an unterminated last event discarded at the end of the stream.
``data`` stays bytes so that a caller can decode text incrementally across events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``event`` defaults to ``message`` as the spec says."""

    event: str = "message"
    data: bytes = b""
    id: str | None = None
    retry: int | None = None

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


class SSEParser:
    """Feed bytes with :meth:`feed`; it returns the events completed by those bytes."""

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # bytes of the current, unterminated line
        self._skip_lf = False  # the last chunk ended in CR: a leading LF completes that CRLF
        self._at_start = True  # a BOM may only appear at the very start
        self._event = ""
        self._data: list[bytes] = []
        self._has_data = False
        self._last_id: str | None = None
        self._retry: int | None = None

    @property
    def last_event_id(self) -> str | None:
        return self._last_id

    @property
    def has_partial_event(self) -> bool:
        """True when bytes of an event that was never terminated have been seen."""
        return bool(self._pending) or self._has_data or bool(self._event)

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not chunk:
            return []
        if self._at_start:
            chunk = self._strip_bom(chunk)
            if not chunk:
                return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        if end < 0:
            self._pending.append(chunk)
            return []
        head, rest = chunk[: end + 1], chunk[end + 1 :]
        if self._pending:
            self._pending.append(head)
            head = b"".join(self._pending)
            self._pending = []
        if rest:
            self._pending.append(rest)
        else:
            self._skip_lf = head.endswith(b"\r")
        if b"\r" in head:
            return self._process_lines(head.splitlines())
        return self._process_lf_blocks(head)

    def _process_lines(self, lines: Iterable[bytes]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in lines:
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        return events

    def _process_lf_blocks(self, head: bytes) -> list[SSEEvent]:
        """LF-only input, event by event: a plain ``event:``+``data:`` block is handled with
        bytes methods (C speed) instead of a Python step per line; anything else per line."""
        events: list[SSEEvent] = []
        pos, size = 0, len(head)
        while pos < size:
            if head[pos] == 0x0A:  # a blank line: dispatch
                event = self._dispatch()
                if event is not None:
                    events.append(event)
                pos += 1
                continue
            end = head.find(b"\n\n", pos)
            if end < 0:  # the event continues in a later chunk
                events += self._process_lines(head[pos:-1].split(b"\n"))
                return events
            block = head[pos:end]
            if not self._try_fast_block(block):
                events += self._process_lines(block.split(b"\n"))
            pos = end + 1  # the second LF is the blank line, handled above
        return events

    def _try_fast_block(self, block: bytes) -> bool:
        if self._has_data or self._event:
            return False  # an event begun in an earlier chunk: the per-line path merges it
        rest, event_line = block, b""
        if block.startswith(b"event:"):
            newline = block.find(b"\n")
            if newline < 0:
                return False
            event_line, rest = block[:newline], block[newline + 1 :]
        # Every remaining line must be a "data: " line for the bulk join to be exact.
        if not rest.startswith(b"data: ") or rest.count(b"\n") != rest.count(b"\ndata: "):
            return False
        if event_line:
            self._process_line(event_line)
        self._data.append(rest[6:].replace(b"\ndata: ", b"\n"))
        self._has_data = True
        return True

    def _strip_bom(self, chunk: bytes) -> bytes:
        # Hold back a chunk that could still turn into a BOM once more bytes arrive.
        seen = b"".join(self._pending) + chunk
        if len(seen) < len(_BOM) and _BOM.startswith(seen):
            self._pending = [seen]
            return b""
        self._pending = []
        self._at_start = False
        return seen[len(_BOM) :] if seen.startswith(_BOM) else seen

    def _process_line(self, line: bytes) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line[:1] == b":":
            return None  # a comment (keep-alive)
        name, colon, value = line.partition(b":")
        if colon and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            self._data.append(value)
            self._has_data = True
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")
        elif name == b"id":
            if b"\x00" not in value:
                self._last_id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)
        return None  # unknown fields are ignored, as the spec says

    def _dispatch(self) -> SSEEvent | None:
        if not self._has_data:
            self._event = ""
            return None
        data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        event = SSEEvent(self._event or "message", data, self._last_id, self._retry)
        self._event = ""
        self._data = []
        self._has_data = False
        return event


def iter_events(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Parse an iterable of byte chunks lazily (never holds more than one partial event)."""
    parser = SSEParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
