"""Pure logic of exec output: the capped buffer and the SSE encoding of chunks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from islo_jupyter.local.output import CappedText, encode_event
from tests.local.helpers import parse_sse


def test_cap_keeps_the_head_and_flags_truncation() -> None:
    buffer = CappedText(cap=10)
    buffer.add("12345")
    buffer.add("67890abc")
    buffer.add("more")
    assert buffer.text == "1234567890"
    assert buffer.truncated


def test_cap_never_splits_a_character() -> None:
    buffer = CappedText(cap=5)
    buffer.add("ab€€")  # 2 + 3 + 3 bytes: the second euro does not fit
    assert buffer.text == "ab€"
    assert buffer.truncated


def test_exact_fit_is_not_truncated() -> None:
    buffer = CappedText(cap=3)
    buffer.add("abc")
    assert (buffer.text, buffer.truncated) == ("abc", False)


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), min_size=1))
def test_sse_round_trip_preserves_text(text: str) -> None:
    assert parse_sse(encode_event("stdout", text).decode()) == [("stdout", text)]


def test_trailing_newline_becomes_an_empty_data_line() -> None:
    assert encode_event("stdout", "a\nb\n") == b"event: stdout\ndata: a\ndata: b\ndata: \n\n"


def test_carriage_returns_become_line_feeds() -> None:
    assert parse_sse(encode_event("stderr", "x\r\ny\rz").decode()) == [("stderr", "x\ny\nz")]
