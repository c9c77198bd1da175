"""A one-part ``multipart/form-data`` body that streams a file instead of loading it.

requests builds multipart bodies in memory; this one is a seekable file-like object with
a known length, so large uploads are streamed, sent with a Content-Length, and can be
rewound for a retry or for the replay after a 401.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO


class MultipartFileBody(io.RawIOBase):
    """``--boundary`` header + the file's bytes + closing boundary, readable and seekable."""

    def __init__(
        self,
        fileobj: BinaryIO,
        *,
        field: str = "file",
        filename: str = "file",
        content_type: str = "application/octet-stream",
    ) -> None:
        super().__init__()
        self.boundary = secrets.token_hex(16)
        safe_name = filename.replace('"', "%22").replace("\r", "").replace("\n", "")
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{safe_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._file = fileobj
        self._file_start = fileobj.tell()
        self._file_size = fileobj.seek(0, os.SEEK_END) - self._file_start
        fileobj.seek(self._file_start)
        self._pos = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self._file_size + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:  # requests treats iterables with a length as streams
        while chunk := self.read(64 * 1024):
            yield chunk

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self)}[whence]
        self._pos = min(max(base + offset, 0), len(self))
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = len(self) - self._pos
        out = bytearray()
        while size > 0 and self._pos < len(self):
            piece = self._read_at(self._pos, size)
            out += piece
            self._pos += len(piece)
            size -= len(piece)
        return bytes(out)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _read_at(self, pos: int, size: int) -> bytes:
        head_end = len(self._head)
        file_end = head_end + self._file_size
        if pos < head_end:
            return self._head[pos : pos + size]
        if pos < file_end:
            self._file.seek(self._file_start + pos - head_end)
            data = self._file.read(min(size, file_end - pos))
            if not data:
                raise OSError("the file being uploaded shrank while it was read")
            return data
        offset = pos - file_end
        return self._tail[offset : offset + size]
