"""Unit tests of the batched Output streamer: merging, trimming, ordering, timely flushes."""

from __future__ import annotations

import threading

import ipywidgets as widgets

from islo_jupyter.panel.output_stream import OutputStreamer, merge_chunks, trim_head


def test_merge_joins_runs_of_one_stream() -> None:
    merged = merge_chunks([], [("stdout", "a"), ("stdout", "b"), ("stderr", "!"), ("stdout", "c")])
    assert [(e["name"], e["text"]) for e in merged] == [
        ("stdout", "ab"),
        ("stderr", "!"),
        ("stdout", "c"),
    ]


def test_trim_keeps_the_tail_and_counts_what_it_dropped() -> None:
    entries = merge_chunks([], [("stdout", "0123456789"), ("stderr", "abcde")])
    kept, dropped = trim_head(entries, 8, 0)
    assert [(e["name"], e["text"]) for e in kept] == [("stdout", "789"), ("stderr", "abcde")]
    assert dropped == 7


def test_streamer_batches_updates_and_keeps_order() -> None:
    output = widgets.Output()
    updates: list[int] = []
    output.observe(lambda change: updates.append(len(change["new"])), names="outputs")
    streamer = OutputStreamer(output, interval=0.5)
    for i in range(1000):
        streamer.write_stdout(f"{i}\n")
    streamer.write_stderr("done\n")
    streamer.close()
    text = output.outputs[0]["text"]
    assert text == "".join(f"{i}\n" for i in range(1000))
    assert output.outputs[1] == {"output_type": "stream", "name": "stderr", "text": "done\n"}
    assert len(updates) <= 3  # a thousand chunks, a handful of widget messages


def test_streamer_flushes_a_quiet_stream_without_close() -> None:
    output = widgets.Output()
    shown = threading.Event()
    output.observe(lambda _change: shown.set(), names="outputs")
    streamer = OutputStreamer(output, interval=0.05)
    streamer.write_stdout("first\n")
    assert shown.wait(30), "a lone chunk must show without waiting for more output"
    assert output.outputs[0]["text"] == "first\n"
    streamer.close()


def test_streamer_caps_what_it_keeps() -> None:
    output = widgets.Output()
    streamer = OutputStreamer(output, interval=10, max_chars=100)
    streamer.write_stdout("x" * 250)
    streamer.close()
    note, body = output.outputs
    assert note["text"] == "[... 150 earlier characters not shown]\n"
    assert body["text"] == "x" * 100
