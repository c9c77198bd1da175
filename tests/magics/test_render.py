"""Unit tests of the output coalescing: bounded writes, nothing lost, labelled lines."""

from __future__ import annotations

import io
import threading
import time

from hypothesis import given
from hypothesis import strategies as st

from islo_jupyter.magics.render import (
    CoalescingWriter,
    PeriodicFlusher,
    build_stream_sink,
    label_lines,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def collecting_writer(**kwargs: object) -> tuple[CoalescingWriter, list[str]]:
    out: list[str] = []
    return CoalescingWriter(out.append, **kwargs), out  # type: ignore[arg-type]


def test_small_chunks_within_the_interval_are_coalesced_into_one_write() -> None:
    clock = FakeClock()
    writer, out = collecting_writer(clock=clock, interval=0.05)
    for _ in range(1000):
        writer.write("x")
    assert out == []
    writer.close()
    assert out == ["x" * 1000]


def test_a_write_after_the_interval_flushes() -> None:
    clock = FakeClock()
    writer, out = collecting_writer(clock=clock, interval=0.05)
    writer.write("a")
    clock.now = 0.06
    writer.write("b")
    assert out == ["ab"]


def test_a_full_buffer_flushes_even_within_the_interval() -> None:
    clock = FakeClock()
    writer, out = collecting_writer(clock=clock, max_chars=10)
    writer.write("12345")
    writer.write("678901")
    assert out == ["12345678901"]


def test_flush_if_due_writes_only_pending_output_after_the_interval() -> None:
    clock = FakeClock()
    writer, out = collecting_writer(clock=clock, interval=0.05)
    writer.flush_if_due()
    writer.write("a")
    writer.flush_if_due()
    assert out == []
    clock.now = 1.0
    writer.flush_if_due()
    assert out == ["a"]


@given(st.lists(st.text(), max_size=50), st.integers(min_value=1, max_value=64))
def test_no_character_is_lost_or_reordered(chunks: list[str], max_chars: int) -> None:
    writer, out = collecting_writer(max_chars=max_chars, clock=FakeClock())
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    assert "".join(out) == "".join(chunks)


@given(st.lists(st.text(alphabet="ab\n", max_size=20), max_size=30))
def test_labelled_output_prefixes_every_line_and_keeps_the_text(chunks: list[str]) -> None:
    writer, out = collecting_writer(label="[box] ", max_chars=4, clock=FakeClock())
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    text = "".join(chunks)
    assert "".join(out) == label_lines(text, "[box] ")
    # Every line is whole: a label only ever starts a line.
    for piece in out:
        assert piece.startswith("[box] ")


def test_labelled_partial_line_waits_for_its_newline() -> None:
    writer, out = collecting_writer(label="[a] ", clock=FakeClock(), max_chars=1)
    writer.write("hel")
    assert out == []
    writer.write("lo\nwor")
    assert out == ["[a] hello\n"]
    writer.close()
    assert out == ["[a] hello\n", "[a] wor"]


def test_multibyte_text_passes_through_unchanged() -> None:
    writer, out = collecting_writer(clock=FakeClock(), max_chars=3)
    text = "héllo wörld ✓ 日本語 🎉\n"
    for char in text:
        writer.write(char)
    writer.close()
    assert "".join(out) == text


def test_concurrent_writers_lose_nothing() -> None:
    writer, out = collecting_writer(max_chars=100)
    lock = threading.Lock()

    def produce(tag: str) -> None:
        for i in range(2000):
            writer.write(f"{tag}{i}\n")

    threads = [threading.Thread(target=produce, args=(t,)) for t in "abcd"]
    with lock:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    writer.close()
    lines = "".join(out).splitlines()
    assert sorted(lines) == sorted(f"{t}{i}" for t in "abcd" for i in range(2000))


def test_periodic_flusher_writes_quiet_output_without_another_write() -> None:
    stream = io.StringIO()
    writer = CoalescingWriter(build_stream_sink(stream), interval=0.02)
    with PeriodicFlusher([writer], interval=0.02):
        writer.write("first")
        deadline = time.monotonic() + 10
        while stream.getvalue() != "first" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.getvalue() == "first"
        writer.write(" second")
    assert stream.getvalue() == "first second"
