"""SSE parser: the spec's line rules, and any chunking of a stream gives the same events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from islo_jupyter.sse import SSEEvent, SSEParser, iter_events


def parse_all(data: bytes) -> list[SSEEvent]:
    return list(iter_events([data]))


def test_event_name_and_data() -> None:
    assert parse_all(b"event: stdout\ndata: hi\n\n") == [SSEEvent("stdout", b"hi")]


def test_default_event_name_is_message() -> None:
    assert parse_all(b"data: x\n\n") == [SSEEvent("message", b"x")]


def test_multi_line_data_joined_with_newline_and_empty_line_is_trailing_newline() -> None:
    assert parse_all(b"event: stdout\ndata: a\ndata: b\ndata:\n\n")[0].data == b"a\nb\n"


def test_only_one_space_after_colon_is_removed() -> None:
    assert parse_all(b"data:   two spaces kept\n\n")[0].data == b"  two spaces kept"
    assert parse_all(b"data:no space\n\n")[0].data == b"no space"


def test_comments_are_ignored() -> None:
    assert parse_all(b": keep-alive\n\n: again\nevent: exit\ndata: 0\n\n") == [
        SSEEvent("exit", b"0")
    ]


def test_crlf_and_cr_line_ends() -> None:
    assert parse_all(b"event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r") == [
        SSEEvent("a", b"1"),
        SSEEvent("b", b"2"),
    ]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: x\r") == []
    assert parser.feed(b"\n\r") == [SSEEvent("message", b"x")]
    assert parser.feed(b"\ndata: y\n\n") == [SSEEvent("message", b"y")]


def test_blank_line_alone_in_a_chunk_after_a_crlf_chunk() -> None:
    # Found by the property test: the CR path consumed the lines, then "\n" came alone.
    parser = SSEParser()
    assert parser.feed(b"data: a\r\n\r\nevent: b\ndata: c\n") == [SSEEvent("message", b"a")]
    assert parser.feed(b"\n") == [SSEEvent("b", b"c")]


def test_id_and_retry_fields() -> None:
    events = parse_all(b"id: 7\nretry: 1500\ndata: a\n\nretry: nope\ndata: b\n\n")
    assert [(e.id, e.retry) for e in events] == [("7", 1500), ("7", 1500)]


def test_id_with_nul_is_ignored() -> None:
    assert parse_all(b"id: a\x00b\ndata: a\n\n")[0].id is None


def test_event_without_data_is_not_dispatched() -> None:
    assert parse_all(b"event: stdout\n\ndata: z\n\n") == [SSEEvent("message", b"z")]


def test_unterminated_last_event_is_discarded() -> None:
    parser = SSEParser()
    assert parser.feed(b"event: exit\ndata: 0\n") == []
    assert parser.has_partial_event


def test_field_without_colon_and_unknown_fields() -> None:
    assert parse_all(b"data\nfoo: bar\n\n") == [SSEEvent("message", b"")]


def test_leading_bom_is_stripped_even_when_split() -> None:
    parser = SSEParser()
    assert parser.feed(b"\xef") == []
    assert parser.feed(b"\xbb\xbfdata: a\n\n") == [SSEEvent("message", b"a")]


def test_utf8_bytes_are_kept_raw() -> None:
    event = parse_all("data: é€😀\n\n".encode())[0]
    assert event.text == "é€😀"


# --- property: any split of a valid stream parses the same --------------------------

_text = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=20
)
_event = st.tuples(
    st.sampled_from(["stdout", "stderr", "exit", "error", ""]),
    st.lists(_text, min_size=1, max_size=4),
    st.booleans(),  # a comment line first
    st.sampled_from([b"data: ", b"data:"]),  # the space after the colon is optional
)
_newline = st.sampled_from([b"\n", b"\r\n", b"\r"])


Event = tuple[str, list[str], bool, bytes]


def _encode(events: list[Event], newline: bytes) -> bytes:
    out = bytearray()
    for name, lines, comment, prefix in events:
        if comment:
            out += b": ping" + newline
        if name:
            out += b"event: " + name.encode() + newline
        for line in lines:
            out += prefix + line.encode() + newline
        out += newline
    return bytes(out)


def _expected(events: list[Event]) -> list[SSEEvent]:
    def value(line: str, prefix: bytes) -> str:
        # With "data:" a line's own leading space is the one the parser removes.
        return line[1:] if prefix == b"data:" and line.startswith(" ") else line

    return [
        SSEEvent(name or "message", "\n".join(value(x, prefix) for x in lines).encode())
        for name, lines, _, prefix in events
    ]


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for point in points:
        pieces.append(data[last:point])
        last = point
    pieces.append(data[last:])
    return pieces


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(_event, max_size=8), _newline, st.lists(st.integers(0, 10_000), max_size=30))
def test_any_chunking_gives_the_same_events(
    events: list[Event], newline: bytes, cuts: list[int]
) -> None:
    data = _encode(events, newline)
    expected = _expected(events)
    assert parse_all(data) == expected
    assert list(iter_events(_split(data, cuts))) == expected


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=300), st.lists(st.integers(0, 1000), max_size=20))
def test_arbitrary_bytes_chunking_is_consistent(data: bytes, cuts: list[int]) -> None:
    # Not every byte string is a valid stream, but the split must never change the result.
    assert list(iter_events(_split(data, cuts))) == parse_all(data)


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.lists(st.tuples(_event, _newline), max_size=8),
    st.lists(st.integers(0, 10_000), max_size=30),
)
def test_line_ends_may_change_between_events(
    events: list[tuple[Event, bytes]], cuts: list[int]
) -> None:
    # LF-only stretches take the bulk path, CR stretches the per-line path; mixing them,
    # at any chunk boundary, must not change a single event.
    data = b"".join(_encode([event], newline) for event, newline in events)
    expected = _expected([event for event, _ in events])
    assert list(iter_events(_split(data, cuts))) == expected


def test_large_events_split_across_many_chunks() -> None:
    text = ("x" * 99 + "\n") * 2000
    data = b"".join(
        b"event: stdout\ndata: " + text.encode().replace(b"\n", b"\ndata: ") + b"\n\n"
        for _ in range(3)
    )
    chunks = [data[i : i + 4093] for i in range(0, len(data), 4093)]
    events = list(iter_events(chunks))
    assert [e.event for e in events] == ["stdout"] * 3
    assert all(e.data.decode() == text for e in events)


_big_line = st.builds(lambda c, n: c * n, st.sampled_from("xé€ :"), st.integers(300, 1500))
_big_event = st.tuples(
    st.sampled_from(["stdout", "stderr", ""]),
    st.lists(_big_line, min_size=1, max_size=8),
    st.sampled_from([False, False, False, True]),  # mostly plain events, some with a comment
    st.sampled_from([b"data: ", b"data: ", b"data: ", b"data:"]),
)


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(_big_event, min_size=1, max_size=5),
    st.lists(st.integers(0, 60_000), max_size=6),
)
def test_big_events_take_the_bulk_path_and_stay_exact(events: list[Event], cuts: list[int]) -> None:
    # Kilobytes per event: chunks above the single-event threshold, one or several events
    # per chunk, comments and "data:" without a space forcing the per-line fallback.
    data = _encode(events, b"\n")
    assert list(iter_events(_split(data, cuts))) == _expected(events)
    # As the local server writes: one chunk per event (each tried whole, in bulk).
    assert list(iter_events(_encode([e], b"\n") for e in events)) == _expected(events)
