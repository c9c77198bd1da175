"""Unit tests of the panel's background runner and auto-refresh backoff (no network)."""

from __future__ import annotations

import threading
from collections.abc import Hashable

import pytest

from islo_jupyter.errors import ConflictError
from islo_jupyter.panel.background import BackgroundRunner, describe_error
from islo_jupyter.panel.poller import AutoRefresher, Backoff

WAIT = 30.0


class Recorder:
    def __init__(self) -> None:
        self.busy: list[list[str]] = []
        self.errors: list[tuple[str, BaseException]] = []

    def runner(self) -> BackgroundRunner:
        return BackgroundRunner(
            self.busy.append, lambda label, exc: self.errors.append((label, exc))
        )


def test_runner_runs_off_the_calling_thread_and_reports_busy() -> None:
    rec = Recorder()
    runner = rec.runner()
    release = threading.Event()
    seen: list[str] = []

    def work() -> str:
        release.wait(WAIT)
        return threading.current_thread().name

    runner.submit("job", work, on_success=seen.append, key="box")
    assert runner.is_busy() and runner.is_busy("box") and not runner.is_busy("other")
    assert not runner.wait_idle(0.05)
    release.set()
    assert runner.wait_idle(WAIT)
    assert seen and seen[0] != threading.current_thread().name
    assert rec.busy[0] == ["job"] and rec.busy[-1] == []
    assert not runner.is_busy("box")
    runner.close()


def test_runner_reports_errors_and_runs_on_finally() -> None:
    rec = Recorder()
    runner = rec.runner()
    finished = threading.Event()
    err = ConflictError(409, "sandbox is paused", code="SANDBOX_INVALID_STATE")
    runner.submit("pause x", lambda: (_ for _ in ()).throw(err), on_finally=finished.set)
    assert runner.wait_idle(WAIT)
    assert finished.is_set()
    assert rec.errors == [("pause x", err)]
    assert describe_error(err) == "HTTP 409 SANDBOX_INVALID_STATE: sandbox is paused"
    assert describe_error(KeyError("k")) == "KeyError: 'k'"
    runner.close()


def test_wait_idle_covers_chained_tasks() -> None:
    runner = BackgroundRunner(lambda _labels: None, lambda _label, _exc: None)
    order: list[str] = []
    gate = threading.Event()

    def second() -> None:
        gate.wait(WAIT)
        order.append("second")

    runner.submit(
        "first",
        lambda: order.append("first"),
        on_success=lambda _r: runner.submit("second", second),
    )
    assert not runner.wait_idle(0.1)  # the child keeps the runner busy after the parent ended
    gate.set()
    assert runner.wait_idle(WAIT)
    assert order == ["first", "second"]
    runner.close()


def test_closed_runner_refuses_work() -> None:
    runner = BackgroundRunner(lambda _labels: None, lambda _label, _exc: None)
    runner.close()
    assert runner.submit("late", lambda: 1) is None
    assert runner.wait_idle(1)


def test_backoff_doubles_until_cap_and_resets_on_change() -> None:
    backoff = Backoff(1.0, 5.0)
    assert [backoff.next_interval(False) for _ in range(4)] == [2.0, 4.0, 5.0, 5.0]
    assert backoff.next_interval(True) == 1.0
    with pytest.raises(ValueError):
        Backoff(0, 1)


def test_auto_refresher_backs_off_while_unchanged_and_stops() -> None:
    polled = threading.Event()
    count = 0

    def poll() -> Hashable:
        nonlocal count
        count += 1
        if count >= 3:
            polled.set()
        return "same"

    refresher = AutoRefresher(poll, Backoff(0.01, 0.04))
    refresher.start()
    assert polled.wait(WAIT)
    refresher.stop(join_timeout=WAIT)
    assert not refresher.is_running
    assert refresher.backoff.current > 0.01  # unchanged fingerprints backed it off
    stopped_at = refresher.polls
    threading.Event().wait(0.1)
    assert refresher.polls == stopped_at


def test_auto_refresher_restarts_while_the_old_thread_is_still_polling() -> None:
    inside, release = threading.Event(), threading.Event()

    def slow_poll() -> Hashable:
        inside.set()
        release.wait(WAIT)
        return "x"

    refresher = AutoRefresher(slow_poll, Backoff(0.01, 0.02))
    refresher.start()
    assert inside.wait(WAIT)
    old = refresher._thread
    refresher.stop()
    refresher.start()  # toggled back on before the old poll returned
    assert refresher._thread is not old and refresher.is_running
    release.set()
    refresher.stop(join_timeout=WAIT)
    assert old is not None
    old.join(WAIT)
    assert not old.is_alive()
