"""Streams a command's output into an ``Output`` widget in few, bounded updates."""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

#: Longest wait between a chunk arriving and it showing (seconds).
FLUSH_INTERVAL = 0.1
#: How much text the widget keeps; older output is dropped with a note (the browser stays fast).
MAX_CHARS = 200_000


def merge_chunks(
    outputs: list[dict[str, Any]], chunks: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Append (stream, text) chunks, joining runs of one stream into one output entry."""
    merged = [dict(entry) for entry in outputs]
    for stream, text in chunks:
        last = merged[-1] if merged else None
        if last is not None and last.get("output_type") == "stream" and last["name"] == stream:
            last["text"] += text
        else:
            merged.append({"output_type": "stream", "name": stream, "text": text})
    return merged


def trim_head(outputs: list[dict[str, Any]], max_chars: int, dropped: int) -> tuple[list, int]:
    """Keep the last ``max_chars`` of text; returns the entries and the total dropped so far."""
    size = sum(len(e.get("text", "")) for e in outputs)
    kept = list(outputs)
    while size > max_chars and kept:
        first = kept[0]
        text = first.get("text", "")
        excess = size - max_chars
        if len(text) <= excess:
            kept.pop(0)
            size -= len(text)
            dropped += len(text)
        else:
            kept[0] = {**first, "text": text[excess:]}
            size -= excess
            dropped += excess
    return kept, dropped


class OutputStreamer:
    """Thread-safe writer of stdout/stderr chunks into one ``Output`` widget.

    Each widget update resends the whole output list, so chunks are batched (at most one
    update per ``interval``) and runs of one stream share one entry.
    """

    def __init__(
        self,
        output: widgets.Output,
        *,
        interval: float = FLUSH_INTERVAL,
        max_chars: int = MAX_CHARS,
    ):
        self._output = output
        self._interval = interval
        self._max_chars = max_chars
        self._pending: list[tuple[str, str]] = []
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # keeps two flushes from reordering output
        self._kept: list[dict[str, Any]] = []
        self._detached = False
        self.dropped = 0

    def write_stdout(self, text: str) -> None:
        self._write("stdout", text)

    def write_stderr(self, text: str) -> None:
        self._write("stderr", text)

    def _write(self, stream: str, text: str) -> None:
        if not text:
            return
        with self._lock:
            self._pending.append((stream, text))
            if self._timer is None:
                self._timer = threading.Timer(self._interval, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._flush_lock:
            with self._lock:
                chunks, self._pending = self._pending, []
                self._timer = None
            if not chunks or self._detached:
                return
            merged = merge_chunks(self._kept, chunks)
            self._kept, self.dropped = trim_head(merged, self._max_chars, self.dropped)
            shown = self._kept
            if self.dropped:
                note = f"[... {self.dropped} earlier characters not shown]\n"
                shown = [{"output_type": "stream", "name": "stdout", "text": note}, *shown]
            self._output.outputs = tuple(shown)

    def clear(self) -> None:
        """Forget what was shown (the Clear button); later output still streams in."""
        with self._flush_lock:
            self._kept, self.dropped = [], 0
            self._output.outputs = ()

    def detach(self) -> None:
        """Stop writing into the widget (it now shows another sandbox); the command runs on."""
        with self._flush_lock:
            self._detached = True

    def close(self) -> None:
        """Cancel the pending timer and write what is left."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self.flush()
