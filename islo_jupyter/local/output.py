"""Exec output helpers: a capped text buffer and the server-sent-event encoding of chunks."""

from __future__ import annotations


class CappedText:
    """Keeps the first ``cap`` bytes (UTF-8) of a stream, and whether anything was cut."""

    def __init__(self, cap: int):
        self._cap = cap
        self._parts: list[str] = []
        self._size = 0
        self.truncated = False

    def add(self, text: str) -> None:
        if self.truncated or not text:
            return
        data = text.encode("utf-8", "surrogatepass")
        room = self._cap - self._size
        if len(data) <= room:
            self._parts.append(text)
            self._size += len(data)
            return
        # Cut at a character boundary: drop the partial character at the end of the room.
        self._parts.append(data[:room].decode("utf-8", "ignore"))
        self._size = self._cap
        self.truncated = True

    @property
    def text(self) -> str:
        return "".join(self._parts)


def encode_event(event: str, text: str) -> bytes:
    """One SSE event. Every line of ``text`` becomes a ``data:`` line, so a chunk that ends
    with a newline gets a trailing empty ``data:`` line and the newline survives the
    reader's join. CR is a line end in SSE, so CR and CRLF are sent as LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    data = "data: " + text.replace("\n", "\ndata: ")
    return f"event: {event}\n{data}\n\n".encode()


KEEPALIVE = b": keep-alive\n\n"
