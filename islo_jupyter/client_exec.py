"""IsloClient's exec calls: streamed (SSE) or started and polled, optionally cancellable."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import requests
import urllib3

from . import errors
from .client_core import ClientCore, drop_none, encode_path
from .exec_stream import ExecStreamConsumer, OutputCallback, iter_body
from .exec_wrapper import cancel_command, new_cancel_id, wrap_cancellable
from .models import TERMINAL_EXEC_STATUSES, ExecResponse, ExecResult, ExecResultResponse

#: Polling: first wait, growth factor and longest wait between result polls.
POLL_FIRST = 0.05
POLL_GROWTH = 1.6
POLL_MAX = 2.0
#: Failures of reading a response body (requests wraps most; read1 may raise urllib3's).
STREAM_TRANSPORT_ERRORS = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    ConnectionError,
)
#: Statuses of the stream endpoint that mean "not available here, poll instead".
STREAM_UNAVAILABLE = frozenset({404, 405, 501})
CANCEL_TIMEOUT = 15.0
#: Longest wait for the end of a stream body once ``exit`` has arrived.
DRAIN_TIMEOUT = 1.0

Command = str | Sequence[str]


def build_argv(command: Command) -> list[str]:
    """A shell string runs under ``/bin/sh -c``; a sequence is the argv as it is."""
    if isinstance(command, str):
        return ["/bin/sh", "-c", command]
    argv = [str(part) for part in command]
    if not argv:
        raise ValueError("empty command")
    return argv


def poll_delays(first: float = POLL_FIRST, cap: float = POLL_MAX) -> Iterator[float]:
    """Waits between polls: fast at first, then growing geometrically up to ``cap``."""
    delay = first
    while True:
        yield delay
        delay = min(delay * POLL_GROWTH, cap)


def _is_missing_endpoint(error: errors.IsloAPIError) -> bool:
    # A 404 with an ErrorResponse code (SANDBOX_NOT_FOUND...) is about the sandbox, not the route.
    if error.status_code not in STREAM_UNAVAILABLE:
        return False
    return error.status_code != 404 or not error.code


class ExecAPI(ClientCore):
    """``exec`` and its building blocks."""

    _stream_unsupported = False

    def start_exec(
        self,
        name: str,
        command: Command,
        *,
        env: Mapping[str, str | None] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        timeout_secs: int | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> ExecResponse:
        """Start a command and return at once with its ``exec_id``."""
        body = self._exec_body(build_argv(command), env, workdir, user, timeout_secs)
        data = self._json(
            "POST",
            encode_path("sandboxes", name, "exec"),
            idempotent=False,
            json=body,
            timeout=timeout,
            max_attempts=max_attempts,
        )
        return ExecResponse.model_validate(data)

    def get_exec_result(
        self,
        name: str,
        exec_id: str,
        *,
        timeout: float | None = None,
        max_attempts: int | None = None,
    ) -> ExecResultResponse:
        data = self._json(
            "GET",
            encode_path("sandboxes", name, "exec", exec_id),
            idempotent=True,
            timeout=timeout,
            max_attempts=max_attempts,
        )
        return ExecResultResponse.model_validate(data)

    def wait_exec(
        self,
        name: str,
        exec_id: str,
        *,
        timeout: float | None = None,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
    ) -> ExecResult:
        """Poll the result until it is terminal (fast first poll, then up to every 2 s)."""
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        seen = {"stdout": 0, "stderr": 0}
        for delay in poll_delays():
            result = self.get_exec_result(name, exec_id)
            _emit_new_output(result.stdout, "stdout", seen, on_stdout)
            _emit_new_output(result.stderr, "stderr", seen, on_stderr)
            if result.status in TERMINAL_EXEC_STATUSES:
                return ExecResult(
                    sandbox=name,
                    exec_id=exec_id,
                    status=result.status,
                    stdout=result.stdout,
                    stderr=result.stderr,
                    exit_code=result.exit_code,
                    truncated=result.truncated,
                    duration=time.monotonic() - started,
                )
            if deadline is not None and time.monotonic() + delay > deadline:
                raise errors.IsloTimeoutError(
                    f"exec {exec_id} in sandbox {name!r} did not finish within {timeout:g} s; "
                    "the remote command may still be running"
                )
            time.sleep(delay)
        raise AssertionError("unreachable")  # poll_delays() never ends

    def cancel_exec(self, name: str, cancel_id: str) -> None:
        """Cancel an exec started with ``cancellable=True``: its process group is killed."""
        self.exec(name, cancel_command(cancel_id), timeout=CANCEL_TIMEOUT, stream=False)

    def exec(
        self,
        name: str,
        command: Command,
        *,
        env: Mapping[str, str | None] | None = None,
        workdir: str | None = None,
        user: str | None = None,
        timeout: float | None = None,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        cancellable: bool = False,
        cancel_id: str | None = None,
        stream: bool = True,
        max_attempts: int | None = None,
        keep_output: bool = True,
    ) -> ExecResult:
        """Run a command to completion, streaming its output; never raises on a non-zero exit.

        ``cancellable=True`` runs it so that a KeyboardInterrupt or the local timeout kills
        its remote process group. Passing your own ``cancel_id`` (``new_cancel_id()``) also
        lets another thread kill it with ``cancel_exec(name, cancel_id)``.
        ``keep_output=False`` hands output only to the callbacks (the result's stdout and
        stderr stay empty), for streams too big to hold in memory.
        """
        argv = build_argv(command)
        if cancellable and cancel_id is None:
            cancel_id = new_cancel_id()
        if cancel_id is not None:
            argv = wrap_cancellable(argv, cancel_id)
        timeout_secs = math.ceil(timeout) if timeout is not None else None
        body = self._exec_body(argv, env, workdir, user, timeout_secs)
        started = time.monotonic()
        try:
            streamed = stream and not self._stream_unsupported
            if streamed:
                outcome = self._exec_streamed(
                    name, body, timeout, on_stdout, on_stderr, max_attempts, keep_output
                )
                if outcome is not None:
                    return outcome
            result = self._exec_polled(name, body, timeout, on_stdout, on_stderr, started)
            if streamed:
                # The stream endpoint answered "not here" but exec works: remember, and
                # poll from now on. (A bare 404 may also mean "no such sandbox": then the
                # start above raised NotFoundError and nothing is remembered.)
                self._stream_unsupported = True
            return result
        except errors.IsloTimeoutError:
            raise errors.IsloTimeoutError(self._after_timeout(name, cancel_id, timeout)) from None
        except KeyboardInterrupt:
            if cancel_id is not None:
                self._cancel_quietly(name, cancel_id)
            raise

    def _exec_body(
        self,
        argv: list[str],
        env: Mapping[str, str | None] | None,
        workdir: str | None,
        user: str | None,
        timeout_secs: int | None,
    ) -> dict[str, Any]:
        body = drop_none({"workdir": workdir, "user": user, "timeout_secs": timeout_secs})
        body["command"] = argv
        if env is not None:
            body["env"] = dict(env)  # null values are meaningful here: keep them
        return body

    def _exec_streamed(
        self,
        name: str,
        body: dict[str, Any],
        timeout: float | None,
        on_stdout: OutputCallback | None,
        on_stderr: OutputCallback | None,
        max_attempts: int | None,
        keep_output: bool,
    ) -> ExecResult | None:
        """The streamed run, or None when the server has no stream endpoint."""
        started = time.monotonic()
        try:
            response = self._request(
                "POST",
                encode_path("sandboxes", name, "exec", "stream"),
                idempotent=False,
                json=body,
                headers={"Accept": "text/event-stream"},
                stream=True,
                # No read timeout on a stream: commands may be silent for long; the local
                # deadline below ends the wait instead.
                timeout=(self.timeout, None),
                max_attempts=max_attempts,
            )
        except errors.IsloAPIError as error:
            if _is_missing_endpoint(error):
                return None
            raise
        consumer = ExecStreamConsumer(on_stdout, on_stderr, keep_output=keep_output)
        with response, _deadline_guard(response, timeout) as expired:
            try:
                chunks = iter_body(response)
                consumer.consume(chunks)
                _drain_after_exit(response, chunks)
            except Exception as exc:
                if expired.is_set():  # our deadline shut the socket: whatever broke, it's that
                    raise errors.IsloTimeoutError(f"did not finish within {timeout:g} s") from None
                if isinstance(exc, STREAM_TRANSPORT_ERRORS):
                    raise consumer.broken(
                        f"the output stream of sandbox {name!r} broke off "
                        f"({type(exc).__name__}); the command's outcome is unknown"
                    ) from None
                raise  # IsloStreamError from the consumer, or an error of a callback
        if consumer.status == "timeout":
            raise errors.IsloTimeoutError(
                f"the server stopped it at its time limit: {consumer.error}"
            )
        return ExecResult(
            sandbox=name,
            exec_id=consumer.exec_id or response.headers.get("X-Exec-Id"),
            status=consumer.status or "completed",
            stdout=consumer.stdout,
            stderr=consumer.stderr,
            exit_code=consumer.exit_code,
            truncated=consumer.truncated,
            duration=time.monotonic() - started,
        )

    def _exec_polled(
        self,
        name: str,
        body: dict[str, Any],
        timeout: float | None,
        on_stdout: OutputCallback | None,
        on_stderr: OutputCallback | None,
        started: float,
    ) -> ExecResult:
        data = self._json(
            "POST", encode_path("sandboxes", name, "exec"), idempotent=False, json=body
        )
        exec_id = ExecResponse.model_validate(data).exec_id
        remaining = None if timeout is None else max(timeout - (time.monotonic() - started), 0)
        result = self.wait_exec(
            name, exec_id, timeout=remaining, on_stdout=on_stdout, on_stderr=on_stderr
        )
        if result.status == "timeout":
            raise errors.IsloTimeoutError("the server stopped it at its time limit")
        return result

    def _after_timeout(self, name: str, cancel_id: str | None, timeout: float | None) -> str:
        limit = f"after {timeout:g} s" if timeout is not None else "while waiting"
        head = f"command in sandbox {name!r} timed out locally {limit}"
        if cancel_id is None:
            return f"{head}; the remote process was not killed and may still be running"
        if self._cancel_quietly(name, cancel_id):
            return f"{head}; the remote process group was killed"
        return f"{head}; cancelling it failed, so the remote process may still be running"

    def _cancel_quietly(self, name: str, cancel_id: str) -> bool:
        try:
            self.cancel_exec(name, cancel_id)
        except errors.IsloError:
            return False
        return True


def _drain_after_exit(response: requests.Response, chunks: Iterator[bytes]) -> None:
    """Read the end of the body after ``exit`` (normally just the final empty chunk), so the
    connection returns to the pool: a new TLS connection per exec would cost far more.
    Bounded: a server that keeps the stream open is given DRAIN_TIMEOUT, then dropped."""
    sock = getattr(getattr(response.raw, "connection", None), "sock", None)
    if sock is None:
        return
    with contextlib.suppress(Exception):  # any failure: `with response` closes the connection
        sock.settimeout(DRAIN_TIMEOUT)  # urllib3 sets its own timeout again on reuse
        for _ in itertools.islice(chunks, 8):
            pass


def _emit_new_output(
    text: str, key: str, seen: dict[str, int], callback: Callable[[str], None] | None
) -> None:
    # A polled result repeats all output so far; hand the callback only what is new.
    if callback is not None and len(text) > seen[key]:
        callback(text[seen[key] :])
    seen[key] = max(seen[key], len(text))


@contextlib.contextmanager
def _deadline_guard(
    response: requests.Response, timeout: float | None
) -> Iterator[threading.Event]:
    """Shut the response's socket when the local deadline passes, waking a blocked read."""
    expired = threading.Event()
    if timeout is None:
        yield expired
        return

    def expire() -> None:
        expired.set()
        # urllib3 >= 2.3 can shut the socket from another thread, waking a blocked read.
        shutdown = getattr(response.raw, "shutdown", None) or response.close
        with contextlib.suppress(Exception):
            shutdown()

    timer = threading.Timer(max(timeout, 0.0), expire)
    timer.daemon = True
    timer.start()
    try:
        yield expired
    finally:
        timer.cancel()
