"""Turns the SSE body of ``POST .../exec/stream`` into output callbacks and a final outcome.

Accepts both payload styles seen in the wild (protocol page, section 3.3): raw text in
``data`` (multi-line data joined with ``\\n``) and JSON objects (``{"data": ...}``,
``{"exit_code": N}``). Raw text is decoded incrementally per stream, so a UTF-8 character
split across chunks or events comes out whole.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import requests

from .errors import IsloStreamError
from .sse import SSEEvent, SSEParser

OutputCallback = Callable[[str], None]
#: Bytes asked of the socket per read when the body is not chunked.
READ_SIZE = 64 * 1024


def iter_body(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: one HTTP chunk at a time, or whatever one read returns."""
    raw = response.raw
    if getattr(raw, "chunked", False):
        yield from response.iter_content(chunk_size=None)
        return
    while True:
        data = raw.read1(READ_SIZE)
        if not data:
            return
        yield data


def _json_object(data: bytes) -> dict[str, Any] | None:
    if not data.startswith(b"{"):
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _is_timeout_message(message: str, payload: dict[str, Any] | None) -> bool:
    # No published schema for `error`: the local server says "command timed out after N s
    # and was killed"; a JSON payload may carry status/code "timeout" instead.
    if payload is not None and "timeout" in (payload.get("status"), payload.get("code")):
        return True
    lowered = message.lower()
    return lowered == "timeout" or "timed out" in lowered


class _Channel:
    """One output stream (stdout or stderr): decoder, accumulated text, callback."""

    __slots__ = ("callback", "decoder", "keep", "parts")

    def __init__(self, callback: OutputCallback | None, keep: bool = True) -> None:
        self.callback = callback
        self.keep = keep
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.parts: list[str] = []

    def add_bytes(self, data: bytes, final: bool = False) -> None:
        self.add_text(self.decoder.decode(data, final))

    def add_text(self, text: str) -> None:
        if text:
            if self.keep:
                self.parts.append(text)
            if self.callback is not None:
                self.callback(text)

    def text(self) -> str:
        return "".join(self.parts)


class ExecStreamConsumer:
    """Feed it the body chunks; it calls back with output and records how the command ended."""

    def __init__(
        self,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        *,
        keep_output: bool = True,
    ) -> None:
        self._parser = SSEParser()
        self._channels = {
            "stdout": _Channel(on_stdout, keep_output),
            "stderr": _Channel(on_stderr, keep_output),
        }
        self.finished = False
        self.exit_code: int | None = None
        self.status: str | None = None
        self.truncated = False
        self.exec_id: str | None = None
        self.error: str | None = None

    @property
    def stdout(self) -> str:
        return self._channels["stdout"].text()

    @property
    def stderr(self) -> str:
        return self._channels["stderr"].text()

    def consume(self, chunks: Iterable[bytes]) -> None:
        """Read until the ``exit`` event; raise IsloStreamError if the stream ends without it."""
        for chunk in chunks:
            for event in self._parser.feed(chunk):
                self._handle(event)
                if self.finished:
                    return
        self._flush()
        raise self.broken("the stream ended before the command's exit status arrived")

    def broken(self, why: str) -> IsloStreamError:
        """An IsloStreamError carrying everything received so far."""
        self._flush()
        return IsloStreamError(why, stdout=self.stdout, stderr=self.stderr)

    def _flush(self) -> None:
        for channel in self._channels.values():
            channel.add_bytes(b"", final=True)

    def _handle(self, event: SSEEvent) -> None:
        name = event.event
        channel = self._channels.get(name)
        if channel is not None:
            payload = _json_object(event.data)
            if payload is not None and isinstance(payload.get("data"), str):
                channel.add_text(payload["data"])
            else:
                channel.add_bytes(event.data)
        elif name == "exit":
            self._handle_exit(event.data)
        elif name == "error":
            payload = _json_object(event.data)
            message = str((payload or {}).get("message") or event.text or "unknown error")
            if _is_timeout_message(message, payload):
                # The server enforced timeout_secs: an outcome, not a broken stream.
                self._flush()
                self.status, self.error, self.finished = "timeout", message, True
                return
            raise self.broken(f"the server reported an error in the stream: {message}")
        else:
            payload = _json_object(event.data)
            if payload is not None and isinstance(payload.get("exec_id"), str):
                self.exec_id = payload["exec_id"]

    def _handle_exit(self, data: bytes) -> None:
        payload = _json_object(data)
        if payload is None:
            text = data.strip()
            self.exit_code = int(text) if text.lstrip(b"-").isdigit() else None
        else:
            code = payload.get("exit_code", payload.get("code"))
            self.exit_code = code if isinstance(code, int) else None
            self.truncated = bool(payload.get("truncated", False))
            status = payload.get("status")
            self.status = status if isinstance(status, str) else None
            if isinstance(payload.get("exec_id"), str):
                self.exec_id = payload["exec_id"]
        self._flush()
        self.finished = True
        if self.status is None:
            self.status = "completed"
