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
#: Heads larger than this are first tried as a single event (small ones are cheap anyway).
SINGLE_EVENT_GUESS = 4096


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
        if b"\r" in chunk:
            return self._feed_lines(chunk)
        return self._feed_events(chunk)

    def _feed_events(self, chunk: bytes) -> list[SSEEvent]:
        """LF-only input: hold bytes back until a blank line ends an event, then take all
        complete events at once (the common case: one HTTP chunk of whole events)."""
        pending = self._pending
        # rfind, not `in`: a chunk usually ends with its last event, so this stops at once.
        cut = chunk.rfind(b"\n\n")
        if cut < 0:
            # A leading LF is a blank line when the input before it ended a line: always
            # so when nothing is pending (consumed input ends at a line end).
            at_line_start = not pending or pending[-1][-1:] == b"\n"
            if not (at_line_start and chunk[:1] == b"\n"):
                pending.append(chunk)  # no event ends here; joined later, once (linear)
                return []
            cut = -1  # the blank line is the first byte of the chunk
        if pending:
            offset = sum(len(piece) for piece in pending)
            buffer, cut = b"".join([*pending, chunk]), cut + offset
        else:
            buffer = chunk
        cut += 2
        rest = buffer[cut:]
        self._pending = [rest] if rest else []
        return self._process_lf_blocks(buffer[:cut] if rest else buffer)

    def _feed_lines(self, chunk: bytes) -> list[SSEEvent]:
        """Input with CR line ends: complete lines are processed one by one."""
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
        return self._process_lines(head.splitlines())

    def _process_lines(self, lines: Iterable[bytes]) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in lines:
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        return events

    def _process_lf_blocks(self, head: bytes) -> list[SSEEvent]:
        """LF-only input, event by event: a plain ``event:``+``data:`` block is handled with
        bytes methods (C speed, few passes) instead of a Python step per line."""
        events: list[SSEEvent] = []
        pos, size = 0, len(head)
        # Most chunks of a big output hold exactly one event: try that first, which spares
        # a scan for blank lines (the bulk check fails if there is more than one event).
        whole = size > SINGLE_EVENT_GUESS and head[0] != 0x0A and head.endswith(b"\n\n")
        if whole and self._take_fast_block(head, 0, size - 2):
            pos = size - 1
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
            if not self._take_fast_block(head, pos, end):
                events += self._process_lines(head[pos:end].split(b"\n"))
            pos = end + 1  # the second LF is the blank line, handled above
        return events

    def _take_fast_block(self, head: bytes, start: int, end: int) -> bool:
        """Take ``head[start:end]`` (one event's lines) in bulk if it is an optional
        ``event:`` line followed only by ``data: `` lines; otherwise change nothing."""
        if self._has_data or self._event:
            return False  # an event begun in an earlier chunk: the per-line path merges it
        data_start, newline = start, -1
        if head.startswith(b"event:", start):
            newline = head.find(b"\n", start, end)
            if newline < 0:
                return False
            data_start = newline + 1
        if not head.startswith(b"data: ", data_start, end):
            return False
        # split + join is faster than bytes.replace for many short lines.
        parts = head[data_start + 6 : end].split(b"\ndata: ")
        data = b"\n".join(parts) if len(parts) > 1 else parts[0]
        # Exact only if every line break was followed by "data: " (each was a split point).
        if data.count(b"\n") != len(parts) - 1:
            return False
        if newline >= 0:
            self._process_line(head[start:newline])
        self._data.append(data)
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
