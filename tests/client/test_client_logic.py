"""Pure helpers of the client: path encoding, argv building, poll schedule, exec stream events."""

from __future__ import annotations

import itertools

import pytest

from islo_jupyter import errors
from islo_jupyter.client_core import drop_none, encode_path
from islo_jupyter.client_exec import build_argv, poll_delays
from islo_jupyter.exec_stream import ExecStreamConsumer


def test_path_segments_are_percent_encoded_whole() -> None:
    assert encode_path("sandboxes", "a b/../c?d#e") == "/sandboxes/a%20b%2F..%2Fc%3Fd%23e"
    assert encode_path("sandboxes", "-", "by-id", "é") == "/sandboxes/-/by-id/%C3%A9"


def test_drop_none_keeps_falsy_values() -> None:
    assert drop_none({"a": None, "b": 0, "c": False, "d": ""}) == {"b": 0, "c": False, "d": ""}


def test_argv_from_string_and_sequence() -> None:
    assert build_argv("echo hi") == ["/bin/sh", "-c", "echo hi"]
    assert build_argv(("ls", "-l")) == ["ls", "-l"]
    with pytest.raises(ValueError):
        build_argv([])


def test_polls_start_fast_and_grow_to_two_seconds() -> None:
    delays = list(itertools.islice(poll_delays(), 12))
    assert delays[0] <= 0.1
    assert delays == sorted(delays)
    assert delays[-1] == 2.0


def _sse(*events: tuple[str, bytes]) -> bytes:
    return b"".join(
        b"event: " + name.encode() + b"\ndata: " + data + b"\n\n" for name, data in events
    )


def test_raw_text_events_and_exit_code() -> None:
    seen: list[str] = []
    consumer = ExecStreamConsumer(on_stdout=seen.append)
    consumer.consume([_sse(("stdout", b"hi"), ("stderr", b"warn"), ("exit", b"3"))])
    assert (consumer.stdout, consumer.stderr, consumer.exit_code) == ("hi", "warn", 3)
    assert seen == ["hi"]


def test_json_payloads_are_accepted() -> None:
    consumer = ExecStreamConsumer()
    consumer.consume(
        [_sse(("stdout", b'{"data": "x\\n"}'), ("exit", b'{"exit_code": 0, "truncated": true}'))]
    )
    assert (consumer.stdout, consumer.exit_code, consumer.truncated) == ("x\n", 0, True)


def test_multibyte_character_split_across_events_and_chunks() -> None:
    raw = "€😀".encode()
    stream = _sse(("stdout", raw[:2]), ("stdout", raw[2:5]), ("stdout", raw[5:]), ("exit", b"0"))
    seen: list[str] = []
    consumer = ExecStreamConsumer(on_stdout=seen.append)
    consumer.consume(stream[i : i + 3] for i in range(0, len(stream), 3))
    assert consumer.stdout == "€😀"
    assert "\ufffd" not in "".join(seen)


def test_error_event_raises_with_output_so_far() -> None:
    consumer = ExecStreamConsumer()
    with pytest.raises(errors.IsloStreamError) as info:
        consumer.consume([_sse(("stdout", b"part"), ("error", b"VM lost"))])
    assert "VM lost" in str(info.value) and info.value.stdout == "part"


def test_stream_without_exit_is_an_error() -> None:
    consumer = ExecStreamConsumer()
    with pytest.raises(errors.IsloStreamError) as info:
        consumer.consume([_sse(("stdout", b"half"))])
    assert info.value.stdout == "half"
