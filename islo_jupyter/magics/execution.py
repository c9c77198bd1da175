"""Run one script on one or several sandboxes, streaming labelled output and handling interrupts."""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from ..errors import IsloError, IsloExecError, IsloTimeoutError
from ..exec_wrapper import new_cancel_id
from ..models import ExecResult
from .render import CoalescingWriter, PeriodicFlusher, build_stream_sink

if TYPE_CHECKING:
    from ..client import IsloClient

# `$1` is the body: passing it as an argument, never pasting it into the script, means no
# quoting of the user's text can break out.
_AUTO_SHELL = (
    'if command -v bash >/dev/null 2>&1; then exec bash -c "$1" islo; fi; exec sh -c "$1" islo'
)
_PYTHON = (
    "p=$(command -v python3 || command -v python) || "
    '{ echo "islo: no python in the sandbox" >&2; exit 127; }; exec "$p" -c "$1"'
)
#: How long an interrupted fan-out waits for its streams to end after the cancel execs.
CANCEL_GRACE = 15.0


def build_argv(body: str, *, shell: str | None = None, python: bool = False) -> list[str]:
    """The argv that runs ``body``: as Python, with the given shell, or with bash else sh."""
    if python:
        return ["/bin/sh", "-c", _PYTHON, "islo", body]
    if shell:
        return [shell, "-c", body]
    return ["/bin/sh", "-c", _AUTO_SHELL, "islo", body]


@dataclass(frozen=True)
class ExecOptions:
    """How to run a body: what the exec magics parsed, merged with the ``IsloMagics`` config."""

    env: dict[str, str] | None = None
    workdir: str | None = None
    user: str | None = None
    timeout: float | None = None
    stream: bool = True
    show: bool = True


@dataclass
class Streams:
    """Where output goes; captured when the cell starts so worker threads use the cell's streams."""

    stdout: TextIO
    stderr: TextIO

    @classmethod
    def current(cls) -> Streams:
        return cls(sys.stdout, sys.stderr)


def _make_writers(streams: Streams, label: str) -> tuple[CoalescingWriter, CoalescingWriter]:
    return (
        CoalescingWriter(build_stream_sink(streams.stdout), label=label),
        CoalescingWriter(build_stream_sink(streams.stderr), label=label),
    )


def _show_buffered(result: ExecResult, out: CoalescingWriter, err: CoalescingWriter) -> None:
    # Without streaming the client hands the output over at the end; render it the same way.
    out.write(result.stdout)
    err.write(result.stderr)


def run_single(
    client: IsloClient, name: str, argv: list[str], options: ExecOptions, streams: Streams
) -> ExecResult:
    """Run in the calling thread: the client kills the remote group on a KeyboardInterrupt."""
    out, err = _make_writers(streams, "")
    live = options.show and options.stream
    try:
        with PeriodicFlusher([out, err]):
            result = client.exec(
                name,
                argv,
                env=options.env,
                workdir=options.workdir,
                user=options.user,
                timeout=options.timeout,
                on_stdout=out.write if live else None,
                on_stderr=err.write if live else None,
                cancellable=True,
                stream=options.stream,
            )
            if options.show and not options.stream:
                _show_buffered(result, out, err)
    except KeyboardInterrupt:
        print(f"Interrupted: the command in sandbox {name!r} was killed.", file=streams.stderr)
        raise
    return result


