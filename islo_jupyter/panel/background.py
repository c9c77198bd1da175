"""Runs the panel's client calls on a thread pool, tracks what is in flight, reports errors."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ..errors import IsloError

T = TypeVar("T")

#: Called with the labels of the tasks in flight whenever that set changes.
BusyListener = Callable[[list[str]], None]
#: Called with (label, exception) when a task fails.
ErrorListener = Callable[[str, BaseException], None]


def describe_error(exc: BaseException) -> str:
    """A short readable message: our errors' short form, else ``Type: message``."""
    if isinstance(exc, IsloError):
        return exc.short_message()
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class BackgroundRunner:
    """A thread pool that keeps the kernel's main thread free and knows when it is idle.

    ``submit`` schedules ``call`` and then ``on_success(result)`` on a worker thread;
    ``on_finally`` always runs afterwards (buttons re-enable there). A task submitted from
    inside another task is counted before its parent finishes, so ``wait_idle`` sees a
    chain (create -> wait -> refresh -> select) as one piece of work.
    """

    def __init__(
        self,
        on_busy: BusyListener,
        on_error: ErrorListener,
        *,
        max_workers: int = 4,
    ):
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="islo-panel"
        )
        self._on_busy = on_busy
        self._on_error = on_error
        self._inflight: Counter[str] = Counter()
        self._keys: Counter[str] = Counter()
        self._idle = threading.Condition()
        self._closed = False

    def submit(
        self,
        label: str,
        call: Callable[[], T],
        *,
        on_success: Callable[[T], None] | None = None,
        on_finally: Callable[[], None] | None = None,
        key: str | None = None,
    ) -> Future[Any] | None:
        """Schedule ``call``; returns its future, or None once the runner is closed."""
        with self._idle:
            if self._closed:
                return None
            self._inflight[label] += 1
            if key is not None:
                self._keys[key] += 1
            labels = sorted(self._inflight)
        self._on_busy(labels)
        return self._executor.submit(self._run, label, key, call, on_success, on_finally)

    def _run(
        self,
        label: str,
        key: str | None,
        call: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_finally: Callable[[], None] | None,
    ) -> T | None:
        try:
            if self._closed:  # queued before close(): skip the call, still count it done
                return None
            result = call()
            if on_success is not None:
                on_success(result)
            return result
        except BaseException as exc:  # every failure must reach the panel, not a lost future
            self._report(label, exc)
            return None
        finally:
            if on_finally is not None:
                try:
                    on_finally()
                except Exception as exc:
                    self._report(label, exc)
            self._finish(label, key)

    def _report(self, label: str, exc: BaseException) -> None:
        # A broken error display must not kill the worker thread.
        with contextlib.suppress(Exception):
            self._on_error(label, exc)

    def _finish(self, label: str, key: str | None) -> None:
        with self._idle:
            self._inflight[label] -= 1
            if self._inflight[label] <= 0:
                del self._inflight[label]
            if key is not None:
                self._keys[key] -= 1
                if self._keys[key] <= 0:
                    del self._keys[key]
            labels = sorted(self._inflight)
            self._idle.notify_all()
        self._on_busy(labels)

    def is_busy(self, key: str | None = None) -> bool:
        """Whether anything (or anything for ``key``) is in flight."""
        with self._idle:
            return bool(self._keys.get(key)) if key is not None else bool(self._inflight)

    def is_running(self, label: str) -> bool:
        with self._idle:
            return bool(self._inflight.get(label))

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is in flight; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._inflight, timeout=timeout)

    def close(self) -> None:
        """Refuse new work; running calls finish on their own (a remote call cannot be undone)."""
        with self._idle:
            self._closed = True
        self._executor.shutdown(wait=False)
