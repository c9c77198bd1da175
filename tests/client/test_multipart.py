"""The streamed multipart body: same bytes a form parser expects, seekable, sized."""

from __future__ import annotations

import email.parser
import io
import os

from islo_jupyter.multipart import MultipartFileBody


def test_body_parses_as_one_file_part() -> None:
    payload = os.urandom(200_000)
    body = MultipartFileBody(io.BytesIO(payload), filename='we"ird.bin')
    raw = body.read()
    assert len(raw) == len(body)
    message = email.parser.BytesParser().parsebytes(
        f"Content-Type: {body.content_type}\r\n\r\n".encode() + raw
    )
    (part,) = message.get_payload()
    assert part.get_param("name", header="content-disposition") == "file"
    assert part.get_payload(decode=True) == payload


def test_small_reads_seek_and_rewind() -> None:
    body = MultipartFileBody(io.BytesIO(b"abc" * 1000))
    whole = body.read()
    body.seek(0)
    pieces = []
    while chunk := body.read(7):
        pieces.append(chunk)
    assert b"".join(pieces) == whole
    body.seek(10)
    assert body.tell() == 10 and body.read(5) == whole[10:15]
    assert b"".join(iter(MultipartFileBody(io.BytesIO(b"abc" * 1000)))).count(b"abc") == 1000
