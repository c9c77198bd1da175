"""Streaming rendering of remote output into a cell: coalesced, optionally labelled, lossless."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterable
from typing import TextIO

#: Flush at least this often while output is arriving (seconds): fast enough to feel live,
#: slow enough that a chatty command sends a few messages a second, not thousands.
DEFAULT_INTERVAL = 0.05
#: Flush as soon as this many characters are buffered, so one message stays a sane size.
DEFAULT_MAX_CHARS = 256 * 1024
#: A labelled partial line longer than this is written out even without its newline.
MAX_PENDING_LINE = 64 * 1024

Sink = Callable[[str], None]


def build_stream_sink(stream: TextIO) -> Sink:
    """A sink writing to ``stream`` (captured now, so later swaps of sys.stdout don't matter)."""

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    return write


def label_lines(text: str, label: str) -> str:
    """Prefix every line of ``text`` (which ends with a newline or is final) with ``label``."""
    lines = text.splitlines(keepends=True)
    return "".join(f"{label}{line}" for line in lines)


class CoalescingWriter:
    """Buffers text chunks and hands them to a sink in few, bounded writes.

    ``write`` is cheap and thread-safe; a write flushes when the buffer is large or the last
    flush is older than ``interval``. A :class:`PeriodicFlusher` covers the quiet periods, and
    ``close`` writes whatever is left. With a ``label`` every line is prefixed (fan-out output,
    like ipyparallel's ``%%px``); partial lines then wait for their newline or for ``close``.
    """

    def __init__(
        self,
        sink: Sink,
        *,
        label: str = "",
        interval: float = DEFAULT_INTERVAL,
        max_chars: int = DEFAULT_MAX_CHARS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._label = label
        self._interval = interval
        self._max_chars = max_chars
        self._clock = clock
        self._parts: list[str] = []
        self._size = 0
        self._last_flush = clock()
        self._buffer_lock = threading.Lock()
        # Held across take-and-write so two flushers can never reorder output.
        self._flush_lock = threading.Lock()
        self.chars_written = 0
        self.sink_calls = 0

    def write(self, text: str) -> None:
        if not text:
            return
        with self._buffer_lock:
            self._parts.append(text)
            self._size += len(text)
            due = self._size >= self._max_chars or self._is_interval_over()
        if due:
            self.flush()

    def _is_interval_over(self) -> bool:
        return self._clock() - self._last_flush >= self._interval

    def flush(self, *, final: bool = False) -> None:
        """Write what is buffered (for labelled output: the complete lines, unless ``final``)."""
        with self._flush_lock:
            with self._buffer_lock:
                text = "".join(self._parts)
                self._parts.clear()
                self._size = 0
                self._last_flush = self._clock()
                if self._label and not final:
                    text = self._keep_partial_line(text)
            if not text:
                return
            out = label_lines(text, self._label) if self._label else text
            self.chars_written += len(text)
            self.sink_calls += 1
            self._sink(out)

    def _keep_partial_line(self, text: str) -> str:
        # Caller holds the buffer lock: put an unfinished last line back for the next flush.
        cut = text.rfind("\n") + 1
        rest = text[cut:]
        if rest and len(rest) < MAX_PENDING_LINE:
            self._parts.append(rest)
            self._size = len(rest)
            return text[:cut]
        return text

    def flush_if_due(self) -> None:
        with self._buffer_lock:
            due = bool(self._parts) and self._is_interval_over()
        if due:
            self.flush()

    def close(self) -> None:
        self.flush(final=True)


class PeriodicFlusher:
    """A daemon thread that flushes writers every ``interval`` while a command is quiet.

    It runs in a copy of the caller's context so that ipykernel, which keeps the cell's
    parent header in a context variable, files the output under the right cell.
    """

    def __init__(self, writers: Iterable[CoalescingWriter], interval: float = DEFAULT_INTERVAL):
        self._writers = list(writers)
        self._interval = interval
        self._stop = threading.Event()
        context = contextvars.copy_context()
        self._thread = threading.Thread(
            target=context.run, args=(self._run,), name="islo-output-flusher", daemon=True
        )

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for writer in self._writers:
                writer.flush_if_due()

    def __enter__(self) -> PeriodicFlusher:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        for writer in self._writers:
            writer.close()