class _FanOut:
    """One exec per sandbox in worker threads, cancelled from the main thread.

    Worker threads never see the kernel's KeyboardInterrupt, so the client cannot cancel
    them by itself: each exec gets a cancel id of ours, and the main thread, on an interrupt
    or at the deadline, asks the client to cancel every one still running.
    """

    def __init__(self, client: IsloClient, names: Sequence[str], options: ExecOptions):
        self.client = client
        self.names = list(names)
        self.options = options
        self.cancel_ids = {name: new_cancel_id() for name in self.names}

    def _run_one(self, name: str, argv: list[str], streams: Streams) -> ExecResult:
        out, err = _make_writers(streams, f"[{name}] ")
        live = self.options.show and self.options.stream
        with PeriodicFlusher([out, err]):
            result = self.client.exec(
                name,
                argv,
                cancel_id=self.cancel_ids[name],
                env=self.options.env,
                workdir=self.options.workdir,
                user=self.options.user,
                on_stdout=out.write if live else None,
                on_stderr=err.write if live else None,
                stream=self.options.stream,
            )
            if self.options.show and not self.options.stream:
                _show_buffered(result, out, err)
        return result

    def run(self, argv: list[str], streams: Streams) -> dict[str, ExecResult | BaseException]:
        pool = ThreadPoolExecutor(max_workers=len(self.names), thread_name_prefix="islo-exec")
        futures = {
            name: pool.submit(contextvars.copy_context().run, self._run_one, name, argv, streams)
            for name in self.names
        }
        deadline = None if self.options.timeout is None else time.monotonic() + self.options.timeout
        try:
            if not _wait_all(futures.values(), deadline):
                late = self._cancel_pending(futures)
                raise IsloTimeoutError(
                    f"command timed out after {self.options.timeout:g} s in "
                    f"{', '.join(map(repr, late))}; the remote process groups were killed"
                )
            return {name: _outcome(future) for name, future in futures.items()}
        except KeyboardInterrupt:
            late = self._cancel_pending(futures)
            print(
                f"Interrupted: the command was killed in {', '.join(map(repr, late))}.",
                file=streams.stderr,
            )
            raise
        finally:
            pool.shutdown(wait=False)

    def _cancel(self, name: str) -> None:
        # Best effort: the sandbox may be gone; the caller reports the outcome anyway.
        with contextlib.suppress(IsloError):
            self.client.cancel_exec(name, self.cancel_ids[name])

    def _cancel_pending(self, futures: dict[str, Future[ExecResult]]) -> list[str]:
        pending = [name for name, future in futures.items() if not future.done()]
        threads = [threading.Thread(target=self._cancel, args=(name,)) for name in pending]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(CANCEL_GRACE)
        # Let the workers see their streams end, so no output arrives after the cell.
        _wait_all([futures[name] for name in pending], time.monotonic() + CANCEL_GRACE)
        return pending


def _wait_all(futures: Iterable[Future[ExecResult]], deadline: float | None) -> bool:
    """Wait until all are done (True) or the deadline passes (False), interruptibly."""
    for future in futures:
        while not future.done():
            # Short waits keep the main thread responsive to SIGINT.
            if deadline is not None and time.monotonic() >= deadline:
                return False
            with contextlib.suppress(FutureTimeout):
                future.exception(timeout=0.1)
    return True


def _outcome(future: Future[ExecResult]) -> ExecResult | BaseException:
    exc = future.exception()
    return exc if exc is not None else future.result()


def run_on_sandboxes(
    client: IsloClient,
    names: Sequence[str],
    argv: list[str],
    options: ExecOptions,
    streams: Streams | None = None,
) -> dict[str, ExecResult]:
    """Run ``argv`` on every sandbox; the first error of any sandbox is raised after all end."""
    streams = streams or Streams.current()
    if len(names) == 1:
        return {names[0]: run_single(client, names[0], argv, options, streams)}
    outcomes = _FanOut(client, names, options).run(argv, streams)
    errors = [outcome for outcome in outcomes.values() if isinstance(outcome, BaseException)]
    if errors:
        raise errors[0]
    return {name: outcome for name, outcome in outcomes.items() if isinstance(outcome, ExecResult)}


def raise_first_failure(results: dict[str, ExecResult]) -> None:
    """Raise ``IsloExecError`` for the first sandbox whose command did not exit 0."""
    for result in results.values():
        if not result.ok:
            raise IsloExecError(result)


Capture = Callable[[str, object], None]


def capture_results(
    results: dict[str, ExecResult],
    store: Capture,
    *,
    out: str | None,
    err: str | None,
    result: str | None,
) -> None:
    """Store output in the user namespace: plain values for one sandbox, dicts for several."""
    single = len(results) == 1

    def pick(get: Callable[[ExecResult], object]) -> object:
        if single:
            return get(next(iter(results.values())))
        return {name: get(value) for name, value in results.items()}

    if out:
        store(out, pick(lambda r: r.stdout))
    if err:
        store(err, pick(lambda r: r.stderr))
    if result:
        store(result, pick(lambda r: r))
