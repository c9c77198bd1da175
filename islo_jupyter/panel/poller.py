"""Auto-refresh for the sandbox browser: polls on a thread, backs off while nothing changes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable


class Backoff:
    """Poll interval policy: double while unchanged (up to ``maximum``), reset on a change."""

    def __init__(self, base: float, maximum: float, factor: float = 2.0):
        if base <= 0 or maximum < base or factor < 1:
            raise ValueError("need 0 < base <= maximum and factor >= 1")
        self.base = base
        self.maximum = maximum
        self.factor = factor
        self.current = base

    def next_interval(self, changed: bool) -> float:
        self.current = self.base if changed else min(self.current * self.factor, self.maximum)
        return self.current

    def reset(self) -> None:
        self.current = self.base


class AutoRefresher:
    """Calls ``poll()`` every so often on a daemon thread until ``stop()``.

    ``poll`` returns a fingerprint of what it saw (or None when the poll failed or was
    skipped); an unchanged fingerprint backs the interval off, a new one resets it.
    """

    def __init__(self, poll: Callable[[], Hashable | None], backoff: Backoff):
        self._poll = poll
        self.backoff = backoff
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: Hashable | None = None
        self.polls = 0

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.is_running and not self._stop.is_set():
            return  # already polling (a stopped thread still finishing its poll does not count)
        self._stop = threading.Event()  # a fresh event: a stopped thread may still be exiting
        self.backoff.reset()
        self._thread = threading.Thread(
            target=self._loop, args=(self._stop,), name="islo-panel-poll", daemon=True
        )
        self._thread.start()

    def stop(self, join_timeout: float | None = None) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and join_timeout is not None:
            thread.join(join_timeout)

    def _loop(self, stop: threading.Event) -> None:
        interval = self.backoff.current
        while not stop.wait(interval):
            fingerprint = self._poll()
            self.polls += 1
            if fingerprint is None:  # failed or skipped: try again later, not sooner
                interval = self.backoff.next_interval(changed=False)
                continue
            changed = fingerprint != self._last
            self._last = fingerprint
            interval = self.backoff.next_interval(changed)
